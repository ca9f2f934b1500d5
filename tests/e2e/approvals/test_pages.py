"""The approval pages: tabs, detail with the payload table, and the decision forms."""

import re

from django.urls import reverse
from tests.integration.approvals import actions

from patientcap.accounts.models import Organisation
from patientcap.approvals import services
from patientcap.approvals.models import Proposal, Status

LIST = reverse("approvals:list")


def propose(users, name="Incubator Nine", grant_fen=123_456_78):
    return services.propose(
        action="tests.create_organisation",
        payload={"name": name, "grant_fen": grant_fen},
        reason="A ninth incubator for the east campus.",
        by=users["zone_officer"],
    )


def post(client, url, data=None):
    """POST a form with the CSRF token the page handed out, as a browser does."""
    token = client.cookies["csrftoken"].value
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token})


def test_the_checker_lands_on_what_waits_for_them_and_the_maker_does_not(users, as_user):
    proposal = propose(users)
    checker_page = as_user(users["reviewer"]).get(LIST).content.decode()
    assert "Create Incubator Nine" in checker_page
    assert re.search(r'\?tab=waiting"[^>]*aria-current="page"', checker_page)  # the open tab
    maker = as_user(users["zone_officer"])
    assert "Create Incubator Nine" not in maker.get(LIST + "?tab=waiting").content.decode()
    assert "Create Incubator Nine" in maker.get(LIST + "?tab=mine").content.decode()
    assert (
        f'href="{reverse("approvals:detail", args=[proposal.pk])}"'
        in maker.get(LIST).content.decode()
    )


def test_an_htmx_tab_change_returns_only_the_list(users, as_user):
    propose(users)
    partial = (
        as_user(users["reviewer"])
        .get(LIST + "?tab=all&status=pending", HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "Create Incubator Nine" in partial and "<html" not in partial


def test_the_status_filter_narrows_the_list(users, as_user):
    propose(users)
    client = as_user(users["reviewer"])
    assert "Create Incubator Nine" in client.get(LIST + "?tab=all&status=pending").content.decode()
    assert (
        "Create Incubator Nine"
        not in client.get(LIST + "?tab=all&status=approved").content.decode()
    )


def test_the_detail_shows_the_payload_as_a_table_and_the_checker_can_approve(users, as_user):
    proposal = propose(users)
    checker = as_user(users["reviewer"])
    page = checker.get(reverse("approvals:detail", args=[proposal.pk])).content.decode()
    assert '<th scope="row">Grant</th><td>¥123,456.78</td>' in page
    assert "A ninth incubator for the east campus." in page
    assert "Approve and carry out" in page

    response = post(
        checker, reverse("approvals:approve", args=[proposal.pk]), {"comment": "Budget checked."}
    )

    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status == Status.APPROVED
    assert Organisation.objects.filter(name="Incubator Nine").exists()
    page = checker.get(response["Location"]).content.decode()
    assert "Approved; the action has been carried out." in page and "Budget checked." in page


def test_the_maker_sees_why_they_cannot_decide_and_may_withdraw(users, as_user):
    proposal = propose(users)
    maker = as_user(users["zone_officer"])
    page = maker.get(reverse("approvals:detail", args=[proposal.pk])).content.decode()
    assert "Approve and carry out" not in page and "You proposed this yourself" in page
    assert "Withdraw my proposal" in page

    refused = post(maker, reverse("approvals:approve", args=[proposal.pk]))
    assert "yourself" in maker.get(refused["Location"]).content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == Status.PENDING

    post(maker, reverse("approvals:withdraw", args=[proposal.pk]))
    assert Proposal.objects.get(pk=proposal.pk).status == Status.WITHDRAWN


def test_rejecting_without_a_comment_shows_the_reason_and_changes_nothing(users, as_user):
    proposal = propose(users)
    checker = as_user(users["reviewer"])
    checker.get(reverse("approvals:detail", args=[proposal.pk]))
    response = post(checker, reverse("approvals:reject", args=[proposal.pk]), {"comment": ""})
    assert "a comment is required" in checker.get(response["Location"]).content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == Status.PENDING


def test_a_failed_action_is_shown_with_its_error(users, as_user):
    proposal = services.propose(
        action="tests.create_organisation",
        payload={"name": "Doomed", "fail": True},
        reason="r",
        by=users["zone_officer"],
    )
    checker = as_user(users["reviewer"])
    checker.get(LIST)
    response = post(checker, reverse("approvals:approve", args=[proposal.pk]))
    page = checker.get(response["Location"]).content.decode()
    assert "failed after writing" in page and "failed" in page
    assert not Organisation.objects.filter(name="Doomed").exists()


def test_another_organisation_gets_a_404_for_the_page_and_the_post(users, as_user):
    proposal = propose(users)
    outsider = as_user(users["bank_officer"])
    assert outsider.get(reverse("approvals:detail", args=[proposal.pk])).status_code == 404
    outsider.get(LIST)
    assert post(outsider, reverse("approvals:approve", args=[proposal.pk])).status_code == 404
    assert "Create Incubator Nine" not in outsider.get(LIST + "?tab=all").content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == Status.PENDING


def test_an_auditor_reads_the_proposal_but_gets_no_forms_and_cannot_act(users, as_user):
    proposal = propose(users)
    auditor = as_user(users["auditor"])
    page = auditor.get(reverse("approvals:detail", args=[proposal.pk])).content.decode()
    assert "Create Incubator Nine" in page
    assert "Approve and carry out" not in page and "read-only" in page
    post(auditor, reverse("approvals:approve", args=[proposal.pk]))
    assert Proposal.objects.get(pk=proposal.pk).status == Status.PENDING
    assert actions.EXECUTED == []


def test_a_decision_without_the_csrf_token_is_refused(users, as_user):
    proposal = propose(users)
    checker = as_user(users["reviewer"])
    response = checker.post(reverse("approvals:approve", args=[proposal.pk]))
    assert response.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).status == Status.PENDING


def test_decisions_are_posts_only(users, as_user):
    proposal = propose(users)
    response = as_user(users["reviewer"]).get(reverse("approvals:approve", args=[proposal.pk]))
    assert response.status_code == 405
    assert Proposal.objects.get(pk=proposal.pk).status == Status.PENDING
