"""The fictional demo zone: organisations, one user per role, enterprises, pool funding.

Every name here is invented. Later programmes extend `build()` until the demo reproduces the
article's published figures. Deterministic for a given seed.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from patientcap.accounts.models import Organisation, OrganisationType, Role, User

DEMO_PASSWORD = "patientcap-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    organisation: str
    full_name: str


ORGANISATIONS = [
    ("云溪科学城高新区管委会", OrganisationType.ZONE),
    ("云溪农商银行高新支行", OrganisationType.BANK),
    ("长江融创银行科技支行", OrganisationType.BANK),
    ("云溪科技融资担保有限公司", OrganisationType.GUARANTOR),
    ("西岭中小企业融资担保有限公司", OrganisationType.GUARANTOR),
    ("云溪创新生态共治促进会", OrganisationType.SERVICE),
    ("云溪理工大学", OrganisationType.UNIVERSITY),
    ("云溪区财政局审计处", OrganisationType.AUDIT),
]

USERS = [
    DemoUser("zone", Role.ZONE_OFFICER, "云溪科学城高新区管委会", "林晓岚"),
    DemoUser("reviewer", Role.REVIEWER, "云溪科学城高新区管委会", "周明远"),
    DemoUser("bank", Role.BANK_OFFICER, "云溪农商银行高新支行", "陈嘉禾"),
    DemoUser("bank2", Role.BANK_OFFICER, "长江融创银行科技支行", "刘思齐"),
    DemoUser("guarantor", Role.GUARANTOR_OFFICER, "云溪科技融资担保有限公司", "王若水"),
    DemoUser("agent", Role.SERVICE_AGENT, "云溪创新生态共治促进会", "赵一帆"),
    DemoUser("broker", Role.SERVICE_AGENT, "云溪理工大学", "孙启航"),
    DemoUser("firm", Role.ENTERPRISE_USER, "", "何知夏"),  # the first demo enterprise's login
    DemoUser("auditor", Role.AUDITOR, "云溪区财政局审计处", "郑清源"),
]


def is_built() -> bool:
    return Organisation.objects.exists()


@transaction.atomic
def build(*, enterprises: int = 400, seed: int = 2025, as_of: dt.date) -> dict:
    """Build the demo zone in one transaction: all of it, or (on any error) none of it."""
    rng = random.Random(seed)
    orgs = {name: Organisation.objects.create(name=name, type=t) for name, t in ORGANISATIONS}
    firms = _enterprises(enterprises, rng)
    orgs[firms[0].name] = firms[0].organisation
    users = _users(orgs, firms[0].organisation)
    _relationships(users, orgs, firms, rng)
    _pool_funding(users["zone"], users["reviewer"], as_of)
    return {"organisations": len(orgs), "users": len(users), "enterprises": len(firms)}
