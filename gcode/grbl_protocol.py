"""What a GRBL-family controller says, read into types: acknowledgements, status reports, banners.

Shared by the sender and the simulated machine, so both read one protocol the
same way. Sources: gnea/grbl doc/markdown/interface.md and doc/csv/*.csv,
grblHAL/core, bdring/FluidNC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

DEFAULT_RX_BUFFER = 128  # bytes: GRBL 1.1's serial receive buffer when $I does not say
LINE_LIMIT = 80  # characters GRBL parses per line, after stripping spaces and comments

SOFT_RESET = b"\x18"
STATUS_QUERY = b"?"
FEED_HOLD = b"!"
CYCLE_START = b"~"

ERRORS = {
    1: "G-code words consist of a letter and a value. Letter was not found.",
    2: "Numeric value format is not valid or missing an expected value.",
    3: "Grbl '$' system command was not recognized or supported.",
    4: "Negative value received for an expected positive value.",
    5: "Homing cycle is not enabled via settings.",
    6: "Minimum step pulse time must be greater than 3usec",
    7: "EEPROM read failed. Reset and restored to default values.",
    8: "Grbl '$' command cannot be used unless Grbl is IDLE.",
    9: "G-code locked out during alarm or jog state",
    10: "Soft limits cannot be enabled without homing also enabled.",
    11: "Max characters per line exceeded. Line was not processed and executed.",
    12: "Grbl '$' setting value exceeds the maximum step rate supported.",
    13: "Safety door detected as opened and door state initiated.",
    14: "Build info or startup line exceeded EEPROM line length limit.",
    15: "Jog target exceeds machine travel. Command ignored.",
    16: "Jog command with no '=' or contains prohibited g-code.",
    17: "Laser mode requires PWM output.",
    20: "Unsupported or invalid g-code command found in block.",
    21: "More than one g-code command from same modal group found in block.",
    22: "Feed rate has not yet been set or is undefined.",
    23: "G-code command in block requires an integer value.",
    24: "Two G-code commands that both require the use of the XYZ axis words were detected in the block.",
    25: "A G-code word was repeated in the block.",
    26: "A G-code command implicitly or explicitly requires XYZ axis words in the block, but none were detected.",
    27: "N line number value is not within the valid range of 1 - 9,999,999.",
    28: "A G-code command was sent, but is missing some required P or L value words in the line.",
    29: "Grbl supports six work coordinate systems G54-G59. G59.1, G59.2, and G59.3 are not supported.",
    30: "The G53 G-code command requires either a G0 seek or G1 feed motion mode to be active.",
    31: "There are unused axis words in the block and G80 motion mode cancel is active.",
    32: "A G2 or G3 arc was commanded but there are no XYZ axis words in the selected plane to trace the arc.",
    33: "The motion command has an invalid target. G2, G3, and G38.2 generates this error.",
    34: "A G2 or G3 arc, traced with the radius definition, had a mathematical error when computing the geometry.",
    35: "A G2 or G3 arc, traced with the offset definition, is missing the IJK offset word in the selected plane.",
    36: "There are unused, leftover G-code words that aren't used by any command in the block.",
    37: "The G43.1 dynamic tool length offset command cannot apply an offset to an axis other than its configured axis.",
    38: "Tool number greater than max supported value.",
}

ALARMS = {
    1: "Hard limit triggered. Machine position is likely lost due to sudden and immediate halt.",
    2: "G-code motion target exceeds machine travel. Machine position safely retained.",
    3: "Reset while in motion. Grbl cannot guarantee position. Lost steps are likely.",
    4: "Probe fail. The probe is not in the expected initial state before starting probe cycle.",
    5: "Probe fail. Probe did not contact the workpiece within the programmed travel.",
    6: "Homing fail. Reset during active homing cycle.",
    7: "Homing fail. Safety door was opened during active homing cycle.",
    8: "Homing fail. Cycle failed to clear limit switch when pulling off.",
    9: "Homing fail. Could not find limit switch within search distance.",
}

# Lines that write EEPROM on an AVR GRBL (interrupts off: serial bytes are lost while
# they run), and `$` queries: they go in send-response mode, alone in the receive buffer.
_SEND_RESPONSE_PREFIXES = ("$", "G10", "G28.1", "G30.1")


def is_settings_write(line: str) -> bool:
    """True for `$` commands, G10, G28.1, G30.1: lines a sender must not stream behind others."""
    return line.replace(" ", "").upper().startswith(_SEND_RESPONSE_PREFIXES)


@dataclass(frozen=True)
class Acknowledgement:
    """`ok` or `error:N`: the one answer to one line."""

    error: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        if self.error is None:
            return "ok"
        return f"error:{self.error} ({ERRORS.get(self.error, 'unknown error')})"


def read_acknowledgement(line: str) -> Acknowledgement | None:
    """The acknowledgement a response line is, or None (status, alarm, message, banner...)."""
    text = line.strip()
    if text == "ok":
        return Acknowledgement()
    match = re.fullmatch(r"error:(\d+)", text)
    return Acknowledgement(int(match.group(1))) if match else None


def read_alarm(line: str) -> int | None:
    match = re.fullmatch(r"ALARM:(\d+)", line.strip())
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Status:
    """A parsed status report `<State|MPos:...|...>`; positions in the controller's units."""

    state: str
    substate: int | None = None
    machine: tuple[float, ...] | None = None
    work: tuple[float, ...] | None = None
    work_offset: tuple[float, ...] | None = None
    feed: float | None = None
    spindle: float | None = None
    overrides: tuple[int, int, int] | None = None
    planner_free: int | None = None
    rx_free: int | None = None
    line: int | None = None
    pins: str = ""

    def with_offset(self, offset: tuple[float, ...] | None) -> Status:
        """Both positions filled in from the last known work offset (GRBL sends WCO only now and then)."""
        if offset is None:
            return self
        if self.machine is not None and self.work is None:
            return replace(self, work=tuple(m - o for m, o in zip(self.machine, offset)), work_offset=offset)
        if self.work is not None and self.machine is None:
            return replace(self, machine=tuple(w + o for w, o in zip(self.work, offset)), work_offset=offset)
        return self


