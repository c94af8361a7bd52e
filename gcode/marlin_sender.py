"""Stream a program to Marlin: numbered lines with checksums, one `ok` per line, `Resend:` obeyed.

Marlin answers each command with one `ok` once processed, and holds 4
commands (BUFSIZE). By default one line is in flight at a time, as the hosts
Marlin is written for send it; `window` allows up to 4, as long as the lines in
flight fit in Marlin's 128-byte receive buffer together: Marlin reads no new
line while a command keeps it busy, and what does not fit is lost.

Every line goes out as `N<n> <text>*<checksum>` after `M110 N0` has reset the
numbering. When Marlin refuses a line (a checksum that does not match, a number
out of sequence) it throws away all it has received since, and asks
`Resend: n`: every line from n on goes out again, in order. Lines sent before
that request reached Marlin are answered with more `Resend: n`, or with
nothing if they were thrown away; so nothing goes out again until the lines
before n are all acknowledged and Marlin has been quiet a moment. Sending
earlier would let a stale answer throw away the resent lines and lose the count
(MarlinFirmware/Marlin#24959, "Resend death loop on high latency connection").
Marlin itself never runs a line whose number is out of sequence, so no line
runs twice.

`busy:` keep-alives say Marlin is working on a long command: no stall then.
Stop is M410 (quick stop, through Marlin's emergency parser: it drops the
planned moves at once) and M5. Marlin has no status report to tell what has run,
so the journal records what was sent and acknowledged, not an executed mark.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import serial

from gcode.grbl_protocol import Firmware
from gcode.marlin_protocol import (
    BUFSIZE,
    QUICK_STOP,
    RESET_LINE_NUMBER,
    RX_BUFFER_SIZE,
    is_busy,
    is_line_error,
    is_ok,
    numbered,
    read_error,
    read_resend,
)
from gcode.sender import Connection, SenderFailure, StreamReport
from gcode.serial_lines import SerialLines, identify_firmware

RESEND_QUIET_S = 0.25  # s of silence from Marlin before the lines it asked for go out again
NUDGE_AFTER_S = 5.0  # s of complete silence (no ok, no busy:) before one more line goes out
STARTUP_QUIET_S = 0.2  # s to let the answers to anything before the numbering go by
NUDGE = -2  # the file line of an M400 sent only to provoke Marlin into answering


@dataclass
class _Numbered:
    number: int  # Marlin's N
    file_line: int
    text: str
    sends: int = 0


class MarlinStreamer(Connection):
    """One connection to a Marlin controller on an open pyserial port. Stop: quick stop (M410), spindle off."""

    takes_realtime_bytes = False  # no `!`, `~` or overrides: only stop means something

    def __init__(self, port: serial.SerialBase | SerialLines, *, journal: Path | None = None, on_error: str = "stop",
                 stall_timeout: float = 30.0, window: int = 1, rx_buffer: int = RX_BUFFER_SIZE,
                 clock=time.monotonic, resend_quiet_s: float = RESEND_QUIET_S, nudge_after_s: float = NUDGE_AFTER_S):
        """window: lines sent ahead of their `ok`, 1 (send-response) to 4 (Marlin's command queue);
        rx_buffer: Marlin's RX_BUFFER_SIZE, which the lines in flight never exceed together.
        nudge_after_s: after this long without a word while a line is in flight, send one more: if
        the line was lost on the way, Marlin then asks for it again (a number out of sequence)."""
        if not 1 <= window <= BUFSIZE:
            raise ValueError(f"window {window}: Marlin's command queue holds 1 to {BUFSIZE} lines")
        super().__init__(port, journal=journal, on_error=on_error, stall_timeout=stall_timeout, clock=clock)
        self.window = window
        self.rx_buffer = rx_buffer
        self.resend_quiet_s = resend_quiet_s
        self.nudge_after_s = nudge_after_s
        self._next_number = 1

    # -- connection -------------------------------------------------------

    def connect(self, timeout: float = 3.0, firmware: Firmware | None = None) -> Firmware:
        """Wait for the banner (unless already read), then reset the line numbers with M110 N0."""
        if firmware is None:
            firmware, _ = identify_firmware(self.link, timeout)
        if firmware is None:
            raise SenderFailure(f"{self.link.name}: no Marlin banner within {timeout:g} s (is it a Marlin controller?)")
        if firmware.name != "marlin":
            raise SenderFailure(f"{self.link.name}: a {firmware.name} controller; this sender speaks Marlin")
        self.firmware = firmware
        # Marlin takes any byte as text, the soft reset sent while looking for a GRBL banner too:
        # end whatever line that started, and let its answer go by before the numbering starts.
        self.link.write(b"\n")
        self._wait_for_quiet(STARTUP_QUIET_S)
        self._reset_line_numbers(timeout)
        self.journal.write(f"# connected marlin {firmware.version}, numbered lines with checksums, "
                           f"up to {self.window} line(s) in flight")
        return firmware

    def _wait_for_quiet(self, seconds: float) -> None:
        last = self.clock()
        while self.clock() - last < seconds:
            if self.link.read_line():
                last = self.clock()

    def _reset_line_numbers(self, timeout: float) -> None:
        """M110 N0 alone, numbered itself, until its ok: Marlin sets the number when it processes
        M110, so a line sent behind it could be checked against the old number."""
        line = (numbered(0, RESET_LINE_NUMBER) + "\n").encode("ascii")
        for _ in range(3):
            self.link.write(line)
            deadline = self.clock() + timeout
            while self.clock() < deadline:
                answer = self.link.read_line()
                if is_ok(answer):
                    self._next_number = 1
                    return
                if read_resend(answer) is not None:
                    self._wait_for_quiet(STARTUP_QUIET_S)  # its ok goes by; M110 goes again
                    break
        raise SenderFailure(f"{self.link.name}: Marlin did not accept '{RESET_LINE_NUMBER}' within {timeout:g} s")

    # -- streaming --------------------------------------------------------

    def stream(self, lines: list[tuple[int, str]], progress: Callable[[StreamReport], None] | None = None
               ) -> StreamReport:
        """Send the lines, at most `window` unacknowledged, until the end, an error (by policy) or a stop.

        progress, if given, is called with the report after every acknowledgement."""
        report = StreamReport()
        pending = deque(lines)
        again: deque[_Numbered] = deque()  # numbered lines Marlin asked for again, in order
        in_flight: deque[_Numbered] = deque()
        resend_from: int | None = None  # Marlin asked for this number: wait until it is quiet, then send again
        resend_ok_due = False  # the `ok` right after `Resend:` answers no line
        last_heard = last_progress = self.clock()
        nudged = False
        try:
            while pending or again or in_flight:
                if self._stop_requested.is_set():
                    self._quick_stop(report, in_flight, pending, "stopped by the operator")
                    return report
                now = self.clock()
                if resend_from is not None and not in_flight and now - last_heard >= self.resend_quiet_s:
                    resend_from = None
                while resend_from is None and (again or pending) and self._room_for_next(in_flight, pending, again):
                    self._send(self._next_line(pending, again), in_flight, report)
                line = self.link.read_line()
                now = self.clock()
                if not line:
                    if in_flight and now - last_progress > self.stall_timeout:
                        report.stopped_at = in_flight[0].file_line
                        report.reason = (f"stalled: no answer to line {in_flight[0].file_line} for "
                                         f"{self.stall_timeout:g} s, and no busy: keep-alive either")
                        self.journal.write(f"# {report.reason}")
                        return report
                    if in_flight and resend_from is None and not nudged and now - last_heard > self.nudge_after_s:
                        nudged = True  # once per silence
                        self._send(self._next_line(pending, again) if pending or again
                                   else self._number(NUDGE, "M400"), in_flight, report)
                    continue
                last_heard, nudged = now, False
                if resend_ok_due:
                    resend_ok_due = False
                    if is_ok(line):
                        continue
                if is_ok(line):
                    if not in_flight:
                        self.messages.append(f"unexpected '{line}'")
                        continue
                    done = in_flight.popleft()
                    last_progress = now
                    if done.file_line != NUDGE:
                        report.acknowledged += 1
                        report.last_acknowledged = done.file_line
                        self.journal.write(f"ok {done.file_line}")
                        if progress is not None:
                            progress(report)
                    continue
                wanted = read_resend(line)
                if wanted is not None:
                    resend_ok_due = True
                    if wanted != resend_from:  # the same number again: a line sent before the first request
                        problem = self._rewind(wanted, in_flight, again, report)
                        if problem:
                            self._quick_stop(report, in_flight, pending, problem)
                            return report
                        resend_from = wanted
                    continue
                error = read_error(line)
                if error is not None:
                    if is_line_error(error):
                        self.journal.write(f"# Error:{error}")
                        continue
                    file_line = in_flight[0].file_line if in_flight else report.last_acknowledged
                    report.errors.append((file_line, error))
                    self.journal.write(f"# line {file_line}: Error:{error}")
                    if self.on_error == "stop":
                        self._quick_stop(report, in_flight, pending, f"line {file_line}: Error:{error}")
                        report.stopped_at = file_line
                        return report
                    continue
                if is_busy(line):
                    last_progress = now
                    continue
                if line == "start":
                    report.stopped_at = in_flight[0].file_line if in_flight else None
                    report.reason = ("the controller restarted ('start'): what it held is lost; last acknowledged "
                                     f"line {report.last_acknowledged}")
                    self.journal.write(f"# {report.reason}")
                    return report
                self.messages.append(line)
        except (serial.SerialException, OSError) as exc:
            report.reason = f"the port vanished ({exc})"
            report.stopped_at = in_flight[0].file_line if in_flight else None
            self.journal.write(f"# {report.reason}")
            return report
        report.completed = True
        self.journal.write("# completed")
        return report

    def _number(self, file_line: int, text: str) -> _Numbered:
        entry = _Numbered(self._next_number, file_line, text)
        self._next_number += 1
        return entry

    def _room_for_next(self, in_flight: deque[_Numbered], pending: deque[tuple[int, str]],
                       again: deque[_Numbered]) -> bool:
        """One more line may go: under the window, and all in flight fits in Marlin's receive buffer
        (the first line always goes: alone it fits, Marlin's lines being at most 96 characters)."""
        if not in_flight:
            return True
        if len(in_flight) >= self.window:
            return False
        number, text = (again[0].number, again[0].text) if again else (self._next_number, pending[0][1])
        return _wire_bytes(in_flight) + len(numbered(number, text)) + 1 <= self.rx_buffer

    def _next_line(self, pending: deque[tuple[int, str]], again: deque[_Numbered]) -> _Numbered:
        return again.popleft() if again else self._number(*pending.popleft())

    def _send(self, entry: _Numbered, in_flight: deque[_Numbered], report: StreamReport) -> None:
        self.link.write((numbered(entry.number, entry.text) + "\n").encode("ascii"))
        self.journal.write(f"sent {entry.file_line} {entry.text}")
        entry.sends += 1
        if entry.sends == 1:
            report.sent += 1 if entry.file_line != NUDGE else 0
        else:
            report.resent += 1
        in_flight.append(entry)
        report.max_in_flight = max(report.max_in_flight, _wire_bytes(in_flight))

    def _rewind(self, wanted: int, in_flight: deque[_Numbered], again: deque[_Numbered],
                report: StreamReport) -> str | None:
        """Marlin wants every line from number `wanted` on again: move them from in flight to `again`.
        Returns what is wrong when the request cannot be met."""
        outstanding = sorted([*in_flight, *again], key=lambda e: e.number)
        if wanted > self._next_number:
            return f"Marlin asked for line number {wanted}, which was never sent"
        if outstanding and wanted < outstanding[0].number or not outstanding and wanted < self._next_number:
            return (f"Marlin asked again for a line it had acknowledged (N{wanted}): was it reset? "
                    f"last acknowledged line {report.last_acknowledged}")
        if any(e.number < wanted for e in again):
            return f"Marlin asked for N{wanted} while lines before it were still to be sent again: the count is lost"
        kept = [e for e in in_flight if e.number < wanted]
        in_flight.clear()
        in_flight.extend(kept)
        again.clear()
        again.extend(e for e in outstanding if e.number >= wanted)
        first = again[0].file_line if again else None
        self.journal.write(f"# Resend: {wanted} (file line {first}): {len(again)} line(s) to send again")
        return None

    # -- operator -------------------------------------------------------------

    def realtime(self, byte: bytes) -> None:
        raise ValueError(f"Marlin has no realtime bytes: {byte!r}")

    def _quick_stop(self, report: StreamReport, in_flight: deque[_Numbered], pending: deque[tuple[int, str]],
                    why: str) -> None:
        """M410 unnumbered, so the emergency parser acts on it at once; then M5, queued behind the
        lines in flight (their moves are dropped: Marlin refuses moves for 1 s after M410)."""
        self.link.write(f"{QUICK_STOP}\nM5\n".encode("ascii"))
        report.stopped_at = in_flight[0].file_line if in_flight else (pending[0][0] if pending else None)
        report.reason = (f"{why}: quick stop (M410), spindle off (M5); {len(in_flight)} line(s) sent but not "
                         "acknowledged had their moves dropped")
        self.journal.write(f"# {report.reason}")

def _wire_bytes(lines: deque[_Numbered]) -> int:
    return sum(len(numbered(e.number, e.text)) + 1 for e in lines)
