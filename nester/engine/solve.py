"""One entry point for the engine: strip or bins, one or more workers, a time limit,
Ctrl-C returning the best layout so far, and an exact check of what comes out."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

from nester.engine.bins import solve_bins
from nester.engine.clock import Clock, WorkClock
from nester.engine.shapes import prepare
from nester.engine.strip import solve_strip
from nester.errors import InputError
from nester.problem import Problem, Solution
from nester.solution_check import solution_problems


def check_items_fit(problem: Problem) -> None:
    """InputError naming the first item that fits no container in any allowed rotation."""
    if not problem.items:
        raise InputError(f"{problem.source or problem.name}: the instance has no items")
    prepared = prepare(problem, strip_length=1e12)
    rects = prepared.container_rect
    bbox = prepared.bank.bbox
    for index, item in enumerate(problem.items):
        first, count = prepared.item_first_shape[index], prepared.item_shape_count[index]
        widths = bbox[first:first + count, 2] - bbox[first:first + count, 0]
        heights = bbox[first:first + count, 3] - bbox[first:first + count, 1]
        fits = (widths[:, None] <= rects[None, :, 2] - rects[None, :, 0] + 1e-9) & (
            heights[:, None] <= rects[None, :, 3] - rects[None, :, 1] + 1e-9)
        if not fits.any():
            x0, y0, x1, y1 = item.shape.bounds
            where = "the strip" if problem.is_strip else "every sheet"
            raise InputError(f"{item.source or problem.source or problem.name}: {item.label()} "
                             f"({x1 - x0:g} x {y1 - y0:g} mm) "
                             f"is larger than {where} in its allowed rotations (with margin "
                             f"{problem.margin:g} mm and spacing {problem.spacing:g} mm)")


def _run(problem: Problem, time_limit: float, seed: int, progress, should_stop, by_work: bool,
         start: Solution | None) -> Solution:
    solver = solve_strip if problem.is_strip else solve_bins
    return solver(problem, time_limit=time_limit, seed=seed, progress=progress, should_stop=should_stop,
                  clock=WorkClock() if by_work else Clock(), start=start)


def _child_wait(time_limit: float, by_work: bool) -> float:
    """How long to wait for another worker's layout: a work limit may take a few times its
    nominal seconds on a loaded machine, never this long."""
    return 10.0 * time_limit + 300.0 if by_work else time_limit + 60.0


def _rank(solution: Solution) -> tuple:
    unplaced = sum(solution.unplaced.values())
    # When stock runs out, the layout that cuts the most material wins.
    left_out = sum(solution.problem.items[i].area * n for i, n in solution.unplaced.items())
    if solution.problem.is_strip:
        return (unplaced, solution.strip_length)
    return (left_out, unplaced, solution.cost, len(solution.layouts), -solution.density)


def _child(problem: Problem, time_limit: float, seed: int, by_work: bool, start: Solution | None,
           connection) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        connection.send(_run(problem, time_limit, seed, None, stop.is_set, by_work, start))
    finally:
        connection.close()


@contextmanager
def _interrupt_flag() -> Iterator[threading.Event]:
    """Ctrl-C sets the flag instead of raising, so the engine returns its best layout."""
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = signal.signal(signal.SIGINT, lambda *_: flag.set())
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def solve(problem: Problem, *, time_limit: float = 10.0, seed: int = 0, workers: int = 1,
          progress: Callable | None = None, by_work: bool = False, start: Solution | None = None) -> Solution:
    """The best layout found in ``time_limit`` seconds by ``workers`` independent searches
    (seeds seed, seed + 1, ...). With ``by_work`` the limit counts work instead of wall
    time (nester.engine.clock): the same seed then gives the same layout anywhere.
    ``start``: a valid layout of the problem to improve (a warm start), e.g. sparrow's.
    Raises InputError for an item that fits nowhere; RuntimeError if a layout fails
    the exact check (an engine bug: nothing invalid is ever returned)."""
    check_items_fit(problem)
    with _interrupt_flag() as interrupted:
        children = []
        context = multiprocessing.get_context("fork")
        for offset in range(1, max(1, workers)):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_child, daemon=True,
                                      args=(problem, time_limit, seed + offset, by_work, start, send))
            process.start()
            send.close()
            children.append((process, receive))
        solutions = [_run(problem, time_limit, seed, progress, interrupted.is_set, by_work, start)]
        if interrupted.is_set():  # Ctrl-C may have reached this process alone (kill -INT)
            for process, _ in children:
                if process.is_alive():
                    os.kill(process.pid, signal.SIGINT)
        for process, receive in children:
            try:
                if receive.poll(_child_wait(time_limit, by_work)):
                    solutions.append(receive.recv())
            except EOFError:
                pass
            process.join(timeout=5.0)
            if process.is_alive():  # hung: its layout is given up, not the whole run
                process.terminate()
    best = min(solutions, key=_rank)
    problems = solution_problems(best)
    if problems:
        raise RuntimeError("the nesting engine made an invalid layout:\n" + "\n".join(problems[:10]))
    return best
