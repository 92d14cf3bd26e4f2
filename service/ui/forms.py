"""HTML form fields derived from an action's data schema, and the form's values turned back into data.

A list of objects (budget moves) is edited as rows of fields named `data.<list>.<row>.<field>`, never as JSON.
Amounts (fields ending in `_dkk`) are read the Danish way: "50.000", "50.000 kr." and "50000" are all 50000.
"""

import json
import re
import types
from dataclasses import dataclass
from dataclasses import field as attribute
from datetime import date
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from service.errors import Invalid
from service.ui.i18n import FIELDS
from service.ui.messages import readable

ASCII_INTEGER = re.compile(r"-?[0-9]{1,19}")
DANISH_AMOUNT = re.compile(r"(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,19})(?:,0{1,2})?")
MAX_ROWS = 100
Model = TypeVar("Model", bound=BaseModel)


def checked(model: type[Model], values: dict[str, Any]) -> Model:
    """Form values through a request model: a 422 naming each bad field by its label, never a 500."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise readable(error) from None


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str  # text, textarea, number, amount, date, checkbox, tristate, choice, rows, json
    label: str
    required: bool
    choices: tuple[str, ...] = ()
    description: str = ""
    labels: dict[str, str] = attribute(default_factory=dict)  # a choice's label where it is no translated word (a date)
    row: tuple["FormField", ...] = ()  # the fields of one row (kind "rows")


def row_model(schema: type[BaseModel], name: str) -> type[BaseModel] | None:
    """The model of a list field's items (`list[BudgetMove] | None` -> BudgetMove), if it is one."""
    annotation = schema.model_fields[name].annotation
    options = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else (annotation,)
    for option in options:
        if get_origin(option) is list:
            (item,) = get_args(option)
            return item if isinstance(item, type) and issubclass(item, BaseModel) else None
    return None


def _kind(name: str, spec: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    options = [s for s in spec.get("anyOf", [spec]) if s.get("type") != "null"]
    nullable = len(options) < len(spec.get("anyOf", [spec]))
    first = options[0] if options else {}
    kind = first.get("type")
    if "enum" in first:
        return "choice", tuple(first["enum"])
    if kind == "boolean":
        return ("tristate" if nullable else "checkbox"), ()
    if kind == "integer":
        return ("amount" if name.endswith("_dkk") else "number"), ()
    if kind == "string" and first.get("format") == "date":
        return "date", ()
    if kind == "string":
        return ("textarea" if (first.get("maxLength") or 0) > 300 else "text"), ()
    return "json", ()


def fields(schema: type[BaseModel] | None) -> list[FormField]:
    """One field per property of the schema; a list of objects becomes rows of that object's fields."""
    if schema is None:
        return []
    spec = schema.model_json_schema()
    required = set(spec.get("required", []))
    result = []
    for name, prop in spec.get("properties", {}).items():
        kind, choices = _kind(name, prop)
        label, description = prop.get("title", name), prop.get("description", "")
        item = row_model(schema, name)
        if item is not None:
            result.append(FormField(name, "rows", label, name in required, description=description, row=tuple(fields(item))))
        else:
            result.append(FormField(name, kind, label, name in required, choices, description))
    return result


def amount(raw: str) -> int | str:
    """ "50.000 kr." -> 50000; anything else is left as typed, for the schema to refuse by name."""
    plain = raw.strip().removesuffix(".").removesuffix("kr").removesuffix("kr.").strip().replace("\u00a0", "")
    if DANISH_AMOUNT.fullmatch(plain):
        return int(plain.split(",")[0].replace(".", ""))
    return raw


def one_value(field: FormField, raw: str) -> Any:
    if field.kind == "tristate":
        return raw == "true"
    if field.kind == "json":
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):  # malformed, or nested too deep to parse
            return raw  # the schema refuses it with a message naming the field
    if field.kind == "amount":
        return amount(raw)
    if field.kind == "number":
        return int(raw) if ASCII_INTEGER.fullmatch(raw.strip()) else raw  # "²".isdigit() is True
    return raw


def rows(field: FormField, form: dict[str, str], prefix: str) -> list[dict[str, Any]]:
    """The filled rows of a list field; rows left blank are dropped."""
    found = []
    for index in range(MAX_ROWS + 1):
        row = row_values(field.row, form, f"{prefix}.{index}.")
        if row:
            found.append(row)
    return found


def row_values(row: tuple[FormField, ...] | list[FormField], form: dict[str, str], prefix: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in row:
        raw = form.get(f"{prefix}{field.name}", "")
        if field.kind == "checkbox":
            if raw:
                data[field.name] = raw == "on"
        elif field.kind == "rows":
            listed = rows(field, form, f"{prefix}{field.name}")
            if listed or any(k.startswith(f"{prefix}{field.name}.") for k in form):
                data[field.name] = listed
        elif raw.strip():
            data[field.name] = one_value(field, raw)
    return data


def values(schema: type[BaseModel] | None, form: dict[str, str]) -> dict[str, Any]:
    """The submitted form as data for the schema; empty optional fields are left out."""
    return row_values(fields(schema), form, "data.")


# Dates of something that has happened (a letter received): a date after today is a typing error.
HAPPENED = frozenset({"received_on"})


def not_in_future(schema: type[BaseModel] | None, data: dict[str, Any], today: date) -> None:
    """Refuse (422) a date of something that has happened when it lies after today."""
    for field in fields(schema):
        value = data.get(field.name)
        if field.name in HAPPENED and isinstance(value, str) and value > today.isoformat():
            label = FIELDS.get(field.name, {"da": field.label, "en": field.label})
            raise Invalid(
                f"{label['en']} cannot be after today.",
                [{"field": f"data.{field.name}", "message": "in the future"}],
                da=f"{label['da']} kan ikke ligge efter i dag.",
            )
