"""Scoring one firm against a rule set: per-indicator points, grade, credit line and reasons.

`score(ruleset, inputs, picks)` returns an `Evaluation`: for every indicator the input value, the
band hit, the points and the data source; dimension totals; the raw and scaled total; whether
the gates pass (or the firm qualifies directly); the grade and credit line; and up to four
reason codes, only for scored indicators, ordered by points lost (maximum − points), each with a
Chinese and an English sentence from the rule set's templates.

Inputs are exact: Decimal, int or bool (a float is refused, money is integer fen). A missing
figure lands in the indicator's `missing` bin and a zero denominator in its `special` bin; no
input ever crashes the scorer. An expert picks points inside a range band (`Pick`, recorded
with the picker); without a pick the lower end counts, so an unreviewed score is never inflated.

`EvaluationRecord` stores the inputs, picks and the rule set's id, version and digest;
`rescore(record, ruleset)` reproduces the evaluation exactly and refuses a different rule set.
`override(...)` replaces the grade by a human decision and refuses one without a reason.

`counterfactuals` lists the cheapest moves of one or two actionable indicators into a better
band that reach the next grade; `psi` compares two score populations; `score_batch` scores
columns of inputs with numpy and agrees with `score` row for row (totals, grades, gates,
reasons).
"""

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np

from patientcap.domain.ruleset import Band, Condition, Indicator, RuleSet

MAX_REASONS = 4  # Regulation B: more than four reasons is not likely to be helpful
CENT = Decimal("0.01")
MISSING, SPECIAL = "missing", "special"
_NO_FIGURE = {
    MISSING: (
        "{name}：未提供数据，得{points}分，满分{max}分。",
        "{name}: no figure was provided, scoring {points} of {max} points.",
    ),
    SPECIAL: (
        "{name}：无法计算（分母为零），得{points}分，满分{max}分。",
        "{name} could not be computed (its denominator is zero), scoring {points} of {max} points.",
    ),
}

Value = Decimal | int | bool | None


class ScoringError(ValueError):
    """Inputs or decisions the scorer refuses, with a message saying which and why."""


@dataclass(frozen=True)
class Pick:
    """An expert's choice of points inside a range band, recorded with who picked and why."""

    points: Decimal
    picker: str
    reason: str = ""


@dataclass(frozen=True)
class IndicatorScore:
    key: str
    dimension: str
    value: Decimal | None  # the input or derived value; None when missing or undefined
    band: str  # band label, "missing", "special" or the waiver label
    points: Decimal
    maximum: Decimal
    source: str
    picker: str = ""  # who picked the points in a range band

    @property
    def lost(self) -> Decimal:
        return self.maximum - self.points


@dataclass(frozen=True)
class Reason:
    code: str  # "<ruleset id>.<indicator key>"
    indicator: str
    lost: Decimal
    text_zh: str
    text_en: str


@dataclass(frozen=True)
class Evaluation:
    ruleset_id: str
    ruleset_version: str
    ruleset_digest: str
    indicators: tuple[IndicatorScore, ...]
    dimensions: tuple[tuple[str, Decimal], ...]
    raw_total: Decimal
    total: Decimal  # scaled
    passed: bool  # gates hold or a direct-qualification group holds
    directly_qualified: bool
    grade: str
    credit_line_fen: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class EvaluationRecord:
    """Everything needed to reproduce an evaluation: inputs, picks and the rule set's identity."""

    ruleset_id: str
    ruleset_version: str
    ruleset_digest: str
    inputs: tuple[tuple[str, Decimal | None], ...]
    picks: tuple[tuple[str, Pick], ...]
    evaluation: Evaluation


@dataclass(frozen=True)
class Override:
    """A human decision replacing the computed grade; the computed one is kept alongside."""

    evaluation: Evaluation
    grade: str
    credit_line_fen: int
    by: str
    reason: str


def _exact(name: str, value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int | Decimal):
        d = Decimal(value)
        return d if d.is_finite() else None
    raise ScoringError(
        f"input {name!r} must be Decimal, int, bool or None, not {type(value).__name__}"
    )


def normalise(ruleset: RuleSet, inputs: Mapping[str, object]) -> dict[str, Decimal | None]:
    """The exact values of the fields the rule set reads (absent ones are None = missing)."""
    wanted = {f for i in ruleset.indicators for f in i.operands} | {
        c.subject for c in _conditions(ruleset) if c.subject_kind == "field"
    }
    return {f: _exact(f, inputs.get(f)) for f in sorted(wanted)}


