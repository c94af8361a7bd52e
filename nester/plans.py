"""The entry point for plans: a DXF or SVG file in, Parts and warnings out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from nester.contours import build_parts, chain_loops
from nester.dxf_import import read_dxf
from nester.errors import InputError
from nester.layers import LayerRules
from nester.model import RIGHT_ANGLES, Machining, Part


@dataclass
class PlanImport:
    """The parts of one plan file and everything worth telling the user about it."""

    parts: list[Part]
    warnings: list[str] = field(default_factory=list)


def load_plan(
    path: str | Path,
    *,
    rules: LayerRules | None = None,
    units: str | None = None,
    quantity: int = 1,
    rotations: tuple[float, ...] | None = RIGHT_ANGLES,
    grain: bool = False,
    tolerance: float = 0.01,
    svg_colours: dict[str, Machining] | None = None,
) -> PlanImport:
    """Import a .dxf or .svg plan into Parts (coordinates as drawn, in mm).

    ``rules`` default to :meth:`LayerRules.default`; ``units`` overrides a DXF's
    ``$INSUNITS`` (an SVG states its own units); ``tolerance`` is how far apart
    (mm) two line ends may be and still join; ``svg_colours`` extends the SVG
    colour table. Every problem with the file is an :class:`InputError`.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError(f"{file}: no such file")
    if quantity < 1:
        raise InputError(f"{file}: quantity must be at least 1, got {quantity}")
    rules = rules or LayerRules.default()
    suffix = path.suffix.lower()
    if suffix == ".dxf":
        plan = read_dxf(path, rules=rules, units=units)
    elif suffix == ".svg":
        from nester.svg_import import read_svg  # svgpathtools pulls in scipy: 0.6 s, only for SVG plans

        plan = read_svg(path, rules=rules, colours=svg_colours)
        if units is not None:
            plan.warnings.append(f"{file}: units '{units}' ignored: an SVG file states its own units")
    else:
        raise InputError(f"{file}: unsupported plan type (expected .dxf or .svg)")
    chained = chain_loops(plan.shapes, tolerance, file=file)
    parts, part_warnings = build_parts(
        chained.loops,
        chained.open_paths,
        chained.points,
        name=path.stem,
        file=file,
        quantity=quantity,
        rotations=rotations,
        grain=grain,
        labels=plan.labels,
    )
    return PlanImport(parts, plan.warnings + chained.warnings + part_warnings)


def apply_production_list(parts: list[Part], quantities: dict[str, int], file: str) -> tuple[list[Part], list[str]]:
    """Set part quantities from a production list (see :mod:`nester.production`).

    A label matches a part's name or the stem of the plan it came from,
    case-insensitively. Parts listed with quantity 0 are left out. Returns the
    parts and warnings about parts the list omits and labels matching no part.
    """
    by_label = {label.casefold(): (label, quantity) for label, quantity in quantities.items()}
    matched: set[str] = set()
    kept: list[Part] = []
    warnings: list[str] = []
    for part in parts:
        keys = (part.name.casefold(), Path(part.source).stem.casefold())
        key = next((k for k in keys if k in by_label), None)
        if key is None:
            warnings.append(f"{file}: part '{part.name}' is not listed; making {part.quantity}")
            kept.append(part)
            continue
        matched.add(key)
        label, quantity = by_label[key]
        if quantity == 0:
            warnings.append(f"{file}: part '{part.name}' is listed as '{label}' with quantity 0; not made")
        else:
            kept.append(replace(part, quantity=quantity))
    for key, (label, _) in by_label.items():
        if key not in matched:
            warnings.append(f"{file}: label '{label}' matches no part")
    return kept, warnings
