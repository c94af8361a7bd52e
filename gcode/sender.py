"""Stream a program to a GRBL-family controller without ever losing track of where it is in the file.

Character counting: a line goes out only when it fits in what is left of the
controller's receive buffer, counting every byte sent and not yet acknowledged;
each `ok` or `error:N` (and nothing else) frees the oldest line's bytes. Lines
that write EEPROM or ask `$` questions go alone (send-response): an AVR GRBL
drops serial bytes while it writes EEPROM.

Every line sent and every acknowledgement goes to an append-only journal with
its line number in the file, flushed as it is written: after a stop, a crash or
an unplugged cable the journal says which lines the controller accepted, and
which it has surely run (gcode.executed: an `ok` is not a finished move).
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import serial

from gcode.executed import ExecutionTracker
from gcode.grbl_protocol import (
    ALARMS,
    CYCLE_START,
    DEFAULT_RX_BUFFER,
    ERRORS,
    FEED_HOLD,
    SOFT_RESET,
    STATUS_QUERY,
    Firmware,
    Status,
    is_settings_write,
    read_acknowledgement,
    read_alarm,
    read_planner_blocks,
    read_rx_buffer,
    read_status,
)
from gcode.journal import Journal
from gcode.reader import strip_comments
from gcode.serial_lines import SerialLines, identify_firmware

STATUS_INTERVAL = 0.2  # s between status requests, one outstanding at a time
HOLD_TIMEOUT = 5.0  # s to wait for the machine to stop after a feed hold
BLANK = -1  # the file line of the blank line that clears grblHAL's error latch
OPERATOR_BYTES = {FEED_HOLD, CYCLE_START, *(bytes([b]) for b in range(0x90, 0x9E))}
# Keys the operator presses while a program streams, and what each sends.
OPERATOR_KEYS = {
    " ": FEED_HOLD, "p": FEED_HOLD, "!": FEED_HOLD, "r": CYCLE_START, "~": CYCLE_START,
    "+": b"\x91", "-": b"\x92", "f": b"\x90",  # feed +10 %, -10 %, 100 %
    "]": b"\x9a", "[": b"\x9b", "o": b"\x99",  # spindle +10 %, -10 %, 100 %
    "1": b"\x97", "2": b"\x96", "3": b"\x95",  # rapids 25 %, 50 %, 100 %
}
STOP_KEY = "s"


def operator_key(streamer, key: str) -> str | None:
    """Act on one key press (streamer: a GrblStreamer or a MarlinStreamer); what it did, or None
    for a key that means nothing -- on Marlin, which has no realtime bytes, every key but stop."""
    if key == STOP_KEY:
        streamer.request_stop()
        return "stop"
    byte = OPERATOR_KEYS.get(key)
    if byte is None or not streamer.takes_realtime_bytes:
        return None
    streamer.realtime(byte)
    return {FEED_HOLD: "hold", CYCLE_START: "resume"}.get(byte, "override")


class SenderFailure(RuntimeError):
    """The controller could not be reached or did not behave like one: one line for the operator."""


@dataclass
class StreamReport:
    """How a stream ended. Lines are line numbers in the file (1-based)."""

    sent: int = 0
    acknowledged: int = 0
    completed: bool = False
    stopped_at: int | None = None  # the file line whose answer stopped the stream
    reason: str = ""
    errors: list[tuple[int, int | str]] = field(default_factory=list)  # (file line, GRBL code or Marlin's text)
    last_acknowledged: int | None = None
    last_executed: int | None = None  # every file line up to it has surely run (gcode.executed)
    max_in_flight: int = 0  # bytes
    resent: int = 0  # lines sent again because the controller asked (Marlin's Resend:)
    status: Status | None = None


def program_lines(text: str) -> list[tuple[int, str]]:
    """(file line, what to send) for each line worth sending: comments, blanks and `%` dropped.

    Stripping comments and spaces leaves more of the small receive buffer for motion."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = strip_comments(raw)[0].strip()
        line = re.sub(r"\s+", "", line) if not line.startswith("$") else line
        if line and line != "%":
            lines.append((number, line))
    return lines


class Connection:
    """What every streamer holds: the port's line reader, the journal, the error policy, the
    stall watchdog's timeout, what the controller said besides answers, and the operator's stop."""

    def __init__(self, port: serial.SerialBase | SerialLines, *, journal: Path | None, on_error: str,
                 stall_timeout: float, clock):
        """port: an open port, or the SerialLines that already read the banner from it."""
        self.link = SerialLines.over(port, clock)
        self.port = self.link.port
        self.journal = Journal(journal)
        self.on_error = on_error
        self.stall_timeout = stall_timeout
        self.clock = clock
        self.firmware: Firmware | None = None
        self.messages: list[str] = []
        self._stop_requested = threading.Event()

    def request_stop(self) -> None:
        """Stop the stream, from another thread; each streamer stops its controller its own way."""
        self._stop_requested.set()

    def close(self) -> None:
        self.journal.close()


