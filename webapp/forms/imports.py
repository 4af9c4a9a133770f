"""The resident file upload. Its size limit is the view's (IMPORT_MAX_BYTES); what is inside the
file is the import's to check (services/residents/files.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired

from .base import Form

EXTENSIONS = ("csv", "xlsx")


class ImportForm(Form):
    file = FileField(
        _l("Tệp dữ liệu dân cư (CSV hoặc XLSX)"),
        validators=[
            FileRequired(_l("Hãy chọn một tệp.")),
            FileAllowed(EXTENSIONS, _l("Chỉ nhận tệp .csv hoặc .xlsx.")),
        ],
    )
