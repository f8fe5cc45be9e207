from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

ROLE_CHOICES = [("checker", "Checker"), ("editor", "Editor"), ("admin", "Admin")]


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=512)])
    next = HiddenField()
    submit = SubmitField("Log in")


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(message="Type the code."), Length(max=32)])
    submit = SubmitField("Continue")


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
    expires_on = DateField("Last day (optional)", validators=[Optional()])
    code = StringField("Your two-factor code", validators=[Optional(), Length(max=32)])
    submit = SubmitField("Create token")
