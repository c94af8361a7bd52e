"""A simulated GRBL 1.1: the serial protocol of a real controller, without the machine.

It answers like GRBL because senders are tested against it: a 128-byte receive
buffer that drops what does not fit (a sender that ignores flow control loses
bytes and gets errors, as on real hardware), `ok` when a line enters the
15-block planner (not when it is executed), motion that takes time, status
reports, `$I`, `$C`, hold and resume, soft reset, alarms. Faults can be
injected: a lost `ok`, an unplugged cable, an error or an alarm at a given
line, slow acknowledgements.

The model is driven by bytes in and bytes out (`receive`, `advance`, `take_output`);
`PtyMachine` runs it behind a pseudo-terminal that pyserial can open.
"""

from __future__ import annotations

import math
import os
import re
import select
import threading
import time
import tty
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from gcode.grbl_protocol import CYCLE_START, FEED_HOLD, LINE_LIMIT, SOFT_RESET, STATUS_QUERY
from gcode.reader import strip_comments

BANNER = "Grbl 1.1h ['$' for help]"
VERSION = "[VER:1.1h.20190825:]"
GRBLHAL_BANNER = "GrblHAL 1.1f ['$' or '$HELP' for help]"
FLUIDNC_BANNER = "Grbl 3.7 [FluidNC v3.7.8 (noradio) '$' for help]"
PLANNER_BLOCKS = 15
RAPID_RATE = 5000.0  # mm/min
SUPPORTED_G = {"0", "1", "2", "3", "4", "10", "17", "18", "19", "20", "21", "28", "28.1", "30", "30.1", "38.2",
               "40", "43.1", "49", "53", "54", "55", "56", "57", "58", "59", "61", "80", "90", "91", "91.1", "92",
               "92.1", "93", "94"}
SUPPORTED_M = {"0", "1", "2", "30", "3", "4", "5", "7", "8", "9"}
_WORD = re.compile(r"([A-Z])([-+]?(?:\d+\.?\d*|\.\d+))")


@dataclass
class Faults:
    """What goes wrong, by line number (1-based count of G-code lines received)."""

    drop_ok_at: set[int] = field(default_factory=set)
    unplug_after: int | None = None
    error_at: dict[int, int] = field(default_factory=dict)
    alarm_at: dict[int, int] = field(default_factory=dict)
    ack_delay_s: float = 0.0
    freeze_after: int | None = None  # the controller hangs: it stops taking lines, still says Run


@dataclass
class _Block:
    target: tuple[float, float, float]
    seconds: float
    line: int
    line_number: int | None = None  # the line's N word, reported as Ln: while the block is the planner's oldest


