"""The registry of maker-checker actions: how apps declare them and how payloads are shown."""

import pytest

from patientcap import approvals
from patientcap.approvals.registry import payload_rows


def _noop_validate(payload, user):
    return payload


def _declare(name, **overrides):
    options = {
        "label": "A test action",
        "maker_roles": {"zone_officer"},
        "checker_roles": {"reviewer"},
        "validate": _noop_validate,
        "target": lambda p: "t",
    }
    options.update(overrides)
    return approvals.action(name, **options)


def test_the_decorated_function_becomes_the_actions_execute_and_stays_callable():
    @_declare("unit.decorated")
    def execute(payload, proposal):
        return {"done": True}

    spec = approvals.get_action("unit.decorated")
    assert spec is not None
    assert spec.execute is execute
    assert execute({}, None) == {"done": True}
    assert spec.maker_roles == frozenset({"zone_officer"})
    assert spec in approvals.actions()


def test_a_second_registration_of_the_same_name_is_refused():
    _declare("unit.twice")(lambda payload, proposal: None)
    with pytest.raises(ValueError, match="already registered"):
        _declare("unit.twice")(lambda payload, proposal: None)


def test_an_action_without_checker_roles_is_refused():
    with pytest.raises(ValueError, match="maker and checker roles"):
        _declare("unit.no_checkers", checker_roles=set())(lambda payload, proposal: None)


def test_the_summary_falls_back_to_the_label_when_the_action_gives_no_summariser():
    _declare("unit.summary")(lambda payload, proposal: None)
    _declare("unit.summarised", summarise=lambda p: f"Pay {p['who']}")(
        lambda payload, proposal: None
    )
    assert approvals.get_action("unit.summary").summary({"who": "x"}) == "A test action"
    assert approvals.get_action("unit.summarised").summary({"who": "x"}) == "Pay x"


def test_an_unknown_action_is_none():
    assert approvals.get_action("unit.never_registered") is None


def test_the_default_table_shows_fen_amounts_in_yuan_and_humanises_keys():
    rows = payload_rows(
        {
            "amount_fen": 200_000_000,
            "document_ref": "财预〔2025〕12号",
            "memo": "",
            "count_fen": True,
        }
    )
    assert rows == [
        ("Amount", "¥2,000,000.00"),
        ("Document ref", "财预〔2025〕12号"),
        ("Memo", "—"),
        ("Count fen", "True"),  # a boolean is not an amount
    ]
