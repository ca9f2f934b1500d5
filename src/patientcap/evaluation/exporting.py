"""Evaluations to an Excel workbook (openpyxl): one row per firm with the total, grade, credit
line, gate result and the four reasons; a second sheet names the rule set and its digest."""

from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from patientcap.domain.money import to_yuan
from patientcap.evaluation.models import Evaluation
from patientcap.evaluation.presenting import reason_texts

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_evaluations(evaluations: Iterable[Evaluation], out: IO[bytes], *, title: str) -> int:
    """Write the workbook to `out`; returns the number of rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Evaluations"))
    sheet.append(
        [
            _("Enterprise"),
            _("Unified social credit code"),
            _("Rule set"),
            _("Version"),
            _("Evaluated on"),
            _("Total"),
            _("Grade"),
            _("Credit line (yuan)"),
            _("Passes the gates"),
            *[_("Reason %(n)d") % {"n": n} for n in range(1, 5)],
        ]
    )
    count = 0
    digests: set[tuple[str, str, str]] = set()
    for ev in evaluations:
        reasons = reason_texts(ev.reasons)
        sheet.append(
            [
                ev.enterprise.name,
                ev.enterprise.uscc,
                ev.ruleset_id,
                ev.ruleset_version,
                ev.evaluated_on,
                ev.total,
                ev.grade,
                to_yuan(ev.credit_line_fen),
                _("yes") if ev.passed else _("no"),
                *(reasons + [""] * (4 - len(reasons))),
            ]
        )
        digests.add((ev.ruleset_id, ev.ruleset_version, ev.ruleset_digest))
        count += 1
    about = book.create_sheet(_("About"))
    about.append([title])
    for rid, version, digest in sorted(digests):
        about.append([rid, version, digest])
    book.save(out)
    return count
