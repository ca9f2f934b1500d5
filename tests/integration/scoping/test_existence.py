""" "Not yours" looks the same as "does not exist" (accounts/scoping.py), also where a user
names a row by its business key rather than its id: an enterprise's credit code in an import.

The import runs the same code from the page, the API (both as a background job) and the
command line, so its refusal is checked where it is made."""

import pytest
from tests.integration.enterprises import workbooks
from tests.integration.enterprises.builders import build_firms

from patientcap.domain.uscc import make_uscc
from patientcap.enterprises import importing

UNREGISTERED = make_uscc(7_319_999)


def _refusal(user, code: str) -> str:
    data = workbooks.workbook([workbooks.good_row(1, uscc=code, name="Probe")])
    result = importing.import_workbook(actor=user, data=data)
    assert not result.ok
    return " / ".join(e.message for e in result.errors).replace(code, "<code>")


@pytest.mark.parametrize("role", ["enterprise_user", "other_enterprise_user"])
def test_an_import_does_not_tell_whether_an_enterprise_one_cannot_see_is_registered(
    users, orgs, role
):
    firms = build_firms(users, orgs)
    user = users[role]
    others = [f.uscc for f in firms.values() if f.organisation_id != user.organisation_id]
    refusals = {code: _refusal(user, code) for code in [UNREGISTERED, *others]}
    assert len(set(refusals.values())) == 1, (
        "an unregistered code and another organisation's enterprise are refused differently, "
        f"which tells an enterprise user who is in the registry: {refusals}"
    )
