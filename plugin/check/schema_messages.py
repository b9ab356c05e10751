"""JSON Schema validation that speaks to people.

jsonschema finds what is wrong; this module says it the way an author needs
to hear it: which key, on which line, what to write instead.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import fastjsonschema

from ..model import Finding, JsonPath, Position
from ..parse.frontmatter import YamlData
from ..resources import load_json_schema
from ..rules import RULES

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


@cache
def validator(name: str) -> Draft202012Validator:
    # Imported here: jsonschema is a tenth of a second of start-up that a
    # clean library, which `passes` clears, never needs.
    from jsonschema import Draft202012Validator

    schema = load_json_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def passes(name: str) -> Callable[[Any], bool]:
    """A quick yes/no for the common case of a valid document.

    fastjsonschema compiles the schema into plain Python, about 30 times
    faster than jsonschema's interpreter, which was the largest cost of
    linting a clean library. It only says yes or no: every document it
    refuses goes to jsonschema, the authority that explains what is wrong.
    The schemas keep to keywords that draft 7 (what fastjsonschema
    implements) and 2020-12 read alike; a test holds the two to the same
    verdict on every example file.
    """
    # Our own bundled schema, not user input: compiling it is safe.
    compiled = fastjsonschema.compile(load_json_schema(name))

    def check(instance: Any) -> bool:
        try:
            compiled(instance)
        except Exception:  # any doubt goes to jsonschema, which explains it
            return False
        return True

    return check


def describe(path: Sequence[str | int]) -> str:
    """('factors', 1, 'layer') -> 'factors[1].layer'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "the front matter"


def did_you_mean(value: object, choices: Iterable[object]) -> str:
    if not isinstance(value, str):
        return ""
    options = [str(c) for c in choices]
    folded = {o.casefold().replace("_", "-"): o for o in options}
    match = folded.get(value.casefold().replace("_", "-"))
    if match is None:
        close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
        match = close[0] if close else None
    return f" (did you mean '{match}'?)" if match else ""


