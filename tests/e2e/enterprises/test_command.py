"""`patientcap enterprises import|export FILE --as USERNAME`."""

import pytest
from django.core.management import CommandError, call_command
from tests.integration.enterprises.workbooks import good_row, workbook

from patientcap.enterprises.models import Enterprise


def test_import_then_export_as_a_user(users, tmp_path, capsys):
    source = tmp_path / "in.xlsx"
    source.write_bytes(workbook([good_row(1), good_row(2)]))
    call_command("enterprises", "import", str(source), "--as", "zone_officer")
    assert "2 enterprises registered" in capsys.readouterr().out
    target = tmp_path / "out.xlsx"
    call_command("enterprises", "export", str(target), "--as", "zone_officer")
    assert "Exported 2 enterprises" in capsys.readouterr().out
    Enterprise.objects.all().delete()
    call_command("enterprises", "import", str(target), "--as", "zone_officer")
    assert Enterprise.objects.count() == 2


def test_a_refused_import_prints_every_problem_and_fails(users, tmp_path, capsys):
    source = tmp_path / "in.xlsx"
    source.write_bytes(workbook([good_row(1, staff_total=-1), good_row(2, year="next")]))
    with pytest.raises(CommandError, match="2 problems; nothing was imported"):
        call_command("enterprises", "import", str(source), "--as", "zone_officer")
    out = capsys.readouterr().out
    assert "cannot be negative (-1)" in out and "'next' is not a number" in out
    assert not Enterprise.objects.exists()


def test_an_unknown_user_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="no active user"):
        call_command("enterprises", "export", str(tmp_path / "x.xlsx"), "--as", "nobody")
