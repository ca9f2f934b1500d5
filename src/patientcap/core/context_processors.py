"""Navigation entries for the signed-in user's role (what the menu shows, not what is allowed:
permission is checked by each view and by the scoped querysets)."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patientcap.accounts.models import Role

ZONE = {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}
PARTNERS = {Role.BANK_OFFICER, Role.GUARANTOR_OFFICER}

# (url name, label, roles that see the entry; None = every signed-in user)
MENU = [
    ("home", _("Home"), None),
    ("enterprises:list", _("Enterprises"), None),
    ("investments:pipeline", _("Invest-first"), ZONE | {Role.ENTERPRISE_USER}),
    ("equity:fund", _("Angel fund"), ZONE),
    ("equity:index", _("Cap tables"), ZONE | PARTNERS | {Role.ENTERPRISE_USER}),
    ("valuations:index", _("Valuations"), ZONE | PARTNERS | {Role.ENTERPRISE_USER}),
    ("evaluation:index", _("Evaluation"), None),
    ("matching:queue", _("Matched credit"), ZONE | {Role.BANK_OFFICER}),
    ("matching:applications", _("Matched credit"), {Role.ENTERPRISE_USER}),
    ("lending:queue", _("Tiered loans"), ZONE | PARTNERS | {Role.ENTERPRISE_USER}),
    ("approvals:list", _("Approvals"), ZONE | PARTNERS),
    ("ledger:books", _("Ledger"), ZONE),
    ("policy:parameters", _("Policy"), None),
    ("audit:log", _("Audit trail"), ZONE),
    ("accounts:organisation", _("My organisation"), None),
    ("accounts:profile", _("Profile"), None),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    items = []
    for name, label, roles in MENU:
        if roles is not None and user.role not in roles:
            continue
        items.append({"url": reverse(name), "label": label, "name": name})
    return {"menu": items}
