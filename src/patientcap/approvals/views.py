"""Approval pages: the list with its tabs, a proposal's detail, and the decision forms."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patientcap.accounts import scoping
from patientcap.approvals import selectors, services
from patientcap.approvals.models import Proposal, Status

PAGE_SIZE = 25


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    waiting_count = selectors.waiting_for(user).count()
    tab = request.GET.get("tab", "")
    if tab not in selectors.TABS:
        # Checkers land on their work; everyone else on what they can see.
        tab = "waiting" if waiting_count else "all"
    status = request.GET.get("status", "")
    page = Paginator(selectors.proposals(user, tab=tab, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "tab": tab,
        "tabs": [
            ("waiting", _("Waiting for me")),
            ("mine", _("My proposals")),
            ("all", _("All visible")),
        ],
        "status": status,
        "statuses": Status.choices,
        "page": page,
        "waiting_count": waiting_count,
    }
    # HTMX tab and filter changes swap only the list.
    template = "approvals/_list.html" if request.htmx else "approvals/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "approvals/detail.html", selectors.detail(request.user, pk))


@require_POST
@login_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda p: services.approve(
            proposal=p, by=request.user, comment=request.POST.get("comment", "")
        ),
        _("Approved; the action has been carried out."),
    )


@require_POST
@login_required
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda p: services.reject(
            proposal=p, by=request.user, comment=request.POST.get("comment", "")
        ),
        _("Rejected."),
    )


@require_POST
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, lambda p: services.withdraw(proposal=p, by=request.user), _("Withdrawn.")
    )


def _act(request: HttpRequest, pk: int, step: Any, done: str) -> HttpResponse:
    # A proposal outside the user's scope is a 404, the same as one that does not exist.
    proposal = scoping.get_readable(request.user, Proposal, pk=pk)
    try:
        step(proposal)
    except services.ProposalRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("approvals:detail", pk=proposal.pk)
