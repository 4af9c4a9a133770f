"""One WTForms form per user task, found through the task's form key, built from the step's
field declarations (services/step_data.py) so that form and validation cannot drift apart."""

from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired, Length, Optional

from ..i18n import message
from ..services.cases import step_fields

REQUIRED = _l("Bắt buộc nhập.")
YES_NO = [("true", _l("Có")), ("false", _l("Không"))]
# What the papers give as a birth date, written as people write it (see _partial_iso).
PAPER_DATES = {step_fields.paper_field(paper, "birth_date") for paper in step_fields.PAPERS}
CHANGE_FIELDS = {
    "full_name": _l("Họ tên mới"),
    "birth_date": _l("Ngày sinh mới (dd/mm/yyyy)"),
    "sex": _l("Giới tính mới"),
    "ethnicity": _l("Dân tộc mới"),
}


class MultiCheckbox(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _label(field: step_fields.Field):
    return message(field.label) if field.label else field.name


def _choices(field: step_fields.Field):
    return [(code, message(text)) for code, text in field.choices.items()]


@cache
def form_class(step: str) -> type[FlaskForm]:
    attrs = {}
    for f in step_fields.fields(step):
        required = [InputRequired(message=REQUIRED)] if f.required else [Optional()]
        too_long = Length(max=f.max_length or 200, message=_l("Tối đa %(max)d ký tự."))
        if f.type == "multi_choice":
            attrs[f.name] = MultiCheckbox(f.name, choices=[], validators=[Optional()])
        elif f.type == "choice":
            attrs[f.name] = SelectField(f.name, choices=[], validators=required)
        elif f.type == "boolean":
            attrs[f.name] = RadioField(f.name, choices=YES_NO, validators=required)
        elif f.type == "date":
            # A text input, as people write dates here (dd/mm/yyyy), whatever the browser's locale.
            attrs[f.name] = DateField(
                f.name, format="%d/%m/%Y", validators=required, widget=widgets.TextInput()
            )
        elif f.type == "text":
            attrs[f.name] = TextAreaField(f.name, validators=[Optional(), too_long])
        elif f.type == "string":
            attrs[f.name] = StringField(f.name, validators=[*required, too_long])
        elif f.type == "object":  # the justice decision's changes: one input per correctable field
            for key in step_fields.CORRECTABLE:
                attrs[f"change_{key}"] = StringField(key, validators=[Optional(), too_long])
    return type(f"{step}_form", (FlaskForm,), attrs)


def build(step: str, formdata=None) -> FlaskForm:
    """The step's form with labels and choices in the page's language."""
    form = form_class(step)(formdata=formdata)
    for f in step_fields.fields(step):
        if f.name in form:
            form[f.name].label.text = _label(f)
            if f.choices is not None:
                blank = [] if f.type == "multi_choice" or f.required else [("", "—")]
                form[f.name].choices = blank + _choices(f)
    for key, text in CHANGE_FIELDS.items():
        if f"change_{key}" in form:
            form[f"change_{key}"].label.text = str(text)
    return form


def to_data(step: str, form: FlaskForm) -> dict:
    """Form fields → the step's data, for the service to validate again."""
    data = {}
    for f in step_fields.fields(step):
        if f.type == "object":
            changes = {}
            for key in step_fields.CORRECTABLE:
                value = (form[f"change_{key}"].data or "").strip()
                if value:
                    changes[key] = _iso_date(value) if key == "birth_date" else value
            data[f.name] = changes
        elif f.type == "boolean":
            raw = form[f.name].data
            data[f.name] = {"true": True, "false": False}.get(raw)
        elif f.type == "date":
            value = form[f.name].data
            data[f.name] = value.isoformat() if value else None
        elif f.name in PAPER_DATES:
            value = (form[f.name].data or "").strip()
            data[f.name] = _partial_iso(value) if value else None
        else:
            data[f.name] = form[f.name].data or ([] if f.type == "multi_choice" else None)
    return data


def _iso_date(value: str) -> str:
    """dd/mm/yyyy as people write it → YYYY-MM-DD; anything else is passed on for the service to refuse."""
    parts = value.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        day, month, year = parts
        return f"{year.zfill(4)}-{month.zfill(2)}-{day.zfill(2)}"
    return value


def _partial_iso(value: str) -> str:
    """A paper's birth date as people write it (dd/mm/yyyy, mm/yyyy or yyyy) → YYYY-MM-DD,
    YYYY-MM or YYYY; anything else is passed on for the service to refuse."""
    parts = value.split("/")
    if 2 <= len(parts) <= 3 and all(p.isascii() and p.isdigit() for p in parts):
        return "-".join([parts[-1].zfill(4), *(p.zfill(2) for p in reversed(parts[:-1]))])
    return value


def attach_errors(form: FlaskForm, fields: dict) -> None:
    """The service's field errors shown next to the form fields they concern ("changes" beside
    the first change input; anything else on the first field)."""
    for name, problems in fields.items():
        target = form._fields.get(name)
        if target is None:
            target = (
                form._fields.get(f"change_{step_fields.CORRECTABLE[0]}")
                if name == "changes"
                else next(iter(form))
            )
        target.errors = [*target.errors, *(message(p) for p in problems)]
