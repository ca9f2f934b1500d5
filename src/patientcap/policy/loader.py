"""Reading policy files (policy/*.yaml) into a `PolicySet`.

The YAML is *composed*, not loaded: every scalar stays the literal text it was written as (so
`0.1` never passes through float) and keeps its line number, which every refusal names along
with the file and the parameter key. The shape of a file:

    description: 先投(研)后股 — the invest-first programme     (optional)
    parameters:
      invest_first.loss_tolerance:
        unit: percent
        description: Highest share of one project's investment that may be written off.
        values:
          - from: 2025-12-09
            value: 100
            reference: 《…》 article 3
            note: the date is the article's publication date   (optional)

Checks of meaning (units, values, date order, references) are the domain's (`make_parameter`);
this module checks the shape: mappings and lists where they belong, no unknown or repeated keys.
"""

import hashlib
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from patientcap.domain.policy import (
    Parameter,
    PolicyError,
    PolicySet,
    RawValue,
    Text,
    make_parameter,
)

_FILE_KEYS = {"description", "parameters"}
_PARAMETER_KEYS = {"unit", "description", "values"}
_VALUE_KEYS = {"from", "value", "reference", "note"}


def load_directory(directory: Path) -> PolicySet:
    """Every `*.yaml` file of `directory`, in name order; names must be unique across files."""
    if not directory.is_dir():
        raise PolicyError("not a directory of policy files", file=str(directory))
    parameters: list[Parameter] = []
    for path in sorted(directory.glob("*.yaml")):
        parameters.extend(load_file(path))
    return PolicySet(parameters)


def load_file(path: Path) -> list[Parameter]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"cannot be read ({exc.strerror})", file=str(path)) from None
    return parse_text(data, source=str(path))


def parse_text(data: bytes, *, source: str) -> list[Parameter]:
    """The parameters of one file's bytes; `source` names the file in every message."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        root = yaml.compose(data.decode("utf-8"), Loader=yaml.SafeLoader)
    except UnicodeDecodeError:
        raise PolicyError("is not UTF-8 text", file=source) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise PolicyError(
            f"is not valid YAML: {exc.problem or exc.context}",
            file=source,
            line=mark.line + 1 if mark else None,
        ) from None
    if root is None:
        raise PolicyError("is empty: it needs a `parameters` mapping", file=source)
    top = _mapping(root, source, None, _FILE_KEYS, "the file")
    if "parameters" not in top:
        raise PolicyError("has no `parameters` mapping", file=source, line=_line(root))
    if "description" in top:
        _scalar(top["description"], source, None)
    params_node = top["parameters"]
    if not isinstance(params_node, MappingNode):
        raise PolicyError(
            "`parameters` must map each parameter name to its definition",
            file=source,
            line=_line(params_node),
        )
    parameters = []
    for key_node, body in _pairs(params_node, source, None):
        name = Text(key_node.value, _line(key_node))
        fields = _mapping(body, source, name.text, _PARAMETER_KEYS, "a parameter")
        values_node = fields.get("values")
        raw_values: list[RawValue] = []
        if values_node is not None:
            if not isinstance(values_node, SequenceNode):
                raise PolicyError(
                    "`values` must be a list of {from, value, reference}",
                    file=source,
                    key=name.text,
                    line=_line(values_node),
                )
            for item in values_node.value:
                v = _mapping(item, source, name.text, _VALUE_KEYS, "a value")
                raw_values.append(
                    RawValue(
                        line=_line(item),
                        effective_from=_optional_scalar(v, "from", source, name.text),
                        value=_optional_scalar(v, "value", source, name.text),
                        reference=_optional_scalar(v, "reference", source, name.text),
                        note=_optional_scalar(v, "note", source, name.text),
                    )
                )
        parameters.append(
            make_parameter(
                name,
                unit=_optional_scalar(fields, "unit", source, name.text),
                description=_optional_scalar(fields, "description", source, name.text),
                values=raw_values,
                source=source,
                digest=digest,
            )
        )
    return parameters


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _pairs(node: MappingNode, source: str, key: str | None) -> list[tuple[ScalarNode, Node]]:
    """The mapping's (key, value) pairs; keys must be plain text and appear once."""
    seen: dict[str, int] = {}
    pairs = []
    for k, v in node.value:
        if not isinstance(k, ScalarNode):
            raise PolicyError("a key must be plain text", file=source, key=key, line=_line(k))
        if k.value in seen:
            raise PolicyError(
                f"`{k.value}` appears twice (first on line {seen[k.value]})",
                file=source,
                key=key or k.value,
                line=_line(k),
            )
        seen[k.value] = _line(k)
        pairs.append((k, v))
    return pairs


def _mapping(
    node: Node, source: str, key: str | None, allowed: set[str], what: str
) -> dict[str, Node]:
    if not isinstance(node, MappingNode):
        raise PolicyError(
            f"{what} must be a mapping of {', '.join(sorted(allowed))}",
            file=source,
            key=key,
            line=_line(node),
        )
    fields = {}
    for k, v in _pairs(node, source, key):
        if k.value not in allowed:
            raise PolicyError(
                f"unknown key `{k.value}` in {what} (allowed: {', '.join(sorted(allowed))})",
                file=source,
                key=key,
                line=_line(k),
            )
        fields[k.value] = v
    return fields


def _scalar(node: Node, source: str, key: str | None) -> Text:
    if not isinstance(node, ScalarNode):
        raise PolicyError(
            "expected a single value here, not a list or mapping",
            file=source,
            key=key,
            line=_line(node),
        )
    if node.tag == "tag:yaml.org,2002:null":  # `value:` or `value: null` is no value at all
        return Text("", _line(node))
    return Text(node.value, _line(node))


def _optional_scalar(fields: dict[str, Node], name: str, source: str, key: str) -> Text | None:
    return _scalar(fields[name], source, key) if name in fields else None