def read_status(line: str) -> Status | None:
    """The status report a line is, or None."""
    text = line.strip()
    if not (text.startswith("<") and text.endswith(">")):
        return None
    fields = text[1:-1].split("|")
    state, _, sub = fields[0].partition(":")
    values: dict[str, str] = {}
    for field in fields[1:]:
        key, _, value = field.partition(":")
        values[key] = value

    def numbers(key: str) -> tuple[float, ...] | None:
        if key not in values:
            return None
        return tuple(float(v) for v in values[key].split(","))

    feed_speed = numbers("FS") or numbers("F")
    buffer = numbers("Bf")
    overrides = numbers("Ov")
    status = Status(
        state=state,
        substate=int(sub) if sub.isdigit() else None,
        machine=numbers("MPos"),
        work=numbers("WPos"),
        work_offset=numbers("WCO"),
        feed=feed_speed[0] if feed_speed else None,
        spindle=feed_speed[1] if feed_speed and len(feed_speed) > 1 else None,
        overrides=tuple(int(v) for v in overrides[:3]) if overrides else None,
        planner_free=int(buffer[0]) if buffer else None,
        rx_free=int(buffer[1]) if buffer and len(buffer) > 1 else None,
        line=int(values["Ln"]) if values.get("Ln", "").isdigit() else None,
        pins=values.get("Pn", ""),
    )
    return status.with_offset(status.work_offset)


@dataclass(frozen=True)
class Firmware:
    name: str  # "grbl", "grblhal", "fluidnc", "marlin"
    version: str


def read_banner(line: str) -> Firmware | None:
    """The firmware a welcome line announces, or None if the line is not a banner."""
    text = line.strip()
    fluid = re.match(r"Grbl\s+(\S+)\s+\[FluidNC\s+v?([^\s\]]+)", text)
    if fluid:
        return Firmware("fluidnc", fluid.group(2))
    hal = re.match(r"GrblHAL\s+(\S+)", text, re.IGNORECASE)
    if hal:
        return Firmware("grblhal", hal.group(1))
    grbl = re.match(r"Grbl\s+(\d+\.\d+\w*)\s+\[", text)
    if grbl:
        return Firmware("grbl", grbl.group(1))
    marlin = re.search(r"\bMarlin[ _]?(\d[\w.\-]*)?", text)
    if marlin and (text.startswith("start") or "Marlin" in text):
        return Firmware("marlin", marlin.group(1) or "")
    return None


def _options(option_line: str) -> re.Match | None:
    return re.fullmatch(r"\[OPT:[^,\]]*,(\d+),(\d+)(?:,.*)?\]", option_line.strip())


def read_rx_buffer(option_line: str) -> int | None:
    """The receive buffer size from `[OPT:codes,blocks,rxbuf]`, or None when the line does not give it."""
    match = _options(option_line)
    return int(match.group(2)) if match else None


def read_planner_blocks(option_line: str) -> int | None:
    """The planner's size in blocks from `[OPT:codes,blocks,rxbuf]`, or None when the line does not give it."""
    match = _options(option_line)
    return int(match.group(1)) if match else None
