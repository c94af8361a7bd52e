"""The catalog's designs by name: what an order's `item = "chariot"` refers to.

Every design is parametric in the same few fit parameters (the measured sheet
thickness, the clearance added to every slot, the tool diameter that sizes the
dogbones) plus its own overall dimensions, and writes its parts as a DXF plan in
the project's layer conventions, so it goes through the same import and pipeline
as any downloaded plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable

from nester.catalog import stool
from nester.errors import InputError


@dataclass(frozen=True)
class FitParameters:
    """mm. thickness: the sheet as measured; clearance: added to every slot and mortise."""

    thickness: float = 18.0
    clearance: float = 0.2
    tool_diameter: float = 6.0


@dataclass(frozen=True)
class Design:
    """name: as orders spell it; write_plan(path, fit, dimensions) writes the DXF;
    dimensions: the overall sizes it accepts, with their defaults (mm)."""

    name: str
    title: str
    write_plan: Callable[[Path, FitParameters, dict[str, float]], None]
    dimensions: dict[str, float] = field(default_factory=dict)


def _write_stool(path: Path, fit: FitParameters, dimensions: dict[str, float]) -> None:
    stool.write_plan(path, stool.StoolParameters(thickness=fit.thickness, clearance=fit.clearance,
                                                  tool_diameter=fit.tool_diameter, **dimensions))


def _stool_dimensions() -> dict[str, float]:
    defaults = stool.StoolParameters()
    return {f.name: getattr(defaults, f.name) for f in fields(defaults)
            if f.name not in ("thickness", "clearance", "tool_diameter")}


DESIGNS: dict[str, Design] = {
    "stool": Design("stool", "slot-together stool (plycut's demo)", _write_stool, _stool_dimensions()),
}


def register(design: Design) -> None:
    DESIGNS[design.name] = design


def design(name: str, *, where: str = "") -> Design:
    """The design called ``name``; InputError naming ``where`` (file, row) and the known ones."""
    if name not in DESIGNS:
        prefix = f"{where}: " if where else ""
        raise InputError(f"{prefix}unknown item {name!r}; the catalog has {', '.join(sorted(DESIGNS))}")
    return DESIGNS[name]


def write_design_plan(name: str, path: Path, fit: FitParameters = FitParameters(),
                      dimensions: dict[str, Any] | None = None, *, where: str = "") -> Path:
    """Write the DXF plan of design ``name``; unknown dimension names are refused."""
    chosen = design(name, where=where)
    given = dict(dimensions or {})
    unknown = sorted(set(given) - set(chosen.dimensions))
    if unknown:
        raise InputError(f"{where + ': ' if where else ''}{name}: unknown dimension {unknown[0]!r}; "
                         f"known: {', '.join(sorted(chosen.dimensions))}")
    chosen.write_plan(path, fit, given)
    return path
