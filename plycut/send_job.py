"""`plycut send`: preflight a program, open the port (or the simulated machine), stream it."""

from __future__ import annotations

import contextlib
import os
import select
import sys
import termios
import threading
import tty
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import serial

from gcode.check import check_program, rules_for
from gcode.estimate import TimeEstimate, estimate_time
from gcode.grbl_sim import PtyMachine, SimulatedGrbl
from gcode.programs import read_program
from gcode.resume import resume_lines
from gcode.sender import GrblStreamer, SenderFailure, StreamReport, operator_key, program_lines
from gcode.tooling import Machine
from nester.errors import InputError

SIM_SCHEME = "sim://"
STREAMED_DIALECTS = ("grbl", "grblhal")


@dataclass(frozen=True)
class SendResult:
    report: StreamReport
    firmware: str
    journal: Path
    warnings: tuple[str, ...] = ()


def _resumed(text: str, start: int, machine: Machine, plunge_feed: float, file: Path) -> list[tuple[int, str]]:
    """The lines to send to re-enter the program at file line `start`: a preamble (line 0), then the rest."""
    raw = text.splitlines()
    try:
        lines = resume_lines(raw, start, safe_z=machine.safe_z, plunge_feed=plunge_feed,
                             spin_up_s=machine.spindle_spinup_s)
    except ValueError as exc:
        raise InputError(f"{file}: --resume-from {start}: {exc}") from None
    preamble = lines[:len(lines) - (len(raw) - start + 1)]
    rest = [(number, line) for number, line in program_lines(text) if number >= start]
    return [(0, line) for _, line in program_lines("\n".join(preamble))] + rest


@contextlib.contextmanager
def operator_keys(streamer: GrblStreamer) -> Iterator[None]:
    """While streaming, each key pressed on the terminal goes to the streamer at once (no Enter)."""
    if not sys.stdin.isatty():
        yield
        return
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    done = threading.Event()

    def listen() -> None:
        while not done.is_set():
            readable, _, _ = select.select([fd], [], [], 0.1)
            if readable:
                operator_key(streamer, os.read(fd, 1).decode("ascii", errors="ignore"))

    tty.setcbreak(fd)
    listener = threading.Thread(target=listen, name="operator-keys", daemon=True)
    listener.start()
    try:
        yield
    finally:
        done.set()
        listener.join(timeout=1.0)
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def preflight(file: Path, text: str, machine: Machine) -> tuple[list[str], TimeEstimate]:
    """The machine's check rules on the program (one line per problem, with the file line), and its run time."""
    if machine.dialect not in STREAMED_DIALECTS:
        raise InputError(f"{machine.id}: the sender streams GRBL and grblHAL programs, not {machine.dialect}")
    program = read_program(text, machine.dialect, source=str(file))
    problems = [(line, message) for line, message in program.errors]
    problems += [(v.line, v.message) for v in check_program(program, rules=rules_for(machine.dialect, machine, None))]
    return [f"{file}:{line}: {message}" for line, message in sorted(problems)], estimate_time(program, machine)


@contextlib.contextmanager
def open_port(url: str, baud: int) -> Iterator[serial.SerialBase]:
    """A pyserial port for a device path or URL; `sim://?speed=N` starts a simulated GRBL behind a pty."""
    simulated = None
    if url.startswith(SIM_SCHEME):
        query = parse_qs(urlparse(url).query)
        try:
            speed = float(query.get("speed", ["1"])[0])
        except ValueError:
            raise InputError(f"{url}: speed must be a number") from None
        simulated = PtyMachine(SimulatedGrbl(speed=speed)).__enter__()
        url = simulated.path
    try:
        port = serial.serial_for_url(url, baudrate=baud, timeout=0.02)
    except (serial.SerialException, ValueError, OSError) as exc:
        if simulated:
            simulated.close()
        raise InputError(f"{url}: cannot open the port ({exc})") from None
    try:
        yield port
    finally:
        with contextlib.suppress(OSError, serial.SerialException):
            port.close()
        if simulated:
            simulated.close()


def send_program(file: Path, machine: Machine, url: str, *, baud: int = 115200, on_error: str = "stop",
                 journal: Path | None = None, check_mode: bool = False, timeout: float = 3.0,
                 resume_from: int | None = None, plunge_feed: float = 300.0,
                 progress: Callable[[StreamReport, int, float], None] | None = None,
                 keys: bool = False) -> SendResult:
    """progress, if given, gets the report, the number of lines to send and the estimated seconds left.
    keys: read the operator's keys from the terminal while streaming (see gcode.sender.OPERATOR_KEYS)."""
    """Preflight, connect, stream. Bad input and an unreachable controller raise InputError; nothing is sent."""
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{file}: cannot read ({exc.strerror or exc})") from None
    problems, estimate = preflight(file, text, machine)
    if problems and not check_mode:
        raise InputError(f"{problems[0]} (preflight failed, {len(problems)} problem(s): nothing sent)")
    to_send = program_lines(text)
    if resume_from is not None:
        to_send = _resumed(text, resume_from, machine, plunge_feed, file)
    journal = journal or file.with_name(file.name + ".journal")
    with open_port(url, baud) as port:
        streamer = GrblStreamer(port, journal=journal, on_error="continue" if check_mode else on_error)
        try:
            firmware = streamer.connect(timeout)
            if check_mode:
                streamer.command("$C")
            total = len(to_send)
            with operator_keys(streamer) if keys else contextlib.nullcontext():
                report = streamer.stream(to_send, None if progress is None else (
                    lambda r: progress(r, total, estimate.remaining_after(r.last_acknowledged or 0))))
            if check_mode:
                streamer.command("$C")  # leaving check mode resets the controller
        except SenderFailure as exc:
            raise InputError(str(exc)) from None
        finally:
            streamer.close()
    return SendResult(report, f"{firmware.name} {firmware.version}", journal, tuple(problems))
