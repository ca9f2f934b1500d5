"""Chinese first: the interface is zh-hans unless the person chose another language.

Django's LocaleMiddleware would follow the browser's Accept-Language header, so an English
browser would start in English. The zone's users work in Chinese; English is a choice made with
the language switch (stored in the language cookie), not a guess from the browser.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ChineseFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
