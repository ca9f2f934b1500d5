"""Scoring rule sets: versioned, dated, referenced cards of indicators, bands, gates and grades.

A rule set is data (YAML under `policy/rulesets/`). `parse_ruleset(text, source)` checks it and
returns an immutable `RuleSet`; anything wrong raises `RuleSetError` naming the file, the
indicator (or section) and the line. Every scalar is read as text (PyYAML's BaseLoader, so no
float ever appears) and numbers become Decimal. Reading the file is the caller's job; this
module only parses text it is given.

Indicators read one input field from a closed list (`FIELDS`) or a derived formula from a closed
set (ratio, growth, sum; never eval). Some fields are themselves derived from several years of
figures by a fixed official rule (`DERIVED_FIELDS`, e.g. the 高企 growth formula `mean_growth`);
others are assessed by the firm or an expert (`ASSESSED_FIELDS`). Bands are half-open intervals
[low, high) that must tile the whole line; a missing input lands in the `missing` bin, a zero
denominator in `special`.
"""

import hashlib
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

import yaml

# Fields derived from several years of registry figures by a fixed rule (the input builder
# computes them; `mean_growth` is the 高企 growth formula). Field -> how it is derived.
DERIVED_FIELDS: dict[str, str] = {
    "revenue_growth_3y": "mean_growth of the last three years' sales revenue (高企 工作指引)",
    "net_assets_growth_3y": "mean_growth of the last three year-end net assets "
    "(total assets − total liabilities)",
    "rd_expense_3y_fen": "R&D expense summed over the last three years (高企 R&D threshold)",
    "revenue_3y_fen": "sales revenue summed over the last three years (高企 R&D threshold)",
    "rd_expense_2y_avg_fen": "average R&D expense of the last two years (专精特新 fast track)",
    "main_business_growth": "last year's growth of 主营业务收入 (创新型中小企业)",
    "main_business_growth_2y": "average growth of 主营业务收入 over the last two years (专精特新)",
    "years_registered": "whole years from the registration date to the evaluation day",
}
# Fields the registry does not hold: entered by the firm or an assessor (with the source), else
# missing, which lands in the indicator's missing bin. Field -> what it records.
ASSESSED_FIELDS: dict[str, str] = {
    "high_tech_revenue_share": "高新技术产品(服务)收入 ÷ total revenue, last year",
    "rd_in_china_share": "R&D spent in mainland China ÷ all R&D, last three years",
    "major_incident": "1 if a major safety or quality incident or serious environmental offence "
    "happened in the year before applying, else 0",
    "ip_grade": "best IP tied to the lead product: 0 none, 1 class II only, 2 class I, "
    "3 self-developed class I, 4 high-value class I",
    "ip_advancement_level": "expert rating of how advanced the IP is: 0 none … 4 high",
    "ip_core_support_level": "expert rating of the IP's core support to the main product: 0 … 4",
    "ip_self_developed": "1 if some IP was self-developed, 0 if only acquired, gifted or merged",
    "rd_management_system": "1 if R&D management rules, cost accounting and 辅助账 are in place",
    "rd_institution_cooperation": "1 if an internal R&D institution and 产学研 cooperation exist",
    "conversion_incentives": "1 if a conversion incentive system or open platform exists",
    "talent_system": "1 if training, hiring and performance-reward systems exist",
    "st_award_3y": "1 for a national or provincial S&T award in the last three years",
    "st_award_ranked": "1 for a provincial (top 3) or national (top 5) S&T award, last 3 years",
    "innovation_title": "1 for a national technology-innovation demonstration or IP "
    "advantage/demonstration enterprise title",
    "equity_raised_3y_fen": "new equity from qualified investors paid in over the last 3 years",
    "equity_raised_2y_fen": "new equity from qualified investors paid in over the last 2 years",
    "maker_china_top500": "1 for a 创客中国 national top-500 place in the last three years",
    "niche_years": "whole years in the niche market",
    "lead_product_field": "0 other, 1 工业六基 / 中华老字号 / serves a chain leader, "
    "2 proven 补短板 / 锻长板 / 填空白",
    "digital_maturity_level": "digital maturity level (1, 2, 3 or more)",
    "quality_items": "count of: provincial quality award; ISO 9001-type certification; own "
    "brand; standard drafting",
    "net_margin": "net profit ÷ revenue, last year",
}


