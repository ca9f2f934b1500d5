"""Forms of the invest-first pages: what each next step of a project asks for.

Amounts are typed as people write them ("2000000.00", "200万") and become int fen here. The
agreement form takes its tranches and milestones one per line, so that an agreement of any
shape fits one form.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patientcap.domain.money import AmountError, parse_amount
from patientcap.investments.models import ExitRoute, Variant

DATE = forms.DateInput(attrs={"type": "date"})


class AmountField(forms.CharField):
    """Yuan as people write them; cleaned to int fen."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", gettext_lazy("e.g. 2000000.00 or 200万"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_amount(text)
        except AmountError:
            raise forms.ValidationError(
                _("Give the amount in yuan, e.g. 2000000.00 or 200万.")
            ) from None


class Reason(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why (for the approver)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApplicationForm(forms.Form):
    enterprise = forms.TypedChoiceField(label=gettext_lazy("Enterprise"), coerce=int)
    title = forms.CharField(label=gettext_lazy("Project title"), max_length=200)
    plan = forms.CharField(label=gettext_lazy("R&D plan"), widget=forms.Textarea(attrs={"rows": 4}))
    requested = AmountField(label=gettext_lazy("Requested amount"))

    def __init__(self, *args: Any, enterprises: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = enterprises


class ReviewForm(forms.Form):
    score = forms.DecimalField(
        label=gettext_lazy("Score (0–100)"), min_value=0, max_value=100, decimal_places=2
    )
    opinion = forms.CharField(
        label=gettext_lazy("Opinion"), widget=forms.Textarea(attrs={"rows": 3})
    )
    evaluation_id = forms.IntegerField(
        label=gettext_lazy("Evaluation (optional)"), required=False, min_value=1
    )


class DecisionForm(Reason):
    approved = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("1", gettext_lazy("Approve")), ("0", gettext_lazy("Reject"))],
        coerce=lambda v: v == "1",
    )
    amount = AmountField(label=gettext_lazy("Approved amount"), required=False)
    date = forms.DateField(label=gettext_lazy("Committee date"), widget=DATE)
    comment = forms.CharField(label=gettext_lazy("Committee comment"), required=False)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class AgreementForm(forms.Form):
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=DATE)
    amount = AmountField(label=gettext_lazy("Amount"))
    tranches = forms.CharField(
        label=gettext_lazy("Tranches, one per line: due date and amount"),
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "2026-01-15 100万\n2027-01-15 100万"}
        ),
    )
    milestones = forms.CharField(
        label=gettext_lazy(
            "Milestones, one per line: what | measure | target | due date | evidence required"
        ),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "原型机 | 台数 | 3 | 2026-12-31 | 第三方检测报告"}
        ),
    )
    variant = forms.ChoiceField(label=gettext_lazy("Conversion variant"), choices=Variant.choices)
    discount = forms.DecimalField(
        label=gettext_lazy("Discount to the round price (%)"),
        min_value=0,
        max_value=99,
        decimal_places=2,
        required=False,
    )
    agreed_valuation = AmountField(
        label=gettext_lazy("Agreed post-money valuation (B, D)"), required=False
    )
    fixed_percentage = forms.DecimalField(
        label=gettext_lazy("Fixed stake (%) (C)"),
        min_value=0,
        max_value=99,
        decimal_places=4,
        required=False,
    )
    conversion_deadline = forms.DateField(label=gettext_lazy("Conversion deadline"), widget=DATE)
    trigger_event = forms.CharField(
        label=gettext_lazy("Trigger event (allows conversion before the milestones)"),
        required=False,
        max_length=300,
    )
    buyback_rate = forms.DecimalField(
        label=gettext_lazy("Buyback interest rate (% a year, simple)"),
        min_value=0,
        max_value=100,
        decimal_places=4,
        required=False,
    )
    buyback_floor = AmountField(label=gettext_lazy("Buyback floor"), required=False)
    buyback_cap = AmountField(label=gettext_lazy("Buyback cap"), required=False)

    def clean_tranches(self) -> list[tuple[dt.date, int]]:
        out = []
        for line in _lines(self.cleaned_data["tranches"]):
            parts = line.split(maxsplit=1)
            try:
                out.append((dt.date.fromisoformat(parts[0]), parse_amount(parts[1])))
            except (ValueError, IndexError, AmountError):
                raise forms.ValidationError(
                    _("Write each tranche as “YYYY-MM-DD amount”, not “%(line)s”.") % {"line": line}
                ) from None
        return out

    def clean_milestones(self) -> list[dict[str, Any]]:
        out = []
        for line in _lines(self.cleaned_data.get("milestones", "")):
            parts = [p.strip() for p in line.split("|")]
            try:
                what, measure, target, due, evidence = parts
                out.append(
                    {
                        "what": what,
                        "measure": measure,
                        "target": target,
                        "due": dt.date.fromisoformat(due),
                        "evidence_required": evidence,
                    }
                )
            except ValueError:
                raise forms.ValidationError(
                    _(
                        "Write each milestone as “what | measure | target | YYYY-MM-DD | "
                        "evidence”, not “%(line)s”."
                    )
                    % {"line": line}
                ) from None
        return out

    def terms(self) -> dict[str, Any]:
        d = self.cleaned_data
        rate = d.get("buyback_rate")
        pct = d.get("fixed_percentage")
        return {
            "signed_on": d["signed_on"],
            "amount_fen": d["amount"],
            "tranches": d["tranches"],
            "milestones": d["milestones"],
            "variant": d["variant"],
            "discount": (d.get("discount") or Decimal(0)) / 100,
            "agreed_valuation_fen": d.get("agreed_valuation"),
            "fixed_fraction": None if pct is None else pct / 100,
            "conversion_deadline": d["conversion_deadline"],
            "trigger_event": d.get("trigger_event", ""),
            "buyback_rate": None if rate is None else rate / 100,
            "buyback_floor_fen": d.get("buyback_floor") or 0,
            "buyback_cap_fen": d.get("buyback_cap"),
        }


