"""Accounts API: who am I, and which organisations may I see."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from patientcap.accounts import scoping
from patientcap.accounts.auth import api_user
from patientcap.accounts.models import Organisation

router = Router(tags=["accounts"])


class OrganisationOut(Schema):
    id: int
    name: str
    type: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    organisation: OrganisationOut | None


@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request: HttpRequest) -> Any:
    user = api_user(request)
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.get_full_name(),
        "role": user.role,
        "organisation": user.organisation,
    }


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations I may see")
def organisations(request: HttpRequest) -> Any:
    return scoping.readable(api_user(request), Organisation).order_by("name")