_JSON_KIND = {
    "string": "text",
    "array": "a list",
    "object": "a mapping of keys to values",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def shown(value: object, limit: int = 80) -> str:
    """A value as quoted in a message, cut short: a 200 KB title must not
    make a 200 KB line in a terminal or a pull-request annotation."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 5]}...{text[-1]}"


def _kind_of(value: object) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads yes/no/on/off/true/false that way)"
    if isinstance(value, int | float):
        return f"the number {shown(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return shown(value)


def _type_message(err: ValidationError, name: str) -> str:
    expected: Any = err.validator_value
    kinds = [expected] if isinstance(expected, str) else list(expected)
    want = " or ".join(_JSON_KIND.get(k, k) for k in kinds)
    hint = ""
    if "string" in kinds and not isinstance(err.instance, list | dict):
        hint = "; put it in quotes"
    elif "array" in kinds and isinstance(err.instance, str):
        hint = f"; write it as a list: [{err.instance}]"
    return f"{name} must be {want}, got {_kind_of(err.instance)}{hint}"


def _examples(schema: dict[str, Any]) -> str:
    examples = schema.get("examples") or []
    shown = [e for e in examples if isinstance(e, str)][:2]
    return " or ".join(f"'{e}'" for e in shown)


def _required_message(err: ValidationError, name: str, missing: str) -> str:
    where = "" if not err.absolute_path else f"{name} is "
    if "then" in err.schema_path and missing == "factors":
        return (
            "a final postmortem needs 'factors': add at least one contributing factor "
            "with layer, category and summary"
        )
    if where:
        return f"{where}missing the required key '{missing}'"
    return f"missing the required key '{missing}'"


class SchemaReporter:
    """Turns one validator's errors on one document into findings."""

    def __init__(self, schema_name: str, yaml_data: YamlData, path: str, line_of_root: int = 1):
        self.schema_name = schema_name
        self.validator = validator(schema_name)
        self.yaml = yaml_data
        self.path = path
        self.root = Position(line_of_root, 1)

    def findings(self, instance: Any) -> list[Finding]:
        found: list[Finding] = []
        if passes(self.schema_name)(instance):
            return found
        for err in self.validator.iter_errors(instance):
            found.extend(self._convert(err))
        found.sort()
        return found

    def _at(self, path: JsonPath, prefer_value: bool, rule: str, message: str) -> Finding:
        pos: Position | None = self.yaml.values.get(path) if prefer_value else None
        if pos is None:
            pos = self.yaml.position(path) if path else self.root
        return RULES[rule].finding(self.path, pos.line, pos.column, message)

    def _convert(self, err: ValidationError) -> Iterator[Finding]:
        path: JsonPath = tuple(err.absolute_path)
        kind = err.validator
        if kind == "additionalProperties" and isinstance(err.instance, dict):
            yield from self._unknown_keys(err, path)
        elif kind == "uniqueItems":
            yield self._duplicate_item(err, path)
        # `if` and `allOf` are explained by the errors of their branches.
        elif kind not in ("if", "allOf"):
            prefer_value, rule, message = _explain(err, describe(path))
            yield self._at(path, prefer_value, rule, message)

    def _unknown_keys(self, err: ValidationError, path: JsonPath) -> Iterator[Finding]:
        """A finding at each key the schema does not know, not one at the mapping."""
        schema: Any = err.schema
        known = list(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        instance: Any = err.instance
        for key in instance:
            if key in known or any(p.search(key) for p in patterns):
                continue
            own = " Keys of your own must start with 'x-'." if patterns else ""
            yield self._at(
                (*path, key),
                False,
                "unknown-key",
                f"unknown key '{key}' in {describe(path)}{did_you_mean(key, known)}.{own}",
            )

    def _duplicate_item(self, err: ValidationError, path: JsonPath) -> Finding:
        # Point at the repeat, not the list: in a block list the list's
        # own line is its first item, which is not the one to delete.
        name = describe(path)
        items = err.instance if isinstance(err.instance, list) else []
        repeat = next((j for j, item in enumerate(items) if item in items[:j]), None)
        if repeat is None:
            return self._at(path, True, "duplicate-item", f"{name} lists the same value twice")
        return self._at(
            (*path, repeat),
            True,
            "duplicate-item",
            f"{name} lists the same value twice: {describe((*path, repeat))} repeats "
            f"{_kind_of(items[repeat])}",
        )


def _explain(err: ValidationError, name: str) -> tuple[bool, str, str]:
    """(whether to point at the value rather than its key, rule, message) of
    an error found at one place."""
    kind = err.validator
    # jsonschema types these as possibly unset; on a reported error they are set.
    expected: Any = err.validator_value
    instance: Any = err.instance
    if kind == "required":
        missing = str(err.message).split("'")[1] if "'" in err.message else str(err.message)
        return False, "required", _required_message(err, name, missing)
    if kind == "enum":
        return (
            True,
            "invalid-value",
            f"{name} must be one of {', '.join(map(str, expected))}, "
            f"got {_kind_of(instance)}{did_you_mean(instance, expected)}",
        )
    if kind == "type":
        return True, "wrong-type", _type_message(err, name)
    if kind == "pattern":
        schema: Any = err.schema
        examples = _examples(schema)
        like = f" like {examples}" if examples else f" matching {expected}"
        return True, "invalid-format", f"{name} must be written{like}, got {shown(instance)}"
    if kind == "format":
        return True, "invalid-format", f"{name} must be a valid {expected}, got {shown(instance)}"
    if kind == "minItems":
        plural = "s" if expected != 1 else ""
        return False, "too-few-items", f"{name} needs at least {expected} item{plural}"
    if kind == "minLength":
        return True, "empty-value", f"{name} must not be empty"
    if kind == "maxLength":
        return (
            True,
            "too-long",
            f"{name} is {len(instance)} characters long; the limit is {expected}",
        )
    return True, "schema", f"{name}: {err.message}"
