"""The invest-first headline figures for `patientcap kpis --json` (mission.md §1.1: 136
projects, about ¥63M invested, 80+ exited, about ¥34M returned): counts as ints, amounts as yuan
strings, the recycling rate as a decimal string."""

import datetime as dt
from typing import Any

from patientcap.core.kpis import section
from patientcap.domain.money import yuan
from patientcap.investments.models import (
    Agreement,
    Conversion,
    Exit,
    Milestone,
    Project,
    Tranche,
    WriteOff,
)
from patientcap.investments.selectors import Rows, pool_figures


@section("invest_first")
def invest_first(as_of: dt.date) -> dict[str, Any]:
    # The zone's published figures: every row (the CLI has no user to scope by).
    every = Rows(
        Project.objects.all(), Agreement.objects.all(), Tranche.objects.all(),
        Milestone.objects.all(), Conversion.objects.all(), WriteOff.objects.all(),
        Exit.objects.all(),
    )  # fmt: skip
    f = pool_figures(every, as_of)
    rate = f.recycling_rate
    return {
        "projects": f.projects,
        "invested_yuan": yuan(f.invested_fen),
        "exited_projects": f.exited_projects,
        "returned_yuan": yuan(f.returned_fen),
        "written_off_yuan": yuan(f.written_off_fen),
        "recycling_rate": None if rate is None else str(rate),
    }
