"""`patientcap policy check [DIR]` from the command line, as an operator runs it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "patientcap.settings"}
    return subprocess.run(
        [sys.executable, "-m", "patientcap.cli", "policy", "check", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_the_seed_policy_files_pass_the_check():
    result = run(str(ROOT / "policy"))
    assert result.returncode == 0, result.stderr
    files = len(list((ROOT / "policy").glob("*.yaml")))
    assert f"parameters in {files} files are valid" in result.stdout


def test_a_file_with_unsorted_dates_fails_the_check_naming_file_key_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "parameters:\n"
        "  demo.share:\n"
        "    unit: ratio\n"
        "    description: A share.\n"
        "    values:\n"
        "      - {from: 2025-01-01, value: 0.5, reference: Rule 2}\n"
        "      - {from: 2024-01-01, value: 0.4, reference: Rule 1}\n"
    )
    result = run(str(tmp_path))
    assert result.returncode != 0
    assert f"{bad}:7: demo.share: dates are not in order" in result.stderr


def test_a_file_without_reference_fails_the_check(tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "parameters:\n  demo.days:\n    unit: working_days\n    description: D.\n"
        "    values:\n      - {from: 2025-01-01, value: 7}\n"
    )
    result = run(str(tmp_path))
    assert result.returncode != 0
    assert "bad.yaml:6: demo.days: the value from 2025-01-01 has no reference" in result.stderr


def test_the_check_defaults_to_the_configured_directory(tmp_path):
    env_dir = tmp_path / "policy"
    env_dir.mkdir()
    (env_dir / "x.yaml").write_text("parameters:\n  demo.x:\n    unit: inches\n")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "patientcap.settings",
        "PATIENTCAP_POLICY_DIR": str(env_dir),
    }
    result = subprocess.run(
        [sys.executable, "-m", "patientcap.cli", "policy", "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode != 0 and "unknown unit 'inches'" in result.stderr
