"""What each programme adds to a user's home page: key-figure cards and links.

An app's `home.py` registers functions with `@contribution`; each takes the user and returns a
`Contribution` (or None when it has nothing for that user's role). They are discovered like
`kpis.py`, so a programme's home-page cards live with the programme.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

Label = str | Promise  # a string or a lazily translated one


@dataclass
class Card:
    label: Label
    figure: str
    url: str = ""


@dataclass
class Contribution:
    cards: list[Card] = field(default_factory=list)
    links: list[tuple[str, Label]] = field(default_factory=list)


Contributor = Callable[[Any], Contribution | None]
_CONTRIBUTORS: list[Contributor] = []


def contribution(fn: Contributor) -> Contributor:
    _CONTRIBUTORS.append(fn)
    return fn


def contributions(user: Any) -> list[Contribution]:
    autodiscover_modules("home")  # imports each app's home.py, which registers its contributors
    return [c for fn in _CONTRIBUTORS if (c := fn(user)) is not None]
