"""Forms of the tiered-loan pages: they only read what was typed; the services decide."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from patientcap.domain.money import AmountError, parse_amount
from patientcap.lending.models import METHOD_CHOICES

DATE = forms.DateInput(attrs={"type": "date"})


class AmountField(forms.CharField):
    """An amount in yuan ("1500000.00" or "150万") as integer fen."""

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_amount(text)
        except AmountError:
            raise ValidationError(_("Give the amount in yuan, e.g. 1500000.00 or 150万.")) from None


class PercentField(forms.CharField):
    """A percentage as typed ("3.85") as an exact fraction (0.0385)."""

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            number = Decimal(text.strip().rstrip("%"))
        except InvalidOperation:
            raise ValidationError(_("Give a percentage, e.g. 3.85.")) from None
        if not number.is_finite():
            raise ValidationError(_("Give a percentage, e.g. 3.85."))
        return number / 100


class ApplicationForm(forms.Form):
    enterprise = forms.TypedChoiceField(label=_("Enterprise"), coerce=int)
    bank = forms.TypedChoiceField(label=_("Partner bank"), coerce=int)
    guarantor = forms.TypedChoiceField(label=_("Partner guarantor"), coerce=int)
    amount = AmountField(label=_("Amount (yuan, or 万)"), max_length=40)
    rate = PercentField(label=_("Annual rate (%)"), max_length=20)
    tenor_months = forms.IntegerField(label=_("Tenor (months)"), min_value=1, max_value=120)
    method = forms.ChoiceField(label=_("Repayment method"), choices=METHOD_CHOICES)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)


class DiligenceForm(forms.Form):
    favourable = forms.TypedChoiceField(
        label=_("Opinion"),
        choices=[("yes", _("Favourable")), ("no", _("Unfavourable"))],
        coerce=lambda v: v == "yes",
    )
    opinion = forms.CharField(
        label=_("Due-diligence findings"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    date = forms.DateField(label=_("Date"), widget=DATE)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (for the approver)"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    date = forms.DateField(label=_("Date"), widget=DATE)


class ContractForm(forms.Form):
    contract_number = forms.CharField(label=_("Contract number"), max_length=60)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    guarantee_fee = PercentField(label=_("Guarantee fee (% a year)"), max_length=20)


class DisburseForm(forms.Form):
    amount = AmountField(label=_("Amount (yuan, or 万)"), max_length=40)
    date = forms.DateField(label=_("Date"), widget=DATE)
    first_due = forms.DateField(label=_("First payment"), widget=DATE)


class RepayForm(forms.Form):
    amount = AmountField(label=_("Amount (yuan, or 万)"), max_length=40)
    date = forms.DateField(label=_("Date"), widget=DATE)
    reference = forms.CharField(label=_("Bank reference"), max_length=100)


class RestructureForm(forms.Form):
    tenor_months = forms.IntegerField(label=_("New tenor (months)"), min_value=1, max_value=60)
    method = forms.ChoiceField(label=_("Repayment method"), choices=METHOD_CHOICES)
    date = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Reason"), max_length=500)


class NoteForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Reason"), max_length=500)


class ClaimForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    statement = forms.CharField(
        label=_("Statement of the default"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RecoveryForm(forms.Form):
    amount = AmountField(label=_("Amount (yuan, or 万)"), max_length=40)
    date = forms.DateField(label=_("Date"), widget=DATE)
    source = forms.CharField(label=_("Source of the money"), max_length=200)
    reason = forms.CharField(label=_("Why (for the approver)"), max_length=1000)
