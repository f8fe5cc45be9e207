"""Forms of the monitoring pages: a source, a topic, an appearance's move."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

KINDS = [SelectChoice("feed", "RSS or Atom feed"), SelectChoice("sitemap", "Sitemap"),
         SelectChoice("page", "Page to watch")]


class SourceForm(FlaskForm):
    url = StringField("URL (http or https)", validators=[DataRequired(message="Give the source's URL."),
                                                         Length(max=2000)])
    kind = SelectField("Kind", choices=KINDS)
    name = StringField("Name", validators=[Optional(), Length(max=300)], description="Who publishes it.")
    topic = StringField("Topic", validators=[Optional(), Length(max=80)],
                        description="Every sentence from this source counts under this topic.")
    submit = SubmitField("Follow this source")


class TopicForm(FlaskForm):
    name = StringField("Topic", validators=[DataRequired(message="Name the topic."), Length(max=80)])
    keywords = TextAreaField("Keywords", validators=[DataRequired(message="Give at least one keyword."),
                                                     Length(max=5000)],
                             description="Separated by commas or lines; a sentence with one of them is on the topic.")
    submit = SubmitField("Save topic")


class AppearanceForm(FlaskForm):
    state = HiddenField(validators=[DataRequired()])
    submit = SubmitField()


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (make a claim from a candidate)."""
