"""Labels in Danish and English beside what they label: schema fields and their choices.

A field is declared with `labelled(da, en, ...)` (its pydantic `Field`, carrying both labels), and a field with
fixed choices names each choice's labels too. `registry.validate` refuses a schema field without them, and the UI
reads every label from here (`field_labels`, `choice_labels`), so no label lives apart from its field.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, Field

# Fields the engine's effects write into a case's data (not typed by anyone), with their labels.
DERIVED_FIELDS = {
    "central_board_meeting_id": {"da": "Møde i Boligsocial Bestyrelse", "en": "Central-board meeting"},
    "lbf_approved_on": {"da": "Godkendt af LBF", "en": "Approved by LBF"},
    "round_rule": {"da": "Beslutningsregel for runden", "en": "Decision rule of the round"},
}


def labelled(da: str, en: str, *, choices: Mapping[str, tuple[str, str]] | None = None, **field: Any) -> Any:
    """A pydantic Field with its Danish and English label (and, for fixed choices, theirs)."""
    extra: dict[str, Any] = {"da": da, "en": en}
    if choices:
        extra["choices"] = {value: {"da": c_da, "en": c_en} for value, (c_da, c_en) in choices.items()}
    return Field(title=en, json_schema_extra=extra, **field)


def properties(schema: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """Every property of a schema and of the models nested in it, by name."""
    spec = schema.model_json_schema()
    found: dict[str, dict[str, Any]] = {}
    for definition in [spec, *spec.get("$defs", {}).values()]:
        found.update(definition.get("properties", {}))
    return found


def unlabelled(schema: type[BaseModel]) -> list[str]:
    """The fields of a schema that lack a label in either language, or labels for their choices."""
    missing = []
    for name, prop in properties(schema).items():
        if not (prop.get("da") and prop.get("en")):
            missing.append(name)
        options = [o for o in prop.get("anyOf", [prop]) if "enum" in o]
        if options and set(options[0]["enum"]) - set(prop.get("choices", {})):
            missing.append(f"{name} (choices)")
    return missing


def field_labels(schemas: Iterable[type[BaseModel]]) -> dict[str, dict[str, str]]:
    """name -> {"da", "en"} for every field of the schemas."""
    return {
        name: {"da": prop["da"], "en": prop["en"]}
        for schema in schemas
        for name, prop in properties(schema).items()
        if "da" in prop
    }


def choice_labels(schemas: Iterable[type[BaseModel]]) -> dict[str, dict[str, str]]:
    """value -> {"da", "en"} for every fixed choice of the schemas' fields."""
    return {
        value: labels
        for schema in schemas
        for prop in properties(schema).values()
        for value, labels in prop.get("choices", {}).items()
    }
