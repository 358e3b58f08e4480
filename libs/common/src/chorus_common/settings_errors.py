"""Settings that can never work, said in one line naming the environment variables.

pydantic reports a field name and a location; an operator set an environment variable.
``load_settings`` turns a ValidationError (or pydantic-settings' SettingsError for a JSON
value that does not parse) into ``ConfigError``: "invalid setting TOPIC_PARTITIONS='-1':
must be at least 1". Values are shown only for number, choice and boolean settings, never
for secrets or URLs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from types import UnionType
from typing import Any, TypeVar, Union, get_origin

from pydantic import AliasChoices, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsError

S = TypeVar("S", bound=BaseSettings)

# sysexits.h: a setting is wrong / a dependency stayed unreachable. `chorus run` does not
# restart a service that exited with EX_CONFIG: the same settings would fail again.
EX_CONFIG = 78
EX_UNAVAILABLE = 69

# Errors whose input is a plain word or number, safe and useful to repeat.
_SHOW_INPUT = ("literal_error", "enum", "int_", "float_", "bool_", "greater_", "less_")
_SECRET_HINTS = ("secret", "password", "token", "url", "key")
_FIELD_IN_SOURCE = re.compile(r'field "([^"]+)"')


class ConfigError(Exception):
    """One line: which settings are wrong and why."""


def load_settings(cls: type[S], **overrides: Any) -> S:
    """``cls(**overrides)`` with the rest from the environment, or ConfigError with one line
    naming each variable."""
    try:
        return cls(**overrides)
    except ValidationError as exc:
        raise ConfigError(describe(exc, cls)) from None
    except SettingsError as exc:
        raise ConfigError(describe_source_error(exc, cls)) from None


def env_name(cls: type[BaseSettings], key: str, environ: Mapping[str, str] | None = None) -> str:
    """The environment variable behind a field (or alias) name: the one set, if any is."""
    environ = os.environ if environ is None else environ
    names = _candidates(cls, key)
    present = {k.upper() for k in environ}
    return next((n for n in names if n in present), names[0])


def _candidates(cls: type[BaseSettings], key: str) -> list[str]:
    prefix = str(cls.model_config.get("env_prefix") or "")
    for name, info in cls.model_fields.items():
        alias = info.validation_alias
        choices = [str(c) for c in alias.choices] if isinstance(alias, AliasChoices) else []
        if key == name or key in choices or (isinstance(alias, str) and key == alias):
            if choices:
                return [(c if c.isupper() else prefix + c).upper() for c in choices]
            return [(alias if isinstance(alias, str) else prefix + name).upper()]
    return [key.upper()]


def _secret(cls: type[BaseSettings], key: str) -> bool:
    info = cls.model_fields.get(key)
    if info is not None and info.annotation is SecretStr:
        return True
    return any(h in key.lower() for h in _SECRET_HINTS)


def _reason(error: Mapping[str, Any]) -> str:
    msg = str(error["msg"]).removeprefix("Value error, ")
    return " ".join(msg.split())  # one line, whatever a validator wrote


def describe(
    exc: ValidationError, cls: type[BaseSettings], environ: Mapping[str, str] | None = None
) -> str:
    """Each error as ``NAME: reason`` (``NAME='value'`` for plain values), joined by "; "."""
    parts: list[str] = []
    by_field: dict[str, list[Mapping[str, Any]]] = {}
    for error in exc.errors():
        if error["loc"]:
            by_field.setdefault(str(error["loc"][0]), []).append(error)
        else:  # a check across settings: its message names them
            parts.append(_reason(error))
    for key, errors in by_field.items():
        parts.append(_field_part(cls, key, errors, environ))
    if len(parts) == 1 and by_field:
        return f"invalid setting {parts[0]}"
    return "invalid settings: " + "; ".join(parts)


def _field_part(
    cls: type[BaseSettings],
    key: str,
    errors: list[Mapping[str, Any]],
    environ: Mapping[str, str] | None,
) -> str:
    first = errors[0]
    info = cls.model_fields.get(key)
    union = info is not None and get_origin(info.annotation) in (Union, UnionType)
    if union:  # one error per member of the union: "should be 'auto' or a valid boolean"
        heads = [_reason(e).split(", ")[0] for e in errors]
        reason = " or ".join([heads[0], *(h.removeprefix("Input should be ") for h in heads[1:])])
        where = ""
    else:
        reason = "; ".join(_reason(e) for e in errors)
        inner = [str(x) for x in first["loc"][1:]]
        where = f" (at {'.'.join(inner)})" if inner else ""
    value = first.get("input")
    numeric = info is not None and info.annotation in (int, float)
    plain = isinstance(value, int | float) or (
        isinstance(value, str) and (numeric or str(first["type"]).startswith(_SHOW_INPUT))
    )
    shown = f"={value!r}" if plain and not _secret(cls, key) and len(str(value)) <= 60 else ""
    head = reason.split(" ", 1)[0]
    if not head.isupper():  # a sentence, not a variable's name leading its own message
        reason = reason[:1].lower() + reason[1:]
    return f"{env_name(cls, key, environ)}{shown}{where}: {reason}"


def describe_source_error(
    exc: SettingsError, cls: type[BaseSettings], environ: Mapping[str, str] | None = None
) -> str:
    """pydantic-settings could not read a value (a JSON setting that does not parse)."""
    found = _FIELD_IN_SOURCE.search(str(exc))
    cause = exc.__cause__
    why = " ".join(str(cause).split()) if cause is not None else str(exc)
    if found is None:
        return f"invalid settings: {why}"
    return f"invalid setting {env_name(cls, found.group(1), environ)}: not valid JSON ({why})"
