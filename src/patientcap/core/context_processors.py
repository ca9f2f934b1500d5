"""Navigation entries for the signed-in user's role (what the menu shows, not what is allowed:
permission is checked by each view and by the scoped querysets)."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patientcap.accounts.models import Role

# (url name, label, roles that see the entry; None = every signed-in user)
MENU = [
    ("home", _("Home"), None),
    ("enterprises:list", _("Enterprises"), None),
    ("approvals:list", _("Approvals"), {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}),
    ("ledger:books", _("Ledger"), {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}),
    ("policy:parameters", _("Policy"), None),
    ("audit:log", _("Audit trail"), {Role.AUDITOR, Role.ZONE_OFFICER, Role.REVIEWER}),
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
        try:
            items.append({"url": reverse(name), "label": label, "name": name})
        except Exception:  # an app whose page is not built yet
            continue
    return {"menu": items}
