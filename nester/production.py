"""Production lists: how many of each part to make (WikiHouse ``*_production.csv``).

The file is ``Label,Quantity`` with a header row. Spreadsheets add a byte-order
mark, French locales write ``;`` separators and Windows code pages: all three
are accepted. Labels match per-part DXF file stems, case-insensitively.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from nester.errors import InputError


def read_text(path: Path, file: str) -> str:
    """A spreadsheet's CSV as text: UTF-8 (with or without a byte-order mark), else Windows cp1252."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{file}: no such file") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read the file ({exc.strerror})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows


def _column(header: list[str], name: str, file: str, line: int) -> int:
    names = [cell.strip().lower() for cell in header]
    if name not in names:
        raise InputError(
            f"{file}: line {line}: expected a header with 'Label' and 'Quantity' columns, got {','.join(header)!r}"
        )
    return names.index(name)


def read_production_list(path: str | Path) -> dict[str, int]:
    """Label -> quantity from a ``Label,Quantity`` CSV (quantity 0 means: do not make it)."""
    file = str(path)
    lines = read_text(Path(path), file).splitlines()
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        raise InputError(f"{file}: empty production list")
    header_line, header_text = numbered[0]
    delimiter = ";" if header_text.count(";") > header_text.count(",") else ","
    header = next(csv.reader([header_text], delimiter=delimiter))
    label_column = _column(header, "label", file, header_line)
    quantity_column = _column(header, "quantity", file, header_line)

    quantities: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for number, text in numbered[1:]:
        row = next(csv.reader([text], delimiter=delimiter))
        cells = row + [""] * (max(label_column, quantity_column) + 1 - len(row))
        label, quantity = cells[label_column].strip(), cells[quantity_column].strip()
        if not label:
            raise InputError(f"{file}: line {number}: empty label")
        if not re.fullmatch(r"\d+", quantity):
            raise InputError(f"{file}: line {number}: quantity '{quantity}' for '{label}' is not a whole number")
        key = label.casefold()
        if key in first_seen:
            raise InputError(f"{file}: line {number}: label '{label}' is already listed on line {first_seen[key]}")
        first_seen[key] = number
        quantities[label] = int(quantity)
    return quantities
