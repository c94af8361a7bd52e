"""A simulated Marlin 2.1: its serial protocol on a CNC build, without the machine.

It answers like Marlin because the Marlin streamer is tested against it:
numbered lines with checksums checked as they are read into a 4-line command
queue (`Error:...`, the receive buffer thrown away, `Resend: n`, `ok`), one
`ok` per command once processed (a move: once it is in the 15-block planner),
`echo:busy: processing` every 2 s while a command keeps it busy (a dwell, a
full planner, M400), M110 setting the line number when it is processed,
M410 acting at once through the emergency parser. Marlin only reads new lines
between commands, never while one keeps it busy. Faults can be injected: a
line corrupted or lost on its first way in, an `Error:` from a command, slow
processing.

It is driven like the simulated GRBL (`receive`, `advance`, `take_output`), so
`gcode.grbl_sim.PtyMachine` runs it behind a pseudo-terminal.
"""

from __future__ import annotations

import math
import re
import time
from collections import deque
from dataclasses import dataclass, field

from gcode.marlin_protocol import (
    BUFSIZE,
    CHECKSUM_ERROR,
    LINE_NUMBER_ERROR,
    NO_CHECKSUM_ERROR,
    NO_LINE_NUMBER_ERROR,
    QUICK_STOP,
    RX_BUFFER_SIZE,
    checksum,
)

VERSION = "2.1.2.1"
BANNER = ("start", f"echo:Marlin {VERSION}", "echo: Last Updated: 2023-07-13 | Author: (plycut simulator)",
          "echo: Compiled: Jul 13 2023", "echo: Free Memory: 2917  PlannerBufferBytes: 1232")
FIRMWARE_INFO = (f"FIRMWARE_NAME:Marlin {VERSION} (plycut simulator) SOURCE_CODE_URL:github.com/MarlinFirmware/Marlin "
                 "PROTOCOL_VERSION:1.0 MACHINE_TYPE:CNC router EXTRUDER_COUNT:0")
PLANNER_BLOCKS = 15  # BLOCK_BUFFER_SIZE 16, one slot always free
KEEPALIVE_S = 2.0  # DEFAULT_KEEPALIVE_INTERVAL
QUICK_STOP_HOLDOFF_S = 1.0  # after M410, moves reaching the planner are dropped for 1 s (cleaning_buffer_counter)
RAPID_RATE = 3000.0  # mm/min
ARC_ERROR = "G2/G3 bad parameters"
_COMMAND = re.compile(r"([GMT])(\d+)")
_WORD = re.compile(r"([A-Z])\s*([-+]?(?:\d+\.?\d*|\.\d+))")
_LINE_NUMBER = re.compile(r"N(-?\d*)")
_LINE_NUMBER_PREFIX = re.compile(r"^N-?\d*\s*")


@dataclass
class MarlinFaults:
    """What goes wrong, by Marlin line number N (the streamer numbers the program's lines from 1)."""

    corrupt_line: set[int] = field(default_factory=set)  # a byte changed the first time it arrives: bad checksum
    drop_line: set[int] = field(default_factory=set)  # lost on the wire the first time it is sent
    error_at: dict[int, str] = field(default_factory=dict)  # the command answers Error:<text>, does nothing, then ok
    processing_s: float = 0.0  # every command takes at least this long before its ok: slow acknowledgements


@dataclass
class _Move:
    target: tuple[float, float, float]
    seconds: float


@dataclass
class _Queued:
    number: int | None
    command: str


