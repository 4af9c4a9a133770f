"""One WTForms form per user task, found through the task's form key, built from the step's
field declarations (services/cases/step_fields.py). The form draws the fields and turns what the
browser sends into the step's data; it validates nothing itself: the service checks the data
once against the same declaration (step_rules) and its errors are shown under the fields."""

from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)

from ..i18n import message
from ..services.cases import step_fields, step_outcomes, step_rules
from ..services.cases.ethnic_groups import ETHNIC_GROUPS
from ..services.errors import Msg
from .base import Form

YES_NO = [("true", _l("Có")), ("false", _l("Không"))]
# What the papers give as a birth date, written as people write it (see _partial_iso).
PAPER_DATES = {step_fields.paper_field(paper, "birth_date") for paper in step_fields.PAPERS}
CHANGE_FIELDS = {
    "full_name": _l("Họ tên mới"),
    "birth_date": _l("Ngày sinh mới (dd/mm/yyyy)"),
    "sex": _l("Giới tính mới"),
    "ethnicity": _l("Dân tộc mới"),
}
# The service's date messages name the API's format; the page's say dd/mm/yyyy.
PAGE_WORDING = {
    step_rules.INVALID_DATE: Msg(
        "Ngày không hợp lệ: ghi theo dạng dd/mm/yyyy (ví dụ 17/05/2026), không ở tương lai.",
        "Invalid date: write it dd/mm/yyyy (for example 17/05/2026), not in the future.",
    ),
    step_rules.INVALID_PAPER_DATE: Msg(
        "Ngày sinh trên giấy tờ ghi dd/mm/yyyy, mm/yyyy hoặc yyyy, là ngày có thật.",
        "A paper's birth date is written dd/mm/yyyy, mm/yyyy or yyyy, and is a real date.",
    ),
    step_rules.INVALID_NEW_BIRTH_DATE: Msg(
        "Ngày sinh mới không hợp lệ: ghi dd/mm/yyyy, là ngày có thật, không ở tương lai.",
        "The new birth date is invalid: write it dd/mm/yyyy, a real date, not in the future.",
    ),
}
CHOOSE = _l("— Chọn —")


class DayField(StringField):
    """A date as people write it here (dd/mm/yyyy), whatever the browser's locale."""


