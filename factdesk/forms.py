"""Form fields and validators the desk's forms share, so a form checks a value by the same rule as the
API and the domain code (factdesk/params.py for whole numbers, factdesk/urls.py for links)."""
from __future__ import annotations

from markupsafe import escape
from wtforms import IntegerField
from wtforms import SelectField as _SelectField
from wtforms.validators import ValidationError as FieldError
from wtforms.widgets import Select

from .errors import ValidationError
from .params import MAX_ID, whole_number
from .urls import web_url


class WholeNumberField(IntegerField):
    """An IntegerField bounded by what a column holds (`lo`..`hi`): `int()` alone takes any size."""

    def __init__(self, label=None, validators=None, *, lo: int = 0, hi: int = MAX_ID, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.lo, self.hi = lo, hi

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = whole_number(valuelist[0], self.name, lo=self.lo, hi=self.hi)
        except ValidationError as exc:
            self.data = None
            raise ValueError(exc.message) from None


class QuickSelect(Select):
    """WTForms' <select>, each plain option written by one f-string: its own rendering inspected the
    option renderer's signature on every call and built each option through `html_params`, about
    0.35 ms for the queue's 30 people, every queue page. The markup is the same; an option with
    extra attributes (render_kw) is WTForms' own."""

    @classmethod
    def _dispatch_render_option(cls):
        return cls.render_option

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = " selected" if choice.selected else ""
        return f'<option value="{escape(value)}"{selected}>{escape(choice.label or choice.value)}</option>'


class SelectField(_SelectField):
    """WTForms' SelectField, rendered by `QuickSelect`."""

    widget = QuickSelect()


def whole_number_choice(value) -> int:
    """`coerce` for a SelectField of ids: refuses (ValueError, as WTForms expects) what is no id."""
    if isinstance(value, int):
        return value
    try:
        return whole_number(value, "choice", lo=0, default=0)
    except ValidationError as exc:
        raise ValueError(exc.message) from None


def web_link(form, field) -> None:
    """Validator: an http(s) link, by the rule every stored URL passes (blank is left to Optional)."""
    try:
        web_url(field.data, field.name, limit=10_000)
    except ValidationError as exc:
        raise FieldError(next(iter(exc.fields.values()), exc.message)) from None
