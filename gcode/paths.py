"""Tool-centre paths in the XY plane: straight and circular segments from a start point.

A :class:`Path2D` is what one pass of the tool follows; the pass depth and the
tab lifts are added when it becomes toolpath steps. Keeping arcs as arcs (not
chords) lets a circle become true G2/G3 moves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Sequence

from gcode.arc_fit import fit_segments
from gcode.arcs import (
    SAME_POINT,
    Circle,
    Point,
    arc_sweep,
    fit_circle,
    rotate_about,
    sample_arc,
)
from gcode.segments import Arc, Line, Segment
from nester.model import place_point

# mm: a tool-centre circle this small is cut as a plunge at its centre. The tool
# then misses the circle it should cut by at most this much, while the circle's
# half arcs, written at the 0.001 mm G-code resolution, could shrink to nothing.
PLUNGE_RADIUS = 0.005




@dataclass(frozen=True)
class SegmentSpan:
    """A segment with where it starts, in space and in length along its path."""

    segment: Segment
    start: Point
    offset: float  # path length before the segment
    length: float

    def point_at(self, distance: float) -> Point:
        """The point this far (mm) from the segment's start."""
        seg = self.segment
        if isinstance(seg, Line):
            t = 0.0 if self.length == 0.0 else distance / self.length
            return (self.start[0] + t * (seg.end[0] - self.start[0]), self.start[1] + t * (seg.end[1] - self.start[1]))
        radius = math.dist(self.start, seg.centre)
        angle = distance / radius
        return rotate_about(self.start, seg.centre, -angle if seg.clockwise else angle)

    def direction_at(self, distance: float) -> float:
        """Heading of the motion (radians) this far along the segment."""
        seg = self.segment
        if isinstance(seg, Line):
            return math.atan2(seg.end[1] - self.start[1], seg.end[0] - self.start[0])
        x, y = self.point_at(distance)
        radial = math.atan2(y - seg.centre[1], x - seg.centre[0])
        return radial - math.pi / 2.0 if seg.clockwise else radial + math.pi / 2.0

    @property
    def turning(self) -> float:
        """How far the heading turns inside the segment (radians): 0 for a line."""
        if isinstance(self.segment, Line):
            return 0.0
        return self.length / math.dist(self.start, self.segment.centre)


def segment_length(start: Point, segment: Segment) -> float:
    """XY length of a segment that starts at start."""
    if isinstance(segment, Line):
        return math.dist(start, segment.end)
    return math.dist(start, segment.centre) * arc_sweep(start, segment.end, segment.centre, segment.clockwise)


@dataclass(frozen=True)
class Path2D:
    """The XY motion of one pass: start, then segments. No segments: a plunge at start."""

    start: Point
    segments: tuple[Segment, ...] = ()

    @property
    def end(self) -> Point:
        return self.segments[-1].end if self.segments else self.start

    def spans(self) -> Iterator[SegmentSpan]:
        position, offset = self.start, 0.0
        for segment in self.segments:
            length = segment_length(position, segment)
            yield SegmentSpan(segment, position, offset, length)
            position, offset = segment.end, offset + length

    @property
    def length(self) -> float:
        return sum(span.length for span in self.spans())

    def point_at(self, distance: float) -> Point:
        """The point this far (mm) along the path, clamped to its ends."""
        last = None
        for span in self.spans():
            if distance <= span.offset + span.length:
                return span.point_at(max(0.0, distance - span.offset))
            last = span
        return last.segment.end if last else self.start

    def locate(self, point: Point) -> float:
        """The length along the path of the path's point nearest to `point`."""
        best, best_distance = 0.0, math.inf
        for span in self.spans():
            seg = span.segment
            if isinstance(seg, Line):
                dx, dy = seg.end[0] - span.start[0], seg.end[1] - span.start[1]
                squared = dx * dx + dy * dy
                t = 0.0 if squared == 0.0 else ((point[0] - span.start[0]) * dx + (point[1] - span.start[1]) * dy) / squared
                along = min(max(t, 0.0), 1.0) * span.length
            else:
                radius = math.dist(span.start, seg.centre)
                towards = math.atan2(point[1] - seg.centre[1], point[0] - seg.centre[0])
                begin = math.atan2(span.start[1] - seg.centre[1], span.start[0] - seg.centre[0])
                turned = ((begin - towards) if seg.clockwise else (towards - begin)) % (2.0 * math.pi)
                along = min(turned * radius, span.length)
                if turned * radius > span.length:  # beyond the arc's end: the nearer of its two ends
                    to_end = math.dist(point, seg.end)
                    along = span.length if to_end <= math.dist(point, span.start) else 0.0
            distance = math.dist(point, span.point_at(along))
            if distance < best_distance:
                best, best_distance = span.offset + along, distance
        return best

    def points(self, chord_error: float) -> list[Point]:
        """Points along the path, arcs sampled within chord_error."""
        points, position = [self.start], self.start
        for seg in self.segments:
            if isinstance(seg, Arc):
                points.extend(sample_arc(position, seg.end, seg.centre, seg.clockwise, chord_error))
            else:
                points.append(seg.end)
            position = seg.end
        return points

    def reversed(self) -> Path2D:
        """The same path travelled from its end to its start."""
        points = [self.start] + [seg.end for seg in self.segments]
        segments: list[Segment] = []
        for i in range(len(self.segments) - 1, -1, -1):
            seg, to = self.segments[i], points[i]
            segments.append(Line(to) if isinstance(seg, Line) else Arc(to, seg.centre, not seg.clockwise))
        return Path2D(self.end, tuple(segments))

    def sub_path(self, begin: float, finish: float) -> Path2D:
        """The part of the path between two lengths along it."""
        start = self.point_at(begin)
        segments: list[Segment] = []
        for span in self.spans():
            lo, hi = max(begin, span.offset), min(finish, span.offset + span.length)
            if hi - lo <= SAME_POINT:
                continue
            seg = span.segment
            ends_with_segment = hi >= span.offset + span.length - SAME_POINT
            end = seg.end if ends_with_segment else span.point_at(hi - span.offset)
            segments.append(Line(end) if isinstance(seg, Line) else Arc(end, seg.centre, seg.clockwise))
        return Path2D(start, tuple(segments))

    def split(self, intervals: Sequence[tuple[float, float]]) -> list[tuple[Path2D, bool]]:
        """Cut the path at sorted, disjoint length intervals: (piece, inside an interval) in order."""
        pieces: list[tuple[Path2D, bool]] = []
        position = 0.0
        for begin, finish in intervals:
            if begin - position > SAME_POINT:
                pieces.append((self.sub_path(position, begin), False))
            pieces.append((self.sub_path(begin, finish), True))
            position = finish
        total = self.length
        if total - position > SAME_POINT or not pieces:
            pieces.append((self.sub_path(position, total), False))
        return pieces

    def transformed(self, rotation: float, translation: tuple[float, float]) -> Path2D:
        """The path moved like :func:`place_point` moves a point."""

        def move(p: Point) -> Point:
            return place_point(p, rotation, translation)

        segments = tuple(
            Line(move(seg.end)) if isinstance(seg, Line) else Arc(move(seg.end), move(seg.centre), seg.clockwise)
            for seg in self.segments
        )
        return Path2D(move(self.start), segments)


