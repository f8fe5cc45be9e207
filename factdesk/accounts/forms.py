from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, HiddenField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

ROLE_CHOICES = [SelectChoice("checker", "Checker"), SelectChoice("editor", "Editor"), SelectChoice("admin", "Admin")]


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
    """A token for the person signed in (tokens act only for their maker)."""

    name = StringField("Token name", validators=[DataRequired(), Length(max=120)])
    expires_on = DateField("Last day (optional)", validators=[Optional()])
    code = StringField("Your two-factor code", validators=[Optional(), Length(max=32)])
    submit = SubmitField("Create token")


class InviteForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    submit = SubmitField("Send the invitation")


class NewPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[
        DataRequired(), Length(min=10, max=512, message="The password needs at least 10 characters (at most 512).")])
    confirm = PasswordField("The same again", validators=[
        DataRequired(), EqualTo("password", message="The two passwords differ.")])
    submit = SubmitField("Set the password")


class ResetRequestForm(FlaskForm):
    email = EmailField("Your e-mail address", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Send me a link")


class MailChoiceForm(FlaskForm):
    notify_email = RadioField("Notifications by e-mail", choices=[
        SelectChoice("instant", "At once: a mail for each notification"),
        SelectChoice("digest", "A daily digest of what is unread"),
        SelectChoice("never", "Never: only on the notifications page")])
    submit = SubmitField("Save")


class EmailChangeForm(FlaskForm):
    new_email = EmailField("New e-mail address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Your current password", validators=[Length(max=512)])
    submit = SubmitField("Send a confirmation link to the new address")


class ConfirmForm(FlaskForm):
    submit = SubmitField("Confirm")
