"""Messages the domain gives back (reasons for refusal) without knowing the reader's language.

A message is a template with named values. The domain writes the template in English and marks it
with `gettext_noop` so that `makemessages` extracts it; the application translates the template
and then fills in the values (`patientcap.enterprises.messages.explain` does this for pages).

>>> Message("%(n)d is negative", {"n": -3}).text
'-3 is negative'
"""

from dataclasses import dataclass, field


def gettext_noop(text: str) -> str:
    """Marks `text` for translation and returns it unchanged (same name as Django's helper, so
    the extraction tool finds it; the domain itself imports no Django)."""
    return text


@dataclass(frozen=True)
class Message:
    template: str
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message in English, values filled in."""
        return self.template % self.params


class Invalid(ValueError):
    """A value that cannot be accepted; `message` says why."""

    def __init__(self, template: str, params: dict | None = None) -> None:
        self.message = Message(template, params or {})
        super().__init__(self.message.text)


@dataclass(frozen=True)
class Problem:
    """A refused value of one field (the field is named by its key, e.g. "tech_staff")."""

    field: str
    message: Message

    @classmethod
    def of(cls, field_: str, template: str, params: dict | None = None) -> "Problem":
        return cls(field_, Message(template, params or {}))