def signed_area(points: Sequence[Point]) -> float:
    """Shoelace area of a closed ring: positive when counter-clockwise."""
    total = 0.0
    for (x0, y0), (x1, y1) in zip(points, list(points[1:]) + [points[0]]):
        total += x0 * y1 - x1 * y0
    return total / 2.0


def open_path(points: Sequence[Point], *, fit_arcs: bool = True) -> Path2D:
    """A path through the points, repeated points dropped, runs of chords fitted with arcs."""
    kept = _without_repeats(points)
    return Path2D(kept[0], fit_segments(kept) if fit_arcs else tuple(Line(p) for p in kept[1:]))


def circle_path(circle: Circle, *, clockwise: bool) -> Path2D:
    """A full circle as two 180-degree arcs, starting at its rightmost point.

    A circle no bigger than PLUNGE_RADIUS is a plunge at its centre.
    """
    if circle.radius <= PLUNGE_RADIUS:
        return Path2D(circle.centre)
    (cx, cy), r = circle.centre, circle.radius
    start, opposite = (cx + r, cy), (cx - r, cy)
    return Path2D(start, (Arc(opposite, circle.centre, clockwise), Arc(start, circle.centre, clockwise)))


def loop_path(ring: Sequence[Point], *, clockwise: bool, fit_arcs: bool = True) -> Path2D:
    """A closed path around the ring in the given direction.

    A ring that is a circle (see :func:`gcode.arcs.fit_circle`) becomes two arcs;
    runs of chords along any other curve become arcs (see :mod:`gcode.arc_fit`).
    Otherwise the path starts in the middle of the longest edge, so the plunge
    and the pass-to-pass step down leave no mark in a corner.
    """
    circle = fit_circle(ring)
    if circle is not None:
        return circle_path(circle, clockwise=clockwise)
    points = _without_repeats(ring)
    if len(points) > 1 and math.dist(points[0], points[-1]) <= SAME_POINT:
        points = points[:-1]
    if len(points) < 3:
        raise ValueError("a closed loop needs at least three distinct points")
    if (signed_area(points) < 0.0) != clockwise:
        points = points[::-1]
    count = len(points)
    longest = max(range(count), key=lambda i: math.dist(points[i], points[(i + 1) % count]))
    a, b = points[longest], points[(longest + 1) % count]
    middle = ((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0)
    order = [points[(longest + 1 + i) % count] for i in range(count)]
    points = [middle, *order, middle]
    return Path2D(middle, fit_segments(points) if fit_arcs else tuple(Line(p) for p in points[1:]))


def _without_repeats(points: Sequence[Point]) -> list[Point]:
    kept: list[Point] = []
    for x, y in points:
        p = (float(x), float(y))
        if not kept or math.dist(kept[-1], p) > SAME_POINT:
            kept.append(p)
    return kept
