"""Read a TOML table key by key, so that every bad or unknown key is named.

Each accessor records the key it read; ``done()`` then rejects whatever was
not read, which catches typos ("feeed") without a second list of allowed keys.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from nester.errors import InputError

_MISSING = object()


def load_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None


class TableReader:
    """Typed access to one TOML table; ``where`` is its dotted path for messages."""

    def __init__(self, data: dict[str, Any], file: Path | str, where: str = "") -> None:
        self._data = data
        self._file = file
        self._where = where
        self._read: set[str] = set()

    @property
    def file(self) -> Path | str:
        return self._file

    def error(self, key: str, problem: str) -> InputError:
        return InputError(f"{self._file}: key '{self._path(key)}': {problem}")

    def _path(self, key: str) -> str:
        return f"{self._where}.{key}" if self._where else key

    def keys(self) -> list[str]:
        return list(self._data)

    def has(self, key: str) -> bool:
        return key in self._data

    def _absent(self, key: str, default: Any) -> bool:
        """Mark the key read; True when it is absent and has a default to fall back on."""
        self._read.add(key)
        if key in self._data:
            return False
        if default is _MISSING:
            raise InputError(f"{self._file}: missing key '{self._path(key)}'")
        return True

    def number(self, key: str, default: Any = _MISSING, *, minimum: float | None = None,
               maximum: float | None = None, positive: bool = False) -> float:
        if self._absent(key, default):
            return default
        value = self._data[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(key, f"expected a number, got {value!r}")
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise self.error(key, f"expected a finite number, got {value!r}")
        if positive and value <= 0:
            raise self.error(key, f"must be greater than 0, got {value:g}")
        if minimum is not None and value < minimum:
            raise self.error(key, f"must be at least {minimum:g}, got {value:g}")
        if maximum is not None and value > maximum:
            raise self.error(key, f"must be at most {maximum:g}, got {value:g}")
        return value

    def integer(self, key: str, default: Any = _MISSING, *, minimum: int | None = None) -> int:
        if self._absent(key, default):
            return default
        value = self._data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected a whole number, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value}")
        return value

    def string(self, key: str, default: Any = _MISSING, *, choices: tuple[str, ...] | None = None) -> str:
        if self._absent(key, default):
            return default
        value = self._data[key]
        if not isinstance(value, str):
            raise self.error(key, f"expected a string, got {value!r}")
        if choices is not None and value not in choices:
            raise self.error(key, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    def boolean(self, key: str, default: Any = _MISSING) -> bool:
        if self._absent(key, default):
            return default
        value = self._data[key]
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def numbers(self, key: str, default: Any = _MISSING, *, length: int | None = None) -> tuple[float, ...]:
        if self._absent(key, default):
            return default
        value = self._data[key]
        if not isinstance(value, list) or any(
            isinstance(v, bool) or not isinstance(v, (int, float)) for v in value
        ):
            raise self.error(key, f"expected a list of numbers, got {value!r}")
        if length is not None and len(value) != length:
            raise self.error(key, f"expected {length} numbers, got {len(value)}")
        return tuple(float(v) for v in value)

    def table(self, key: str, *, required: bool = False) -> TableReader:
        value = {} if self._absent(key, _MISSING if required else None) else self._data[key]
        if not isinstance(value, dict):
            raise self.error(key, "expected a table")
        return TableReader(value, self._file, self._path(key))

    def tables(self, key: str) -> list[TableReader]:
        value = [] if self._absent(key, None) else self._data[key]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, f"expected an array of tables ([[{key}]])")
        return [TableReader(v, self._file, f"{self._path(key)}[{i}]") for i, v in enumerate(value)]

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        return default if self._absent(key, default) else self._data[key]

    def done(self) -> None:
        unknown = [k for k in self._data if k not in self._read]
        if unknown:
            where = f" in [{self._where}]" if self._where else ""
            raise InputError(f"{self._file}: unknown key '{unknown[0]}'{where}")
