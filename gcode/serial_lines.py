"""Lines in and bytes out on an open pyserial port, and telling which firmware answers on it.

Both streamers (GRBL family, Marlin) read the port through one `SerialLines`, so
whatever arrives after the banner that identified the firmware is kept for the
streamer that takes the port over, not lost with a first reader's buffer.
"""

from __future__ import annotations

import time

import serial

from gcode.grbl_protocol import SOFT_RESET, Firmware, read_banner

READ_TICK = 0.02  # s: how long one read waits for a response line


class SerialLines:
    """One pyserial port read line by line; partial lines wait in the buffer for their end."""

    def __init__(self, port: serial.SerialBase, clock=time.monotonic):
        self.port = port
        self.clock = clock
        self._received = b""

    @classmethod
    def over(cls, port: serial.SerialBase | SerialLines, clock=time.monotonic) -> SerialLines:
        """The reader of an open port, or the reader itself when given one (it may hold lines already)."""
        return port if isinstance(port, SerialLines) else cls(port, clock)

    @property
    def name(self) -> str:
        return str(self.port.port)

    def write(self, data: bytes) -> None:
        self.port.write(data)

    def read_line(self) -> str:
        """The next response line, or "" if none is complete within READ_TICK."""
        while b"\n" not in self._received:
            self.port.timeout = READ_TICK
            chunk = self.port.read(max(1, self.port.in_waiting))
            if not chunk:
                return ""
            self._received += chunk
        line, _, self._received = self._received.partition(b"\n")
        return line.decode("ascii", errors="replace").strip()


def wait_for_banner(link: SerialLines, timeout: float) -> tuple[Firmware | None, list[str]]:
    """The firmware the first banner names, and the other lines heard before it."""
    heard: list[str] = []
    deadline = link.clock() + timeout
    while link.clock() < deadline:
        line = link.read_line()
        if line:
            firmware = read_banner(line)
            if firmware is not None:
                return firmware, heard
            heard.append(line)
    return None, heard


def identify_firmware(link: SerialLines, timeout: float) -> tuple[Firmware | None, list[str]]:
    """Wait half the time for a banner; without one, soft-reset (GRBL prints its banner again) and wait the rest.

    A board that resets when the port opens (an Arduino, through DTR) prints its banner by
    itself; one that does not needs the reset. Marlin takes the reset byte as text: the
    Marlin streamer ends that line before it starts (see MarlinStreamer.connect)."""
    firmware, heard = wait_for_banner(link, timeout / 2.0)
    if firmware is None:
        link.write(SOFT_RESET)
        firmware, more = wait_for_banner(link, timeout / 2.0)
        heard += more
    return firmware, heard
