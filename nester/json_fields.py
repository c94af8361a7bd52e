"""Reading keys and numbers out of parsed JSON, with one-line errors that name the file and the key.

Every reader of a JSON format goes through these, so a missing key, a string
where a number belongs or a NaN all stop with the same kind of message:
``"<file>: <where>: ..."``.
"""

from __future__ import annotations

import math
from typing import Any

from nester.errors import InputError


def field(container: Any, key: str, source: str, where: str) -> Any:
    """``container[key]``, or InputError when container is not an object or lacks the key."""
    if not isinstance(container, dict):
        raise InputError(f"{source}: {where}: expected an object")
    if key not in container:
        raise InputError(f"{source}: {where}: missing key {key!r}")
    return container[key]


def number(value: Any, source: str, where: str, kind: type = float) -> Any:
    """A finite number (an integer when ``kind`` is int), or InputError naming ``where``."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not is_number or (kind is int and not float(value).is_integer()):
        raise InputError(f"{source}: {where}: expected {'an integer' if kind is int else 'a number'}, got {value!r}")
    return kind(value)


def listed(value: Any, source: str, where: str) -> list:
    """``value`` when it is a JSON list, else InputError."""
    if not isinstance(value, list):
        raise InputError(f"{source}: {where}: expected a list")
    return value


def optional_number(container: dict, key: str, default: Any, source: str, where: str, kind: type = float) -> Any:
    """``container[key]`` as a number when present, else ``default``."""
    if key not in container:
        return default
    return number(container[key], source, f"{where}.{key}", kind)
