"""Forms of the claim page: every edit carries the version (and the values) it started from."""
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import DateField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import DateInput, HiddenInput

from ..forms import SelectField, WholeNumberField, web_link
from ..models import Priority, SourceType, Stance

PRIORITIES = [SelectChoice(p.name, p.name) for p in sorted(Priority, reverse=True)]


class ClaimEditForm(FlaskForm):
    version = WholeNumberField(widget=HiddenInput(), validators=[DataRequired()])
    # The values the page showed, as JSON: on a stale submit only what others changed meanwhile is named.
    base = HiddenField()
    summary = TextAreaField("Checkable wording", validators=[Optional(), Length(max=2000)],
                            description="One sentence restating what is claimed.")
    claimant = StringField("Claimant", validators=[Optional(), Length(max=300)], description="Who said it.")
    claimed_at = StringField("When said", widget=DateInput(), validators=[Optional(), Length(max=10)],
                             description="YYYY-MM-DD")
    priority = SelectField("Priority", choices=PRIORITIES, validate_choice=False)
    due = StringField("Due", widget=DateInput(), validators=[Optional(), Length(max=10)], description="YYYY-MM-DD")
    tags = StringField("Tags", validators=[Optional(), Length(max=1300)], description="Separated by commas.")
    rating = SelectField("Rating", validate_choice=False)
    rationale = TextAreaField("Rationale (Markdown)", validators=[Optional(), Length(max=50_000)])
    save = SubmitField("Save changes")
    preview = SubmitField("Preview rationale")


class AssignForm(FlaskForm):
    version = WholeNumberField(widget=HiddenInput(), validators=[DataRequired()])
    assignee = SelectField("Assignee", validate_choice=False)
    submit = SubmitField("Assign")


class EvidenceForm(FlaskForm):
    url = StringField("Link (http or https)", validators=[DataRequired(message="Give the evidence's link."),
                                                          Length(max=2000), web_link])
    title = StringField("Title", validators=[Optional(), Length(max=500)])
    publisher = StringField("Publisher", validators=[Optional(), Length(max=300)])
    excerpt = TextAreaField("Excerpt", validators=[Optional(), Length(max=10_000)],
                            description="The passage that matters.")
    stance = SelectField("Stance", choices=[SelectChoice(s.value, s.value) for s in Stance],
                         default=Stance.context.value)
    source_type = SelectField("Source type", choices=[SelectChoice(s.value, s.value) for s in SourceType],
                              default=SourceType.other.value)
    accessed_at = DateField("Accessed", validators=[Optional()])
    archive_url = StringField("Archive copy (optional)", validators=[Optional(), Length(max=2000), web_link])
    submit = SubmitField("Add evidence")


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired(message="Write something before sending."),
                                                Length(max=10_000)],
                         description="Markdown. Mention someone with @ and their e-mail's first part, e.g. @maria.")
    about = StringField("About these words of the quote (optional)", validators=[Length(max=2000)],
                        description="Select words in the quote above, or copy them here.")
    about_start = HiddenField()
    submit = SubmitField("Comment")


class TransitionForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=10_000)])


class RemoveForm(FlaskForm):
    """An empty form: a POST with its CSRF token."""
