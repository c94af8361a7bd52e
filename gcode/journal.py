"""The sender's journal: an append-only record of every line sent and answered, and how to read it back.

Entries, one a line, flushed as written (file lines are 1-based; 0 is a line of a
resume preamble, -1 the blank line that clears grblHAL's error latch):

    # connected grbl 1.1h, ...   a run starts (each run appends after the previous ones)
    sent N TEXT                  file line N went out as TEXT
    ok N / error N CODE          its acknowledgement
    latched N                    refused by grblHAL's error latch, to be sent again
    executed N                   every file line up to N has surely run on the machine (GRBL family)
    # ...                        notes: stops, Marlin's errors and resends, the end

An acknowledgement says a line reached the controller's planner, not that it ran:
`executed` is the conservative mark a later run resumes from (see gcode.executed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

RUN_START = "# connected "


class Journal:
    """Append-only record of what was sent and answered."""

    def __init__(self, path: Path | None):
        self._file: TextIO | None = path.open("a", encoding="utf-8") if path else None

    def write(self, entry: str) -> None:
        if self._file is not None:
            self._file.write(entry + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


@dataclass
class JournalRecord:
    """What the last run in a journal says."""

    last_acknowledged: int | None = None
    last_executed: int | None = None
    sent: dict[int, str] = field(default_factory=dict)  # file line -> text, program lines only


def read_journal(path: Path) -> JournalRecord:
    """The last run's marks. Raises OSError when the file cannot be read, ValueError when it is no journal."""
    record: JournalRecord | None = None
    for entry in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if entry.startswith(RUN_START):
            record = JournalRecord()  # a later run: what earlier ones said no longer holds
            continue
        kind, _, rest = entry.partition(" ")
        if record is None or kind not in ("sent", "ok", "error", "executed"):
            continue
        number, _, payload = rest.partition(" ")
        try:
            line = int(number)
        except ValueError:
            raise ValueError(f"'{entry}': a line number expected after '{kind}'") from None
        if kind == "sent" and line > 0:
            record.sent[line] = payload
        elif kind in ("ok", "error") and line > 0:
            record.last_acknowledged = line
        elif kind == "executed":
            record.last_executed = line
    if record is None:
        raise ValueError("no run in it (no '# connected' line): is it a plycut send journal?")
    return record
