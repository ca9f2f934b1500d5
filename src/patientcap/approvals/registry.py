"""The actions that go through maker-checker, declared in code by the app that owns them.

An app registers each action once, at start-up (import its `actions.py` from AppConfig.ready()):

    from patientcap import approvals
    from patientcap.accounts.models import Role

    @approvals.action(
        "ledger.reverse_entry",
        label=_("Reverse a journal entry"),
        maker_roles={Role.ZONE_OFFICER},
        checker_roles={Role.REVIEWER, Role.ZONE_OFFICER},
        validate=validate_reversal,      # (payload, user) -> clean payload; raises ValidationError
        target=lambda p: f"entry:{p['entry_id']}",   # one pending proposal per target
        summarise=lambda p: f"Reverse entry #{p['entry_id']}",
    )
    def reverse_entry(payload: dict, proposal: Proposal) -> dict:
        entry = ledger.services.reverse(...)   # runs inside the approval's transaction
        return {"entry_id": entry.pk}          # stored as the proposal's result

`validate` is called with the maker when proposing (bad input is refused, nothing written) and
again with the maker inside the approval transaction (the world may have changed meanwhile), so
it must accept its own output. It returns JSON-ready values only (str, int, bool, lists, dicts):
money as int fen, dates as ISO strings. `execute` must raise to refuse; everything it wrote is
then rolled back with the approval. While it runs, `proposal.proposed_by` is the maker and
`proposal.decided_by` the approving checker (the actor for the action's own audit records).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.text import capfirst

from patientcap.domain.money import format_yuan

if TYPE_CHECKING:
    from patientcap.approvals.models import Proposal

Payload = dict[str, Any]
Validator = Callable[[Payload, Any], Payload]
Executor = Callable[[Payload, "Proposal"], Mapping[str, Any] | None]


def payload_rows(payload: Payload) -> list[tuple[str, str]]:
    """The default readable table: one row per key; *_fen amounts shown in yuan."""
    rows = []
    for key, value in payload.items():
        if key.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
            label, shown = key.removesuffix("_fen"), format_yuan(value)
        else:
            label, shown = key, "—" if value in (None, "") else str(value)
        rows.append((capfirst(label.replace("_", " ")), shown))
    return rows


@dataclass(frozen=True)
class Action:
    name: str
    label: Any  # str or lazy translation
    maker_roles: frozenset[str]
    checker_roles: frozenset[str]
    validate: Validator
    execute: Executor
    target: Callable[[Payload], str]
    summarise: Callable[[Payload], str] | None
    display: Callable[[Payload], list[tuple[str, str]]]

    def summary(self, payload: Payload) -> str:
        return self.summarise(payload) if self.summarise else str(self.label)


_ACTIONS: dict[str, Action] = {}


def register_action(
    name: str,
    *,
    label: Any,
    maker_roles: Iterable[str],
    checker_roles: Iterable[str],
    validate: Validator,
    execute: Executor,
    target: Callable[[Payload], str],
    summarise: Callable[[Payload], str] | None = None,
    display: Callable[[Payload], list[tuple[str, str]]] | None = None,
) -> Action:
    """Declare an action. A name is registered once; a second registration is a programming
    error (two apps claiming one name), not something to override silently."""
    if name in _ACTIONS:
        raise ValueError(f"approval action {name!r} is already registered")
    makers, checkers = frozenset(maker_roles), frozenset(checker_roles)
    if not makers or not checkers:
        raise ValueError(f"approval action {name!r} needs maker and checker roles")
    spec = Action(
        name=name,
        label=label,
        maker_roles=makers,
        checker_roles=checkers,
        validate=validate,
        execute=execute,
        target=target,
        summarise=summarise,
        display=display or payload_rows,
    )
    _ACTIONS[name] = spec
    return spec


def action(name: str, **options: Any) -> Callable[[Executor], Executor]:
    """Decorator form of `register_action`: the decorated function is the action's `execute`."""

    def decorate(execute: Executor) -> Executor:
        register_action(name, execute=execute, **options)
        return execute

    return decorate


def get_action(name: str) -> Action | None:
    return _ACTIONS.get(name)


def actions() -> list[Action]:
    return list(_ACTIONS.values())
