"""The depth of the tool along one pass: ramps in, rises over tabs, as one piecewise-linear curve.

A pass is no longer one depth. The tool ramps down from where the last pass
left it (a helix on a circle), climbs over each holding tab and back down on
sloped flanks, and on a closed loop carries on past its start to clean the
ramp's floor. All of these are lower bounds on Z along the path, so the pass
follows their upper envelope: wherever a tab and a ramp meet, the higher wins
and the tab is never cut.

Distances are path lengths in mm (u); on a closed loop u runs past the
perimeter and wraps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

Breakpoints = tuple[np.ndarray, np.ndarray]  # (u, z), u strictly increasing
SAME_U = 1e-9  # mm


@dataclass(frozen=True)
class Ramp:
    """Descend from z_from to the pass depth over `length` mm of path from its start."""

    z_from: float
    length: float


def ramp_length(drop: float, angle_degrees: float) -> float:
    """Path length a ramp at this angle needs to descend `drop` mm (0 for no drop)."""
    return max(drop, 0.0) / math.tan(math.radians(angle_degrees)) if drop > 0.0 else 0.0


def pass_profile(
    begin: float,
    end: float,
    z: float,
    *,
    ramp: Ramp | None = None,
    tabs: Sequence[tuple[float, float]] = (),
    tab_z: float = 0.0,
    tab_flank: float = 0.0,
    period: float | None = None,
) -> Breakpoints:
    """Z along the pass from path length `begin` to `end`.

    tabs: intervals of path length where the tool centre must be at tab_z or
    higher, their flanks sloping down to z over `tab_flank` mm on each side.
    period: the perimeter of a closed loop -- the tabs repeat every period.
    The ramp starts at `begin`.
    """
    curves = [_constant(begin, end, z)]
    if ramp is not None and ramp.length > SAME_U and ramp.z_from > z:
        curves.append(_points([(begin, ramp.z_from), (begin + ramp.length, z), (max(end, begin + ramp.length), z)]))
    if tab_z > z:
        for a, b in _repeated(tabs, begin, end, period, tab_flank):
            curves.append(_points([(a - tab_flank, z), (a, tab_z), (b, tab_z), (b + tab_flank, z)]))
    return _clip(upper_envelope(curves), begin, end)


def z_at(profile: Breakpoints, u: float) -> float:
    return float(np.interp(u, profile[0], profile[1]))


def upper_envelope(curves: Sequence[Breakpoints]) -> Breakpoints:
    """The pointwise maximum of piecewise-linear curves (each constant beyond its ends)."""
    us = np.unique(np.concatenate([c[0] for c in curves]))
    values = np.array([np.interp(us, c[0], c[1]) for c in curves])
    # Between two breakpoints every curve is linear: the maximum can only change
    # hands where two of them cross, and those crossings become breakpoints too.
    extra = []
    for k in range(len(us) - 1):
        left, right = values[:, k], values[:, k + 1]
        top_left, top_right = int(np.argmax(left)), int(np.argmax(right))
        if top_left == top_right:
            continue
        for i in range(len(curves)):
            for j in range(i + 1, len(curves)):
                d0, d1 = left[i] - left[j], right[i] - right[j]
                if d0 * d1 < 0.0:
                    extra.append(us[k] + (us[k + 1] - us[k]) * d0 / (d0 - d1))
    if extra:
        us = np.unique(np.concatenate([us, extra]))
        values = np.array([np.interp(us, c[0], c[1]) for c in curves])
    top = values.max(axis=0)
    return _simplified(us, top)


def _simplified(us: np.ndarray, zs: np.ndarray) -> Breakpoints:
    """Drop breakpoints where the slope does not change: each one would split a move for nothing."""
    keep = [0]
    for k in range(1, len(us) - 1):
        a, b = keep[-1], k + 1
        expected = zs[a] + (zs[b] - zs[a]) * (us[k] - us[a]) / (us[b] - us[a])
        if abs(expected - zs[k]) > 1e-9:
            keep.append(k)
    if len(us) > 1:
        keep.append(len(us) - 1)
    return us[keep], zs[keep]


def _constant(begin: float, end: float, z: float) -> Breakpoints:
    return np.array([begin, max(end, begin + SAME_U)]), np.array([z, z])


def _points(points: Sequence[tuple[float, float]]) -> Breakpoints:
    us, zs = [], []
    for u, z in points:
        if us and u <= us[-1] + SAME_U:
            zs[-1] = max(zs[-1], z)
            continue
        us.append(u)
        zs.append(z)
    return np.array(us), np.array(zs)


def _repeated(
    intervals: Sequence[tuple[float, float]], begin: float, end: float, period: float | None, flank: float
) -> list[tuple[float, float]]:
    """The intervals, repeated every period on a closed loop, that reach into [begin, end]."""
    if not period:
        return [(a, b) for a, b in intervals if b + flank >= begin and a - flank <= end]
    found = []
    first, last = math.floor((begin - flank) / period) - 1, math.ceil((end + flank) / period) + 1
    for lap in range(first, last + 1):
        for a, b in intervals:
            a, b = a + lap * period, b + lap * period
            if b + flank >= begin and a - flank <= end:
                found.append((a, b))
    return found


def _clip(profile: Breakpoints, begin: float, end: float) -> Breakpoints:
    us, zs = profile
    inside = (us > begin + SAME_U) & (us < end - SAME_U)
    new_us = np.concatenate([[begin], us[inside], [end]])
    new_zs = np.concatenate([[np.interp(begin, us, zs)], zs[inside], [np.interp(end, us, zs)]])
    return new_us, new_zs