def _conditions(ruleset: RuleSet) -> list[Condition]:
    out = list(ruleset.gates) + [c for g in ruleset.direct for c in g]
    return out + [c for i in ruleset.indicators for c in i.waiver]


def derive(ind: Indicator, values: Mapping[str, Decimal | None]) -> tuple[Decimal | None, bool]:
    """(value, special): the indicator's input, or (None, True) for a zero denominator."""
    args = [values.get(f) for f in ind.operands]
    if any(a is None for a in args):
        return None, False
    nums = [a for a in args if a is not None]
    if ind.formula == "field":
        return nums[0], False
    if ind.formula == "sum":
        return sum(nums, Decimal(0)), False
    top, bottom = nums
    if bottom == 0:
        return None, True
    return ((top - bottom) / bottom if ind.formula == "growth" else top / bottom), False


def find_band(ind: Indicator, value: Decimal) -> Band:
    return next(b for b in ind.bands if b.contains(value))


def _points(ind: Indicator, band: Band, picks: Mapping[str, Pick]) -> tuple[Decimal, str]:
    if not band.is_range:
        return band.points_min, ""
    pick = picks.get(ind.key)
    if pick is None:
        return band.points_min, ""
    if not band.points_min <= pick.points <= band.points_max:
        raise ScoringError(
            f"{ind.key}: picked {pick.points} outside the band's range "
            f"[{band.points_min}, {band.points_max}]"
        )
    if not pick.picker.strip():
        raise ScoringError(f"{ind.key}: a pick must name the expert who made it")
    return pick.points, pick.picker


def _holds(
    c: Condition,
    values: Mapping[str, Decimal | None],
    scored: Mapping[str, IndicatorScore],
    raw: Decimal | None,
    total: Decimal | None,
) -> bool:
    actual = {
        "field": lambda: values.get(c.subject),
        "value": lambda: scored[c.subject].value if c.subject in scored else None,
        "points": lambda: scored[c.subject].points if c.subject in scored else None,
        "raw_total": lambda: raw,
        "total": lambda: total,
    }[c.subject_kind]()
    return c.holds(actual)


def _score_indicator(
    ind: Indicator,
    values: Mapping[str, Decimal | None],
    picks: Mapping[str, Pick],
    raw_values: Mapping[str, Decimal | None],
) -> IndicatorScore:
    value, special = derive(ind, values)
    if ind.waiver and all(
        c.holds(values.get(c.subject) if c.subject_kind == "field" else raw_values.get(c.subject))
        for c in ind.waiver
    ):
        return IndicatorScore(
            ind.key, ind.dimension, value, ind.waiver_label, ind.maximum, ind.maximum, ind.source
        )
    band = ind.special if special else ind.missing if value is None else find_band(ind, value)
    points, picker = _points(ind, band, picks)
    return IndicatorScore(
        ind.key, ind.dimension, value, band.label, points, ind.maximum, ind.source, picker
    )


def _fmt(value: Decimal | None, missing: str) -> str:
    if value is None:
        return missing
    if abs(value) >= 10**20:  # quantizing would exceed the 28-digit context
        return f"{value:f}"
    return f"{value.quantize(Decimal('0.0001')).normalize():f}"


def reasons(ruleset: RuleSet, scored: tuple[IndicatorScore, ...]) -> tuple[Reason, ...]:
    """Up to four reasons, indicators that lost points only, most points lost first."""
    order = {i.key: n for n, i in enumerate(ruleset.indicators)}
    lossy = sorted((s for s in scored if s.lost > 0), key=lambda s: (-s.lost, order[s.key]))
    out = []
    for s in lossy[:MAX_REASONS]:
        ind = ruleset.indicator(s.key)
        common = {"band": s.band, "points": s.points, "max": s.maximum, "lost": s.lost}
        zh, en = ind.reason_zh, ind.reason_en
        # A missing or undefined figure gets its own sentence: the band template would
        # otherwise read "holds missing patents".
        if s.band in (MISSING, SPECIAL):
            zh, en = _NO_FIGURE[s.band]
        out.append(
            Reason(
                f"{ruleset.id}.{s.key}",
                s.key,
                s.lost,
                zh.format(value=_fmt(s.value, "—"), name=ind.name_zh, **common),
                en.format(value=_fmt(s.value, "—"), name=ind.name_en, **common),
            )
        )
    return tuple(out)


