"""Send a list as a file: `?format=csv` streams, `?format=xlsx` builds a workbook first."""

from collections.abc import Iterable

from flask import Response, abort, send_file, stream_with_context

from ..services import clock, exports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_table(name: str, fmt: str, columns: list[exports.Column], rows: Iterable) -> Response:
    if fmt not in exports.FORMATS:
        abort(404)
    filename = f"{name}-{clock.today_local():%Y%m%d}.{fmt}"
    if fmt == "csv":
        # The rows come from the database while the response streams: keep the request (and its
        # session) alive until the last chunk.
        response = Response(stream_with_context(exports.csv_chunks(columns, rows)), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    book = exports.xlsx_file(columns, rows)
    return send_file(book, mimetype=XLSX, as_attachment=True, download_name=filename)
