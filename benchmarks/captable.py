"""Cap-table engine speed (issue 3, performance): one firm with 50 priced rounds and 1,000 holders.

Figure: firms per second, where one firm is the whole history built through
`domain.captable.priced_round` (founders and a pool, then 50 rounds, each with 18 new investors
and two converting post-money SAFEs in shadow series, a pool top-up to 10% and, every tenth
round, a down round that triggers broad-based and full-ratchet anti-dilution; participation
varies by series) followed by `domain.waterfall.waterfall` on an exit. Target: < 50 ms a firm,
i.e. ≥ 20 firms/s.
Baseline, in the same unit and the same run: a naive pure-Python pro-rata split of the same exit
over the same 1,000 holders (integer floor per holder, remainder to the first), which is what the
engine's work is measured against.

The same firm "from the database": its history recorded through the equity services (50 rounds,
two SAFEs issued before each) into a scratch SQLite database, then (a) the current table read from
the snapshot of its latest event plus the waterfall, and (b) every event (150) read from the table
and replayed through the engine plus the waterfall, which is what a page at an earlier date does.
Same target, < 50 ms a firm.

Run: `uv run python -m benchmarks.captable`; `run()` returns the results to `benchmarks.run`.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from benchmarks._common import Result, best_interleaved, rate, report
from patientcap.domain.captable import (
    COMMON,
    AntiDilution,
    CapTable,
    Holding,
    Investment,
    OptionPool,
    Participation,
    PostMoneySafe,
    ShareClass,
    priced_round,
)
from patientcap.domain.waterfall import Waterfall, waterfall

ROUNDS = 50
INVESTORS_PER_ROUND = 18
SAFES_PER_ROUND = 2
FIRMS_PER_RUN = 5
RUNS = 5
TARGET_FIRMS_PER_SECOND = 20.0  # < 50 ms per firm
EXIT_FEN = 10**14  # 1 trillion yuan: far above the preferences, so every choice is tested


def _series(n: int) -> ShareClass:
    participation = (
        Participation.NON_PARTICIPATING,
        Participation.PARTICIPATING,
        Participation.CAPPED,
    )[n % 3]
    return ShareClass(
        f"Series {n}",
        preferred=True,
        seniority=1 + n // 10,
        participation=participation,
        cap_multiple=Decimal(3) if participation == Participation.CAPPED else None,
        anti_dilution=(AntiDilution.BROAD_BASED, AntiDilution.FULL_RATCHET)[n % 2],
    )


def build_firm() -> CapTable:
    table = CapTable(
        (COMMON,),
        (Holding("founder 1", "common", 6_000_000), Holding("founder 2", "common", 4_000_000)),
        OptionPool(granted=500_000, unallocated=1_000_000),
    )
    valuation = 1_000_000_000  # 10 million yuan
    holder = 0
    for n in range(1, ROUNDS + 1):
        valuation = valuation * 7 // 10 if n % 10 == 0 else valuation * 12 // 10
        investments = []
        for _ in range(INVESTORS_PER_ROUND):
            holder += 1
            investments.append(Investment(f"investor {holder}", 1_000_000 + 37 * holder))
        safes = []
        for _ in range(SAFES_PER_ROUND):
            holder += 1
            safes.append(
                PostMoneySafe(f"investor {holder}", 500_000, valuation * 2, Decimal("0.2"))
            )
        table = priced_round(
            table,
            series=_series(n),
            pre_money_fen=valuation,
            investments=investments,
            pool_target=Decimal("0.10"),
            convertibles=safes,
        ).table
    return table


def one_firm() -> Waterfall:
    return waterfall(build_firm(), EXIT_FEN)


def naive_pro_rata(table: CapTable) -> list[int]:
    shares = [table.as_converted(h) for h in table.holdings]
    total = sum(shares)
    payouts = [EXIT_FEN * s // total for s in shares]
    payouts[0] += EXIT_FEN - sum(payouts)
    return payouts


def _scratch_database() -> Path:
    """Point Django at a fresh SQLite file before it starts, and migrate it."""
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


def _record_firm() -> int:
    """The benchmark firm's history through the equity services; returns the enterprise id."""
    from patientcap.accounts.models import Organisation, OrganisationType, Role, User
    from patientcap.domain.uscc import make_uscc
    from patientcap.enterprises import services as registry
    from patientcap.equity import services

    zone = Organisation.objects.create(type=OrganisationType.ZONE, name="Bench Zone")
    officer = User.objects.create(
        username="bench_officer", role=Role.ZONE_OFFICER, organisation=zone
    )
    firm = registry.create_enterprise(
        actor=officer,
        data={
            "uscc": make_uscc(9_900_001),
            "name": "Bench Firm",
            "registration_date": dt.date(2000, 1, 3),
            "industry_code": "I65",
            "growth_stage": "growth",
        },
    )
    day = dt.date(2000, 1, 3)
    services.open_cap_table(
        enterprise_id=firm.pk,
        founders=[("founder 1", 6_000_000), ("founder 2", 4_000_000)],
        on=day,
        actor=officer,
        source="bench",
        pool_unallocated=1_500_000,
    )
    valuation, holder = 1_000_000_000, 0
    for n in range(1, ROUNDS + 1):
        valuation = valuation * 7 // 10 if n % 10 == 0 else valuation * 12 // 10
        for _ in range(SAFES_PER_ROUND):
            holder += 1
            day += dt.timedelta(days=30)
            services.issue_instrument(
                enterprise_id=firm.pk,
                on=day,
                instrument=PostMoneySafe(
                    f"investor {holder}", 500_000, valuation * 2, Decimal("0.2")
                ),
                actor=officer,
                source="bench",
            )
        investments = []
        for _ in range(INVESTORS_PER_ROUND):
            holder += 1
            investments.append(Investment(f"investor {holder}", 1_000_000 + 37 * holder))
        day += dt.timedelta(days=30)
        services.record_round(
            enterprise_id=firm.pk,
            on=day,
            series=_series(n),
            pre_money_fen=valuation,
            investments=investments,
            pool_target=Decimal("0.10"),
            actor=officer,
            source="bench",
        )
    return firm.pk