class MultiCheckbox(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _label(field: step_fields.Field):
    return message(field.label) if field.label else field.name


def _choices(field: step_fields.Field):
    return [(code, message(text)) for code, text in field.choices.items()]


@cache
def form_class(step: str) -> type[Form]:
    attrs = {}
    for f in step_fields.fields(step):
        # `required` marks the input for the browser and the reader; the service decides.
        kw = {"render_kw": {"required": True}} if f.required and f.type != "multi_choice" else {}
        if f.type == "multi_choice":
            attrs[f.name] = MultiCheckbox(f.name, choices=[])
        elif f.type == "choice":
            attrs[f.name] = SelectField(f.name, choices=[], **kw)
        elif f.type == "boolean":
            attrs[f.name] = RadioField(f.name, choices=YES_NO, **kw)
        elif f.type == "date":
            attrs[f.name] = DayField(f.name, **kw)
        elif f.type == "text":
            attrs[f.name] = TextAreaField(f.name, **kw)
        elif f.type == "string":
            attrs[f.name] = StringField(f.name, **kw)
        elif f.type == "object":  # the justice decision's changes: one input per correctable field
            for key in step_fields.CORRECTABLE:
                kind = SelectField if key in ("sex", "ethnicity") else StringField
                attrs[f"change_{key}"] = kind(key, **({"choices": []} if kind is SelectField else {}))
    return type(f"{step}_form", (Form,), attrs)


def build(step: str, formdata=None) -> Form:
    """The step's form with labels and choices in the page's language."""
    form = form_class(step)(formdata=formdata)
    for f in step_fields.fields(step):
        if f.name in form:
            form[f.name].label.text = _label(f)
            if f.choices is not None:
                # A required choice is never made for the officer: the select starts blank.
                blank = [] if f.type == "multi_choice" else [("", str(CHOOSE) if f.required else "—")]
                form[f.name].choices = blank + _choices(f)
    for key, text in CHANGE_FIELDS.items():
        if f"change_{key}" in form:
            form[f"change_{key}"].label.text = str(text)
    if "change_sex" in form:
        form.change_sex.choices = [("", "—")] + [(c, message(t)) for c, t in step_fields.SEXES.items()]
        form.change_ethnicity.choices = [("", "—")] + [(name, name) for name in ETHNIC_GROUPS]
    return form


def outcome(step: str, formdata) -> step_outcomes.Outcome:
    """The outcome the officer chose: the dialog's confirming button (`confirmed`), else the
    button pressed (`outcome`), else the step's usual one."""
    choices = step_outcomes.outcomes(step)
    name = formdata.get("confirmed") or formdata.get("outcome")
    return next((o for o in choices if o.name == name), choices[0])


def confirmed(step: str, formdata) -> bool:
    """True when the chosen outcome needs no confirmation or its dialog's button was pressed."""
    chosen = outcome(step, formdata)
    return chosen.consequence is None or formdata.get("confirmed") == chosen.name


def apply_outcome(step: str, formdata, data: dict) -> dict[str, list]:
    """The chosen outcome's values put into the step's data (fields other outcomes ask are
    dropped: a refusal reason left in a closed dialog is not a refusal); the problems of the
    fields its dialog asks and of the form's fields it needs or excludes, by field name."""
    chosen = outcome(step, formdata)
    for other in step_outcomes.outcomes(step):
        for name in other.asks:
            if name not in chosen.asks:
                data[name] = None
    data.update(dict(chosen.sets))
    required = Msg(f"Bắt buộc khi chọn “{chosen.label.vi}”.", f"Required to choose “{chosen.label.en}”.")
    problems = {name: [required] for name in chosen.asks if not data.get(name)}
    for name, problem in chosen.needs:
        if not data.get(name):
            problems.setdefault(name, []).append(problem)
    for name, problem in chosen.excludes:
        if data.get(name):
            problems.setdefault(name, []).append(problem)
    return problems


def to_data(step: str, formdata) -> dict:
    """What the browser sent (the request's form) → the step's data, typed as the API sends it,
    for the service to check. Dates written dd/mm/yyyy become YYYY-MM-DD; anything else is passed
    on as it is, for the service to refuse naming the field."""
    data = {}
    for f in step_fields.fields(step):
        if f.type == "object":
            changes = {}
            for key in step_fields.CORRECTABLE:
                value = (formdata.get(f"change_{key}") or "").strip()
                if value:
                    changes[key] = _iso_date(value) if key == "birth_date" else value
            data[f.name] = changes
        elif f.type == "multi_choice":
            data[f.name] = formdata.getlist(f.name)
        elif f.type == "boolean":
            data[f.name] = {"true": True, "false": False}.get(formdata.get(f.name))
        elif f.type == "date" or f.name in PAPER_DATES:
            value = (formdata.get(f.name) or "").strip()
            data[f.name] = (_iso_date if f.type == "date" else _partial_iso)(value) if value else None
        else:
            data[f.name] = formdata.get(f.name) or None
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


def attach_errors(form: Form, fields: dict) -> None:
    """The service's field errors shown next to the form fields they concern (`changes.<key>`
    beside its change input, "changes" beside the first; anything else on the first field),
    dates worded as the page writes them."""
    for name, problems in fields.items():
        target = form._fields.get(name) or form._fields.get("change_" + name.removeprefix("changes."))
        if target is None:
            target = (
                form._fields.get(f"change_{step_fields.CORRECTABLE[0]}")
                if name == "changes"
                else next(iter(form))
            )
        words = [message(PAGE_WORDING.get(p, p)) for p in problems]
        target.errors = [*target.errors, *(w for w in words if w not in target.errors)]
