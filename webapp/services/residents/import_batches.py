"""The two halves of an import: `Checker` turns rows into batches (validation, in plain Python)
and `Writer` writes each batch in one transaction (upsert, progress on the job row, the report).

import_jobs.run() runs the writer on a second thread, one batch behind the checker: the
database's work (the sqlite3 and psycopg drivers release the GIL while the database works)
overlaps the checking of the next batch, which on two cores nearly halves the time of a large
file. The writer alone touches the database and the report; the checker only reads its own rows.
"""

import csv
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import update

from ...models import ImportJob, db
from .. import exports, uow
from ..errors import Msg
from .files import Layout
from .rows import FILE_DATES, check
from .upsert import Upsert

BATCH = 20_000  # rows per transaction: fewer, larger commits rewrite far fewer index pages
REPORT_KEPT = 200  # rejected-row problems kept on the job row; the CSV report has them all
# Cells left empty mean the rule's default (precision: as much as the date gives).
DEFAULTED = ("birth_date_precision", "status", "card_state")
REPORT_HEADER = ("row", "personal_id", "field", "reason_vi", "reason_en")

OUT_OF_SCOPE = Msg(
    "Đơn vị thường trú nằm ngoài phạm vi của bạn.", "The permanent unit is outside your scope."
)
REGISTERED_ELSEWHERE = Msg(
    "Công dân này đã được đăng ký ở đơn vị ngoài phạm vi của bạn; không cập nhật.",
    "This resident is registered in a unit outside your scope; not updated.",
)
NUL_ROW = Msg("Dòng có ký tự NUL (không lưu được).", "The row contains a NUL character (cannot be stored).")


def _width(got: int, wanted: int) -> Msg:
    return Msg(
        f"Dòng có {got} ô nhưng tiêu đề có {wanted} cột.",
        f"The row has {got} cells but the header has {wanted}.",
    )


def _duplicate(first: int) -> Msg:
    return Msg(
        f"Số định danh trùng với dòng {first} của tệp; dòng này bị bỏ qua.",
        f"The same personal ID is on row {first} of the file; this row is skipped.",
    )


@dataclass
class Batch:
    """Valid rows to write, the problems of the rejected ones, and the progress so far."""

    params: list = field(default_factory=list)  # the driver's parameters of each valid row
    numbers: list[int] = field(default_factory=list)  # its row number in the file
    pids: list[str] = field(default_factory=list)  # its personal ID
    rejects: list[tuple[int, str, str, Msg]] = field(default_factory=list)  # row, pid, field, problem
    rows: int = 0  # rows read so far
    rejected: int = 0  # rows rejected so far by the checker
    flagged: int = 0  # rows accepted so far whose personal ID disagrees with the record
    read_bytes: int = 0


class Checker:
    """Checks rows one by one (rows.check, duplicates, the importer's scope) and hands
    out a Batch every BATCH valid rows, or every BATCH problems so a run of bad rows still moves
    the progress bar."""

    def __init__(
        self,
        layout: Layout,
        codes: dict[str, int],
        allowed: set[int] | None,
        upsert: Upsert,
        today: date,
    ):
        self.columns = layout.columns
        self.pad = layout.kind == "xlsx"  # a sheet's row may stop at its last filled cell
        self.codes, self.allowed, self.upsert, self.today = codes, allowed, upsert, today
        self.seen: dict[int, int] = {}  # personal ID (as a number) -> the first row that had it
        self.rows = self.rejected = self.flagged = 0
        self.batch = Batch()

    def row(self, number: int, cells: list[str], read_bytes: int) -> Batch | None:
        """Check one row; returns a full batch to write, else None."""
        self.rows += 1
        batch = self.batch
        columns = self.columns
        if len(cells) != len(columns):
            if self.pad and len(cells) < len(columns):
                cells = cells + [""] * (len(columns) - len(cells))
            else:
                return self._reject(
                    number, cells[0] if cells else "", {"row": [_width(len(cells), len(columns))]}
                )
        data = dict(zip(columns, cells, strict=True))
        pid = data.pop("personal_id")
        if "\x00" in "".join(cells):
            return self._reject(number, pid.replace("\x00", ""), {"row": [NUL_ROW]})
        for name in DEFAULTED:
            if not data[name]:
                del data[name]
        clean, errors = check(pid, data, self.codes.get, self.today, FILE_DATES)
        if len(pid) == 12 and pid.isascii() and pid.isdigit():
            first = self.seen.setdefault(int(pid), number)
            if first != number:
                errors.setdefault("personal_id", []).append(_duplicate(first))
        if self.allowed is not None and not errors and clean["permanent_unit_id"] not in self.allowed:
            errors["permanent_unit"] = [OUT_OF_SCOPE]
        if errors:
            return self._reject(number, pid, errors)
        clean["personal_id"] = pid
        if clean["id_mismatch"]:
            self.flagged += 1
        batch.params.append(self.upsert.params(clean))
        batch.numbers.append(number)
        batch.pids.append(pid)
        if len(batch.params) >= BATCH:
            return self.take(read_bytes)
        return None

    def _reject(self, number: int, pid: str, errors: dict[str, list[Msg]]) -> Batch | None:
        self.rejected += 1
        rejects = self.batch.rejects
        for name, problems in errors.items():
            rejects.extend((number, pid, name, problem) for problem in problems)
        return self.take(None) if len(rejects) >= BATCH else None

    def take(self, read_bytes: int | None) -> Batch:
        """The batch so far (with the progress counts); a new one starts."""
        batch, self.batch = self.batch, Batch()
        batch.rows, batch.rejected, batch.flagged = self.rows, self.rejected, self.flagged
        batch.read_bytes = read_bytes if read_bytes is not None else -1
        return batch