def mean_growth(
    y1: Decimal | int | None, y2: Decimal | int | None, y3: Decimal | int | None
) -> Decimal | None:
    """高企 growth over three year-ends in order: g = ½ × (Y2/Y1 + Y3/Y2) − 1 (工作指引).

    If Y1 is 0, or the firm has operated for two years only (Y1 None), g = Y3/Y2 − 1; if Y2 is 0
    the growth scores 0, so g = 0. None when Y2 or Y3 is unknown. A negative g scores 0 through
    the rule set's bands.

    >>> mean_growth(100, 120, 150)
    Decimal('0.225')
    >>> mean_growth(0, 100, 130), mean_growth(None, 100, 130), mean_growth(50, 0, 80)
    (Decimal('0.3'), Decimal('0.3'), Decimal('0'))
    """
    if y2 is None or y3 is None:
        return None
    a, b, c = (None if y is None else Decimal(y) for y in (y1, y2, y3))
    assert b is not None and c is not None
    if b == 0:
        return Decimal(0)
    if a is None or a == 0:
        return c / b - 1
    return (b / a + c / b) / 2 - 1


# The closed list of input fields a rule set may read (registry and statement figures).
FIELDS = frozenset(
    {
        "rd_expense_fen",
        "revenue_fen",
        "total_cost_fen",
        "revenue_fen_previous",
        "invention_patents",
        "class2_ip",
        "conversions_per_year",
        "rd_institution_level",
        "standards_drafted",
        "tech_staff",
        "rd_staff",
        "total_staff",
        "founders_industry_years",
        "key_staff_turnover",
        "management_completeness",
        "revenue_growth",
        "main_business_share",
        "debt_ratio",
        "top_customer_share",
        "operating_cash_flow_fen",
        "cash_runway_months",
        "strategic_emerging",
        "high_tech_enterprise",
        "little_giant",
        "specialised_sme",
        "innovative_sme",
        "national_award",
        "provincial_rd_institution",
        "led_standard",
        *DERIVED_FIELDS,
        *ASSESSED_FIELDS,
    }
)
FORMULAS = ("field", "ratio", "growth", "sum")
INDICATOR_KEYS = frozenset(
    {
        "key", "dimension", "name_zh", "name_en", "reference", "source", "max", "actionable",
        "input", "bands", "missing", "special", "waiver", "reason_zh", "reason_en",
    }
)  # fmt: skip
TOP_KEYS = frozenset(
    {
        "id", "version", "effective_from", "reference", "name_zh", "name_en", "author",
        "approver", "scale_to", "dimensions", "indicators", "gates", "direct", "grades",
    }
)  # fmt: skip
TEMPLATE_NAMES = frozenset({"value", "band", "points", "max", "lost", "name"})
SUBJECTS = ("field", "value", "points", "dimension", "total", "raw_total")
OPS = {
    "ge": lambda a, b: a >= b,
    "gt": lambda a, b: a > b,
    "le": lambda a, b: a <= b,
    "lt": lambda a, b: a < b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
}


class RuleSetError(ValueError):
    """A rule set that cannot be used, with where: file, indicator or section, line."""

    def __init__(self, source: str, where: str, line: int, message: str) -> None:
        super().__init__(f"{source}: {where} (line {line}): {message}")
        self.source, self.where, self.line = source, where, line


@dataclass(frozen=True)
class Band:
    """[low, high) with None meaning unbounded; points fixed (lo == hi) or an expert range."""

    label: str
    low: Decimal | None
    high: Decimal | None
    points_min: Decimal
    points_max: Decimal

    def contains(self, value: Decimal) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)

    @property
    def is_range(self) -> bool:
        return self.points_min != self.points_max


