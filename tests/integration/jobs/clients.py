"""Clients of the job tests: a signed-in browser session, an API token, an upload."""

import io

from django.conf import settings
from django.test import Client

from patientcap.accounts.services import create_api_token


def client_for(user, language: str = "en") -> Client:
    """A signed-in session that chose `language` with the language switch (its cookie)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def token_client(user) -> Client:
    _row, token = create_api_token(user=user, name="jobs test", days=1, by=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def xlsx(data: bytes, name: str = "enterprises.xlsx") -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file