class DisburseForm(Reason):
    date = forms.DateField(label=gettext_lazy("Payment date"), widget=DATE)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Evidence file"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000)


class VerdictForm(forms.Form):
    met = forms.TypedChoiceField(
        label=gettext_lazy("Verdict"),
        choices=[("1", gettext_lazy("Met")), ("0", gettext_lazy("Not met"))],
        coerce=lambda v: v == "1",
    )
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=1000)


class ConvertForm(Reason):
    date = forms.DateField(label=gettext_lazy("Conversion date"), widget=DATE)
    trigger_occurred = forms.BooleanField(
        label=gettext_lazy("The trigger event has occurred"), required=False
    )
    round_id = forms.IntegerField(
        label=gettext_lazy("Round (variants A and D)"), required=False, min_value=1
    )
    exit_route = forms.ChoiceField(
        label=gettext_lazy("Intended exit route"),
        choices=[
            ("buyback", gettext_lazy("Buyback by founders or the company")),
            ("secondary", gettext_lazy("Sale in a later round")),
            ("trade_sale", gettext_lazy("Merger or acquisition")),
            ("ipo", gettext_lazy("IPO")),
        ],
    )
    exit_horizon_years = forms.IntegerField(
        label=gettext_lazy("Exit horizon (years)"), min_value=1, max_value=30, initial=3
    )
    target_multiple = forms.DecimalField(
        label=gettext_lazy("Target multiple"), min_value=Decimal("0.01"), initial=Decimal("1.2")
    )


class DiligenceForm(forms.Form):
    findings = forms.CharField(
        label=gettext_lazy("Findings"), widget=forms.Textarea(attrs={"rows": 3})
    )
    duly_diligent = forms.BooleanField(
        label=gettext_lazy("The team acted with due diligence"), required=False, initial=True
    )
    recovered = AmountField(label=gettext_lazy("Recoverable amount"), required=False)


class WriteOffForm(Reason):
    date = forms.DateField(label=gettext_lazy("Write-off date"), widget=DATE)
    diligence_id = forms.TypedChoiceField(label=gettext_lazy("Diligence review"), coerce=int)

    def __init__(self, *args: Any, reviews: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["diligence_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = reviews


class ExitForm(Reason):
    route = forms.ChoiceField(label=gettext_lazy("Route"), choices=ExitRoute.choices)
    date = forms.DateField(label=gettext_lazy("Exit date"), widget=DATE)
    proceeds = forms.CharField(
        label=gettext_lazy("Proceeds (sale in a round, IPO)"), required=False, max_length=40
    )
    exit_value = forms.CharField(
        label=gettext_lazy("Price of the whole company (M&A)"), required=False, max_length=40
    )
    buyer = forms.CharField(label=gettext_lazy("Buyer"), required=False, max_length=200)