class SimulatedMarlin:
    """Marlin 2.1's serial behaviour on a CNC build. `speed` > 1 runs motion and dwells that many times faster."""

    def __init__(self, *, speed: float = 1.0, faults: MarlinFaults | None = None, clock=time.monotonic,
                 keepalive_s: float = KEEPALIVE_S, boot_s: float = 0.05, rx_buffer: int = RX_BUFFER_SIZE):
        """boot_s: the banner comes this long after start (a board reset by the port opening); what
        arrives before is lost, as in a bootloader. keepalive_s: 0 for a build without HOST_KEEPALIVE_FEATURE."""
        self.speed = speed
        self.faults = faults or MarlinFaults()
        self.clock = clock
        self.keepalive_s = keepalive_s
        self.rx_capacity = rx_buffer
        self.unplugged = False  # PtyMachine asks; a Marlin cable is never pulled here
        self.rx = bytearray()
        self.output = bytearray()
        self.dropped_bytes = 0
        self.last_number = 0  # Marlin's last_N
        self.queue: deque[_Queued] = deque()  # accepted commands; the first is being processed
        self.planner: deque[_Move] = deque()
        self.position = [0.0, 0.0, 0.0]
        self.absolute = True
        self.feed = 1000.0
        self.spindle = 0.0
        self.executed: list[str] = []  # commands processed, in order (a move: handed to the planner)
        self.dropped_moves: list[str] = []  # moves thrown away just after a quick stop
        self.line_errors: list[str] = []  # what was refused, as Marlin said it
        self.quick_stops = 0
        self._booted_at = clock() + boot_s
        self._booted = False
        self._emergency_line = bytearray()
        self._started: float | None = None  # when the first queued command began to be processed
        self._dwell_until: float | None = None
        self._next_busy = 0.0
        self._move_started = clock()
        self._holdoff_until = -math.inf

    # -- host side --------------------------------------------------------

    def receive(self, data: bytes) -> None:
        """Bytes from the host: seen first by the emergency parser, then kept in the receive buffer if it has room."""
        if not self._booted:
            return  # the board is still resetting: the bootloader swallows them
        for byte in data:
            self._emergency_parser(byte)
            if len(self.rx) < self.rx_capacity:
                self.rx.append(byte)
            else:
                self.dropped_bytes += 1

    def take_output(self) -> bytes:
        data = bytes(self.output)
        self.output.clear()
        return data

    # -- controller side --------------------------------------------------

    def advance(self) -> None:
        """Marlin's main loop until it must wait: read lines while the queue has room, process them in order."""
        now = self.clock()
        if not self._booted:
            if now < self._booted_at:
                return
            self._booted = True
            for line in BANNER:
                self._say(line)
        self._run_motion(now)
        while True:
            if self.queue and self._started is not None:
                if not self._process(self.queue[0], now):
                    self._keepalive(now)
                    return
                self.queue.popleft()
                self._started = None
                self._say("ok")
                continue
            self._read_commands()
            if not self.queue:
                return
            self._started, self._dwell_until = now, None
            self._next_busy = now + self.keepalive_s

    # -- reading lines ------------------------------------------------------

    def _emergency_parser(self, byte: int) -> None:
        if byte not in (0x0A, 0x0D):
            if len(self._emergency_line) < 96:
                self._emergency_line.append(byte)
            return
        text = _LINE_NUMBER_PREFIX.sub("", self._emergency_line.decode("ascii", errors="replace").strip())
        self._emergency_line.clear()
        if text.upper().startswith(QUICK_STOP):
            self.quick_stops += 1
            self.planner.clear()
            self._holdoff_until = self.clock() + QUICK_STOP_HOLDOFF_S

    def _read_commands(self) -> None:
        """get_serial_commands: check each complete line and queue it, while the queue has room."""
        while len(self.queue) < BUFSIZE and b"\n" in self.rx:
            end = self.rx.index(b"\n")
            line = bytes(self.rx[:end]).decode("ascii", errors="replace").split(";")[0].strip()
            del self.rx[:end + 1]
            if line:
                self._take_line(line)

    def _take_line(self, line: str) -> None:
        number = None
        if line.startswith("N"):
            match = _LINE_NUMBER.match(line)
            number = int(match.group(1)) if match.group(1) not in ("", "-") else 0
            if number in self.faults.drop_line:
                self.faults.drop_line.discard(number)
                return
            if number in self.faults.corrupt_line and "*" in line:
                self.faults.corrupt_line.discard(number)
                star = line.rindex("*")
                line = line[:star - 1] + chr(ord(line[star - 1]) ^ 1) + line[star:]
            is_m110 = "M110" in line
            if is_m110:
                # M110's own N argument is the number checked (N5 M110 N0 sets it to 0 later).
                inner = line.find("N", line.index("M110") + 4)
                if inner >= 0:
                    number = int(_LINE_NUMBER.match(line, inner).group(1) or 0)
            if number != self.last_number + 1 and not is_m110:
                return self._line_error(LINE_NUMBER_ERROR)
            star = line.rfind("*")
            if star < 0:
                return self._line_error(NO_CHECKSUM_ERROR)
            sent = re.match(r"\d+", line[star + 1:])
            if sent is None or int(sent.group()) != checksum(line[:star]):
                return self._line_error(CHECKSUM_ERROR)
            self.last_number = number
            line = _LINE_NUMBER_PREFIX.sub("", line[:star]).strip()
        elif "*" in line:
            # A piece of a line whose start was thrown away with the receive buffer: refused, as
            # Marlin 1.1 and Prusa do (2.x would run it unchecked).
            return self._line_error(NO_LINE_NUMBER_ERROR)
        self.queue.append(_Queued(number, line))

    def _line_error(self, message: str) -> None:
        self.line_errors.append(message + str(self.last_number))
        self._say(f"Error:{message}{self.last_number}")
        self.rx.clear()  # everything received after the bad line goes too
        self._say(f"Resend: {self.last_number + 1}")
        self._say("ok")

    # -- processing commands ----------------------------------------------------

    def _process(self, queued: _Queued, now: float) -> bool:
        """Work on the first queued command; True once it is done (its ok goes out)."""
        if now - self._started < self.faults.processing_s:
            return False
        command = queued.command.upper()
        match = _COMMAND.match(command)
        if queued.number in self.faults.error_at:
            self._say(f"Error:{self.faults.error_at.pop(queued.number)}")
            return True
        if match is None:
            self._say(f'echo:Unknown command: "{queued.command}"')
            return True
        code = match.group(1) + str(int(match.group(2)))
        words = dict(_WORD.findall(command[match.end():]))
        if code in ("G0", "G1", "G2", "G3", "G28"):
            return self._move(code, words, queued.command, now)
        synchronized = code in ("G4", "M400", "M3", "M4", "M5", "G92")
        if synchronized and self.planner:
            return False  # planner.synchronize(): these wait for every move before them
        if code == "G4":
            if self._dwell_until is None:
                seconds = float(words.get("S", 0.0)) + float(words.get("P", 0.0)) / 1000.0
                self._dwell_until = now + seconds / self.speed
            if now < self._dwell_until:
                return False
        elif code in ("M3", "M4"):
            self.spindle = float(words.get("S", 1.0))
        elif code == "M5":
            self.spindle = 0.0
        elif code in ("G90", "G91"):
            self.absolute = code == "G90"
        elif code == "G92":
            for axis, letter in enumerate("XYZ"):
                if letter in words:
                    self.position[axis] = float(words[letter])
        elif code == "M110":
            self.last_number = int(float(words.get("N", 0)))
        elif code == "M113":
            self.keepalive_s = float(words.get("S", self.keepalive_s))
        elif code == "M114":
            x, y, z = self.position
            self._say(f"X:{x:.2f} Y:{y:.2f} Z:{z:.2f} E:0.00 Count X:0 Y:0 Z:0")
        elif code == "M115":
            self._say(FIRMWARE_INFO)
        elif code not in ("G17", "G20", "G21", "G53", "G54", "G55", "G56", "G57", "G58", "G59", "M7", "M8", "M9",
                          "M17", "M18", "M84", "M400", QUICK_STOP):
            self._say(f'echo:Unknown command: "{queued.command}"')
            return True
        self.executed.append(queued.command)
        return True

    def _move(self, code: str, words: dict[str, str], command: str, now: float) -> bool:
        if code in ("G2", "G3") and not ({"I", "J", "R"} & words.keys()):
            self._say(f"Error:{ARC_ERROR}")
            return True
        if len(self.planner) >= PLANNER_BLOCKS:
            return False  # planner.buffer_line waits for room
        if "F" in words:
            self.feed = float(words["F"])
        start = self.planner[-1].target if self.planner else tuple(self.position)
        target = [0.0, 0.0, 0.0] if code == "G28" else list(start)
        for axis, letter in enumerate("XYZ"):
            if letter in words:
                value = float(words[letter])
                target[axis] = value if self.absolute else target[axis] + value
        if now < self._holdoff_until:
            self.dropped_moves.append(command)
            return True
        rate = RAPID_RATE if code in ("G0", "G28") else max(self.feed, 1e-6)
        if not self.planner:
            self._move_started = now
        self.planner.append(_Move(tuple(target), math.dist(start, target) / rate * 60.0 / self.speed))
        self.executed.append(command)
        return True

    def _run_motion(self, now: float) -> None:
        while self.planner and now - self._move_started >= self.planner[0].seconds:
            move = self.planner.popleft()
            self._move_started += move.seconds
            self.position = list(move.target)

    def _keepalive(self, now: float) -> None:
        if self.keepalive_s > 0.0 and now >= self._next_busy:
            self._say("echo:busy: processing")
            self._next_busy = now + self.keepalive_s

    def _say(self, text: str) -> None:
        self.output += (text + "\n").encode("ascii")
