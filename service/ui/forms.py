"""HTML form fields derived from an action's data schema, and the form's values turned back into data."""

import json
import re
from dataclasses import dataclass
from dataclasses import field as attribute
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from service.errors import field_errors

ASCII_INTEGER = re.compile(r"-?[0-9]{1,19}")
Model = TypeVar("Model", bound=BaseModel)


def checked(model: type[Model], values: dict[str, Any]) -> Model:
    """Form values through the API's request model: a 422 naming each bad field (in Danish too), never a 500."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise field_errors(error, "form") from None


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str  # text, textarea, number, date, checkbox, tristate, choice, json
    label: str
    required: bool
    choices: tuple[str, ...] = ()
    description: str = ""
    labels: dict[str, str] = attribute(default_factory=dict)  # a choice's label where it is no translated word (a date)


def _kind(spec: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    options = [s for s in spec.get("anyOf", [spec]) if s.get("type") != "null"]
    nullable = len(options) < len(spec.get("anyOf", [spec]))
    first = options[0] if options else {}
    if "enum" in first:
        return "choice", tuple(first["enum"])
    kind = first.get("type")
    if kind == "boolean":
        return ("tristate" if nullable else "checkbox"), ()
    if kind == "integer":
        return "number", ()
    if kind == "string" and first.get("format") == "date":
        return "date", ()
    if kind == "string":
        return ("textarea" if (first.get("maxLength") or 0) > 300 else "text"), ()
    return "json", ()


def fields(schema: type[BaseModel] | None) -> list[FormField]:
    """One field per property of the schema; lists and objects are edited as JSON."""
    if schema is None:
        return []
    spec = schema.model_json_schema()
    required = set(spec.get("required", []))
    result = []
    for name, prop in spec.get("properties", {}).items():
        kind, choices = _kind(prop)
        label = prop.get("title", name)
        result.append(FormField(name, kind, label, name in required, choices, prop.get("description", "")))
    return result


def values(schema: type[BaseModel] | None, form: dict[str, str]) -> dict[str, Any]:
    """The submitted form as data for the schema; empty optional fields are left out, JSON is parsed."""
    data: dict[str, Any] = {}
    for field in fields(schema):
        raw = form.get(f"data.{field.name}", "")
        if field.kind == "checkbox":
            if raw:
                data[field.name] = raw == "on"
            continue
        if raw.strip() == "":
            continue
        if field.kind == "tristate":
            data[field.name] = raw == "true"
        elif field.kind == "json":
            try:
                data[field.name] = json.loads(raw)
            except (ValueError, RecursionError):  # malformed, or nested too deep to parse
                data[field.name] = raw  # the schema refuses it with a message naming the field
        elif field.kind == "number":
            data[field.name] = int(raw) if ASCII_INTEGER.fullmatch(raw.strip()) else raw  # "²".isdigit() is True
        else:
            data[field.name] = raw
    return data
