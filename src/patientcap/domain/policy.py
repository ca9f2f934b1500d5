"""Dated programme parameters: each value in force from a date, each with its legal reference.

A parameter (OpenFisca style) is a dotted name, a unit, a description and a list of values; each
value is in force from its `from` date until the next value's date. `PolicySet.value_at(name,
on)` returns the value in force with a `version` ("name@from#digest", the digest being the
SHA-256 of the parameter's file) that every decision stores, so a later change never rewrites
what an earlier decision used. A date before the first value is an error, never a guess.

Values are exact: numbers are read from the literal text as Decimal (never float), yuan amounts
become integer fen, day and count units integers. `make_parameter` checks a parameter as written
in a file and names the file, the key and the line of anything wrong; reading the file is the
shell's job (`patientcap.policy.loader`).

>>> p = make_parameter(
...     Text("invest_first.loss_tolerance", 2), unit=Text("percent", 3),
...     description=Text("Highest loss per project", 4), source="invest_first.yaml",
...     digest="ab" * 32,
...     values=[RawValue(6, Text("2025-12-09", 6), Text("100", 7), Text("Article", 8))],
... )
>>> f = PolicySet([p]).value_at("invest_first.loss_tolerance", date(2026, 1, 1))
>>> f.value, f.as_ratio(), f.version
(Decimal('100'), Decimal('1'), 'invest_first.loss_tolerance@2025-12-09#abababababab')
"""

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from patientcap.domain.money import AmountError, parse_amount, yuan


class Unit(StrEnum):
    """The closed list of units. Each says how the value is written and what it becomes."""

    RATIO = "ratio"  # a pure number ≥ 0: a share (0.8) or a multiple (2 = 1:2) → Decimal
    PERCENT = "percent"  # percent ≥ 0, 100 = the whole → Decimal (as_ratio() divides by 100)
    RATE_PER_YEAR = "rate_per_year"  # an annual rate as a fraction ≥ 0 (0.0345) → Decimal
    BASIS_POINTS = "basis_points"  # hundredths of a percent, may be negative (LPR − 10) → Decimal
    POINTS = "points"  # scorecard points, may be negative (a deduction) → Decimal
    YUAN = "yuan"  # money ≥ 0 written in yuan, "20000000" or "2000万" → int fen
    FEN = "fen"  # money ≥ 0 in whole fen → int
    WORKING_DAYS = "working_days"  # official PRC working days ≥ 0 → int
    DAYS = "days"  # calendar days ≥ 0 → int
    MONTHS = "months"  # ≥ 0 → int
    YEARS = "years"  # ≥ 0 → int
    COUNT = "count"  # a number of things ≥ 0 → int
    BOOLEAN = "boolean"  # true or false → bool
    TEXT = "text"  # free text (a list of names, a rule's wording) → str


