"""The walk stays exhaustive as the project grows: every role of the shared fixtures is walked,
every model holding organisation data has a scope rule, and no view, API handler, selector or
form reads a table except through `accounts.scoping` (or for a reason written down here)."""

import ast
from pathlib import Path

from tests.integration.scoping import programmes
from tests.integration.scoping.probe import project_models
from tests.integration.scoping.world import ROLES

from patientcap.accounts import scoping
from patientcap.accounts.models import Role

SRC = Path(__file__).resolve().parents[3] / "src" / "patientcap"
SCANNED = {"views.py", "api.py", "selectors.py", "forms.py", "exporting.py"}

# Tables without a scope rule, and why no page or endpoint needs one.
UNSCOPED = {
    "accounts.usersession": "a user's own session keys, used only to end them",
    "audit.auditchainhead": "the hash chain's lane heads, moved only by audit.record",
    "policy.calendarrevision": "a cache token, no data",
}

# (module, function or class, expression) -> why reading the table directly is safe there.
DIRECT_READS = {
    ("accounts/views.py", "organisation", "User.objects"): "User.objects.none(): no rows",
    (
        "audit/api.py",
        "verify",
        "AuditEntry.objects",
    ): "the trail's length, answered to auditors only (checked just above)",
    (
        "audit/views.py",
        "verify",
        "AuditEntry.objects",
    ): "the trail's length, shown to auditors only (checked just above)",
    (
        "enterprises/forms.py",
        "GrantForm",
        "Organisation.objects",
    ): "the directory of banks and guarantors an enterprise may grant access to (names only), "
    "shown to those who may share (the walk checks who sees which names)",
    (
        "enterprises/forms.py",
        "AssignmentForm",
        "User.objects",
    ): "the service agents to choose from, shown to the zone officer only",
    (
        "enterprises/selectors.py",
        "enterprises",
        "Certification.objects",
    ): "an EXISTS correlated with the readable enterprises' rows",
    (
        "ledger/selectors.py",
        "trial_balance",
        "Posting.objects",
    ): "the books' totals, for callers behind the ledger readers' gate",
    (
        "ledger/selectors.py",
        "trial_balance",
        "Account.objects",
    ): "the books' totals, for callers behind the ledger readers' gate",
    (
        "ledger/selectors.py",
        "balance",
        "Account.objects",
    ): "pool balances, for the zone and auditor home pages and the ledger pages",
    (
        "ledger/selectors.py",
        "balance",
        "Balance.objects",
    ): "pool balances, for the zone and auditor home pages and the ledger pages",
    (
        "ledger/selectors.py",
        "balance",
        "Posting.objects",
    ): "pool balances, for the zone and auditor home pages and the ledger pages",
    (
        "ledger/selectors.py",
        "account_statement",
        "Posting.objects",
    ): "the postings of an account the caller read through scoping",
    (
        "ledger/selectors.py",
        "reversal",
        "Entry.objects",
    ): "the reversal of an entry the caller read through scoping",
    (
        "policy/selectors.py",
        "calendar_year",
        "WorkingDayOverride.objects",
    ): "the working-day calendar is public to every participant",
    (
        "policy/selectors.py",
        "calendar_year",
        "CalendarYear.objects",
    ): "the working-day calendar is public to every participant",
}
# Each programme app explains its own (tests/integration/scoping/programmes/<app>.py).
DIRECT_READS.update(programmes.merged("DIRECT_READS"))


def test_the_walk_covers_every_role_of_the_shared_fixtures(users):
    assert set(users) <= set(ROLES), f"walk these roles too: {sorted(set(users) - set(ROLES))}"
    assert {role for _name, role, _org in ROLES.values()} == set(Role.values)


def test_every_model_holding_organisation_data_has_a_scope_rule():
    registered = set(scoping.registered_models())
    missing = sorted(
        m._meta.label_lower
        for m in project_models()
        if m not in registered and m._meta.label_lower not in UNSCOPED
    )
    assert not missing, (
        f"{missing} have no scope rule: register one in the app's scopes.py (and give the "
        "world in tests/integration/scoping/world.py rows of it), or explain in UNSCOPED why "
        "no page or endpoint shows it"
    )


def _direct_reads(path: Path) -> list[tuple[str, str, str, int]]:
    """(module, enclosing function or class, expression, line) of every Model.objects or
    _default_manager, and of every get_object_or_404(Model, ...) given a model class."""
    source = path.read_text()
    found = []

    def read_by(node: ast.AST) -> str | None:
        """The expression if `node` reads a table around scoping, else None."""
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager"):
            return ast.get_source_segment(source, node) or node.attr
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("get_object_or_404", "get_list_or_404")
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id[:1].isupper()
        ):
            return f"{node.func.id}({node.args[0].id})"
        return None

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            if (expression := read_by(child)) is not None:
                module = path.relative_to(SRC).as_posix()
                found.append((module, scope, expression, getattr(child, "lineno", 0)))
            named = isinstance(child, ast.FunctionDef | ast.ClassDef)
            visit(child, child.name if named and scope == "<module>" else scope)  # type: ignore[attr-defined]

    visit(ast.parse(source), "<module>")
    return found


def test_no_view_api_selector_or_form_reads_a_table_around_scoping():
    paths = [p for p in sorted(SRC.rglob("*.py")) if p.name in SCANNED or "templatetags" in p.parts]
    assert len(paths) > 10, "the scan found too few modules: has the layout changed?"
    unexplained = [
        f"{module}:{line} ({scope}) {expression}"
        for module, scope, expression, line in (r for p in paths for r in _direct_reads(p))
        if (module, scope, expression) not in DIRECT_READS
    ]
    assert not unexplained, (
        "These read tables without accounts.scoping; use scoping.readable/writable/get_readable, "
        "or, when the rows are not any organisation's, explain why in DIRECT_READS:\n"
        + "\n".join(unexplained)
    )