def scale(ruleset: RuleSet, raw: Decimal) -> Decimal:
    """The reported total to the cent: raw, or min-max rescaled to `scale_to`."""
    if ruleset.scale_to is not None:
        raw = raw * ruleset.scale_to / ruleset.max_total
    return raw.quantize(CENT, ROUND_HALF_UP)


def grade_for(ruleset: RuleSet, total: Decimal) -> tuple[str, int]:
    for g in ruleset.grades:
        if total >= g.minimum:
            return g.grade, g.credit_line_fen
    last = ruleset.grades[-1]
    return last.grade, 0


def score(
    ruleset: RuleSet, inputs: Mapping[str, object], picks: Mapping[str, Pick] | None = None
) -> Evaluation:
    """Score one firm. `inputs` maps field names to Decimal/int/bool/None."""
    picks = picks or {}
    unknown = set(picks) - {i.key for i in ruleset.indicators}
    if unknown:
        raise ScoringError(f"picks for unknown indicators: {sorted(unknown)}")
    values = normalise(ruleset, inputs)
    derived = {i.key: derive(i, values)[0] for i in ruleset.indicators}
    scored = tuple(_score_indicator(i, values, picks, derived) for i in ruleset.indicators)
    by_key = {s.key: s for s in scored}
    dims = tuple(
        (d.key, sum((s.points for s in scored if s.dimension == d.key), Decimal(0)))
        for d in ruleset.dimensions
    )
    raw = sum((s.points for s in scored), Decimal(0))
    total = scale(ruleset, raw)
    direct = any(all(_holds(c, values, by_key, raw, total) for c in g) for g in ruleset.direct)
    passed = direct or all(_holds(c, values, by_key, raw, total) for c in ruleset.gates)
    grade, line = grade_for(ruleset, total)
    return Evaluation(
        ruleset.id,
        ruleset.version,
        ruleset.digest,
        scored,
        dims,
        raw,
        total,
        passed,
        direct,
        grade,
        line if passed else 0,
        reasons(ruleset, scored),
    )


def evaluate(
    ruleset: RuleSet, inputs: Mapping[str, object], picks: Mapping[str, Pick] | None = None
) -> EvaluationRecord:
    """Score and keep what is needed to reproduce the score later."""
    picks = dict(picks or {})
    values = normalise(ruleset, inputs)
    return EvaluationRecord(
        ruleset.id,
        ruleset.version,
        ruleset.digest,
        tuple(values.items()),
        tuple(sorted(picks.items())),
        score(ruleset, values, picks),
    )


def rescore(record: EvaluationRecord, ruleset: RuleSet) -> Evaluation:
    """Score the stored inputs again with the same rule set (refused for any other version)."""
    if (record.ruleset_id, record.ruleset_version, record.ruleset_digest) != (
        ruleset.id,
        ruleset.version,
        ruleset.digest,
    ):
        raise ScoringError(
            f"record was scored with {record.ruleset_id} v{record.ruleset_version} "
            f"({record.ruleset_digest[:12]}), not {ruleset.id} v{ruleset.version} "
            f"({ruleset.digest[:12]})"
        )
    return score(ruleset, dict(record.inputs), dict(record.picks))


def override(
    ruleset: RuleSet, evaluation: Evaluation, *, grade: str, by: str, reason: str
) -> Override:
    """A human replaces the grade; refused without a reason, an author or a known grade."""
    if not reason.strip():
        raise ScoringError("an override needs a written reason")
    if not by.strip():
        raise ScoringError("an override must name who made it")
    lines = {g.grade: g.credit_line_fen for g in ruleset.grades}
    if grade not in lines:
        raise ScoringError(f"unknown grade {grade!r}; the rule set has {sorted(lines)}")
    return Override(evaluation, grade, lines[grade], by.strip(), reason.strip())


@dataclass(frozen=True)
class Change:
    """Move one indicator into a better band: to its lower bound (or below its upper bound)."""

    indicator: str
    band: str
    low: Decimal | None
    high: Decimal | None
    gain: Decimal


@dataclass(frozen=True)
class Counterfactual:
    changes: tuple[Change, ...]
    grade: str
    total: Decimal

    @property
    def gain(self) -> Decimal:
        return sum((c.gain for c in self.changes), Decimal(0))