@dataclass(frozen=True)
class Condition:
    """`subject` compared with `threshold`: a field, an indicator's value or points, a dimension's
    points (e.g. a block minimum), the total."""

    subject_kind: str  # one of SUBJECTS
    subject: str
    op: str  # one of OPS
    threshold: Decimal

    def holds(self, actual: Decimal | None) -> bool:
        return actual is not None and bool(OPS[self.op](actual, self.threshold))


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    name_zh: str
    name_en: str
    reference: str
    source: str  # data-source label shown next to the points
    maximum: Decimal
    formula: str  # one of FORMULAS
    operands: tuple[str, ...]
    bands: tuple[Band, ...]
    missing: Band
    special: Band
    actionable: bool
    reason_zh: str
    reason_en: str
    waiver: tuple[Condition, ...]  # when all hold, full points (e.g. R&D cash-flow tolerance)
    waiver_label: str


@dataclass(frozen=True)
class Dimension:
    key: str
    name_zh: str
    name_en: str
    maximum: Decimal


@dataclass(frozen=True)
class Grade:
    grade: str
    minimum: Decimal  # scaled total at or above this (grades listed best first)
    credit_line_fen: int


@dataclass(frozen=True)
class RuleSet:
    id: str
    version: str
    effective_from: date
    reference: str
    name_zh: str
    name_en: str
    author: str
    approver: str
    digest: str  # SHA-256 of the source text: an evaluation stores it to be reproducible
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    gates: tuple[Condition, ...]
    direct: tuple[tuple[Condition, ...], ...]  # any group of all-true conditions qualifies
    scale_to: Decimal | None  # min-max: raw / max_total * scale_to; None keeps the raw total
    grades: tuple[Grade, ...]

    @property
    def max_total(self) -> Decimal:
        return sum((d.maximum for d in self.dimensions), Decimal(0))

    def indicator(self, key: str) -> Indicator:
        return next(i for i in self.indicators if i.key == key)