_DECIMAL_UNITS = {Unit.RATIO, Unit.PERCENT, Unit.RATE_PER_YEAR, Unit.BASIS_POINTS, Unit.POINTS}
_SIGNED_UNITS = {Unit.BASIS_POINTS, Unit.POINTS}
_INTEGER_UNITS = {
    Unit.FEN,
    Unit.WORKING_DAYS,
    Unit.DAYS,
    Unit.MONTHS,
    Unit.YEARS,
    Unit.COUNT,
}
_NUMBER = re.compile(r"^[-+]?[0-9]+(\.[0-9]+)?$")
_INTEGER = re.compile(r"^\+?[0-9]+$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

Value = Decimal | int | bool | str


def parse_value(unit: Unit, text: str) -> Value:
    """A value as written (the literal text, never a float) to its exact form for `unit`.

    >>> parse_value(Unit.YUAN, "2000万"), parse_value(Unit.RATIO, "0.8")
    (2000000000, Decimal('0.8'))
    """
    text = text.strip()
    if unit in _DECIMAL_UNITS:
        if not _NUMBER.match(text):
            raise ValueError(f"{text!r} is not a number (write digits, e.g. 0.8 or 100)")
        number = Decimal(text)
        if number < 0 and unit not in _SIGNED_UNITS:
            raise ValueError(f"{text} is negative; a {unit} cannot be")
        return number
    if unit in _INTEGER_UNITS:
        if not _INTEGER.match(text):
            raise ValueError(f"{text!r} is not a whole number of {unit} (e.g. 7)")
        return int(text)
    if unit is Unit.YUAN:
        try:
            fen = parse_amount(text)
        except AmountError as exc:
            raise ValueError(f"{text!r} is not an amount in yuan ({exc})") from None
        if fen < 0:
            raise ValueError(f"{text} is negative; an amount here cannot be")
        return fen
    if unit is Unit.BOOLEAN:
        if text not in {"true", "false"}:
            raise ValueError(f"{text!r} is not true or false")
        return text == "true"
    if not text:
        raise ValueError("the text is empty")
    return text


def format_value(unit: Unit, value: Value) -> str:
    """The value as text for pages and the API: yuan as "20000000.00", booleans as true/false."""
    if unit is Unit.YUAN and isinstance(value, int):
        return yuan(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class PolicyError(ValueError):
    """A policy file that cannot be used, with the file, the parameter key and the line."""

    def __init__(
        self, message: str, *, file: str, key: str | None = None, line: int | None = None
    ) -> None:
        self.message, self.file, self.key, self.line = message, file, key, line
        where = file + (f":{line}" if line else "")
        super().__init__(f"{where}: {key + ': ' if key else ''}{message}")


class UnknownParameter(LookupError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no policy parameter is called {name!r}")


class NotInForce(LookupError):
    """Asked for a date before the parameter's first value."""

    def __init__(self, name: str, on: date, first: date) -> None:
        self.name, self.on, self.first = name, on, first
        super().__init__(
            f"{name} has no value in force on {on.isoformat()}: its first value applies from "
            f"{first.isoformat()}"
        )


@dataclass(frozen=True)
class Text:
    """A scalar exactly as written in a file, with its 1-based line number."""

    text: str
    line: int


@dataclass(frozen=True)
class RawValue:
    """One entry of a parameter's `values` list as written (fields None when absent)."""

    line: int
    effective_from: Text | None
    value: Text | None
    reference: Text | None
    note: Text | None = None


@dataclass(frozen=True)
class DatedValue:
    effective_from: date
    value: Value
    reference: str
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class InForce:
    """A parameter's value on a date, with where it comes from and the version to record."""

    name: str
    unit: Unit
    value: Value
    effective_from: date
    until: date | None  # the next value's `from` (exclusive), None while it is the latest
    reference: str
    note: str
    version: str

    @property
    def display(self) -> str:
        return format_value(self.unit, self.value)

    def as_ratio(self) -> Decimal:
        """The value as a plain fraction: percent / 100, basis points / 10,000."""
        if not isinstance(self.value, Decimal) or self.unit is Unit.POINTS:
            raise TypeError(f"{self.name} is in {self.unit}, not a ratio")
        scale = {Unit.PERCENT: 100, Unit.BASIS_POINTS: 10_000}.get(self.unit, 1)
        return self.value / scale


@dataclass(frozen=True)
class Parameter:
    name: str
    unit: Unit
    description: str
    values: tuple[DatedValue, ...]  # strictly increasing `effective_from`, at least one
    source: str  # the file it was read from
    digest: str  # SHA-256 of that file's bytes
    line: int = 0

    def version(self, value: DatedValue) -> str:
        return f"{self.name}@{value.effective_from.isoformat()}#{self.digest[:12]}"

    def _in_force(self, i: int) -> InForce:
        v = self.values[i]
        until = self.values[i + 1].effective_from if i + 1 < len(self.values) else None
        return InForce(
            self.name,
            self.unit,
            v.value,
            v.effective_from,
            until,
            v.reference,
            v.note,
            self.version(v),
        )

    def value_at(self, on: date) -> InForce:
        """The value in force on `on`: the last one whose `from` is on or before it."""
        for i in range(len(self.values) - 1, -1, -1):
            if self.values[i].effective_from <= on:
                return self._in_force(i)
        raise NotInForce(self.name, on, self.values[0].effective_from)

    def history(self) -> list[InForce]:
        """Every value, oldest first, each with the date it was superseded."""
        return [self._in_force(i) for i in range(len(self.values))]


def make_parameter(
    name: Text,
    *,
    unit: Text | None,
    description: Text | None,
    values: Sequence[RawValue],
    source: str,
    digest: str,
) -> Parameter:
    """Check one parameter as written and build it; the first fault raises `PolicyError`."""
    key = name.text

    def fail(message: str, line: int) -> PolicyError:
        return PolicyError(message, file=source, key=key, line=line)

    if not _NAME.match(key):
        raise fail(
            "a parameter name is dotted lower-case words, e.g. invest_first.loss_tolerance",
            name.line,
        )
    if unit is None or not unit.text.strip():
        raise fail(f"no unit (one of: {', '.join(u.value for u in Unit)})", name.line)
    try:
        unit_ = Unit(unit.text.strip())
    except ValueError:
        raise fail(
            f"unknown unit {unit.text!r} (one of: {', '.join(u.value for u in Unit)})", unit.line
        ) from None
    if description is None or not description.text.strip():
        raise fail("no description", name.line)
    if not values:
        raise fail("no values: give at least one with from, value and reference", name.line)
    dated: list[DatedValue] = []
    for raw in values:
        if raw.effective_from is None:
            raise fail("a value has no `from` date", raw.line)
        try:
            start = date.fromisoformat(raw.effective_from.text.strip())
        except ValueError:
            raise fail(
                f"{raw.effective_from.text!r} is not a date (YYYY-MM-DD)", raw.effective_from.line
            ) from None
        if dated and start == dated[-1].effective_from:
            raise fail(f"two values from {start.isoformat()}", raw.effective_from.line)
        if dated and start < dated[-1].effective_from:
            raise fail(
                f"dates are not in order: {start.isoformat()} comes after "
                f"{dated[-1].effective_from.isoformat()}",
                raw.effective_from.line,
            )
        if raw.reference is None or not raw.reference.text.strip():
            raise fail(
                f"the value from {start.isoformat()} has no reference (document and "
                "article it comes from)",
                raw.line,
            )
        if raw.value is None or not raw.value.text.strip():
            raise fail(f"the value from {start.isoformat()} has no value", raw.line)
        try:
            value = parse_value(unit_, raw.value.text)
        except ValueError as exc:
            raise fail(f"{exc} (unit {unit_})", raw.value.line) from None
        note = raw.note.text.strip() if raw.note else ""
        dated.append(DatedValue(start, value, raw.reference.text.strip(), note, raw.line))
    return Parameter(key, unit_, description.text.strip(), tuple(dated), source, digest, name.line)


class PolicySet:
    """All parameters of a policy directory, by name. Immutable."""

    def __init__(self, parameters: Iterable[Parameter]) -> None:
        by_name: dict[str, Parameter] = {}
        for p in parameters:
            if p.name in by_name:
                first = by_name[p.name]
                raise PolicyError(
                    f"defined twice (also in {first.source}, line {first.line})",
                    file=p.source,
                    key=p.name,
                    line=p.line,
                )
            by_name[p.name] = p
        self._by_name = dict(sorted(by_name.items()))
        # The set's digest depends on the files' contents only, not on where they lie.
        contents = sorted({p.digest for p in self._by_name.values()})
        self.digest = hashlib.sha256(" ".join(contents).encode()).hexdigest()

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def parameter(self, name: str) -> Parameter:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownParameter(name) from None

    def value_at(self, name: str, on: date) -> InForce:
        return self.parameter(name).value_at(on)

    def in_force(self, on: date) -> list[InForce]:
        """Every parameter that has a value on `on`, by name."""
        return [p.value_at(on) for p in self if p.values[0].effective_from <= on]

    def not_yet_in_force(self, on: date) -> list[Parameter]:
        """Parameters whose first value starts after `on`."""
        return [p for p in self if p.values[0].effective_from > on]