def counterfactuals(
    ruleset: RuleSet,
    inputs: Mapping[str, object],
    picks: Mapping[str, Pick] | None = None,
    limit: int = 3,
) -> tuple[Counterfactual, ...]:
    """The cheapest moves of one or two actionable indicators that improve the outcome.

    A firm failing the gates needs a move that makes it pass (at its grade or better); a firm
    that passes needs the next grade while still passing. Cost is the points gained, so the
    smallest sufficient moves come first, then single changes before pairs. Range bands count
    their lower end (no expert pick yet). An empty answer: no such move exists, or the firm
    already passes with the top grade.
    """
    ev = score(ruleset, inputs, picks)
    values = normalise(ruleset, inputs)
    at = [g.grade for g in ruleset.grades].index(ev.grade)
    if ev.passed and at == 0:
        return ()
    want = at if not ev.passed else at - 1
    scored = {s.key: s for s in ev.indicators}
    moves = [
        (Change(i.key, b.label, b.low, b.high, b.points_min - scored[i.key].points), b)
        for i in ruleset.indicators
        if i.actionable
        for b in i.bands
        if b.points_min > scored[i.key].points
    ]
    options = [(m,) for m in moves] + [
        (a, b)
        for n, a in enumerate(moves)
        for b in moves[n + 1 :]
        if a[0].indicator != b[0].indicator
    ]
    found: list[Counterfactual] = []
    enough_alone: set[Change] = set()
    for combo in options:
        changes = tuple(c for c, _ in combo)
        if len(changes) == 2 and enough_alone & set(changes):
            continue  # one of the two already suffices: the pair is not a smallest change
        moved = dict(scored)
        for change, band in combo:
            # The firm lands on the band's lower bound (or just inside an open-below band).
            moved[change.indicator] = replace(
                moved[change.indicator], value=band.low, band=band.label, points=band.points_min
            )
        raw = sum((m.points for m in moved.values()), Decimal(0))
        total = scale(ruleset, raw)
        grade, _ = grade_for(ruleset, total)
        passed = any(
            all(_holds(c, values, moved, raw, total) for c in g) for g in ruleset.direct
        ) or all(_holds(c, values, moved, raw, total) for c in ruleset.gates)
        if not passed or [g.grade for g in ruleset.grades].index(grade) > want:
            continue
        if len(changes) == 1:
            enough_alone.add(changes[0])
        found.append(Counterfactual(changes, grade, total))
    found.sort(key=lambda c: (c.gain, len(c.changes), [ch.indicator for ch in c.changes]))
    return tuple(found[:limit])


PSI_STABLE, PSI_SHIFT = Decimal("0.1"), Decimal("0.25")
_PSI_FLOOR = Decimal("0.0001")  # an empty bin would make ln(0): count it as a tiny share


def psi(
    expected: Sequence[Decimal], actual: Sequence[Decimal], edges: Sequence[Decimal]
) -> Decimal:
    """Population stability index Σ (A% − E%) · ln(A% / E%) over bins cut at `edges`."""
    if not expected or not actual:
        raise ScoringError("PSI needs two non-empty score populations")
    if list(edges) != sorted(set(edges)):
        raise ScoringError("PSI bin edges must be strictly increasing")

    def shares(scores: Sequence[Decimal]) -> list[Decimal]:
        counts = [0] * (len(edges) + 1)
        for s in scores:
            counts[bisect_right(edges, s)] += 1
        return [max(Decimal(c) / len(scores), _PSI_FLOOR) for c in counts]

    e, a = shares(expected), shares(actual)
    return sum(((ai - ei) * (ai / ei).ln() for ai, ei in zip(a, e, strict=True)), Decimal(0))


def psi_reading(value: Decimal) -> str:
    """stable (< 0.1), watch (0.1 – 0.25), shift (> 0.25)."""
    return "stable" if value < PSI_STABLE else "watch" if value <= PSI_SHIFT else "shift"


# Batch scoring. Band lookups run on float64 copies of the inputs for speed; a row whose value
# sits so close to an edge or threshold that float rounding could pick the wrong side is scored
# again on the exact Decimal path, so the batch always agrees with `score`. Points, totals and
# grades are exact integers (points in units of 10^-k, totals in cents).
_NEAR = 1e-12
Column = Sequence[object] | np.ndarray  # values of one field; integer arrays are the fast path


