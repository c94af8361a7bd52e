"""An SVG of a solution: every layout stacked top to bottom, in one self-contained file.

Each layout shows its container (the strip 0..L x 0..H, or the bin's outline and
holes), its no-go zones hatched red, and the placed items filled (holes left
open, one colour per item type), under a caption with the bin and its density.
Geometry is drawn y-up as in the instance; captions sit outside the flipped
groups so they read the right way up. Each group and item carries a <title>, so
a browser shows it on hover.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from shapely.geometry import Polygon, box

from nester.files import write_atomic
from nester.model import place
from nester.preview import path_data, svg_number
from nester.problem import BinLayout, Solution

STYLE = (
    ".container{fill:#f4efe6;stroke:#6b5b45}"
    ".zone{fill:url(#hatch);stroke:#c0392b}"
    ".item{stroke:#222;fill-opacity:0.85}"
    ".caption{font-family:sans-serif;fill:#222}"
)


def solution_svg(solution: Solution) -> str:
    """The SVG document (text) of a solution."""
    frames = [_frame(solution, layout) for layout in solution.layouts]
    size = max((max(f.bounds[2] - f.bounds[0], f.bounds[3] - f.bounds[1]) for f in frames), default=1.0)
    caption, gap, line = 0.05 * size, 0.04 * size, size / 1000
    width = max((f.bounds[2] - f.bounds[0] for f in frames), default=size)
    body, top = [], 0.0
    for layout, frame in zip(solution.layouts, frames):
        x0, y0, x1, y1 = frame.bounds
        top += caption
        body.append(f'<text class="caption" x="0" y="{svg_number(top - caption / 4)}" '
                    f'font-size="{svg_number(caption * 0.6)}">{escape(_caption(solution, layout))}</text>')
        body.append(f'<g transform="matrix(1 0 0 -1 {svg_number(-x0)} {svg_number(top + y1)})">')
        body.append(f"<title>{escape(_caption(solution, layout))}</title>")
        body += _layout_elements(solution, layout, frame)
        body.append("</g>")
        top += (y1 - y0) + gap
    height = max(top - gap, caption)
    head = [
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'viewBox="0 0 {svg_number(width)} {svg_number(height)}" width="{svg_number(width)}mm" '
        f'height="{svg_number(height)}mm" stroke-width="{svg_number(line)}">',
        f"<title>{escape(_summary(solution))}</title>",
        f"<style>{STYLE}</style>",
        '<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="8" height="8" '
        f'patternTransform="scale({svg_number(size / 400)})"><rect width="8" height="8" fill="#f6d5d1"/>'
        '<path d="M0,8 L8,0" stroke="#c0392b" stroke-width="1"/></pattern></defs>',
    ]
    return "\n".join(head + body + ["</svg>"]) + "\n"


def write_solution_svg(path: str | Path, solution: Solution) -> None:
    """Write :func:`solution_svg` atomically."""
    write_atomic(Path(path), solution_svg(solution))


def _frame(solution: Solution, layout: BinLayout) -> Polygon:
    problem = solution.problem
    if problem.is_strip:
        placed_x = [place(problem.items[p.item_id].shape, p.rotation, p.translation).bounds[2] for p in layout.placed]
        length = solution.strip_length or max(placed_x, default=problem.strip_height)
        return box(0.0, 0.0, length, problem.strip_height)
    return problem.bins[layout.container_id].shape


def _layout_elements(solution: Solution, layout: BinLayout, frame: Polygon) -> list[str]:
    problem = solution.problem
    elements = [f'<path class="container" fill-rule="evenodd" d="{path_data(frame)}"/>']
    if not problem.is_strip:
        elements += [f'<path class="zone" fill-rule="evenodd" d="{path_data(zone)}"/>'
                     for zone in problem.bins[layout.container_id].zones]
    for placed in layout.placed:
        item = problem.items[placed.item_id]
        outline = place(item.shape, placed.rotation, placed.translation)
        elements.append(
            f'<path class="item" fill="{_colour(placed.item_id, len(problem.items))}" fill-rule="evenodd" '
            f'd="{path_data(outline)}"><title>{escape(item.label())}, {placed.rotation:g}°</title></path>'
        )
    return elements


def _caption(solution: Solution, layout: BinLayout) -> str:
    density = f"density {100 * solution.layout_density(layout):.2f} %"
    if solution.problem.is_strip:
        return f"strip {svg_number(solution.strip_length or 0.0)} x {svg_number(solution.problem.strip_height)}: {density}"
    container = solution.problem.bins[layout.container_id]
    count = len(layout.placed)
    return f"{container.label()}: {count} item{'' if count == 1 else 's'}, {density}"


def _summary(solution: Solution) -> str:
    text = f"{solution.problem.name}: density {100 * solution.density:.2f} %, {len(solution.layouts)} layout(s)"
    unplaced = sum(solution.unplaced.values())
    return text + (f", {unplaced} copies unplaced" if unplaced else "")


def _colour(item_id: int, count: int) -> str:
    """Item types get hues spread round the wheel, so neighbours of different types stand apart."""
    hue = (item_id * 137.508) % 360 if count > 12 else 360 * item_id / max(count, 1)
    return f"hsl({hue:.0f},55%,65%)"
