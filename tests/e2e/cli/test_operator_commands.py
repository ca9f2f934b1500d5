"""The operator's console command, run as a real process against its own SQLite file: the demo
zone is built once, its headline figures come out as JSON, and both integrity checks pass."""

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest

pytestmark = pytest.mark.slow_cli


@pytest.fixture(scope="module")
def patientcap(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var / 'cli.sqlite3'}",
        "PATIENTCAP_VAR_DIR": str(var),
    }

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "patientcap.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and done.returncode:
            raise AssertionError(f"patientcap {' '.join(args)} failed:\n{done.stderr}")
        return done

    run("migrate", "--no-input", "-v", "0")
    run("demo", "--enterprises", "25", "--seed", "3")
    return run


def test_the_demo_zone_reports_its_headline_figures_as_json(patientcap):
    figures = json.loads(patientcap("kpis", "--json").stdout)
    assert figures["zone"]["enterprises"] == 25
    assert figures["zone"]["users"] == 12  # the ten demo users and each bank's second officer
    assert figures["zone"]["organisations"] == 9
    invest_first, angel = figures["invest_first"], figures["angel_fund"]
    assert invest_first["projects"] == 136
    assert invest_first["invested_yuan"] == "63000000.00"
    assert invest_first["exited_projects"] >= 80
    assert invest_first["returned_yuan"] == "34000000.00"
    loans = figures["tiered_loans"]
    assert loans["count"] >= 40 and Decimal(loans["amount_yuan"]) > 100_000_000
    # Every yuan is accounted for: contributions (¥90M for invest-first since 2019, ¥30M for the
    # angel fund in 2021), less what went out, plus what came back.
    pool = figures["pool"]
    assert Decimal(pool["fiscal_pool_contributions"]) == 120_000_000
    assert Decimal(pool["risk_compensation_pool_contributions"]) == 50_000_000
    assert Decimal(pool["fiscal_pool_cash"]) == (
        120_000_000
        - Decimal(invest_first["invested_yuan"])
        + Decimal(invest_first["returned_yuan"])
        - Decimal(angel["invested_yuan"])
        + Decimal(angel["returned_yuan"])
    )
    assert Decimal(pool["risk_compensation_pool_cash"]) == 50_000_000 - Decimal(
        loans["losses_by_party"]["pool"]
    )


def test_the_demo_books_and_audit_trail_verify(patientcap):
    assert patientcap("ledger", "verify").returncode == 0
    assert patientcap("audit", "verify").returncode == 0


def test_building_the_demo_twice_is_refused_unless_asked_to_skip(patientcap):
    again = patientcap("demo", check=False)
    assert again.returncode != 0 and "already holds organisations" in again.stderr
    skipped = patientcap("demo", "--if-empty")
    assert skipped.returncode == 0 and "already there" in skipped.stdout
    assert json.loads(patientcap("kpis", "--json").stdout)["zone"]["enterprises"] == 25
