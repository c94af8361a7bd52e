"""One entry point for every instance file: the format is told from the content, not the name.

JSON with ``item_types`` and ``bin_types``: PackingSolver. JSON with ``items`` (and
``strip_height`` or ``bins``): jagua-rs/sparrow (a sparrow solution file works too,
its instance is read; so does plycut's own solution document with an
``instance`` key). Text starting with a piece count and a bin size: terashima.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nester.errors import InputError
from nester.formats.jagua_json import read_jagua
from nester.formats.packingsolver_json import is_packingsolver, read_packingsolver
from nester.formats.terashima import looks_like_terashima, read_terashima
from nester.problem import Problem

FORMATS = "jagua-rs/sparrow JSON, PackingSolver JSON or a terashima text file"


def read_instance(path: str | Path, unit: str = "auto") -> Problem:
    """The Problem in ``path``, whatever its format. ``unit`` applies to PackingSolver files (see there)."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")  # terashima files are Latin-1
    except OSError as error:
        raise InputError(f"{source}: cannot read: {error.strerror or error}") from error
    if text.lstrip().startswith(("{", "[")):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"{source}: line {error.lineno}: invalid JSON: {error.msg}") from error
        return read_document(doc, source, unit)
    if looks_like_terashima(text):
        return read_terashima(text, source)
    raise InputError(f"{source}: unknown format: expected {FORMATS}")


def read_document(doc: Any, source: str, unit: str = "auto") -> Problem:
    """The Problem of an already parsed JSON document, whichever of the JSON formats it is."""
    if is_packingsolver(doc):
        return read_packingsolver(doc, source, unit)
    if isinstance(doc, dict) and isinstance(doc.get("instance"), dict):
        doc = doc["instance"]
    if isinstance(doc, dict) and "items" in doc:
        return read_jagua(doc, source)
    keys = ", ".join(sorted(doc)[:6]) if isinstance(doc, dict) else type(doc).__name__
    raise InputError(f"{source}: unknown format (keys: {keys or 'none'}): expected {FORMATS}")
