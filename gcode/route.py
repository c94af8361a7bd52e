"""Shorter rapid travel between the jobs of one group, whose order is otherwise free.

Nearest neighbour alone leaves stragglers: the jobs it skipped are fetched at
the end with long rapids back across the sheet, and on a sheet of many small
parts those rapids add up. A local search that reverses runs of jobs (2-opt)
and moves short runs elsewhere (or-opt) removes most of them, but its sweeps
are O(n^2) and run on every sheet: hence numba, on plain arrays rather than
Job objects.

Jobs are directed: a job is cut from its start to its end (a pocket starts in
its middle and ends at its wall), so reversing a run of jobs changes the travel
inside the run too, not only at its two boundaries. The route is open: the
tool's way back from the last job is not part of the group's travel, since
what comes next (another group, or the end of the program) decides where the
tool goes.

No randomness: one layout always gives one program.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np

NO_JOB = -1  # before the first job the tool is at the origin; after the last one the route ends
IMPROVEMENT_MM = 1e-9  # a move must save more than this, so rounding noise can never make the search cycle
DEFAULT_MAX_SWEEPS = 100  # random sheets of 50 to 1000 loops converge in 2 to 4; this bounds pathological inputs


@numba.njit(cache=True)
def _distance(ax: float, ay: float, bx: float, by: float) -> float:
    dx = bx - ax
    dy = by - ay
    return np.sqrt(dx * dx + dy * dy)


@numba.njit(cache=True)
def _leg(previous: int, job: int, starts: np.ndarray, ends: np.ndarray, origin: np.ndarray) -> float:
    """Rapid from the end of job ``previous`` (NO_JOB: from the origin) to the start of ``job``."""
    if previous == NO_JOB:
        return _distance(origin[0], origin[1], starts[job, 0], starts[job, 1])
    return _distance(ends[previous, 0], ends[previous, 1], starts[job, 0], starts[job, 1])


@numba.njit(cache=True)
def route_length(order: np.ndarray, starts: np.ndarray, ends: np.ndarray, origin: np.ndarray) -> float:
    """Rapid travel from origin through the jobs in ``order``; the way back from the last job is not counted."""
    total = 0.0
    previous = NO_JOB
    for job in order:
        total += _leg(previous, job, starts, ends, origin)
        previous = job
    return total


@numba.njit(cache=True)
def nearest_neighbour_order(starts: np.ndarray, ends: np.ndarray, origin: np.ndarray) -> np.ndarray:
    """Always the job whose start is nearest to where the tool is (ties: the lowest index)."""
    n = starts.shape[0]
    order = np.empty(n, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    previous = NO_JOB
    for k in range(n):
        best = -1
        best_distance = np.inf
        for job in range(n):
            if done[job]:
                continue
            distance = _leg(previous, job, starts, ends, origin)
            if distance < best_distance:  # strict: an equal distance keeps the lower index
                best = job
                best_distance = distance
        order[k] = best
        done[best] = True
        previous = best
    return order


@numba.njit(cache=True)
def _reversal_surcharges(order: np.ndarray, starts: np.ndarray, ends: np.ndarray, origin: np.ndarray) -> np.ndarray:
    """surcharge[k]: sum over the first k links of (backward link - forward link).

    Reversing positions i..j replaces the forward links t_m -> t_m+1 inside the run
    by backward links t_m+1 -> t_m (each job is still cut start to end), so the run's
    own travel changes by surcharge[j] - surcharge[i]: O(1) per candidate reversal.
    One prefix sum of the differences rather than two of the links: for closed loops
    (start == end) every difference is exactly zero, and for other jobs the
    differences are small, so the O(1) delta carries no rounding from a long total."""
    n = order.shape[0]
    surcharge = np.zeros(n, dtype=np.float64)
    for m in range(n - 1):
        forward = _leg(order[m], order[m + 1], starts, ends, origin)
        backward = _leg(order[m + 1], order[m], starts, ends, origin)
        surcharge[m + 1] = surcharge[m] + (backward - forward)
    return surcharge


@numba.njit(cache=True)
def _reverse_run(order: np.ndarray, first: int, last: int) -> None:
    while first < last:
        order[first], order[last] = order[last], order[first]
        first += 1
        last -= 1


@numba.njit(cache=True)
def _reversal_pass(order: np.ndarray, starts: np.ndarray, ends: np.ndarray, origin: np.ndarray) -> bool:
    """One first-improvement sweep of 2-opt: reverse the run order[i..j] where that saves travel."""
    # The change of each candidate is written out here rather than in a helper:
    # numba does not inline a call with this many array arguments, which made
    # the sweep three times slower.
    n = order.shape[0]
    improved = False
    surcharge = _reversal_surcharges(order, starts, ends, origin)
    for i in range(n - 1):
        for j in range(i + 1, n):
            first = order[i]
            last = order[j]
            previous = order[i - 1] if i > 0 else NO_JOB
            change = (_leg(previous, last, starts, ends, origin) - _leg(previous, first, starts, ends, origin)
                      + (surcharge[j] - surcharge[i]))
            # The route ends free: a run reaching the end has no link after it.
            if j + 1 < n:
                following = order[j + 1]
                change += _leg(first, following, starts, ends, origin) - _leg(last, following, starts, ends, origin)
            if change < -IMPROVEMENT_MM:
                _reverse_run(order, i, j)
                surcharge = _reversal_surcharges(order, starts, ends, origin)
                improved = True
    return improved


@numba.njit(cache=True)
def _move_run(order: np.ndarray, first: int, length: int, after: int) -> None:
    """Move order[first:first+length] to just after position ``after`` (-1: to the front), keeping its direction."""
    run = order[first:first + length].copy()
    if after < first:
        # The jobs between the destination and the run shift towards the end, last one first.
        for position in range(first - 1, after, -1):
            order[position + length] = order[position]
        destination = after + 1
    else:
        # The jobs between the run and the destination shift towards the front, first one first.
        for position in range(first + length, after + 1):
            order[position - length] = order[position]
        destination = after + 1 - length
    for k in range(length):
        order[destination + k] = run[k]


@numba.njit(cache=True)
def _relocation_pass(order: np.ndarray, starts: np.ndarray, ends: np.ndarray, origin: np.ndarray) -> bool:
    """One first-improvement sweep of or-opt: move a run of 1 to 3 jobs, unreversed, where that saves travel.

    2-opt alone cannot move a job without reversing what lies between, which
    for directed jobs costs travel; a plain move often gets what 2-opt cannot.
    A run's detour is what cutting it between two neighbours adds to going
    straight from one to the other: a move saves the detour at the run's place
    and pays it at the new one."""
    n = order.shape[0]
    improved = False
    for length in range(1, 4):
        for first in range(n - length + 1):
            run_start = order[first]
            run_end = order[first + length - 1]
            previous = order[first - 1] if first > 0 else NO_JOB
            saving = _leg(previous, run_start, starts, ends, origin)
            if first + length < n:
                following = order[first + length]
                saving += _leg(run_end, following, starts, ends, origin)
                saving -= _leg(previous, following, starts, ends, origin)
            # Put the run just after position ``after``: -1 is between the origin and the first job.
            for after in range(-1, n):
                if first - 1 <= after <= first + length - 1:
                    continue  # the run's own place, or inside the run
                previous = order[after] if after >= 0 else NO_JOB
                cost = _leg(previous, run_start, starts, ends, origin)
                if after + 1 < n:
                    following = order[after + 1]
                    cost += _leg(run_end, following, starts, ends, origin)
                    cost -= _leg(previous, following, starts, ends, origin)
                if cost - saving < -IMPROVEMENT_MM:
                    _move_run(order, first, length, after)
                    improved = True
                    break  # first improvement: the earliest place that saves travel
    return improved


@numba.njit(cache=True)
def improve_order(order: np.ndarray, starts: np.ndarray, ends: np.ndarray, origin: np.ndarray,
                  max_sweeps: int = DEFAULT_MAX_SWEEPS) -> np.ndarray:
    """``order`` improved by 2-opt and or-opt until no move saves travel, or ``max_sweeps`` sweeps.

    ``order`` must be a permutation of the job indices; it is not modified."""
    improved_order = order.copy()
    for _ in range(max_sweeps):
        reversed_any = _reversal_pass(improved_order, starts, ends, origin)
        moved_any = _relocation_pass(improved_order, starts, ends, origin)
        if not (reversed_any or moved_any):
            break
    return improved_order


def _as_points(points, name: str) -> np.ndarray:
    array = np.asarray(points, dtype=np.float64)
    if array.size == 0:
        return np.zeros((0, 2), dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{name} must be (x, y) points, got shape {array.shape}")
    return np.ascontiguousarray(array)


def order_indices(starts: Sequence[tuple[float, float]] | np.ndarray,
                  ends: Sequence[tuple[float, float]] | np.ndarray,
                  origin: tuple[float, float] | np.ndarray) -> tuple[np.ndarray, float, float]:
    """The cutting order of the jobs, its rapid travel, and the travel of plain nearest neighbour.

    The search starts from nearest neighbour and only accepts moves that save
    travel, so the order returned is never longer than nearest neighbour's."""
    start_points = _as_points(starts, "starts")
    end_points = _as_points(ends, "ends")
    if start_points.shape != end_points.shape:
        raise ValueError(f"{len(start_points)} starts but {len(end_points)} ends")
    origin_point = np.ascontiguousarray(np.asarray(origin, dtype=np.float64))
    if origin_point.shape != (2,):
        raise ValueError(f"origin must be one (x, y) point, got shape {origin_point.shape}")
    greedy = nearest_neighbour_order(start_points, end_points, origin_point)
    greedy_length = route_length(greedy, start_points, end_points, origin_point)
    improved = improve_order(greedy, start_points, end_points, origin_point)
    return improved, route_length(improved, start_points, end_points, origin_point), greedy_length
