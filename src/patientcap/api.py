"""API v1: one NinjaAPI with a router per app; OpenAPI document at /api/v1/openapi.json.

Every endpoint requires a bearer API token or a signed-in session (with CSRF on unsafe methods);
`request.auth` is the acting User. The OpenAPI document and its browsable page are public: they
describe the interface and hold no data, and partner banks read them before they have a token.
"""

from ninja import NinjaAPI

from patientcap.accounts.api import router as accounts_router
from patientcap.accounts.auth import api_auth
from patientcap.approvals.api import router as approvals_router
from patientcap.audit.api import router as audit_router
from patientcap.core.api import router as jobs_router
from patientcap.enterprises.api import router as enterprises_router
from patientcap.equity.api import router as equity_router
from patientcap.evaluation.api import router as evaluation_router
from patientcap.investments.api import router as investments_router
from patientcap.ledger.api import router as ledger_router
from patientcap.lending.api import router as lending_router
from patientcap.matching.api import router as matching_router
from patientcap.policy.api import router as policy_router
from patientcap.valuations.api import router as valuations_router

api = NinjaAPI(
    title="Patient Capital API",
    version="1",
    urls_namespace="api-1",
    auth=api_auth,
    description="Machine access for partner banks, guarantors and the zone. Amounts are strings "
    "in yuan with two decimals or integers named *_fen; never floats.",
)
api.add_router("/accounts/", accounts_router)
api.add_router("/approvals/", approvals_router)
api.add_router("/audit/", audit_router)
api.add_router("/enterprises/", enterprises_router)
api.add_router("/investments/", investments_router)
api.add_router("/equity/", equity_router)
api.add_router("/valuations/", valuations_router)
api.add_router("/evaluation/", evaluation_router)
api.add_router("/matching/", matching_router)
api.add_router("/lending/", lending_router)
api.add_router("/jobs/", jobs_router)
api.add_router("/ledger/", ledger_router)
api.add_router("/policy/", policy_router)
