"""Which file lines have surely run: a conservative mark from acknowledgements and status reports.

GRBL acknowledges a line when it enters the planner (15 blocks), not when the
machine has done it. A later run that resumes after a stop must start at or
before the first line not yet done: resuming too early recuts air, resuming too
late leaves a cut unmade. So the mark only counts a line as done when nothing
the controller may still hold can be it:

- the planner holds at most `planner_blocks` blocks, and the stepper's segment
  buffer may still be running the tail of up to `segment_blocks` more blocks the
  planner has already let go (GRBL's SEGMENT_BUFFER_SIZE is 6, grblHAL's 10);
  each motion line is at least one block, so every acknowledged line before the
  last (planner_blocks + segment_blocks) acknowledged motion lines has run;
- a status report's `Bf:` (free planner blocks) narrows that to the last
  (planner_blocks - free + segment_blocks) motion lines, and its `Ln:` (the N
  number of the planner's oldest block, when the lines carry N words) names the
  oldest one directly;
- `Idle` with nothing in flight, or with an empty planner, means every
  acknowledged line has run.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from gcode.grbl_protocol import Status

SEGMENT_BLOCKS = 10  # grblHAL's SEGMENT_BUFFER_SIZE (GRBL's is 6): the larger, to stay on the safe side
# Words that put a block in the planner: any axis word, or a move home (G28, G30; not G28.1/G30.1).
_MOTION = re.compile(r"[XYZABC][-+.\d]|G0*(?:28|30)(?![.\d])", re.IGNORECASE)
_LINE_NUMBER = re.compile(r"\s*N(\d+)", re.IGNORECASE)


def is_motion(text: str) -> bool:
    """True when the line may put a block in the planner (a line counted so by mistake only makes the mark earlier)."""
    return _MOTION.search(text) is not None


@dataclass(frozen=True)
class _Acknowledged:
    file_line: int  # 0 for a resume preamble's lines: they move the machine but are no file line
    motion: bool
    line_number: int | None  # the line's own N word, which GRBL reports back as Ln:


class ExecutionTracker:
    """Follows acknowledgements and status reports; `executed` is the last file line surely run (0: none known)."""

    def __init__(self, planner_blocks: int | None, segment_blocks: int = SEGMENT_BLOCKS):
        """planner_blocks: the controller's planner size from `$I`, or None when it does not say."""
        self.planner_blocks = planner_blocks
        self.segment_blocks = segment_blocks
        self.executed = 0
        self._pending: deque[_Acknowledged] = deque()  # acknowledged, not known to have run; oldest first

    def acknowledged(self, file_line: int, text: str) -> bool:
        """A line was acknowledged; True when the mark moved."""
        match = _LINE_NUMBER.match(text)
        self._pending.append(_Acknowledged(file_line, is_motion(text), int(match.group(1)) if match else None))
        if self.planner_blocks is None:
            return False
        return self._keep_last_motions(self.planner_blocks + self.segment_blocks)

    def status(self, status: Status, nothing_in_flight: bool) -> bool:
        """A status report arrived; True when the mark moved."""
        planner_empty = self.planner_blocks is not None and status.planner_free == self.planner_blocks
        if status.state == "Idle" and (nothing_in_flight or planner_empty):
            return self._keep_last_motions(0)
        bounds = []
        if status.planner_free is not None and self.planner_blocks is not None:
            bounds.append(max(0, self.planner_blocks - status.planner_free) + self.segment_blocks)
        if status.line:
            oldest = next((i for i, a in enumerate(self._pending) if a.line_number == status.line), None)
            if oldest is not None:
                from_oldest = sum(a.motion for i, a in enumerate(self._pending) if i >= oldest)
                bounds.append(from_oldest + self.segment_blocks)
        return self._keep_last_motions(min(bounds)) if bounds else False

    def _keep_last_motions(self, count: int) -> bool:
        """Everything before the last `count` pending motion lines has run: let it go and move the mark."""
        motions = sum(a.motion for a in self._pending)
        before = self.executed
        # A line with no motion ahead of the oldest motion that may still run is passed: every
        # move before it is known to have run, and its own effect (a feed, a dwell) is behind too.
        while self._pending and (motions > count or not self._pending[0].motion):
            done = self._pending.popleft()
            motions -= done.motion
            self.executed = max(self.executed, done.file_line)
        return self.executed != before