class SimulatedGrbl:
    """GRBL 1.1's serial behaviour. `speed` > 1 runs motion that many times faster than real time."""

    def __init__(self, *, rx_buffer: int = 128, speed: float = 1.0, faults: Faults | None = None,
                 clock=time.monotonic, grblhal: bool = False, fluidnc: bool = False, line_numbers: bool = False):
        """grblhal: answer as grblHAL does -- its banner, and its error latch: after an error every
        following G-code line gets the same error, unexecuted, until a blank line, a `$` command or a reset.
        line_numbers: a build with USE_LINE_NUMBERS, whose status reports say `Ln:`."""
        self.grblhal = grblhal
        self.line_numbers = line_numbers
        self.fluidnc = fluidnc  # FluidNC's banner, and an [OPT:...] without buffer sizes
        self.latched_error: int | None = None
        self.rx_capacity = rx_buffer
        self.speed = speed
        self.faults = faults or Faults()
        self.clock = clock
        self.rx = bytearray()
        self.output = bytearray()
        self.dropped_bytes = 0
        self.lines_received = 0
        self.executed: list[str] = []  # lines that reached the planner, in order (what the machine will do)
        self.last_parsed = 0  # the count (as lines_received) of the last G-code line taken without error
        self.unplugged = False
        self._pending_acks: deque[tuple[float, bytes]] = deque()
        self._reset_state()
        self._say(self._banner())

    # -- host side --------------------------------------------------------

    def receive(self, data: bytes) -> None:
        """Bytes from the host. Realtime bytes act at once; the rest queue in the receive buffer, if it has room."""
        if self.unplugged:
            return
        for byte in data:
            char = bytes([byte])
            if char == STATUS_QUERY:
                self._status_requested = True
            elif char == FEED_HOLD:
                if self.state in ("Run", "Idle") and self.planner:
                    self.state, self.hold_since = "Hold:0", self.clock()
            elif char == CYCLE_START:
                if self.state.startswith("Hold"):
                    self.state = "Run"
                    self._block_started = self.clock()
            elif char == SOFT_RESET:
                self._soft_reset()
            elif 0x90 <= byte <= 0x9D:
                self._override(byte)
            elif byte >= 0x80:
                continue
            elif len(self.rx) < self.rx_capacity:
                self.rx.append(byte)
            else:
                self.dropped_bytes += 1  # the receive buffer is full: this byte is lost

    def take_output(self) -> bytes:
        now = self.clock()
        while self._pending_acks and self._pending_acks[0][0] <= now:
            self.output += self._pending_acks.popleft()[1]
        data = bytes(self.output)
        self.output.clear()
        return data

    # -- controller side --------------------------------------------------

    def advance(self) -> None:
        """Run the controller until it must wait: execute motion, parse lines while the planner has room."""
        if self.unplugged:
            return
        self._run_motion()
        while not self._frozen() and len(self.planner) < PLANNER_BLOCKS and b"\n" in self.rx:
            end = self.rx.index(b"\n")
            raw = bytes(self.rx[:end]).decode("ascii", errors="replace").rstrip("\r")
            del self.rx[:end + 1]
            self._line(raw)
            if self.unplugged:
                return
        if self._frozen():
            self.state = "Run"
        if self._status_requested:
            self._status_requested = False
            self._say(self._status())

    @property
    def first_unfinished(self) -> int:
        """The first G-code line (counted as lines_received) whose motion has not been completed:
        the simulator's own answer to "where did the machine get to"."""
        return self.planner[0].line if self.planner else self.last_parsed + 1

    # -- internals --------------------------------------------------------

    def _banner(self) -> str:
        return GRBLHAL_BANNER if self.grblhal else FLUIDNC_BANNER if self.fluidnc else BANNER

    def _frozen(self) -> bool:
        return self.faults.freeze_after is not None and self.lines_received >= self.faults.freeze_after

    def _reset_state(self) -> None:
        self.state = "Idle"
        self.alarm: int | None = None
        self.check_mode = False
        self.position = [0.0, 0.0, 0.0]
        self.work_offset = (0.0, 0.0, 0.0)
        self.planner: deque[_Block] = deque()
        self._block_started = self.clock()
        self._status_requested = False
        self.absolute = True
        self.feed: float | None = None
        self.motion = "0"
        self.spindle = 0.0
        self.overrides = [100, 100, 100]
        self.hold_since = 0.0

    def _soft_reset(self) -> None:
        moving = self.state == "Run" and bool(self.planner)
        self.rx.clear()
        self._pending_acks.clear()
        self._reset_state()
        if moving:
            self.alarm, self.state = 3, "Alarm"
            self._say("ALARM:3")
        self.latched_error = None
        self._say(self._banner())
        if self.alarm is not None:
            self._say("[MSG:'$H'|'$X' to unlock]")

    def _say(self, text: str) -> None:
        self.output += (text + "\r\n").encode("ascii")

    def _acknowledge(self, text: str) -> None:
        delay = self.faults.ack_delay_s
        if delay > 0.0:
            self._pending_acks.append((self.clock() + delay, (text + "\r\n").encode("ascii")))
        else:
            self._say(text)

    def _line(self, raw: str) -> None:
        compact = strip_comments(raw)[0].replace(" ", "").replace("\t", "").upper()
        if compact.startswith("$"):
            self.latched_error = None
            self._system(compact)
            return
        if not compact:
            self.latched_error = None
            self._acknowledge("ok")
            return
        if self.latched_error is not None:
            self._acknowledge(f"error:{self.latched_error}")
            return
        self.lines_received += 1
        number = self.lines_received
        faults = self.faults
        if faults.unplug_after is not None and number > faults.unplug_after:
            self.unplugged = True
            return
        if number in faults.alarm_at:
            self.alarm, self.state = faults.alarm_at[number], "Alarm"
            self.planner.clear()
            self._say(f"ALARM:{self.alarm}")
        if number in faults.error_at:
            self._error(faults.error_at[number])
            return
        error = self._gcode(compact, number)
        if error is not None:
            self._error(error)
            return
        if number in faults.drop_ok_at and error is None:
            return
        self._acknowledge("ok")

    def _error(self, code: int) -> None:
        if self.grblhal:
            self.latched_error = code
        self._acknowledge(f"error:{code}")

    def _system(self, command: str) -> None:
        if command == "$I":
            self._say(VERSION)
            if self.fluidnc:
                self._say("[OPT:PHSW]")
            elif self.grblhal:
                self._say(f"[OPT:VNML+,{PLANNER_BLOCKS},{self.rx_capacity}]")
                self._say("[FIRMWARE:grblHAL]")
            else:
                self._say(f"[OPT:V,{PLANNER_BLOCKS},{self.rx_capacity}]")
        elif command == "$C":
            if self.check_mode:
                self._say("[MSG:Disabled]")
                self._acknowledge("ok")
                self._soft_reset()
                return
            if self.state not in ("Idle", "Check"):
                self._acknowledge("error:8")
                return
            self.check_mode, self.state = True, "Check"
            self._say("[MSG:Enabled]")
        elif command == "$X":
            if self.alarm is not None:
                self.alarm, self.state = None, "Idle"
                self._say("[MSG:Caution: Unlocked]")
        elif command == "$G":
            mode = "G90" if self.absolute else "G91"
            self._say(f"[GC:G{self.motion} G54 G17 G21 {mode} G94 M5 M9 T0 F{self.feed or 0:g} S{self.spindle:g}]")
        elif command == "$$":
            for key, value in (("$10", "1"), ("$110", "5000.000"), ("$120", "500.000"), ("$130", "2500.000")):
                self._say(f"{key}={value}")
        elif command in ("$H", "$#") or re.fullmatch(r"\$\d+=[-+.\d]+", command) or command.startswith("$N"):
            pass
        else:
            self._acknowledge("error:3")
            return
        self._acknowledge("ok")

    def _gcode(self, line: str, number: int) -> int | None:
        """Parse one line into the planner; the error code, or None."""
        if len(line) > LINE_LIMIT:
            return 11
        if self.alarm is not None:
            return 9
        words = _WORD.findall(line)
        if "".join(letter + value for letter, value in words) != line:
            return 1 if not line[:1].isalpha() or _WORD.match(line) else 2
        # A line continues from where the planner's last block ends, not from where the tool is now.
        start = self.planner[-1].target if self.planner else tuple(self.position)
        target = list(start)
        moved = False
        motion = self.motion
        feed = self.feed
        line_number = None
        for letter, value in words:
            if letter == "G":
                code = value.lstrip("0") or "0"
                code = code[:-2] if code.endswith(".0") else code
                if code not in SUPPORTED_G:
                    return 20
                if code in ("0", "1", "2", "3"):
                    motion = code
                elif code == "90":
                    self.absolute = True
                elif code == "91":
                    self.absolute = False
            elif letter == "M":
                code = value.lstrip("0") or "0"
                if code not in SUPPORTED_M:
                    return 20
                if code in ("3", "4"):
                    self.spindle = self.spindle or 1.0
                elif code in ("5", "2", "30"):
                    self.spindle = 0.0
            elif letter == "F":
                feed = float(value)
                if feed < 0:
                    return 4
            elif letter == "S":
                self.spindle = float(value)
            elif letter in "XYZ":
                axis = "XYZ".index(letter)
                target[axis] = float(value) if self.absolute else target[axis] + float(value)
                moved = True
            elif letter == "N":
                line_number = int(float(value))
            elif letter not in "IJKRPLT":
                return 20
        if moved and motion in ("1", "2", "3") and not feed:
            return 22
        self.motion, self.feed = motion, feed
        self.executed.append(line)
        self.last_parsed = number
        if moved and not self.check_mode:
            distance = math.dist(start, target)
            rate = RAPID_RATE if motion == "0" else max(feed or 1.0, 1e-6)
            seconds = distance / rate * 60.0 / self.speed
            if not self.planner and not self.state.startswith("Hold"):
                self._block_started = self.clock()
                self.state = "Run"
            self.planner.append(_Block(tuple(target), seconds, number, line_number))
        return None

    def _run_motion(self) -> None:
        if self.state.startswith("Hold") or self.state == "Alarm":
            return
        now = self.clock()
        while self.planner:
            block = self.planner[0]
            if now - self._block_started < block.seconds:
                break
            self._block_started += block.seconds
            self.position = list(block.target)
            self.planner.popleft()
        if not self.planner and self.state == "Run":
            self.state = "Idle"

    def _status(self) -> str:
        x, y, z = self.position
        free_rx = self.rx_capacity - len(self.rx)
        executing = self.planner[0].line_number if self.planner and self.line_numbers else None
        return (f"<{self.state}|MPos:{x:.3f},{y:.3f},{z:.3f}|Bf:{PLANNER_BLOCKS - len(self.planner)},{free_rx}"
                + (f"|Ln:{executing}" if executing else "")
                + f"|FS:{self.feed or 0:g},{self.spindle:g}|Ov:{self.overrides[0]},{self.overrides[1]},"
                f"{self.overrides[2]}>")

    def _override(self, byte: int) -> None:
        feed, rapid, spindle = self.overrides
        changes = {0x90: (100, rapid, spindle), 0x91: (feed + 10, rapid, spindle), 0x92: (feed - 10, rapid, spindle),
                   0x93: (feed + 1, rapid, spindle), 0x94: (feed - 1, rapid, spindle), 0x95: (feed, 100, spindle),
                   0x96: (feed, 50, spindle), 0x97: (feed, 25, spindle), 0x99: (feed, rapid, 100),
                   0x9A: (feed, rapid, spindle + 10), 0x9B: (feed, rapid, spindle - 10),
                   0x9C: (feed, rapid, spindle + 1), 0x9D: (feed, rapid, spindle - 1)}
        if byte in changes:
            f, r, s = changes[byte]
            self.overrides = [min(max(f, 10), 200), r, min(max(s, 10), 200)]


