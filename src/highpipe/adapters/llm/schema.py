"""A small validator for the bounded JSON-schema subset HighPipe sends to LLMs.

Supported keywords: type (object, array, string, integer, number, boolean, null), enum, properties,
required, additionalProperties (false), items, minItems/maxItems, minLength/maxLength,
minimum/maximum. Anything else in a schema is ignored. The server is asked to constrain its output
to the schema, but not every server does it fully (or at all), so the client checks the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


class SchemaError(ValueError):
    pass


def validate(value: Any, schema: Mapping[str, Any], path: str = "$") -> None:
    """Raise SchemaError naming the first place where `value` breaks `schema`."""
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaError(f"{path}: {value!r} is not one of the allowed values")
    kind = schema.get("type")
    if kind is not None:
        expected = _TYPES.get(kind)
        if expected is None:
            raise SchemaError(f"{path}: unsupported schema type {kind!r}")
        # bool is an int subclass in Python, but not a JSON number.
        if not isinstance(value, expected) or (isinstance(value, bool) and kind in ("integer", "number")):
            raise SchemaError(f"{path}: expected {kind}, got {type(value).__name__}")
    if isinstance(value, dict):
        _validate_object(value, schema, path)
    elif isinstance(value, list):
        _validate_array(value, schema, path)
    elif isinstance(value, str):
        if len(value) > schema.get("maxLength", len(value)):
            raise SchemaError(f"{path}: longer than {schema['maxLength']} characters")
        if len(value) < schema.get("minLength", 0):
            raise SchemaError(f"{path}: shorter than {schema['minLength']} characters")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise SchemaError(f"{path}: below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise SchemaError(f"{path}: above {schema['maximum']}")


def _validate_object(value: dict[str, Any], schema: Mapping[str, Any], path: str) -> None:
    props: Mapping[str, Mapping[str, Any]] = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value:
            raise SchemaError(f"{path}: missing required property {name!r}")
    for name, item in value.items():
        if name in props:
            validate(item, props[name], f"{path}.{name}")
        elif schema.get("additionalProperties", True) is False:
            raise SchemaError(f"{path}: unexpected property {name!r}")


def _validate_array(value: list[Any], schema: Mapping[str, Any], path: str) -> None:
    if len(value) > schema.get("maxItems", len(value)):
        raise SchemaError(f"{path}: more than {schema['maxItems']} items")
    if len(value) < schema.get("minItems", 0):
        raise SchemaError(f"{path}: fewer than {schema['minItems']} items")
    items = schema.get("items")
    if items is not None:
        for i, item in enumerate(value):
            validate(item, items, f"{path}[{i}]")
