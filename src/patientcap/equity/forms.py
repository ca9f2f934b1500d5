"""Forms of the fund staff's pages: they gather the terms; the maker-checker proposal (with its
`validate`, `equity.actions`) decides whether they are acceptable."""

from django import forms
from django.utils.translation import gettext_lazy as _

from patientcap.domain.captable import AntiDilution, DayCount, Participation
from patientcap.equity.models import ExitRoute, InstrumentKind

DATE = forms.DateInput(attrs={"type": "date"})


def reason() -> forms.CharField:
    return forms.CharField(
        label=_("Why (for the approver)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OpenForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    founders = forms.CharField(
        label=_("Founders"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: name, number of common shares"),
    )
    pool_unallocated = forms.IntegerField(label=_("Option pool (unallocated)"), initial=0)
    reason = reason()


class RoundForm(forms.Form):
    date = forms.DateField(label=_("Date of the round"), widget=DATE)
    series_name = forms.CharField(label=_("Share class"), max_length=100, initial="Series A")
    series_seniority = forms.IntegerField(label=_("Seniority (higher is paid first)"), initial=1)
    series_preference_multiple = forms.DecimalField(
        label=_("Liquidation preference multiple"), initial=1
    )
    series_participation = forms.ChoiceField(
        label=_("Participation"),
        choices=[
            (Participation.NON_PARTICIPATING, _("Non-participating")),
            (Participation.PARTICIPATING, _("Participating")),
            (Participation.CAPPED, _("Capped participation")),
        ],
    )
    series_cap_multiple = forms.DecimalField(label=_("Cap multiple"), required=False)
    series_anti_dilution = forms.ChoiceField(
        label=_("Anti-dilution"),
        choices=[
            (AntiDilution.NONE, _("None")),
            (AntiDilution.BROAD_BASED, _("Broad-based weighted average")),
            (AntiDilution.FULL_RATCHET, _("Full ratchet")),
        ],
    )
    pre_money_yuan = forms.CharField(label=_("Pre-money valuation (yuan, or 万)"), max_length=40)
    investments = forms.CharField(
        label=_("Investors"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: name, amount in yuan"),
    )
    pool_target_percent = forms.DecimalField(
        label=_("Option pool after the round (percent of fully diluted)"), required=False
    )
    reason = reason()


class InstrumentForm(forms.Form):
    date = forms.DateField(label=_("Date issued"), widget=DATE)
    kind = forms.ChoiceField(label=_("Instrument"), choices=InstrumentKind.choices)
    holder = forms.CharField(label=_("Holder"), max_length=200)
    amount_yuan = forms.CharField(label=_("Amount (yuan, or 万)"), max_length=40)
    valuation_cap_yuan = forms.CharField(
        label=_("Valuation cap (yuan, optional)"), max_length=40, required=False
    )
    discount_percent = forms.DecimalField(label=_("Discount (%)"), initial=0, required=False)
    annual_rate_percent = forms.DecimalField(
        label=_("Interest rate (% a year, notes)"), required=False
    )
    day_count = forms.ChoiceField(
        label=_("Day count (notes)"), choices=[(d.value, d.value) for d in DayCount]
    )
    reason = reason()


class PlanFields(forms.Form):
    exit_route = forms.ChoiceField(label=_("Intended exit route"), choices=ExitRoute.choices)
    exit_horizon_years = forms.IntegerField(label=_("Exit horizon (years)"), initial=5)
    target_multiple = forms.DecimalField(label=_("Target multiple"), initial=3)
    next_round_expected_on = forms.DateField(
        label=_("Next round expected by"), widget=DATE, required=False
    )
    next_round_expected_yuan = forms.CharField(
        label=_("Expected size of the next round (yuan)"), max_length=40, required=False
    )


class InvestForm(PlanFields):
    enterprise_id = forms.TypedChoiceField(label=_("Enterprise"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=DATE)
    form = forms.ChoiceField(
        label=_("Form of investment"),
        choices=[
            ("equity", _("Priced equity")),
            (InstrumentKind.POST_MONEY_SAFE, _("Post-money SAFE")),
            (InstrumentKind.PRE_MONEY_SAFE, _("Pre-money SAFE")),
            (InstrumentKind.NOTE, _("Convertible note")),
        ],
    )
    amount_yuan = forms.CharField(label=_("Amount the fund invests (yuan, or 万)"), max_length=40)
    series_name = forms.CharField(
        label=_("Share class (priced equity)"), max_length=100, required=False, initial="Angel"
    )
    series_anti_dilution = RoundForm.base_fields["series_anti_dilution"]
    pre_money_yuan = forms.CharField(
        label=_("Pre-money valuation (priced equity)"), max_length=40, required=False
    )
    investments = forms.CharField(
        label=_("Co-investors (priced equity)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("One a line: name, amount in yuan"),
    )
    pool_target_percent = RoundForm.base_fields["pool_target_percent"]
    valuation_cap_yuan = InstrumentForm.base_fields["valuation_cap_yuan"]
    discount_percent = InstrumentForm.base_fields["discount_percent"]
    annual_rate_percent = InstrumentForm.base_fields["annual_rate_percent"]
    day_count = InstrumentForm.base_fields["day_count"]
    reason = reason()


class ExitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    route = forms.ChoiceField(label=_("Exit route"), choices=ExitRoute.choices)
    exit_yuan = forms.CharField(
        label=_("Price of the whole company (trade sale)"), max_length=40, required=False
    )
    proceeds_yuan = forms.CharField(
        label=_("Proceeds for the fund's shares (other routes)"), max_length=40, required=False
    )
    buyer = forms.CharField(label=_("Buyer (other routes)"), max_length=200, required=False)
    reason = reason()


class ReviewForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 3}))
    next_round_expected_on = forms.DateField(
        label=_("Next round expected by"), widget=DATE, required=False
    )
    next_round_expected_yuan = forms.CharField(
        label=_("Expected size of the next round (yuan)"), max_length=40, required=False
    )


class WaterfallForm(forms.Form):
    exit_yuan = forms.CharField(label=_("Exit value (yuan, or 万)"), max_length=40)
    as_of = forms.DateField(label=_("Cap table as of"), widget=DATE, required=False)