class GrblStreamer(Connection):
    """One connection to a GRBL-family controller on an open pyserial port. Stop: feed hold, wait
    for the machine to stand still, soft reset."""

    takes_realtime_bytes = True

    def __init__(self, port: serial.SerialBase | SerialLines, *, journal: Path | None = None, on_error: str = "stop",
                 stall_timeout: float = 30.0, clock=time.monotonic, record_executed: bool = True):
        """record_executed: journal the executed mark (not in check mode, where nothing moves)."""
        super().__init__(port, journal=journal, on_error=on_error, stall_timeout=stall_timeout, clock=clock)
        self.record_executed = record_executed
        self.rx_buffer = DEFAULT_RX_BUFFER
        self.planner_blocks: int | None = None  # from $I; None when it does not say
        self.status: Status | None = None
        self.work_offset: tuple[float, ...] | None = None

    # -- connection -------------------------------------------------------

    def connect(self, timeout: float = 3.0, firmware: Firmware | None = None) -> Firmware:
        """Wait for the banner (or reset to get one), then read the receive buffer size from `$I`.

        firmware: what a banner already read from this port announced; no wait then."""
        if firmware is None:
            firmware, _ = identify_firmware(self.link, timeout)
        if firmware is None:
            raise SenderFailure(f"{self.port.port}: no GRBL banner within {timeout:g} s (is it a GRBL controller?)")
        if firmware.name == "marlin":
            raise SenderFailure(f"{self.port.port}: a Marlin controller; this sender speaks GRBL")
        self.firmware = firmware
        for line in self.command("$I"):
            self.rx_buffer = read_rx_buffer(line) or self.rx_buffer
            self.planner_blocks = read_planner_blocks(line) or self.planner_blocks
        planner = f"{self.planner_blocks} planner blocks" if self.planner_blocks else "planner size not given"
        self.journal.write(f"# connected {firmware.name} {firmware.version}, receive buffer {self.rx_buffer} bytes, "
                           f"{planner}")
        return firmware

    def command(self, command: str, timeout: float = 3.0) -> list[str]:
        """Send one line alone and return what came back before its `ok` (send-response)."""
        self._write((command + "\n").encode("ascii"))
        deadline = self.clock() + timeout
        lines: list[str] = []
        while self.clock() < deadline:
            line = self._read_line()
            if not line:
                continue
            ack = read_acknowledgement(line)
            if ack is not None:
                if not ack.ok:
                    raise SenderFailure(f"{self.port.port}: '{command}' answered {ack.describe()}")
                return lines
            lines.append(line)
        raise SenderFailure(f"{self.port.port}: no answer to '{command}' within {timeout:g} s")

    # -- streaming --------------------------------------------------------

    def stream(self, lines: list[tuple[int, str]], progress: Callable[[StreamReport], None] | None = None
               ) -> StreamReport:
        """Send the lines with character counting until the end, an error (by policy) or an alarm.

        progress, if given, is called with the report after every acknowledgement and status."""
        report = StreamReport()
        pending = deque(lines)
        in_flight: deque[tuple[int, int, str]] = deque()  # (file line, bytes, text); BLANK for a latch breaker
        latched: list[tuple[int, str]] | None = None  # grblHAL: lines its error latch refused, to send again
        in_flight_bytes = 0
        alone = False  # a send-response line is in flight: nothing may follow it yet
        last_poll = self.clock() - STATUS_INTERVAL
        poll_outstanding = False
        last_progress = self.clock()
        tracker = ExecutionTracker(self.planner_blocks) if self.record_executed else None
        try:
            while pending or in_flight:
                if self._stop_requested.is_set():
                    report.stopped_at = in_flight[0][0] if in_flight else (pending[0][0] if pending else None)
                    report.reason = (f"stopped by the operator: held, then reset; {len(in_flight)} line(s) sent "
                                     "but not acknowledged were dropped by the reset")
                    self._stop_machine()
                    self.journal.write(f"# {report.reason}")
                    return report
                while pending and not alone and latched is None:
                    number, text = pending[0]
                    size = len(text) + 1
                    solo = is_settings_write(text)
                    if solo and in_flight:
                        break
                    if in_flight_bytes + size > self.rx_buffer:
                        break
                    pending.popleft()
                    self._write((text + "\n").encode("ascii"))
                    self.journal.write(f"sent {number} {text}")
                    in_flight.append((number, size, text))
                    in_flight_bytes += size
                    report.sent += 1
                    report.max_in_flight = max(report.max_in_flight, in_flight_bytes)
                    alone = solo
                now = self.clock()
                if not poll_outstanding and now - last_poll >= STATUS_INTERVAL:
                    self._write(STATUS_QUERY)
                    poll_outstanding, last_poll = True, now
                line = self._read_line()
                if not line:
                    if in_flight and now - last_progress > self.stall_timeout:
                        self._stalled(report, in_flight)
                        return report
                    continue
                ack = read_acknowledgement(line)
                if ack is not None:
                    if not in_flight:
                        self.messages.append(f"unexpected '{line}'")
                        continue
                    number, size, text = in_flight.popleft()
                    in_flight_bytes -= size
                    alone = False
                    last_progress = self.clock()
                    if number == BLANK:
                        # The latch is open again: what it refused goes out again, in order, first.
                        pending.extendleft(reversed(latched or []))
                        self.journal.write(f"# grblHAL error latch cleared; {len(latched or [])} line(s) sent again")
                        latched = None
                        continue
                    if latched is not None and not ack.ok:
                        latched.append((number, text))  # refused by the latch, not by its own fault
                        self.journal.write(f"latched {number}")
                        continue
                    report.acknowledged += 1
                    report.last_acknowledged = number
                    self.journal.write(f"ok {number}" if ack.ok else f"error {number} {ack.error}")
                    if tracker is not None:
                        self._record_executed(report, tracker, tracker.acknowledged(number, text))
                    if progress is not None:
                        progress(report)
                    if ack.ok:
                        continue
                    report.errors.append((number, ack.error))
                    if self.on_error == "stop":
                        report.stopped_at = number
                        report.reason = f"line {number}: error:{ack.error} ({ERRORS.get(ack.error, 'unknown error')})"
                        self._stop_machine()
                        self.journal.write(f"# stopped: {report.reason}")
                        return report
                    if self.firmware is not None and self.firmware.name == "grblhal":
                        # grblHAL answers every following line with the same error, without running
                        # it, until a blank line: send one, and send again what it refused meanwhile.
                        self._write(b"\n")
                        in_flight.append((BLANK, 1, ""))
                        in_flight_bytes += 1
                        latched = []
                    continue
                alarm = read_alarm(line)
                if alarm is not None:
                    report.stopped_at = in_flight[0][0] if in_flight else report.last_acknowledged
                    report.reason = f"ALARM:{alarm} ({ALARMS.get(alarm, 'unknown alarm')}); unlock it at the machine"
                    self.journal.write(f"# {report.reason}")
                    return report
                status = read_status(line)
                if status is not None:
                    poll_outstanding = False
                    if status.work_offset is not None:
                        self.work_offset = status.work_offset
                    self.status = status.with_offset(self.work_offset)
                    report.status = self.status
                    if tracker is not None:
                        self._record_executed(report, tracker, tracker.status(status, nothing_in_flight=not in_flight))
                    if progress is not None:
                        progress(report)
                    continue
                self.messages.append(line)
        except (serial.SerialException, OSError) as exc:
            report.reason = f"the port vanished ({exc})"
            report.stopped_at = in_flight[0][0] if in_flight else None
            self.journal.write(f"# {report.reason}")
            return report
        report.completed = True
        self.journal.write("# completed")
        return report

    def _record_executed(self, report: StreamReport, tracker: ExecutionTracker, moved: bool) -> None:
        if moved:
            report.last_executed = tracker.executed
            self.journal.write(f"executed {tracker.executed}")

    # -- operator -------------------------------------------------------------

    def realtime(self, byte: bytes) -> None:
        """A realtime byte from the operator, safe from another thread: `!` hold, `~` resume,
        0x90-0x9D overrides. It bypasses the receive buffer, so it costs no counted bytes."""
        if len(byte) != 1 or byte not in OPERATOR_BYTES:
            raise ValueError(f"not an operator realtime byte: {byte!r}")
        self._write(byte)

    def _stalled(self, report: StreamReport, in_flight: deque[tuple[int, int, str]]) -> None:
        """No acknowledgement for too long: either one was lost, or the machine hangs."""
        status = self.status
        drained = (status is not None and status.state == "Idle" and status.rx_free == self.rx_buffer
                   and status.planner_free is not None and status.planner_free > 0)
        if drained:
            # Idle with an empty receive buffer: every byte sent reached the parser, so the
            # lines were all taken; an `ok` went missing on the way back.
            report.stopped_at = in_flight[-1][0]
            report.reason = (f"an acknowledgement was lost: the machine is idle with empty buffers, so every "
                             f"line up to {in_flight[-1][0]} reached it ({len(in_flight)} answer(s) missing)")
        else:
            state = status.state if status else "unknown"
            report.stopped_at = in_flight[0][0]
            report.reason = (f"stalled: no answer to line {in_flight[0][0]} for {self.stall_timeout:g} s "
                             f"while the machine reports {state}")
        self.journal.write(f"# {report.reason}")

    def _stop_machine(self) -> None:
        """Feed hold, wait until the machine stands still, then soft reset: no motion is lost mid-move."""
        self._write(FEED_HOLD)
        deadline = self.clock() + HOLD_TIMEOUT
        while self.clock() < deadline:
            self._write(STATUS_QUERY)
            line = self._read_line()
            status = read_status(line) if line else None
            if status is not None and (status.state == "Idle" or (status.state == "Hold" and status.substate == 0)):
                break
        self._write(SOFT_RESET)

    # -- port -------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        self.link.write(data)

    def _read_line(self) -> str:
        return self.link.read_line()