class SimulatedDevice(Protocol):
    """What PtyMachine drives: a controller model fed bytes, run in steps, read for its answers."""

    unplugged: bool

    def receive(self, data: bytes) -> None: ...

    def advance(self) -> None: ...

    def take_output(self) -> bytes: ...


class PtyMachine:
    """A simulated controller (SimulatedGrbl by default) behind a pseudo-terminal: open `path` with
    pyserial like a real port."""

    def __init__(self, machine: SimulatedDevice | None = None, *, tick_s: float = 0.001, baud: int | None = None,
                 greeting_delay_s: float = 0.05):
        """baud: carry bytes no faster than a serial line at this rate (10 bits a byte); None: as fast as a pty.
        greeting_delay_s: the machine says nothing for this long after starting, as a board reset by
        the port opening greets only once booted; pyserial empties the input when it opens a port,
        so a banner written before would be lost."""
        self.machine = machine or SimulatedGrbl()
        self.greeting_delay_s = greeting_delay_s
        self.tick_s = tick_s
        self.byte_time = 10.0 / baud if baud else 0.0
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no line editing: the bytes as a serial line carries them
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="simulated-controller", daemon=True)

    def __enter__(self) -> PtyMachine:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
        for fd in (self._master, self._slave):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass

    def _run(self) -> None:
        machine = self.machine
        line_free_at = time.monotonic()  # when the incoming serial line has carried what it was given
        speaks_at = time.monotonic() + self.greeting_delay_s
        while not self._stop.is_set():
            readable, _, _ = select.select([self._master], [], [], self.tick_s)
            if readable:
                try:
                    data = os.read(self._master, 4096 if not self.byte_time else 64)
                except OSError:
                    return
                if self.byte_time:
                    line_free_at = max(line_free_at, time.monotonic()) + len(data) * self.byte_time
                    time.sleep(max(0.0, line_free_at - time.monotonic()))
                machine.receive(data)
            machine.advance()
            out = machine.take_output() if time.monotonic() >= speaks_at else b""
            if out:
                os.write(self._master, out)
            if machine.unplugged:
                # The cable is out: the far end of the line is gone, and the port with it.
                os.close(self._master)
                self._master = -1
                return
