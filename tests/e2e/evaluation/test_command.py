"""`patientcap score` as a real process: a CSV or Excel file, or the registry, scored with a named
rule set into CSV or Excel; clear refusals (nothing written) for a missing file, an unknown rule
set, unknown columns and bad cells."""

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from patientcap.domain.ruleset import parse_ruleset
from patientcap.domain.scoring import score

pytestmark = pytest.mark.slow_cli
CARD_FILE = Path(__file__).resolve().parents[3] / "policy" / "rulesets" / "tech_credit_card.yaml"
HEADER = ["id", "name", "rd_expense_fen", "revenue_fen", "tech_staff", "total_staff", "debt_ratio"]
ROWS = [
    ["1", "Alpha", "700000", "10000000", "40", "100", "0.4"],
    ["2", "Beta", "0", "0", "0", "0", ""],
    ["3", "Gamma", "", "", "", "", ""],
]


# A zone officer and twelve registry firms with figures, made through the real services.
SETUP = """
import datetime as dt, random
from patientcap.accounts.models import Organisation, Role, User
from patientcap.enterprises.demo import generate_demo_enterprises
org = Organisation.objects.create(name="Zone", type="zone")
User.objects.create_user("zone", password="x", organisation=org, role=Role.ZONE_OFFICER)
generate_demo_enterprises(12, random.Random(5), as_of=dt.date(2025, 6, 30))
"""


@pytest.fixture(scope="module")
def patientcap(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var / 'cli.sqlite3'}",
        "PATIENTCAP_VAR_DIR": str(var),
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "patientcap.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


def _csv(path: Path, header=HEADER, rows=ROWS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _expected(row: list[str]):
    ruleset = parse_ruleset(CARD_FILE.read_text(encoding="utf-8"), CARD_FILE.name)
    firm: dict[str, object] = {}
    for name, value in zip(HEADER[2:], row[2:], strict=True):
        if value:
            firm[name] = Decimal(value) if name == "debt_ratio" else int(value)
    return score(ruleset, firm)


def test_a_csv_file_is_scored_into_csv_with_totals_grades_and_reasons(patientcap, tmp_path):
    out = tmp_path / "scores.csv"
    done = patientcap(
        "score", "--ruleset", "tech-credit-card", "--file", str(_csv(tmp_path / "in.csv")),
        "--out", str(out), "--lang", "en",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Scored 3 firms with tech-credit-card v1" in done.stderr
    with out.open(encoding="utf-8-sig") as f:
        got = list(csv.DictReader(f))
    assert [r["name"] for r in got] == ["Alpha", "Beta", "Gamma"]
    for row, result in zip(ROWS, got, strict=True):
        ev = _expected(row)
        assert (result["total"], result["grade"]) == (str(ev.total), ev.grade)
        assert result["reason_codes"] == ";".join(r.code for r in ev.reasons)
        assert result["reason_1"] == ev.reasons[0].text_en
    assert "denominator is zero" in got[1]["reason_1"] + got[1]["reason_2"]


def test_an_excel_file_is_scored_into_excel(patientcap, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([1, "Alpha", 700000, 10000000, 40, 100, 0.4])
    book.save(tmp_path / "in.xlsx")
    out = tmp_path / "scores.xlsx"
    done = patientcap(
        "score", "--ruleset", "tech-credit-card", "--file", str(tmp_path / "in.xlsx"),
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("id", "name", "total", "grade")
    assert rows[1][2] == str(_expected(ROWS[0]).total)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ruleset", "nope"], "unknown rule set 'nope'"),
        (["--file", "missing.csv"], "does not exist"),
    ],
)
def test_a_missing_file_or_an_unknown_rule_set_is_refused(patientcap, tmp_path, args, message):
    base = {"--ruleset": "tech-credit-card", "--file": str(_csv(tmp_path / "in.csv"))}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    out = tmp_path / "scores.csv"
    done = patientcap("score", *[x for kv in base.items() for x in kv], "--out", str(out))
    assert done.returncode != 0 and message in done.stderr
    assert not out.exists()


def test_unknown_columns_and_bad_cells_are_refused_and_nothing_is_written(patientcap, tmp_path):
    out = tmp_path / "scores.csv"
    wrong = _csv(tmp_path / "wrong.csv", header=["id", "revenue", "staff"], rows=[["1", "2", "3"]])
    done = patientcap(
        "score", "--ruleset", "tech-credit-card", "--file", str(wrong), "--out", str(out)
    )
    assert done.returncode != 0
    assert "unknown columns 'revenue', 'staff'" in done.stderr and not out.exists()
    bad = _csv(tmp_path / "bad.csv", rows=[["1", "A", "12.5", "lots", "1", "2", "x"]])
    done = patientcap(
        "score", "--ruleset", "tech-credit-card", "--file", str(bad), "--out", str(out)
    )
    assert done.returncode != 0 and "3 bad cells; nothing was written" in done.stderr
    assert "row 2, column revenue_fen" in done.stderr and not out.exists()


def test_the_registry_is_scored_and_stored_as_a_batch(patientcap, tmp_path):
    assert patientcap("migrate", "--no-input", "-v", "0").returncode == 0
    built = patientcap("shell", "-c", SETUP)
    assert built.returncode == 0, built.stderr
    out = tmp_path / "registry.csv"
    refused = patientcap("score", "--ruleset", "tech-credit-card", "--registry", "--out", str(out))
    assert refused.returncode != 0 and "--registry needs --as" in refused.stderr
    done = patientcap(
        "score", "--ruleset", "tech-sme-evaluation", "--registry", "--as", "zone",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 12 and all(r["grade"] for r in rows)
