"""The maker's side of the ledger: a zone officer proposes a pool contribution or the reversal
of an entry; nothing is posted until a different person approves it (approvals app)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from patientcap.accounts import scoping
from patientcap.approvals import rules
from patientcap.approvals.registry import get_action
from patientcap.approvals.services import ProposalRefused, propose
from patientcap.core.clock import today
from patientcap.domain.ledger import BOOKS
from patientcap.ledger.models import Entry


class ContributionForm(forms.Form):
    book = forms.ChoiceField(
        label=gettext_lazy("Pool"), choices=[(k, gettext_lazy(v)) for k, v in BOOKS.items()]
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount (yuan, or 万)"),
        max_length=40,
        help_text=gettext_lazy("e.g. 8000000.00 or 800万"),
    )
    date = forms.DateField(
        label=gettext_lazy("Date the money arrived"), widget=forms.DateInput(attrs={"type": "date"})
    )
    document_ref = forms.CharField(label=gettext_lazy("Allocation document (文号)"), max_length=100)
    memo = forms.CharField(label=gettext_lazy("Memo"), max_length=200, required=False)
    reason = forms.CharField(
        label=gettext_lazy("Why (for the approver)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _may_propose(user: Any, action: str) -> None:
    spec = get_action(action)
    if spec is None or rules.refusal_to_propose(user, spec):
        raise PermissionDenied


def _refused(form: forms.Form, exc: ProposalRefused) -> None:
    """Put the service's refusal on the form: per field where it names one, else on top."""
    for field, problems in exc.errors.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
    if not exc.errors:
        form.add_error(None, exc.message)


@login_required
def contribute(request: HttpRequest) -> HttpResponse:
    _may_propose(request.user, "ledger.fund_pool")
    form = ContributionForm(request.POST or None, initial={"date": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = propose(
                action="ledger.fund_pool",
                payload={
                    "book": data["book"],
                    "amount": data["amount"],
                    "date": data["date"].isoformat(),
                    "document_ref": data["document_ref"],
                    "memo": data["memo"],
                },
                reason=data["reason"],
                by=request.user,
            )
        except ProposalRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Proposed. It is posted when another person approves it."))
            return redirect("approvals:detail", proposal.pk)
    return render(request, "ledger/contribute.html", {"form": form})


@require_POST
@login_required
def propose_reversal(request: HttpRequest, pk: int) -> HttpResponse:
    entry = scoping.get_readable(request.user, Entry, pk=pk)
    _may_propose(request.user, "ledger.reverse_entry")
    try:
        proposal = propose(
            action="ledger.reverse_entry",
            payload={"entry_id": entry.pk},
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except ProposalRefused as exc:
        problems = [p for ps in exc.errors.values() for p in ps] or [exc.message]
        for problem in problems:
            messages.error(request, problem)
        return redirect("ledger:entry", entry.pk)
    messages.success(request, _("Reversal proposed. It is posted when another person approves it."))
    return redirect("approvals:detail", proposal.pk)
