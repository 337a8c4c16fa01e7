"""The base model of the scenario language and the helpers its types share.

Every model is frozen and rejects unknown fields. Models that are written in YAML as a single-key
mapping (``{lognormal: {median: 3m, p95: 15m}}``) declare that key in ``wrapper_key``; the base
unwraps it before validation, so the Python object is flat while error locations still follow the
YAML path exactly (the discriminator's tag is the key).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
Id = Annotated[str, Field(pattern=ID_PATTERN, description="an identifier: letters, digits, '-', '_', '.'")]
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]

# While a file is validated, maps id(raw mapping) → the model class that validated it, so that an
# "unknown field" error can suggest the fields that class accepts (see errors.py).
_validated_by: contextvars.ContextVar[dict[int, type[BaseModel]] | None] = contextvars.ContextVar(
    "_validated_by", default=None
)


def record_validating_models() -> tuple[
    dict[int, type[BaseModel]], contextvars.Token[dict[int, type[BaseModel]] | None]
]:
    """Start recording which model validated which raw mapping; undo with ``_validated_by.reset``."""
    registry: dict[int, type[BaseModel]] = {}
    return registry, _validated_by.set(registry)


def stop_recording(token: contextvars.Token[dict[int, type[BaseModel]] | None]) -> None:
    _validated_by.reset(token)


class StrictModel(BaseModel):
    """Frozen, closed model.

    ``wrapper_key``: written as ``{wrapper_key: ...}``. ``scalar_field``: the field that a scalar
    under that key fills (``{fixed: 5m}``). ``bare_scalar``: the scalar may stand alone (``5m``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    wrapper_key: ClassVar[str | None] = None
    scalar_field: ClassVar[str | None] = None
    bare_scalar: ClassVar[bool] = False  # may also be written as the scalar alone, without its key

    @model_validator(mode="before")
    @classmethod
    def _unwrap_and_record(cls, value: Any) -> Any:
        if cls.wrapper_key is not None and isinstance(value, dict) and cls.wrapper_key in value:
            value = value[cls.wrapper_key]
        if cls.scalar_field is not None and not isinstance(value, dict):
            return {cls.scalar_field: value}
        registry = _validated_by.get()
        if registry is not None and isinstance(value, dict):
            registry[id(value)] = cls
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: Callable[[Any], JsonSchemaValue]
    ) -> JsonSchemaValue:
        inner = handler(schema)
        if cls.wrapper_key is None:
            return inner
        if cls.scalar_field is not None:  # written {key: scalar}; the object form is internal
            inner = inner["properties"][cls.scalar_field]
        wrapped: JsonSchemaValue = {
            "type": "object",
            "properties": {cls.wrapper_key: inner},
            "required": [cls.wrapper_key],
            "additionalProperties": False,
        }
        return {"anyOf": [inner, wrapped]} if cls.bare_scalar else wrapped


def single_key_union(*members: type[StrictModel], default: str | None = None, what: str) -> Any:
    """A union written in YAML as a mapping with exactly one key naming the member.

    ``default`` names the member that takes a bare scalar (e.g. ``5m`` as a fixed distribution).
    """
    tags = [m.wrapper_key for m in members]
    assert all(tags), "every member of a single-key union needs a wrapper_key"

    def tag_of(value: Any) -> str | None:
        if isinstance(value, StrictModel):
            return type(value).wrapper_key
        if isinstance(value, dict):
            if len(value) == 1:
                key = next(iter(value))
                return key if key in tags else None
            return None
        return default

    expected = ", ".join(str(t) for t in tags)
    union: Any = Union[tuple(Annotated[m, Tag(m.wrapper_key or "")] for m in members)]  # noqa: UP007 (built at run time)
    return Annotated[
        union,
        Discriminator(
            tag_of,
            custom_error_type="one_of",
            custom_error_message=f"expected {what}: a mapping with exactly one of the keys {expected}",
        ),
    ]
