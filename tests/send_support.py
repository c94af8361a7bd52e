"""What the sender tests share: a program to stream, and a streamer on a simulated machine over a pty."""

from __future__ import annotations

import serial

from gcode.grbl_sim import PtyMachine


def program(count: int = 300) -> str:
    """A GRBL program: a short preamble, `count` cutting moves on a 2.5 mm grid, the end."""
    lines = ["G21 G90 (millimetres, absolute)", "G0 Z5", "G0 X0 Y0", "M3 S12000", "G4 P3", "G1 Z-1 F300"]
    for i in range(count):
        lines.append(f"G1 X{(i % 50) * 2.5:.3f} Y{(i // 50) * 3.0:.3f} Z-1.000 F3000 ; move {i}")
    lines += ["G0 Z5", "M5", "M2"]
    return "\n".join(lines) + "\n"


def open_streamer(machine, streamer_class, timeout: float = 2.0, **options):
    """(pty, port, streamer) with the streamer connected to `machine` behind a pty."""
    pty = PtyMachine(machine).__enter__()
    port = serial.Serial(pty.path, 115200, timeout=0.02)
    streamer = streamer_class(port, **options)
    streamer.connect(timeout=timeout)
    return pty, port, streamer


def close_all(opened) -> None:
    for pty, port, streamer in opened:
        streamer.close()
        try:
            port.close()
        except OSError:
            pass
        pty.close()


def marlin_program(count: int = 100) -> str:
    """The same moves as `program`, written as plycut writes for Marlin: one command a line, G4 in seconds."""
    lines = ["G21", "G90", "M84 S0", "G0 Z5", "G0 X0 Y0", "M3", "G4 S3", "G1 Z-1 F300"]
    for i in range(count):
        lines.append(f"G1 X{(i % 50) * 2.5:.3f} Y{(i // 50) * 3.0:.3f} Z-1.000 F3000 ; move {i}")
    lines += ["G0 Z5", "M5"]
    return "\n".join(lines) + "\n"
