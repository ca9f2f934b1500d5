"""The audit trail must not undo the scoping of the rows it records.

Proposals are private to the proposer's organisation (and auditors: approvals/scopes.py), API
tokens to their holder (accounts/scopes.py). The trail records every proposal's payload and
reason and every token's name; zone staff read the trail, so they must not find there what the
rows' own rules hide from them. Auditors read everything, the trail included (mission.md §2).
"""

import pytest
from tests.integration.scoping.probe import ApiClient, Browser, text
from tests.integration.scoping.world import ZONE

from patientcap.audit.models import AuditEntry

PRIVATE = ("prop_", "token_")  # objects whose rows the zone staff may not all read
RECORDED_AS = ("proposal", "api_token")


@pytest.mark.parametrize("role", sorted(ZONE))
def test_zone_staff_find_no_other_organisations_proposals_or_tokens_in_the_audit_trail(
    world, db, role
):
    hidden = [
        (obj.key, marker)
        for obj in world.objects.values()
        if obj.key.startswith(PRIVATE) and role not in obj.readers
        for marker in obj.markers
    ]
    assert hidden, "the world has no proposal or token hidden from zone staff"
    browser, api = Browser(world.users[role]), ApiClient(world.tokens[role]).client
    seqs = AuditEntry.objects.filter(object_type__in=RECORDED_AS).values_list("seq", flat=True)
    answers = {f"GET /audit/{seq}/": browser.client.get(f"/audit/{seq}/") for seq in seqs}
    answers["GET /api/v1/audit/entries"] = api.get("/api/v1/audit/entries?page_size=1000")
    problems = [
        f"{role} {where}: shows {marker!r} of {key}"
        for where, response in answers.items()
        for key, marker in hidden
        if marker in text(response)
    ]
    assert not problems, "\n".join(problems)
