"""Forms of the desk's article pages: the three ways in, highlighting, re-anchoring, revising."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import WholeNumberField, web_link, whole_number_choice


class MetaFields(FlaskForm):
    """Metadata a person may give with any import; blanks are filled from the page when there is one."""

    title = StringField("Title", validators=[Optional(), Length(max=500)])
    source_url = StringField("Source URL", validators=[Optional(), Length(max=2000), web_link])
    publisher = StringField("Publisher", validators=[Optional(), Length(max=300)])
    author = StringField("Author(s)", validators=[Optional(), Length(max=500)])
    published_at = DateField("Published", validators=[Optional()])


class PasteForm(MetaFields):
    text = TextAreaField("Article text", validators=[DataRequired(message="Paste the article's text.")])
    submit = SubmitField("Add article")


class UploadForm(MetaFields):
    file = FileField("File (.txt, .md or .html)", validators=[FileRequired(message="Choose a file to upload.")])
    submit = SubmitField("Upload")


class UrlForm(MetaFields):
    url = StringField("Article URL", validators=[DataRequired(message="Give the article's URL."), Length(max=2000),
                                                web_link])
    submit = SubmitField("Import")


class ClaimForm(FlaskForm):
    """A claim from a selection (start, end, quote filled by highlight.js) or from a typed quote."""

    start = WholeNumberField(validators=[Optional()])
    end = WholeNumberField(validators=[Optional()])
    quote = TextAreaField("Quote", validators=[Optional(), Length(max=2000)])
    prefix = HiddenField()
    suffix = HiddenField()
    summary = TextAreaField("Checkable wording", validators=[Optional(), Length(max=2000)])
    claimant = StringField("Claimant", validators=[Optional(), Length(max=300)])
    claimed_at = DateField("Said on", validators=[Optional()])
    # On the selection form: add a new claim, or re-attach an orphaned/fuzzy claim to the selection.
    reattach = SelectField("Use the selection for", coerce=whole_number_choice, default=0, validate_choice=False)
    submit = SubmitField("Add claim")


class ReattachForm(FlaskForm):
    # A typed quote, or start/end when the person picked one occurrence of a repeated quote.
    quote = TextAreaField("Quote in the current text", validators=[Optional(), Length(max=2000)])
    start = WholeNumberField(validators=[Optional()])
    end = WholeNumberField(validators=[Optional()])
    submit = SubmitField("Re-attach")


class ConfirmForm(FlaskForm):
    submit = SubmitField("Confirm new wording")


class ReviseForm(FlaskForm):
    text = TextAreaField("Article text", validators=[DataRequired(message="The article needs text.")])
    note = StringField("What changed", validators=[Optional(), Length(max=500)])
    base_revision = HiddenField()
    submit = SubmitField("Save revision")
