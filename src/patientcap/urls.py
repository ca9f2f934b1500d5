from django.contrib import admin
from django.urls import include, path

from patientcap.api import api

urlpatterns = [
    path("", include("patientcap.core.urls")),
    path("accounts/", include("patientcap.accounts.urls")),
    path("approvals/", include("patientcap.approvals.urls")),
    path("audit/", include("patientcap.audit.urls")),
    path("enterprises/", include("patientcap.enterprises.urls")),
    path("investments/", include("patientcap.investments.urls")),
    path("equity/", include("patientcap.equity.urls")),
    path("valuations/", include("patientcap.valuations.urls")),
    path("evaluation/", include("patientcap.evaluation.urls")),
    path("matching/", include("patientcap.matching.urls")),
    path("lending/", include("patientcap.lending.urls")),
    path("ledger/", include("patientcap.ledger.urls")),
    path("policy/", include("patientcap.policy.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
