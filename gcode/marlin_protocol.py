"""What Marlin says over serial, and the numbered, checksummed lines it takes: shared by the
Marlin streamer and the simulated Marlin so both read one protocol the same way.

Marlin 2.1 (MarlinFirmware/Marlin, src/gcode/queue.cpp, gcode.cpp):
- A line `N<n> <command>*<checksum>` is checked when Marlin reads it into its
  command queue: the checksum is the XOR of every byte before `*`, and n must be
  the last accepted number + 1 (`M110 N<n>` sets that number). A bad line gets
  `Error:<why>, Last Line: <last>`, Marlin throws away everything in its receive
  buffer, and asks `Resend: <last + 1>` followed by `ok`.
- Every accepted command gets one `ok` once it has been processed (a move: once
  it is in the planner), so `ok`s come in the order the lines were sent.
- While a command keeps it busy (a dwell, a full planner, M400) it prints
  `echo:busy: processing` every 2 s (HOST_KEEPALIVE_FEATURE, M113).
- The command queue holds BUFSIZE (4) lines, the one being processed included.
- With EMERGENCY_PARSER, M410 (quick stop: drop every planned move) acts as soon
  as its line arrives, ahead of the queue.
"""

from __future__ import annotations

import re

BUFSIZE = 4  # Marlin's command queue, in lines
RX_BUFFER_SIZE = 128  # bytes: Marlin's serial receive buffer on an AVR board (RX_BUFFER_SIZE)
QUICK_STOP = "M410"
RESET_LINE_NUMBER = "M110 N0"
LINE_NUMBER_ERROR = "Line Number is not Last Line Number+1, Last Line: "
CHECKSUM_ERROR = "checksum mismatch, Last Line: "
NO_CHECKSUM_ERROR = "No Checksum with line number, Last Line: "
NO_LINE_NUMBER_ERROR = "No Line Number with checksum, Last Line: "
# Errors about the line itself, not the command in it: Marlin asks for it again (Resend:).
LINE_ERRORS = (LINE_NUMBER_ERROR, CHECKSUM_ERROR, NO_CHECKSUM_ERROR, NO_LINE_NUMBER_ERROR)
BUSY = "busy:"


def checksum(text: str) -> int:
    """Marlin's checksum: the XOR of every byte of the line before `*`."""
    value = 0
    for byte in text.encode("ascii"):
        value ^= byte
    return value


def numbered(number: int, command: str) -> str:
    """The line Marlin checks: `N<number> <command>*<checksum>` (without the newline)."""
    text = f"N{number} {command}"
    return f"{text}*{checksum(text)}"


def read_resend(line: str) -> int | None:
    """The line number a `Resend: n` (or the short `rs n`) asks for, or None."""
    match = re.fullmatch(r"(?:Resend:|rs)\s*(\d+)", line.strip(), re.IGNORECASE)
    return int(match.group(1)) if match else None


def read_error(line: str) -> str | None:
    """The text of an `Error:...` line, or None."""
    text = line.strip()
    return text[len("Error:"):].strip() if text.startswith("Error:") else None


def is_line_error(error: str) -> bool:
    """True for an error about the line (checksum, number), which a `Resend:` follows."""
    return error.startswith(LINE_ERRORS)


def is_ok(line: str) -> bool:
    """`ok`, or `ok N.. P.. B..` with ADVANCED_OK."""
    text = line.strip()
    return text == "ok" or text.startswith("ok ")


def is_busy(line: str) -> bool:
    """`echo:busy: processing`, `busy: paused for user`...: Marlin is alive and working on a command."""
    return BUSY in line
