"""What a toolpath program does, read back from its steps: moves, lengths, preview polylines."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Iterator, Union

from gcode.arcs import Point, arc_length, sample_arc
from gcode.toolpath import ArcCut, Cut, Rapid, Step

Position = tuple[Union[float, None], Union[float, None], Union[float, None]]

PREVIEW_CHORD_ERROR = 0.1  # mm


@dataclass(frozen=True)
class Move:
    """One motion step with the position it starts from (None: that axis is not known yet)."""

    start: Position
    end: Position
    step: Union[Rapid, Cut, ArcCut]

    @property
    def is_rapid(self) -> bool:
        return isinstance(self.step, Rapid)

    @property
    def below_top(self) -> bool:
        """True when the move goes below the top of the sheet (z < 0) anywhere."""
        return any(z is not None and z < 0.0 for z in (self.start[2], self.end[2]))

    def length(self) -> float:
        """Path length in mm; axes whose start is unknown count as not moving."""
        dz = _delta(self.start[2], self.end[2])
        if isinstance(self.step, ArcCut) and None not in self.start[:2]:
            xy = arc_length(self.start[:2], self.end[:2], (self.step.cx, self.step.cy), self.step.clockwise)
            return math.hypot(xy, dz)
        return math.hypot(_delta(self.start[0], self.end[0]), _delta(self.start[1], self.end[1]), dz)

    def xy_points(self, chord_error: float) -> list[Point]:
        """XY points the move passes through after its start (arcs sampled); [] if XY is unknown."""
        if None in self.end[:2]:
            return []
        if isinstance(self.step, ArcCut) and None not in self.start[:2]:
            return sample_arc(self.start[:2], self.end[:2], (self.step.cx, self.step.cy), self.step.clockwise,
                              chord_error)
        return [self.end[:2]]


def moves(steps: Iterable[Step]) -> Iterator[Move]:
    """Every motion step of a program with its start position; other steps are skipped."""
    x = y = z = None
    for step in steps:
        if isinstance(step, Rapid):
            end = (_keep(x, step.x), _keep(y, step.y), _keep(z, step.z))
        elif isinstance(step, (Cut, ArcCut)):
            end = (step.x, step.y, step.z)
        else:
            continue
        yield Move((x, y, z), end, step)
        x, y, z = end


def program_lengths(steps: Iterable[Step]) -> tuple[float, float]:
    """(mm of feed moves, mm of rapid moves), XY and Z together."""
    feed = rapid = 0.0
    for move in moves(steps):
        if move.is_rapid:
            rapid += move.length()
        else:
            feed += move.length()
    return feed, rapid


def program_polylines(steps: Iterable[Step], chord_error: float = PREVIEW_CHORD_ERROR) -> dict[str, list[list[Point]]]:
    """XY polylines of a program for previews.

    "cut": feed moves that go below the top of the sheet; "air": feed moves above
    it; "rapid": rapid moves. Arcs are sampled within chord_error. A move joins
    the previous polyline when it is of the same kind and starts where it ended.
    """
    lines: dict[str, list[list[Point]]] = {"cut": [], "rapid": [], "air": []}
    current_kind = None
    for move in moves(steps):
        kind = "rapid" if move.is_rapid else ("cut" if move.below_top else "air")
        if None in move.end[:2]:
            current_kind = None
            continue
        if kind != current_kind or None in move.start[:2]:
            lines[kind].append([] if None in move.start[:2] else [move.start[:2]])
            current_kind = kind
        polyline = lines[kind][-1]
        for point in move.xy_points(chord_error):
            if not polyline or math.dist(polyline[-1], point) > 1e-9:
                polyline.append(point)
    return {kind: [line for line in polylines if len(line) >= 2] for kind, polylines in lines.items()}


def _keep(old: float | None, new: float | None) -> float | None:
    return old if new is None else new


def _delta(start: float | None, end: float | None) -> float:
    return 0.0 if start is None or end is None else end - start
