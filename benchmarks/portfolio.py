"""Portfolio metrics from the database (issue 3, performance): XIRR, DPI, TVPI, RVPI and MOIC per
project and for the portfolio, for 10,000 invest-first projects and 100,000 cash flows stored as
the investments app stores them (tranches, exits, write-off recoveries, conversions valued at the
latest round price), read by `investments.selectors.portfolio` and computed by
`domain.metrics.portfolio_metrics`.

Figures, in a scratch SQLite database of its own:
- from the database to the result, portfolios per second. Target ≥ 1 (< 1 s). Baseline, same
  unit and same run: the same reads (`selectors.portfolio_inputs`) followed by the same 10,001
  XIRRs with scipy.optimize.brentq (`benchmarks.metrics.scipy_xirr`) instead of pyxirr;
- the pure computation on those inputs (`portfolio_metrics` alone), portfolios per second.
  Target ≥ 10 (< 0.1 s). Baseline: the same XIRRs alone with scipy's brentq.
The pure computation on generated inputs is `benchmarks.metrics`; this module adds the database.
The run checks that pyxirr and scipy agree on every rate (to 1e-6).

Run: `uv run python -m benchmarks.portfolio`. Exits 1 when a target is missed.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks._common import Result, best_interleaved, rate, report

PROJECTS = 10_000
FLOWS_PER_PROJECT = 10
FLOWS = PROJECTS * FLOWS_PER_PROJECT
ENTERPRISES = 1_000
RUNS = 5  # interleaved rounds; each figure is its best round (as timeit takes the minimum)
TARGET_FROM_DATABASE = 1.0  # portfolios/s: < 1 s
TARGET_PURE = 10.0  # portfolios/s: < 0.1 s
AS_OF = dt.date(2026, 1, 1)
START = dt.date(2014, 1, 1)
# Outcomes, one project in ten each: 6 exited, 1 written off (with a recovery), 2 converted, 1
# still being paid. Exits and recoveries are the tenth flow; the others get ten tranches.
OUTCOMES = ("exited",) * 6 + ("written_off", "converted", "converted", "disbursing")


def _scratch_database() -> Path:
    """Point Django at a fresh SQLite file before it starts."""
    folder = Path(tempfile.mkdtemp(prefix="patientcap-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["PATIENTCAP_VAR_DIR"] = str(folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientcap.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return folder


def _seed() -> None:
    """10,000 projects with 100,000 flows, in bulk (the rows the services would have written)."""
    from patientcap.accounts.models import Organisation, OrganisationType, Role, User
    from patientcap.domain.ledger import credit, debit
    from patientcap.domain.uscc import make_uscc
    from patientcap.enterprises.models import Enterprise
    from patientcap.equity.models import CapTableEvent, EventKind, Round
    from patientcap.investments.models import (
        Agreement,
        Conversion,
        DiligenceReview,
        Exit,
        Project,
        Stage,
        Tranche,
        WriteOff,
    )
    from patientcap.ledger.services import post_entry

    rng = random.Random(11)
    zone = Organisation.objects.create(type=OrganisationType.ZONE, name="Bench Zone")
    officer = User.objects.create(username="bench", role=Role.ZONE_OFFICER, organisation=zone)
    entry = post_entry(
        book="fiscal_pool",
        date=START,
        memo="bench",
        idempotency_key="bench",
        postings=[debit("fiscal_pool.cash", 1), credit("fiscal_pool.contributions", 1)],
        actor=officer,
    )
    firms = Enterprise.objects.bulk_create(
        Enterprise(
            uscc=make_uscc(8_000_000 + i),
            name=f"Bench firm {i}",
            registration_date=dt.date(2012, 1, 1),
            industry_code="I65",
            growth_stage="startup",
        )
        for i in range(ENTERPRISES)
    )
    events = CapTableEvent.objects.bulk_create(
        CapTableEvent(
            enterprise=f,
            sequence=1,
            kind=EventKind.ROUND,
            on=AS_OF - dt.timedelta(30),
            payload={},
            recorded_by=officer,
        )
        for f in firms
    )
    Round.objects.bulk_create(
        Round(
            event=e,
            enterprise=f,
            on=e.on,
            series="Series A",
            pre_money_fen=10**10,
            new_money_fen=10**9,
            price_per_share=Decimal(rng.randint(50, 900)),
            shares_issued=1,
            fully_diluted_post=1,
            residue_fen=Decimal(0),
        )
        for e, f in zip(events, firms, strict=True)
    )
    outcome = [OUTCOMES[i % 10] for i in range(PROJECTS)]
    stage = {
        "exited": Stage.EXITED,
        "written_off": Stage.WRITTEN_OFF,
        "converted": Stage.CONVERTED,
        "disbursing": Stage.DISBURSING,
    }
    applied = [START + dt.timedelta(days=rng.randint(0, 1500)) for _ in range(PROJECTS)]
    projects = Project.objects.bulk_create(
        Project(
            enterprise=firms[i % ENTERPRISES],
            title=f"Project {i}",
            plan="bench",
            requested_fen=10**8,
            stage=stage[outcome[i]],
            applied_on=applied[i],
            applied_by=officer,
        )
        for i in range(PROJECTS)
    )
    agreements = Agreement.objects.bulk_create(
        Agreement(
            project=p,
            amount_fen=10**9,
            signed_on=applied[i],
            variant="B",
            agreed_valuation_fen=10**10,
            conversion_deadline=AS_OF,
            created_by=officer,
        )
        for i, p in enumerate(projects)
    )
    tranches, last = [], []
    for i, a in enumerate(agreements):
        day = applied[i]
        n = 9 if outcome[i] in ("exited", "written_off") else 10
        for k in range(1, n + 1):
            day += dt.timedelta(days=rng.randint(20, 150))
            tranches.append(
                Tranche(
                    agreement=a,
                    number=k,
                    due_on=day,
                    disbursed_on=day,
                    amount_fen=rng.randint(1_000_000, 50_000_000),
                    entry=entry,
                )
            )
        last.append(day)
    Tranche.objects.bulk_create(tranches, batch_size=5_000)
    ends = [
        min(AS_OF - dt.timedelta(days=60), d + dt.timedelta(days=rng.randint(100, 900)))
        for d in last
    ]
    exits = [i for i in range(PROJECTS) if outcome[i] == "exited"]
    Exit.objects.bulk_create(
        Exit(
            project=projects[i],
            route="buyback",
            exited_on=ends[i],
            cost_fen=1,
            gain_fen=0,
            proceeds_fen=rng.randint(50_000_000, 400_000_000),
            multiple=Decimal(1),
            entry=entry,
        )
        for i in exits
    )
    lost = [i for i in range(PROJECTS) if outcome[i] == "written_off"]
    reviews = DiligenceReview.objects.bulk_create(
        DiligenceReview(project=projects[i], reviewed_on=ends[i], findings="bench", by=officer)
        for i in lost
    )
    WriteOff.objects.bulk_create(
        WriteOff(
            project=projects[i],
            diligence=r,
            written_off_on=ends[i],
            disbursed_fen=1,
            recovered_fen=rng.randint(1_000_000, 20_000_000),
            loss_fen=1,
            loss_ratio=Decimal(0),
            tolerance=Decimal(1),
            policy_version="bench",
            entry=entry,
        )
        for i, r in zip(lost, reviews, strict=True)
    )
    Conversion.objects.bulk_create(
        Conversion(
            project=projects[i],
            converted_on=ends[i],
            variant="B",
            amount_fen=1,
            shares=rng.randint(10_000, 500_000),
            stake=Decimal("0.05"),
            residue_fen=Decimal(0),
            terms={},
            entry=entry,
        )
        for i in range(PROJECTS)
        if outcome[i] == "converted"
    )


def _scipy(keyed: list[Any]) -> list[float | None]:
    from benchmarks.metrics import _arrays, scipy_xirr

    series = []
    for p in keyed:
        dates = [f.when for f in p.flows]
        amounts = [f.amount_fen if f.kind == "distribution" else -f.amount_fen for f in p.flows]
        if p.residual_fen:
            dates.append(AS_OF)
            amounts.append(p.residual_fen)
        series.append((dates, amounts))
    series.append(([d for s in series for d in s[0]], [a for s in series for a in s[1]]))
    return [scipy_xirr(y, a) for y, a in _arrays(series)]


def _measure(work: Any) -> float:
    gc.collect()
    return rate(1, work)


def run() -> list[Result]:
    folder = _scratch_database()
    from django.db import connections

    from patientcap.accounts.models import User
    from patientcap.domain.metrics import portfolio_metrics
    from patientcap.investments import selectors

    _seed()
    rows = selectors.Rows.readable(User.objects.get(username="bench"))
    keyed, _info = selectors.portfolio_inputs(rows, AS_OF)
    assert len(keyed) == PROJECTS and sum(len(p.flows) for p in keyed) == FLOWS
    result = selectors.portfolio(rows, AS_OF)
    ours = [r.metrics.xirr.value for r in result.rows] + [result.total.xirr.value]
    theirs = _scipy(keyed)
    worst = max(abs(float(o) - t) for o, t in zip(ours, theirs, strict=True) if o is not None and t)
    assert worst < 1e-6, worst

    from_db, scipy_from_db = best_interleaved(
        RUNS,
        lambda: _measure(lambda: selectors.portfolio(rows, AS_OF)),
        lambda: _measure(lambda: _scipy(selectors.portfolio_inputs(rows, AS_OF)[0])),
    )
    pure, scipy_pure = best_interleaved(
        RUNS,
        lambda: _measure(lambda: portfolio_metrics(keyed, AS_OF)),
        lambda: _measure(lambda: _scipy(keyed)),
    )
    total = result.total
    print(
        f"portfolio from the database: XIRR {total.xirr.value}, DPI {total.multiples.dpi}, "
        f"TVPI {total.multiples.tvpi}; worst pyxirr−scipy rate gap {worst:.1e}"
    )
    connections.close_all()
    shutil.rmtree(folder, ignore_errors=True)
    return [
        Result(
            name=f"portfolio from the DB: {PROJECTS:,} projects",
            figure=from_db,
            unit="portfolios/s (≥ 1 means < 1 s from the database to the result)",
            target=TARGET_FROM_DATABASE,
            baseline_name="the same reads, then the 10,001 XIRRs with scipy.optimize.brentq",
            baseline=scipy_from_db,
        ),
        Result(
            name=f"portfolio metrics alone: {FLOWS:,} flows",
            figure=pure,
            unit="portfolios/s (≥ 10 means < 0.1 s)",
            target=TARGET_PURE,
            baseline_name="the same 10,001 XIRRs alone with scipy.optimize.brentq",
            baseline=scipy_pure,
        ),
    ]


def main() -> int:
    results = run()
    ok = report(results)
    db, pure = results
    print(
        f"    {1000 / db.figure:.0f} ms from the database to the result "
        f"({1000 / (db.baseline or 1):.0f} ms with scipy); "
        f"{1000 / pure.figure:.1f} ms for the computation alone "
        f"({1000 / (pure.baseline or 1):.0f} ms with scipy)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
