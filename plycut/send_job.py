"""`plycut send`: preflight a program, open the port (or the simulated machine), stream it
with the streamer of the firmware whose banner answers (GRBL family or Marlin)."""

from __future__ import annotations

import contextlib
import errno
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
from gcode.grbl_protocol import Firmware
from gcode.grbl_sim import PtyMachine, SimulatedGrbl
from gcode.journal import read_journal
from gcode.marlin_sender import MarlinStreamer
from gcode.marlin_sim import SimulatedMarlin
from gcode.programs import read_program
from gcode.resume import resume_lines
from gcode.sender import GrblStreamer, SenderFailure, StreamReport, operator_key, program_lines
from gcode.serial_lines import SerialLines, identify_firmware
from gcode.tooling import Machine
from nester.errors import InputError

SIM_SCHEME = "sim://"
STREAMED_DIALECTS = ("grbl", "grblhal", "marlin")
GRBL_FAMILY = ("grbl", "grblhal", "fluidnc")  # firmware that runs programs written for grbl and grblhal
SIMULATED = {"grbl": SimulatedGrbl, "marlin": SimulatedMarlin}


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


def resume_point(journal: Path, text: str) -> int:
    """The file line to resume at after the last run in `journal`: the first line not surely executed.

    The lines that ran must read the same in the file (the machine state is rebuilt from them);
    the lines after may have been edited, the one that stopped the run for instance."""
    try:
        record = read_journal(journal)
    except OSError as exc:
        raise InputError(f"{journal}: cannot read the journal ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise InputError(f"{journal}: {exc}") from None
    if record.last_executed is None:
        raise InputError(f"{journal}: no line is known to have run (last acknowledged: "
                         f"{record.last_acknowledged}); send the program from the start; nothing sent")
    lines = dict(program_lines(text))
    for number, sent in sorted(record.sent.items()):
        if number <= record.last_executed and lines.get(number) != sent:
            raise InputError(f"{journal}: line {number} ran as '{sent}', but the program's line {number} reads "
                             f"'{lines.get(number, '')}': the journal of another program? nothing sent")
    later = [number for number in lines if number > record.last_executed]
    if not later:
        raise InputError(f"{journal}: every line up to the end has run; nothing to resume, nothing sent")
    return later[0]


@contextlib.contextmanager
def operator_keys(streamer: GrblStreamer | MarlinStreamer, terminal: int | None = None) -> Iterator[None]:
    """While streaming, each key pressed on the terminal goes to the streamer at once (no Enter).

    terminal: the file descriptor to read keys from (default: standard input); nothing is
    read unless it is a terminal."""
    if terminal is None:
        if not sys.stdin.isatty():
            yield
            return
        terminal = sys.stdin.fileno()
    if not os.isatty(terminal):
        yield
        return
    fd = terminal
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
    """A pyserial port for a device path or URL, locked against other programs (flock);
    `sim://?speed=N&firmware=marlin` starts a simulated GRBL (or Marlin) behind a pty."""
    simulated = None
    if url.startswith(SIM_SCHEME):
        query = parse_qs(urlparse(url).query)
        try:
            speed = float(query.get("speed", ["1"])[0])
        except ValueError:
            raise InputError(f"{url}: speed must be a number") from None
        firmware = query.get("firmware", ["grbl"])[0]
        if firmware not in SIMULATED:
            raise InputError(f"{url}: firmware '{firmware}': the simulator plays {' or '.join(SIMULATED)}")
        simulated = PtyMachine(SIMULATED[firmware](speed=speed)).__enter__()
        url = simulated.path
    try:
        # exclusive: two senders on one port would interleave their lines and both lose count.
        port = serial.serial_for_url(url, baudrate=baud, timeout=0.02, exclusive=True)
    except (serial.SerialException, ValueError, OSError) as exc:
        if simulated:
            simulated.close()
        if getattr(exc, "errno", None) in (errno.EWOULDBLOCK, errno.EAGAIN):
            raise InputError(f"{url}: port is busy (used by another program); nothing sent") from None
        raise InputError(f"{url}: cannot open the port ({exc}); nothing sent") from None
    try:
        yield port
    finally:
        with contextlib.suppress(OSError, serial.SerialException):
            port.close()
        if simulated:
            simulated.close()


def connect(port: serial.SerialBase, url: str, machine: Machine, timeout: float, *, window: int = 1,
            record_executed: bool = True, **options) -> tuple[GrblStreamer | MarlinStreamer, Firmware]:
    """The streamer for the firmware whose banner answers on the port, connected.

    options go to either streamer; window to Marlin's, record_executed to GRBL's. Raises
    InputError when nothing answers, when the banner names no firmware plycut knows, when the
    firmware does not run the machine's dialect, or when the connection fails."""
    link = SerialLines(port)
    firmware, heard = identify_firmware(link, timeout)
    if firmware is None and heard:
        raise InputError(f"{url}: unknown firmware banner '{heard[0]}'; nothing sent")
    if firmware is None:
        raise InputError(f"{url}: no banner within {timeout:g} s (is a GRBL or Marlin controller there?); nothing sent")
    runs_dialect = firmware.name == "marlin" if machine.dialect == "marlin" else firmware.name in GRBL_FAMILY
    if not runs_dialect:
        raise InputError(f"{url}: the controller is {firmware.name} {firmware.version}, but {machine.id} programs are "
                         f"written for {machine.dialect}; nothing sent")
    if firmware.name == "marlin":
        streamer: GrblStreamer | MarlinStreamer = MarlinStreamer(link, window=window, **options)
    else:
        streamer = GrblStreamer(link, record_executed=record_executed, **options)
    try:
        streamer.connect(timeout, firmware=firmware)
    except SenderFailure as exc:
        streamer.close()
        raise InputError(f"{exc}; nothing sent") from None
    return streamer, firmware


def send_program(file: Path, machine: Machine, url: str, *, baud: int = 115200, on_error: str = "stop",
                 journal: Path | None = None, check_mode: bool = False, timeout: float = 3.0,
                 resume_from: int | None = None, resume_journal: Path | None = None, plunge_feed: float = 300.0,
                 window: int = 1, progress: Callable[[StreamReport, int, float], None] | None = None,
                 keys: bool = False, terminal: int | None = None) -> SendResult:
    """Preflight, connect, stream. Bad input and an unreachable controller raise InputError; nothing is sent.

    resume_journal: resume at the first line the journal's last run did not surely execute.
    window: Marlin only, lines sent ahead of their ok (1 to 4).
    progress, if given, gets the report, the number of lines to send and the estimated seconds left.
    keys: read the operator's keys from the terminal (`terminal`, default standard input) while
    streaming (see gcode.sender.OPERATOR_KEYS)."""
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{file}: cannot read ({exc.strerror or exc})") from None
    problems, estimate = preflight(file, text, machine)
    if problems and not check_mode:
        raise InputError(f"{problems[0]} (preflight failed, {len(problems)} problem(s): nothing sent)")
    if machine.dialect == "marlin" and (check_mode or resume_from or resume_journal):
        what = "check mode ($C)" if check_mode else "resuming"
        raise InputError(f"{machine.id}: {what} is for GRBL-family controllers, not Marlin; nothing sent")
    if resume_journal is not None:
        resume_from = resume_point(resume_journal, text)
    to_send = program_lines(text)
    if resume_from is not None:
        to_send = _resumed(text, resume_from, machine, plunge_feed, file)
    journal = journal or file.with_name(file.name + ".journal")
    with open_port(url, baud) as port:
        streamer, firmware = connect(port, url, machine, timeout, journal=journal, window=window,
                                     on_error="continue" if check_mode else on_error,
                                     record_executed=not check_mode)
        try:
            if resume_from is not None:
                # The premise of this run: the lines before it ran in an earlier one.
                streamer.journal.write(f"# resuming at line {resume_from}")
                streamer.journal.write(f"executed {resume_from - 1}")
            if check_mode:
                streamer.command("$C")
            total = len(to_send)
            with operator_keys(streamer, terminal) if keys else contextlib.nullcontext():
                report = streamer.stream(to_send, None if progress is None else (
                    lambda r: progress(r, total, estimate.remaining_after(r.last_acknowledged or 0))))
            if check_mode:
                streamer.command("$C")  # leaving check mode resets the controller
        except SenderFailure as exc:
            raise InputError(str(exc)) from None
        finally:
            streamer.close()
    return SendResult(report, f"{firmware.name} {firmware.version}", journal, tuple(problems))
