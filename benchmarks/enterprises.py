"""Enterprise registry benchmark: `uv run python -m benchmarks.enterprises`.

1. Import of a 10,000-enterprise Excel file (profile, one year of figures, headcount, IP, team
   and certificates per row) into a scratch SQLite database, validation and audit included.
   Target: < 15 s. Baseline in the same run: openpyxl's read-only parse of the same file alone
   (the floor any import of this file pays). The same file imported again (every row now an
   update of a registered enterprise) is held to the same target.
2. With those 10,000 enterprises, the enterprise list page (search, filters, sorts, deep pages)
   requested ~200 times through Django's test client as the zone officer, and the home page.
   Target: p95 < 150 ms. Baseline: the login page (a template with no registry query).

Figures here are "lower is better" (seconds, milliseconds), which `benchmarks._common.Result`
does not express, so they are reported by this module's own small table.
"""

import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

IMPORT_ROWS = 10_000
IMPORT_TARGET_S = 15.0
PAGE_TARGET_MS = 150.0
LIST_VARIANTS: list[dict[str, str]] = [
    {},
    {"page": "37"},
    {"q": "科技"},
    {"q": "915001071"},
    {"stage": "growth"},
    {"cert": "high_tech_enterprise"},
    {"division": "65", "sort": "-registered"},
    {"strategic": "1", "page": "5"},
    {"sort": "-updated", "page": "120"},
    {"q": "软件", "stage": "startup", "cert": "tech_sme", "strategic": "1"},
]
REQUESTS_PER_VARIANT = 20


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    target: float | None = None  # the value must stay below this (lower is better)
    baseline_name: str = ""
    baseline: float | None = None

    @property
    def met(self) -> bool:
        return self.target is None or self.value < self.target

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


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


def _make_file(actor: Any) -> bytes:
    """10,000 fictional enterprises written in the import layout (made in a transaction that is
    rolled back, so the database is empty again afterwards)."""
    from django.db import transaction
    from django.utils import timezone

    from patientcap.enterprises import exporting, selectors
    from patientcap.enterprises.demo import generate_demo_enterprises

    out = io.BytesIO()

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            generate_demo_enterprises(IMPORT_ROWS, random.Random(2025), actor=actor)
            exporting.export_workbook(
                actor,
                selectors.enterprises(actor, selectors.ListFilters(), today=timezone.localdate()),
                out,
            )
            raise Rollback
    except Rollback:
        pass
    return out.getvalue()


def _parse_only(data: bytes) -> float:
    from openpyxl import load_workbook

    start = time.perf_counter()
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for _ in book.worksheets[0].iter_rows(values_only=True):
        pass
    return time.perf_counter() - start


def _import(actor: Any, data: bytes, *, expect_new: bool) -> float:
    from patientcap.enterprises import importing
    from patientcap.enterprises.models import Enterprise

    start = time.perf_counter()
    result = importing.import_workbook(actor=actor, data=data)
    seconds = time.perf_counter() - start
    done = len(result.created if expect_new else result.updated)
    if not result.ok or done != IMPORT_ROWS:
        raise SystemExit(f"import refused: {result.errors[:5]}")
    assert Enterprise.objects.count() == IMPORT_ROWS
    return seconds


def _latencies(client: Any, url: str, variants: list[dict[str, str]], repeat: int) -> list[float]:
    for params in variants:  # warm up: templates, connections, SQLite page cache
        client.get(url, params)
    times = []
    for _ in range(repeat):
        for params in variants:
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} {params} answered {response.status_code}")
    return times


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def run() -> list[Figure]:
    folder = _scratch_database()
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    from patientcap.accounts.models import Organisation, OrganisationType, Role, User

    zone = Organisation.objects.create(type=OrganisationType.ZONE, name="Bench Zone")
    officer = User.objects.create(
        username="bench_officer", role=Role.ZONE_OFFICER, organisation=zone
    )

    data = _make_file(officer)
    parse_s = _parse_only(data)
    import_s = _import(officer, data, expect_new=True)
    reimport_s = _import(officer, data, expect_new=False)

    client = Client()
    client.force_login(officer)
    list_ms = _latencies(client, reverse("enterprises:list"), LIST_VARIANTS, REQUESTS_PER_VARIANT)
    home_ms = _latencies(client, reverse("home"), [{}], 50)
    baseline_ms = _latencies(Client(), reverse("accounts:login"), [{}], 50)
    base_p50, base_p95 = statistics.median(baseline_ms), _p95(baseline_ms)
    connections.close_all()
    shutil.rmtree(folder, ignore_errors=True)
    login = "login page, no registry query (ms)"
    return [
        Figure(
            f"import {IMPORT_ROWS:,} enterprises from Excel (s)",
            import_s,
            "s",
            IMPORT_TARGET_S,
            "openpyxl read-only parse of the same file (s)",
            parse_s,
        ),
        Figure(
            f"re-import of the same file: {IMPORT_ROWS:,} updates (s)",
            reimport_s,
            "s",
            IMPORT_TARGET_S,
            "openpyxl read-only parse of the same file (s)",
            parse_s,
        ),
        Figure(
            f"enterprise list p50 over {len(list_ms)} requests (ms)",
            statistics.median(list_ms),
            "ms",
            None,
            login,
            base_p50,
        ),
        Figure(
            f"enterprise list p95 over {len(list_ms)} requests (ms)",
            _p95(list_ms),
            "ms",
            PAGE_TARGET_MS,
            login,
            base_p95,
        ),
        Figure("home page p50 (ms)", statistics.median(home_ms), "ms", None, login, base_p50),
        Figure("home page p95 (ms)", _p95(home_ms), "ms", PAGE_TARGET_MS, login, base_p95),
    ]


def report(figures: list[Figure]) -> bool:
    print(f"{'figure':<52} {'value':>9} {'target':>9} {'baseline':>9} {'ratio':>6}")
    for f in figures:
        target = f"<{f.target:g}" if f.target is not None else "-"
        baseline = f"{f.baseline:.2f}" if f.baseline is not None else "-"
        ratio = f"{f.ratio:.1f}" if f.ratio is not None else "-"
        verdict = "" if f.target is None else ("ok" if f.met else "MISSED")
        print(f"{f.name:<52} {f.value:>9.2f} {target:>9} {baseline:>9} {ratio:>6}  {verdict}")
        if f.baseline_name:
            print(f"    baseline: {f.baseline_name}")
    return all(f.met for f in figures)


if __name__ == "__main__":
    sys.exit(0 if report(run()) else 1)
