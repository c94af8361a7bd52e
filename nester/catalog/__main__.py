"""Write a catalog design's DXF plan: ``python -m nester.catalog chariot -o chariot.dxf --thickness 17.4``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nester.catalog.registry import DESIGNS, FitParameters, write_design_plan
from nester.errors import InputError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nester.catalog", description=__doc__)
    parser.add_argument("design", choices=sorted(DESIGNS))
    parser.add_argument("-o", "--out", type=Path, required=True, help="the DXF to write")
    parser.add_argument("--thickness", type=float, default=18.0, help="the sheet as measured, mm")
    parser.add_argument("--nominal-thickness", type=float, help="what shoulders and tenons are drawn for, mm "
                                                                "[default: the measured thickness]")
    parser.add_argument("--clearance", type=float, default=0.2, help="added to every slot and mortise, mm")
    parser.add_argument("--tool-diameter", type=float, default=6.0, help="sizes the dogbones, mm")
    parser.add_argument("--size", action="append", default=[], metavar="NAME=MM",
                        help="an overall size, e.g. --size width=1100 (see the design's dimensions)")
    args = parser.parse_args(argv)
    try:
        sizes = dict(_size(text) for text in args.size)
        fit = FitParameters(args.thickness, args.clearance, args.tool_diameter, args.nominal_thickness)
        write_design_plan(args.design, args.out, fit, sizes)
    except InputError as exc:
        print(f"nester.catalog: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    return 0


def _size(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise InputError(f"--size '{text}': expected NAME=MM, e.g. width=1100") from None


if __name__ == "__main__":
    sys.exit(main())
