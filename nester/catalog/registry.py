"""The catalog's designs by name: what an order's `item = "chariot"` refers to.

Every design is parametric in the same few fit parameters (the measured sheet
thickness, the clearance added to every slot, the tool diameter that sizes the
dogbones, the nominal thickness shoulders are drawn for) plus its own overall
dimensions, and writes its parts as a DXF plan in the project's layer conventions,
so it goes through the same import and pipeline as any downloaded plan. The flat
designs also say where each part of their plan stands in the assembled piece.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from nester.catalog import chariot, maisonnette, porte, stool
from nester.catalog.assembly import Placement3D
from nester.catalog.fit import FitParameters
from nester.catalog.plan_sheet import Plan, draw_plan
from nester.errors import InputError

__all__ = ["DESIGNS", "Design", "FitParameters", "design", "design_assembly", "register", "write_design_plan"]

Assembly = tuple[tuple[str, Placement3D], ...]


@dataclass(frozen=True)
class Design:
    """name: as orders spell it; write_plan(path, fit, dimensions) writes the DXF;
    dimensions: the overall sizes it accepts, with their defaults (mm); assembly(fit,
    dimensions): each part of that plan, as drawn there, placed in the piece (None: not modelled)."""

    name: str
    title: str
    write_plan: Callable[[Path, FitParameters, dict[str, float]], None]
    dimensions: dict[str, float] = field(default_factory=dict)
    assembly: Callable[[FitParameters, dict[str, float]], Assembly] | None = None


def _write_stool(path: Path, fit: FitParameters, dimensions: dict[str, float]) -> None:
    stool.write_plan(path, stool.StoolParameters(thickness=fit.thickness, clearance=fit.clearance,
                                                  tool_diameter=fit.tool_diameter,
                                                  nominal_thickness=fit.nominal_thickness, **dimensions))


def _stool_dimensions() -> dict[str, float]:
    defaults = stool.StoolParameters()
    fit = {f.name for f in fields(FitParameters)}
    return {f.name: getattr(defaults, f.name) for f in fields(defaults) if f.name not in fit}


def flat_design(name: str, title: str, module: ModuleType) -> Design:
    """A design whose module gives ``DIMENSIONS`` and ``parts(fit, dimensions)`` (flat parts)."""

    def plan(fit: FitParameters, dimensions: dict[str, float]) -> Plan:
        sizes = {**module.DIMENSIONS, **dimensions}
        nominal = replace(fit, thickness=fit.nominal)
        try:
            return draw_plan(module.parts(fit, sizes), label_parts=module.parts(nominal, sizes))
        except InputError:
            raise
        except ValueError as exc:  # the dimensions or the fit make a part impossible
            raise InputError(f"{name}: {exc}") from None

    def write(path: Path, fit: FitParameters, dimensions: dict[str, float]) -> None:
        plan(fit, dimensions).drawing.saveas(path)

    return Design(name, title, write, dict(module.DIMENSIONS), lambda fit, dims: plan(fit, dims).assembly)


DESIGNS: dict[str, Design] = {
    "stool": Design("stool", "slot-together stool (plycut's demo)", _write_stool, _stool_dimensions()),
    "maisonnette": flat_design("maisonnette", "booth for a mediator and a visitor side by side", maisonnette),
    "chariot": flat_design("chariot", "kit cart that unfolds into a workbench", chariot),
    "porte": flat_design("porte", "counter under an arch carrying the sign", porte),
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
    try:
        chosen.write_plan(path, fit, given)
    except InputError as exc:
        raise InputError(f"{where}: {exc}" if where else str(exc)) from None
    return path


def design_assembly(name: str, fit: FitParameters | None = None,
                    dimensions: dict[str, Any] | None = None) -> Assembly:
    """Where each part of the plan ``write_design_plan`` writes stands in the assembled piece."""
    chosen = design(name)
    if chosen.assembly is None:
        raise InputError(f"{name}: no assembly model")
    return chosen.assembly(fit or FitParameters(), dict(dimensions or {}))