class _Reader:
    """Walks composed YAML nodes, keeping their line numbers for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, node: Any, message: str) -> RuleSetError:
        return RuleSetError(self.source, where, node.start_mark.line + 1, message)

    def mapping(self, node: Any, where: str) -> dict[str, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(where, node, "expected a mapping")
        out: dict[str, Any] = {}
        for k, v in node.value:
            if k.value in out:
                raise self.fail(where, k, f"duplicate key {k.value!r}")
            out[k.value] = v
        return out

    def seq(self, node: Any, where: str) -> list[Any]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(where, node, "expected a list")
        return list(node.value)

    def text(self, m: dict[str, Any], key: str, where: str, parent: Any) -> str:
        if key not in m:
            raise self.fail(where, parent, f"missing key {key!r}")
        node = m[key]
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
            raise self.fail(where, node, f"{key!r} must be non-empty text")
        return str(node.value)

    def number(self, node: Any, where: str, what: str) -> Decimal:
        try:
            if not isinstance(node, yaml.ScalarNode):
                raise InvalidOperation
            value = Decimal(node.value)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise self.fail(where, node, f"{what} must be a number") from None
        return value

    def bound(self, m: dict[str, Any], key: str, where: str) -> Decimal | None:
        node = m.get(key)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~")):
            return None
        return self.number(node, where, key)


def _template(r: _Reader, m: dict[str, Any], key: str, where: str, parent: Any) -> str:
    text = r.text(m, key, where, parent)
    names = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    unknown = names - TEMPLATE_NAMES
    if unknown:
        raise r.fail(where, m[key], f"template uses unknown names {sorted(unknown)}")
    return text


def _points(r: _Reader, node: Any, where: str) -> tuple[Decimal, Decimal]:
    if isinstance(node, yaml.SequenceNode):
        parts = r.seq(node, where)
        if len(parts) != 2:
            raise r.fail(where, node, "a points range is [min, max]")
        lo, hi = (r.number(p, where, "points") for p in parts)
    else:
        lo = hi = r.number(node, where, "points")
    if lo < 0 or lo > hi:
        raise r.fail(where, node, "points must be ≥ 0 and min ≤ max")
    return lo, hi


def _band(r: _Reader, node: Any, where: str, label: str, maximum: Decimal) -> Band:
    m = r.mapping(node, where)
    _known_keys(r, m, frozenset({"label", "low", "high", "points"}), where)
    if "label" in m and m["label"].value in ("missing", "special"):
        raise r.fail(where, m["label"], f"{m['label'].value!r} is reserved for its own bin")
    lo, hi = _points(r, m.get("points", node), where)
    if hi > maximum:
        raise r.fail(where, node, f"points {hi} exceed the indicator's maximum {maximum}")
    return Band(
        m["label"].value if "label" in m else label,
        r.bound(m, "low", where),
        r.bound(m, "high", where),
        lo,
        hi,
    )


def _condition(
    r: _Reader, node: Any, where: str, keys: set[str], dimensions: Iterable[str] = ()
) -> Condition:
    m = r.mapping(node, where)
    kinds = [k for k in SUBJECTS if k in m]
    ops = [k for k in OPS if k in m]
    if len(kinds) != 1 or len(ops) != 1 or len(m) != 2:
        raise r.fail(where, node, f"a condition is one of {SUBJECTS} and one of {sorted(OPS)}")
    kind, op = kinds[0], ops[0]
    subject = str(m[kind].value)
    if kind == "field" and subject not in FIELDS:
        raise r.fail(where, m[kind], f"unknown field {subject!r}")
    if kind in ("value", "points") and subject not in keys:
        raise r.fail(where, m[kind], f"unknown indicator {subject!r}")
    if kind == "dimension" and subject not in dimensions:
        raise r.fail(where, m[kind], f"unknown dimension {subject!r}")
    return Condition(kind, subject, op, r.number(m[op], where, op))


def _operands(
    r: _Reader, m: dict[str, Any], where: str, parent: Any
) -> tuple[str, tuple[str, ...]]:
    node = m.get("input")
    if node is None:
        raise r.fail(where, parent, "missing key 'input'")
    spec = r.mapping(node, where)
    if len(spec) != 1 or next(iter(spec)) not in FORMULAS:
        raise r.fail(where, node, f"input is one of {FORMULAS}")
    formula, arg = next(iter(spec.items()))
    names = [arg] if formula == "field" else r.seq(arg, where)
    fields = tuple(str(n.value) for n in names)
    want = {"field": 1, "ratio": 2, "growth": 2}.get(formula)
    if (want and len(fields) != want) or (formula == "sum" and len(fields) < 2):
        raise r.fail(where, node, f"{formula} takes {want or '2 or more'} fields")
    for n in names:
        if n.value not in FIELDS:
            raise r.fail(where, n, f"unknown field {n.value!r}")
    return formula, fields


def _check_tiling(r: _Reader, bands: list[Band], nodes: list[Any], where: str) -> None:
    ordered = sorted(
        zip(bands, nodes, strict=True), key=lambda bn: (bn[0].low is not None, bn[0].low or 0)
    )
    if ordered[0][0].low is not None:
        raise r.fail(where, ordered[0][1], f"gap: nothing covers values below {ordered[0][0].low}")
    for (a, _), (b, bnode) in pairwise(ordered):
        if a.high is None or (b.low is not None and b.low < a.high):
            raise r.fail(where, bnode, f"band {b.label!r} overlaps band {a.label!r}")
        if b.low is None or b.low > a.high:
            raise r.fail(where, bnode, f"gap between {a.high} and {b.low}")
    for band, bnode in ordered:
        if band.low is not None and band.high is not None and band.low >= band.high:
            raise r.fail(where, bnode, "a band's low must be below its high")
    if ordered[-1][0].high is not None:
        raise r.fail(
            where, ordered[-1][1], f"gap: nothing covers values from {ordered[-1][0].high}"
        )


def _known_keys(r: _Reader, m: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    # A misspelt key ("acitonable") would otherwise be ignored without a word.
    for name, value in m.items():
        if name not in allowed:
            raise r.fail(where, value, f"unknown key {name!r}; expected one of {sorted(allowed)}")


def _flag(r: _Reader, m: dict[str, Any], key: str, where: str) -> bool:
    if key not in m:
        return False
    if m[key].value not in ("true", "false"):
        raise r.fail(where, m[key], f"{key} is true or false")
    return bool(m[key].value == "true")


def _indicator(r: _Reader, node: Any, dims: dict[str, Dimension], keys: set[str]) -> Indicator:
    m = r.mapping(node, "indicator")
    key = r.text(m, "key", "indicator", node)
    where = f"indicator {key!r}"
    _known_keys(r, m, INDICATOR_KEYS, where)
    dim = r.text(m, "dimension", where, node)
    if dim not in dims:
        raise r.fail(where, m["dimension"], f"unknown dimension {dim!r}")
    if "max" not in m:
        raise r.fail(where, node, "missing key 'max'")
    maximum = r.number(m["max"], where, "max")
    formula, operands = _operands(r, m, where, node)
    band_nodes = r.seq(m["bands"], where) if "bands" in m else []
    if not band_nodes:
        raise r.fail(where, node, "an indicator needs bands")
    bands = [_band(r, b, where, f"band {n + 1}", maximum) for n, b in enumerate(band_nodes)]
    _check_tiling(r, bands, band_nodes, where)
    for label in ("missing", "special"):
        if label not in m:
            raise r.fail(where, node, f"missing key {label!r} (points for a {label} input)")
    missing, special = (
        Band(label, None, None, *_points(r, m[label], where)) for label in ("missing", "special")
    )
    for b in (missing, special):
        if b.points_max > maximum:
            raise r.fail(where, m[b.label], f"points {b.points_max} exceed the maximum {maximum}")
    waiver: tuple[Condition, ...] = ()
    waiver_label = ""
    if "waiver" in m:
        w = r.mapping(m["waiver"], where)
        waiver_label = r.text(w, "label", where, m["waiver"])
        conds = r.seq(w["when"], where) if "when" in w else []
        waiver = tuple(_condition(r, c, where, keys) for c in conds)
        if not waiver or any(c.subject_kind not in ("field", "value") for c in waiver):
            raise r.fail(where, m["waiver"], "a waiver needs field or value conditions")
    actionable = _flag(r, m, "actionable", where)
    if not waiver and max(b.points_max for b in bands) != maximum:
        # a waiver awards the maximum itself (e.g. ≥1 class I IP → full points)
        raise r.fail(where, m["max"], f"no band reaches the maximum {maximum}")
    return Indicator(
        key,
        dim,
        r.text(m, "name_zh", where, node),
        r.text(m, "name_en", where, node),
        r.text(m, "reference", where, node),
        r.text(m, "source", where, node),
        maximum,
        formula,
        operands,
        tuple(bands),
        missing,
        special,
        actionable,
        _template(r, m, "reason_zh", where, node),
        _template(r, m, "reason_en", where, node),
        waiver,
        waiver_label,
    )


def parse_ruleset(text: str, source: str) -> RuleSet:
    """Check and build a rule set from YAML `text`; `source` (the file name) goes in errors."""
    r = _Reader(source)
    try:
        root = yaml.compose(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise RuleSetError(source, "file", 0, f"not valid YAML: {exc}") from None
    if root is None:
        raise RuleSetError(source, "file", 1, "empty rule set")
    top = r.mapping(root, "rule set")
    _known_keys(r, top, TOP_KEYS, "rule set")
    for required in ("dimensions", "indicators", "grades"):
        if required not in top:
            raise r.fail("rule set", root, f"missing key {required!r}")
    get = lambda k: r.text(top, k, "rule set", root)  # noqa: E731
    try:
        effective = date.fromisoformat(get("effective_from"))
    except ValueError:
        raise r.fail("rule set", top["effective_from"], "effective_from is YYYY-MM-DD") from None
    dims: dict[str, Dimension] = {}
    for dn in r.seq(top["dimensions"], "dimensions"):
        dm = r.mapping(dn, "dimension")
        dkey = r.text(dm, "key", "dimension", dn)
        if dkey in dims:
            raise r.fail(f"dimension {dkey!r}", dn, "duplicate dimension key")
        dims[dkey] = Dimension(
            dkey,
            r.text(dm, "name_zh", dkey, dn),
            r.text(dm, "name_en", dkey, dn),
            r.number(dm.get("max", dn), f"dimension {dkey!r}", "max"),
        )
    ind_nodes = r.seq(top["indicators"], "indicators")
    keys = {
        r.mapping(n, "indicator")["key"].value
        for n in ind_nodes
        if "key" in r.mapping(n, "indicator")
    }
    indicators: list[Indicator] = []
    for n in ind_nodes:
        ind = _indicator(r, n, dims, keys)
        if any(i.key == ind.key for i in indicators):
            raise r.fail(f"indicator {ind.key!r}", n, "duplicate indicator key")
        indicators.append(ind)
    for dn in r.seq(top["dimensions"], "dimensions"):
        d = dims[r.mapping(dn, "dimension")["key"].value]
        got = sum((i.maximum for i in indicators if i.dimension == d.key), Decimal(0))
        if got != d.maximum:
            raise r.fail(
                f"dimension {d.key!r}", dn, f"indicator maxima sum to {got}, not {d.maximum}"
            )
    gates = (
        tuple(_condition(r, c, "gates", keys, dims) for c in r.seq(top["gates"], "gates"))
        if "gates" in top
        else ()
    )
    direct = tuple(
        tuple(_condition(r, c, "direct", keys, dims) for c in r.seq(group, "direct"))
        for group in (r.seq(top["direct"], "direct") if "direct" in top else [])
    )
    scale_to = r.number(top["scale_to"], "rule set", "scale_to") if "scale_to" in top else None
    if scale_to is not None and scale_to <= 0:
        raise r.fail("rule set", top["scale_to"], "scale_to must be above 0")
    if sum((d.maximum for d in dims.values()), Decimal(0)) <= 0:
        raise r.fail("dimensions", top["dimensions"], "the maxima must add up to more than 0")
    grades: list[Grade] = []
    for gn in r.seq(top["grades"], "grades"):
        gm = r.mapping(gn, "grades")
        g = r.text(gm, "grade", "grades", gn)
        line = (
            r.number(gm["credit_line_fen"], f"grade {g!r}", "credit_line_fen")
            if "credit_line_fen" in gm
            else Decimal(0)
        )
        if line != line.to_integral_value() or line < 0:
            raise r.fail(f"grade {g!r}", gn, "credit_line_fen is a whole number of fen ≥ 0")
        grade = Grade(g, r.number(gm["min"], f"grade {g!r}", "min"), int(line))
        if grades and grade.minimum >= grades[-1].minimum:
            raise r.fail(f"grade {g!r}", gn, "grades are listed best first with falling minima")
        grades.append(grade)
    if not grades:
        raise r.fail("grades", root, "at least one grade is needed")
    return RuleSet(
        get("id"),
        get("version"),
        effective,
        get("reference"),
        get("name_zh"),
        get("name_en"),
        get("author") if "author" in top else "",
        get("approver") if "approver" in top else "",  # empty: not yet approved
        hashlib.sha256(text.encode()).hexdigest(),
        tuple(dims.values()),
        tuple(indicators),
        gates,
        direct,
        scale_to,
        tuple(grades),
    )
