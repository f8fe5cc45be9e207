from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

ROLE_CHOICES = [("checker", "Checker"), ("editor", "Editor"), ("admin", "Admin")]


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=512)])
    next = HiddenField()
    submit = SubmitField("Log in")


class LogoutForm(FlaskForm):
    submit = SubmitField("Log out")


class UserForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    password = PasswordField("Password", validators=[
        DataRequired(), Length(min=10, max=512, message="The password needs at least 10 characters (at most 512).")])
    submit = SubmitField("Create user")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    submit = SubmitField("Change role")


class ActiveForm(FlaskForm):
    submit = SubmitField("Change")


class TokenForm(FlaskForm):
    user_id = SelectField("For", coerce=int)
    name = StringField("Token name", validators=[DataRequired(), Length(max=120)])
    submit = SubmitField("Create token")