@dataclass(frozen=True)
class BatchResult:
    ruleset: RuleSet
    points: np.ndarray  # (n, indicators) int64, in units of 1 / unit
    unit: int
    total_cents: np.ndarray  # (n,) int64
    grade_index: np.ndarray  # (n,) int; len(grades) means below every minimum
    passed: np.ndarray  # (n,) bool
    reason_index: np.ndarray  # (n, 4) indicator indices, -1 where fewer than four reasons

    def total(self, row: int) -> Decimal:
        return Decimal(int(self.total_cents[row])).scaleb(-2)

    def grade(self, row: int) -> str:
        grades = self.ruleset.grades
        return grades[min(int(self.grade_index[row]), len(grades) - 1)].grade

    def credit_line_fen(self, row: int) -> int:
        at = int(self.grade_index[row])
        if not self.passed[row] or at >= len(self.ruleset.grades):
            return 0
        return self.ruleset.grades[at].credit_line_fen

    def reason_keys(self, row: int) -> tuple[str, ...]:
        return tuple(self.ruleset.indicators[j].key for j in self.reason_index[row] if j >= 0)


def _column(name: str, values: Column) -> tuple[np.ndarray, bool]:
    """float64 copy (NaN = missing) and whether every value is a whole number type."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iub":
        # Integer arrays (fen, counts, flags) skip the per-value checks: the fast path.
        return values.astype(np.float64), True
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        raise ScoringError(f"input {name!r} must not be a float array (money is integer fen)")
    out = np.empty(len(values), dtype=np.float64)
    integral = True
    for n, v in enumerate(values):
        if v is None:
            out[n] = np.nan
            continue
        if isinstance(v, float) or not isinstance(v, int | Decimal):
            _exact(name, v)  # raises the single path's message
        integral = integral and isinstance(v, int)
        exact = _exact(name, v) if isinstance(v, Decimal) else v
        out[n] = np.nan if exact is None else float(exact)  # type: ignore[arg-type]
    return out, integral


def _plain(value: object) -> object:
    """A numpy scalar from an integer array as the Python int or bool it stands for."""
    return value.item() if isinstance(value, np.generic) else value


def _near(values: np.ndarray, thresholds: Sequence[Decimal], exact: bool) -> np.ndarray:
    """Rows whose float value could fall on the wrong side of a threshold."""
    near = np.zeros(len(values), dtype=bool)
    for t in thresholds:
        if exact and t == t.to_integral_value():
            continue  # whole numbers compare exactly in float64 below 2**53
        ft = float(t)
        with np.errstate(invalid="ignore"):
            near |= np.abs(values - ft) <= _NEAR * max(1.0, abs(ft))
    return near


def _derive_batch(
    ind: Indicator, cols: Mapping[str, tuple[np.ndarray, bool]]
) -> tuple[np.ndarray, np.ndarray, bool]:
    """(value with NaN for missing/special, special mask, exact-in-float flag)."""
    args = [cols[f][0] for f in ind.operands]
    exact = ind.formula in ("field", "sum") and all(cols[f][1] for f in ind.operands)
    if ind.formula in ("field", "sum"):
        value = np.sum(args, axis=0) if ind.formula == "sum" else args[0]
        return value, np.zeros(len(value), dtype=bool), exact
    top, bottom = args
    special = bottom == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = top / bottom - (1.0 if ind.formula == "growth" else 0.0)
    value[special] = np.nan
    return value, special, False


def _condition_values(
    c: Condition,
    cols: Mapping[str, tuple[np.ndarray, bool]],
    derived: Mapping[str, tuple[np.ndarray, np.ndarray, bool]],
) -> tuple[np.ndarray, bool]:
    if c.subject_kind == "field":
        return cols[c.subject]
    value, _, exact = derived[c.subject]
    return value, exact


def _compare(values: np.ndarray, c: Condition) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.asarray(OPS_NP[c.op](values, float(c.threshold))) & ~np.isnan(values)


OPS_NP = {
    "ge": np.greater_equal,
    "gt": np.greater,
    "le": np.less_equal,
    "lt": np.less,
    "eq": np.equal,
    "ne": np.not_equal,
}


def score_batch(ruleset: RuleSet, columns: Mapping[str, Column]) -> BatchResult:
    """Score many firms at once: `columns` maps field names to equal-length value sequences.

    Gives the same totals, grades, gates and reasons as `score` row by row (no expert picks:
    range bands count their lower end, as in `score` without a pick).
    """
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ScoringError("every input column must have the same length")
    n = lengths.pop() if lengths else 0
    fields = normalise(ruleset, {}).keys()
    cols = {
        f: _column(f, columns[f]) if f in columns else (np.full(n, np.nan), True) for f in fields
    }
    every = [*ruleset.indicators]
    all_points = [
        p
        for i in every
        for b in (*i.bands, i.missing, i.special)
        for p in (b.points_min, i.maximum)
    ]
    k = max(0, *(-int(p.normalize().as_tuple().exponent) for p in all_points))
    unit = 10**k
    fallback = np.zeros(n, dtype=bool)
    derived: dict[str, tuple[np.ndarray, np.ndarray, bool]] = {}
    points = np.zeros((n, len(every)), dtype=np.int64)
    for j, ind in enumerate(every):
        value, special, exact = derived[ind.key] = _derive_batch(ind, cols)
        ordered = sorted(ind.bands, key=lambda b: (b.low is not None, b.low or 0))
        lows = [b.low for b in ordered[1:] if b.low is not None]
        band_pts = np.array([int(b.points_min * unit) for b in ordered], dtype=np.int64)
        col = band_pts[np.searchsorted(np.array([float(x) for x in lows]), value, side="right")]
        col = np.where(np.isnan(value), int(ind.missing.points_min * unit), col)
        col = np.where(special, int(ind.special.points_min * unit), col)
        near = _near(value, lows, exact)
        if ind.formula in ("ratio", "growth") and not cols[ind.operands[1]][1]:
            near |= special  # a tiny Decimal denominator can round to 0.0 in float
        for row in map(int, np.flatnonzero(near)):
            # Only this cell is uncertain: settle it on the exact path.
            row_values = {f: _exact(f, _plain(columns[f][row])) for f in ind.operands}
            cell_value, cell_special = derive(ind, row_values)
            band = (
                ind.special if cell_special
                else ind.missing if cell_value is None
                else find_band(ind, cell_value)
            )  # fmt: skip
            col[row] = int(band.points_min * unit)
        if ind.waiver:
            ok = np.ones(n, dtype=bool)
            for c in ind.waiver:
                vals, c_exact = _condition_values(c, cols, derived)
                ok &= _compare(vals, c)
                fallback |= _near(vals, [c.threshold], c_exact)
            col = np.where(ok, int(ind.maximum * unit), col)
        points[:, j] = col
    conds = [*ruleset.gates, *(c for g in ruleset.direct for c in g)]
    for c in conds:
        if c.subject_kind in ("field", "value"):
            vals, c_exact = _condition_values(c, cols, derived)
            fallback |= _near(vals, [c.threshold], c_exact)
    exact_passed: dict[int, bool] = {}
    for row in map(int, np.flatnonzero(fallback)):
        row_inputs = {f: columns[f][row] for f in fields if f in columns}
        exact_ev = score(ruleset, {f: _plain(v) for f, v in row_inputs.items()})
        points[row] = [int(s.points * unit) for s in exact_ev.indicators]
        exact_passed[row] = exact_ev.passed
    raw = points.sum(axis=1)
    ratio = Fraction(100, unit)
    if ruleset.scale_to is not None:
        ratio *= Fraction(ruleset.scale_to) / Fraction(ruleset.max_total)
    total_cents = (2 * raw * ratio.numerator + ratio.denominator) // (2 * ratio.denominator)
    minima = np.array([math.ceil(g.minimum * 100) for g in ruleset.grades], dtype=np.int64)
    grade_index = (total_cents[:, None] < minima[None, :]).sum(axis=1)
    keys = {i.key: j for j, i in enumerate(every)}

    def holds(c: Condition) -> np.ndarray:
        if c.subject_kind in ("field", "value"):
            return _compare(_condition_values(c, cols, derived)[0], c)
        t = Fraction(c.threshold)
        actual, scale_by = {
            "points": (points[:, keys.get(c.subject, 0)], unit),
            "raw_total": (raw, unit),
            "total": (total_cents, 100),
        }[c.subject_kind]
        return np.asarray(OPS_NP[c.op](actual * t.denominator, t.numerator * scale_by))

    passed = np.ones(n, dtype=bool)
    for c in ruleset.gates:
        passed &= holds(c)
    for group in ruleset.direct:
        direct = np.ones(n, dtype=bool)
        for c in group:
            direct &= holds(c)
        passed |= direct
    if exact_passed:
        passed[np.array(list(exact_passed))] = np.array(list(exact_passed.values()))
    lost = np.array([int(i.maximum * unit) for i in every], dtype=np.int64)[None, :] - points
    order = np.argsort(-lost, axis=1, kind="stable")[:, :MAX_REASONS]
    top_lost = np.take_along_axis(lost, order, axis=1)
    reason_index = np.where(top_lost > 0, order, -1)
    return BatchResult(ruleset, points, unit, total_cents, grade_index, passed, reason_index)