def run_database() -> list[Result]:
    folder = _scratch_database()
    from django.db import connections

    from patientcap.equity import replay, selectors, store

    pk = _record_firm()
    later = dt.date(2100, 1, 1)

    def current() -> Waterfall:
        return waterfall(selectors.cap_table(pk, later), EXIT_FEN)

    def replayed() -> Waterfall:
        events = store.events(pk, later)
        states = list(replay.replay((e.kind, e.payload) for e in events))
        return waterfall(states[-1].table, EXIT_FEN)

    assert current().payouts == replayed().payouts
    table = selectors.cap_table(pk, later)
    snapshot, replay_rate, baseline = best_interleaved(
        RUNS,
        lambda: rate(FIRMS_PER_RUN, lambda: [current() for _ in range(FIRMS_PER_RUN)]),
        lambda: rate(FIRMS_PER_RUN, lambda: [replayed() for _ in range(FIRMS_PER_RUN)]),
        lambda: rate(FIRMS_PER_RUN, lambda: [naive_pro_rata(table) for _ in range(FIRMS_PER_RUN)]),
    )
    connections.close_all()
    shutil.rmtree(folder, ignore_errors=True)
    unit = "firms/s (≥ 20 firms/s means < 50 ms a firm)"
    base = "naive pure-Python pro-rata split of the exit over the same holders"
    return [
        Result("from the database: snapshot + waterfall", snapshot, unit,
               TARGET_FIRMS_PER_SECOND, base, baseline),
        Result(f"from the database: {ROUNDS * 3 + 1} events replayed + waterfall", replay_rate,
               unit, TARGET_FIRMS_PER_SECOND, base, baseline),
    ]  # fmt: skip


def run() -> list[Result]:
    return run_engine() + run_database()


def run_engine() -> list[Result]:
    table = build_firm()
    holders = len({h.holder for h in table.holdings})
    assert holders >= 1_000, holders
    firm, baseline = best_interleaved(
        RUNS,
        lambda: rate(FIRMS_PER_RUN, lambda: [one_firm() for _ in range(FIRMS_PER_RUN)]),
        lambda: rate(FIRMS_PER_RUN, lambda: [naive_pro_rata(table) for _ in range(FIRMS_PER_RUN)]),
    )
    return [
        Result(
            name=f"cap table: {ROUNDS} rounds, {holders} holders + waterfall",
            figure=firm,
            unit="firms/s (≥ 20 firms/s means < 50 ms a firm)",
            target=TARGET_FIRMS_PER_SECOND,
            baseline_name="naive pure-Python pro-rata split of the exit over the same holders",
            baseline=baseline,
        )
    ]


def main() -> int:
    results = run()
    ok = report(results)
    for r in results:
        print(f"    {1000 / r.figure:.1f} ms a firm; baseline {1000 / (r.baseline or 1):.3f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
