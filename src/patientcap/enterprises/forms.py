"""Forms of the registry pages. They read what was typed; the services decide what is allowed
(their ValidationErrors are put back on the form's fields by `apply_errors`)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from patientcap.accounts.models import Organisation, OrganisationType, Role, User
from patientcap.domain import cells, money
from patientcap.domain.messages import Invalid
from patientcap.enterprises import validation
from patientcap.enterprises.models import (
    CertificationKind,
    GrowthStage,
    StrategicCategory,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: field errors on their fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class AmountField(forms.CharField):
    """An amount typed in yuan ("1,234.56", "200万"); cleaned to int fen."""

    def prepare_value(self, value: Any) -> Any:
        return money.yuan(value) if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        try:
            return cells.amount(super().to_python(value))
        except Invalid as exc:
            raise ValidationError(validation.explain(exc.message)) from None


class ShareField(forms.CharField):
    """A share typed as 0.35 or 35%; cleaned to a Decimal ratio."""

    def to_python(self, value: Any) -> Any:
        try:
            return cells.ratio(super().to_python(value))
        except Invalid as exc:
            raise ValidationError(validation.explain(exc.message)) from None


class EnterpriseForm(forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    registration_date = forms.DateField(label=_("Registration date"), widget=DATE)
    industry_code = forms.CharField(
        label=_("Industry code (GB/T 4754-2017)"),
        max_length=20,
        help_text=_("A section letter and/or 2 to 4 digits, e.g. I65 or 6513."),
    )
    growth_stage = forms.ChoiceField(label=_("Growth stage"), choices=GrowthStage.choices)
    strategic_emerging = forms.BooleanField(label=_("Strategic emerging industry"), required=False)
    strategic_category = forms.ChoiceField(
        label=_("Strategic emerging industry category"),
        required=False,
        choices=[("", "—"), *StrategicCategory.choices],
    )
    district = forms.CharField(label=_("District"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    legal_representative = forms.CharField(
        label=_("Legal representative"), max_length=100, required=False
    )


class YearForm(forms.Form):
    """One reporting year: financial figures, headcount, IP and team (any may stay empty)."""

    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    revenue_fen = AmountField(label=_("Revenue (yuan)"), required=False)
    main_business_revenue_fen = AmountField(label=_("Main-business revenue (yuan)"), required=False)
    rd_expense_fen = AmountField(label=_("R&D expense (yuan)"), required=False)
    total_cost_fen = AmountField(label=_("Total cost (yuan)"), required=False)
    total_assets_fen = AmountField(label=_("Total assets (yuan)"), required=False)
    total_liabilities_fen = AmountField(label=_("Total liabilities (yuan)"), required=False)
    operating_cash_flow_fen = AmountField(label=_("Operating cash flow (yuan)"), required=False)
    orders_backlog_fen = AmountField(label=_("Orders backlog (yuan)"), required=False)
    top_customer_share = ShareField(
        label=_("Top customer share"), required=False, help_text=_("0.35 or 35%")
    )
    total = forms.IntegerField(label=_("Total staff"), required=False)
    tech_staff = forms.IntegerField(label=_("Tech staff"), required=False)
    rd_staff = forms.IntegerField(label=_("R&D staff"), required=False)
    invention_patents = forms.IntegerField(label=_("Invention patents"), required=False)
    utility_model_patents = forms.IntegerField(label=_("Utility-model patents"), required=False)
    design_patents = forms.IntegerField(label=_("Design patents"), required=False)
    software_copyrights = forms.IntegerField(label=_("Software copyrights"), required=False)
    founders_max_industry_years = forms.IntegerField(
        label=_("Founders' longest industry experience (years)"), required=False
    )
    founders_avg_industry_years = forms.DecimalField(
        label=_("Founders' average industry experience (years)"),
        required=False,
        max_digits=4,
        decimal_places=1,
    )
    key_staff_turnover = ShareField(
        label=_("Key staff turnover"), required=False, help_text=_("0.1 or 10%")
    )

    SECTIONS = {
        "financial": validation.FINANCIAL_FIELDS,
        "headcount": validation.HEADCOUNT_FIELDS,
        "ip": validation.IP_FIELDS,
        "team": validation.TEAM_FIELDS,
    }

    def figures(self) -> dict[str, dict[str, Any]]:
        return {
            kind: {f: self.cleaned_data.get(f) for f in fields}
            for kind, fields in self.SECTIONS.items()
        }

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        titles = {
            "financial": _("Financial figures"),
            "headcount": _("Headcount"),
            "ip": _("Intellectual property"),
            "team": _("Team"),
        }
        return [(str(titles[k]), [self[f] for f in fields]) for k, fields in self.SECTIONS.items()]


class CertificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CertificationKind.choices)
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=60, required=False
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to (last day)"), widget=DATE)


class GrantForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Bank or guarantor"),
        queryset=Organisation.objects.filter(
            type__in=[OrganisationType.BANK, OrganisationType.GUARANTOR]
        ).order_by("type", "name"),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        help_text=_("Why the organisation needs the data, e.g. a credit application."),
    )


class AssignmentForm(forms.Form):
    agent = forms.ModelChoiceField(
        label=_("Service agent"),
        queryset=User.objects.filter(role=Role.SERVICE_AGENT, is_active=True).order_by("username"),
    )
    since = forms.DateField(label=_("Since"), widget=DATE)
    until = forms.DateField(label=_("Until (first day without)"), widget=DATE, required=False)


class ImportForm(forms.Form):
    MAX_BYTES = 50 * 1024 * 1024

    file = forms.FileField(label=_("Excel workbook (.xlsx)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("The file is larger than 50 MB."))
        return upload