class Writer:
    """Writes batches in order, one transaction each; keeps the totals and the report."""

    def __init__(
        self, job_id: int, allowed: set[int] | None, upsert: Upsert, report_file, progress, total: int
    ):
        self.job_id, self.allowed, self.upsert, self.total = job_id, allowed, upsert, total
        self.progress = progress
        self.report_file = report_file
        self.report = csv.writer(report_file)
        self.report.writerow(REPORT_HEADER)
        self.kept: list[dict] = []
        self.created = self.updated = self.elsewhere = 0
        self.read_bytes = 0

    def write(self, batch: Batch) -> None:
        with uow.command():
            if batch.params:
                self._upsert(batch)
            if batch.read_bytes >= 0:
                self.read_bytes = batch.read_bytes
            counts = {
                "read_bytes": self.read_bytes,
                "rows": batch.rows,
                "created": self.created,
                "updated": self.updated,
                "rejected": batch.rejected + self.elsewhere,
                "flagged": batch.flagged,
            }
            db.session.execute(
                update(ImportJob).where(ImportJob.id == self.job_id).values(**counts, **self._report(batch))
            )
        self.report_file.flush()
        if self.progress is not None:
            self.progress({**counts, "total_bytes": self.total})

    def _upsert(self, batch: Batch) -> None:
        found = self.upsert.stage(batch.params)
        existing = {pid for pid, _, _ in found}
        if self.allowed is not None:
            # Someone registered outside the importer's scope is not theirs to overwrite.
            allowed = self.allowed
            outside = {p for p, perm, temp in found if perm not in allowed and temp not in allowed}
            if outside:
                self.upsert.drop(outside)
                for number, pid in zip(batch.numbers, batch.pids, strict=True):
                    if pid in outside:
                        self.elsewhere += 1
                        batch.rejects.append((number, pid, "personal_id", REGISTERED_ELSEWHERE))
                existing -= outside
        self.upsert.execute()
        written = len(batch.params) - (len(found) - len(existing))
        self.updated += len(existing)
        self.created += written - len(existing)

    def _report(self, batch: Batch) -> dict:
        """The batch's rejected rows go to the CSV report in row order; the job keeps the first."""
        if not batch.rejects:
            return {}
        batch.rejects.sort(key=lambda r: r[0])
        before = len(self.kept)
        for number, pid, name, problem in batch.rejects:
            row = (number, pid, name, problem.vi, problem.en)
            self.report.writerow([exports.neutral(v) for v in row])  # the file's text, not formulas
            if len(self.kept) < REPORT_KEPT:
                self.kept.append(
                    {
                        "row": number,
                        "personal_id": pid,
                        "field": name,
                        "reason_vi": problem.vi,
                        "reason_en": problem.en,
                    }
                )
        return {"report": list(self.kept)} if len(self.kept) > before else {}
