"""The Marlin streamer against the simulated Marlin, over a real pseudo-terminal opened with pyserial."""

from __future__ import annotations

import os
import select
import threading
import time

import pytest
from send_support import close_all, marlin_program, open_streamer, program
from typer.testing import CliRunner

from gcode.marlin_protocol import checksum, numbered, read_resend
from gcode.marlin_sender import MarlinStreamer
from gcode.marlin_sim import MarlinFaults, SimulatedMarlin
from gcode.sender import program_lines
from plycut.cli import app

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs POSIX pseudo-terminals")


@pytest.fixture
def closing():
    opened = []
    yield opened
    close_all(opened)


def connect(machine: SimulatedMarlin, **options):
    return open_streamer(machine, MarlinStreamer, **options)


def texts(lines):
    return [text for _, text in lines]


def feed(machine: SimulatedMarlin, *lines: str) -> str:
    """Lines straight into the model, no pty; what it answers."""
    machine.receive("".join(line + "\n" for line in lines).encode("ascii"))
    machine.advance()
    return machine.take_output().decode("ascii")


def booted_model(**options) -> SimulatedMarlin:
    machine = SimulatedMarlin(boot_s=0.0, **options)
    machine.advance()
    machine.take_output()
    return machine


def test_the_checksum_is_the_xor_of_every_byte_before_the_star():
    assert checksum("N0 M110 N0") == 125  # the line every host sends first (OctoPrint's "N0 M110 N0*125")
    assert numbered(7, "G1X5") == f"N7 G1X5*{checksum('N7 G1X5')}"
    assert read_resend("Resend: 12") == 12 and read_resend("rs 3") == 3 and read_resend("ok") is None


def test_the_model_refuses_bad_lines_as_marlin_does_and_throws_away_what_followed():
    machine = booted_model()
    assert feed(machine, numbered(0, "M110 N0")) == "ok\n"
    bad = numbered(1, "G1X5F600")[:-1] + "0"  # the wrong checksum
    # The line after the bad one came in the same burst: Marlin empties its receive buffer, so it is lost too.
    assert feed(machine, bad, numbered(2, "G1X6")) == "Error:checksum mismatch, Last Line: 0\nResend: 1\nok\n"
    assert feed(machine, numbered(2, "G1X6")) == (
        "Error:Line Number is not Last Line Number+1, Last Line: 0\nResend: 1\nok\n")
    assert feed(machine, "N1 G1X5F600") == "Error:No Checksum with line number, Last Line: 0\nResend: 1\nok\n"
    assert feed(machine, numbered(1, "G1X5F600"), numbered(2, "G1X6")) == "ok\nok\n"
    assert machine.executed == ["M110 N0", "G1X5F600", "G1X6"]
    assert feed(machine, numbered(5, "M110 N0"), numbered(1, "G0Z5")) == "ok\nok\n"  # M110 sets the count back
    assert machine.executed[-1] == "G0Z5"


def test_every_line_is_numbered_checksummed_and_runs_once_in_order(closing, tmp_path):
    lines = program_lines(marlin_program(100))
    machine = SimulatedMarlin(speed=1000.0)
    pty, port, streamer = connect(machine, journal=tmp_path / "j.log")
    closing.append((pty, port, streamer))
    assert (streamer.firmware.name, streamer.firmware.version) == ("marlin", "2.1.2.1")
    report = streamer.stream(lines)
    assert report.completed and report.sent == report.acknowledged == len(lines) and report.resent == 0
    assert machine.executed == ["M110 N0", *texts(lines)]
    assert machine.line_errors == [] and machine.dropped_bytes == 0
    journal = (tmp_path / "j.log").read_text().splitlines()
    assert journal[0].startswith("# connected marlin 2.1.2.1") and journal[-1] == "# completed"
    assert sum(e.startswith("ok ") for e in journal) == len(lines)


@pytest.mark.parametrize("window", [1, 4])
def test_a_corrupted_and_a_lost_line_are_sent_again_and_run_exactly_once(closing, window):
    lines = program_lines(marlin_program(100))
    faults = MarlinFaults(corrupt_line={20}, drop_line={45})  # Marlin numbers = positions in `lines`
    machine = SimulatedMarlin(speed=1000.0, faults=faults)
    pty, port, streamer = connect(machine, window=window, nudge_after_s=0.2)
    closing.append((pty, port, streamer))
    report = streamer.stream(lines)
    assert report.completed and report.acknowledged == len(lines) and report.resent >= 2
    assert machine.executed == ["M110 N0", *texts(lines)]  # nothing lost, nothing run twice
    assert "checksum mismatch, Last Line: 19" in machine.line_errors
    assert "Line Number is not Last Line Number+1, Last Line: 44" in machine.line_errors
    assert faults.corrupt_line == faults.drop_line == set()
    assert machine.dropped_bytes == 0
    if window > 1:
        assert report.max_in_flight > 60  # several lines were out at once, within Marlin's 128 bytes
    assert report.max_in_flight <= 128


@pytest.mark.parametrize("keepalive_s", [0.1, 0.0])
def test_busy_keepalives_hold_off_the_stall_watchdog_during_a_long_dwell(closing, keepalive_s):
    lines = program_lines("G21\nG90\nG0 Z5\nG4 S8\nG0 X10\n")
    machine = SimulatedMarlin(speed=10.0, keepalive_s=keepalive_s)  # an 0.8 s dwell
    pty, port, streamer = connect(machine, stall_timeout=0.4)
    closing.append((pty, port, streamer))
    report = streamer.stream(lines)
    if keepalive_s:
        assert report.completed and machine.executed[-1] == "G0X10"
    else:
        assert not report.completed and report.stopped_at == 4
        assert report.reason == "stalled: no answer to line 4 for 0.4 s, and no busy: keep-alive either"


@pytest.mark.parametrize("policy", ["stop", "continue"])
def test_an_error_from_a_command_stops_with_a_quick_stop_or_is_listed(closing, policy):
    text = marlin_program(60).replace("G1 X50.000 Y0.000", "G2 X50.000 Y0.000")  # an arc without I, J or R
    lines = program_lines(text)
    bad = next(number for number, line in lines if line.startswith("G2X"))
    machine = SimulatedMarlin(speed=20.0)
    pty, port, streamer = connect(machine, on_error=policy)
    closing.append((pty, port, streamer))
    report = streamer.stream(lines)
    assert report.errors == [(bad, "G2/G3 bad parameters")]
    if policy == "continue":
        assert report.completed and machine.executed == ["M110 N0", *(t for n, t in lines if n != bad)]
        return
    assert not report.completed and report.stopped_at == bad
    assert report.reason.startswith(f"line {bad}: Error:G2/G3 bad parameters: quick stop (M410), spindle off (M5)")
    time.sleep(0.05)
    assert machine.quick_stops == 1 and not machine.planner and machine.spindle == 0.0
    assert "G1X52.500Y0.000Z-1.000F3000" not in machine.executed  # nothing after the error was sent


def test_the_operator_stops_marlin_with_a_quick_stop(closing, tmp_path):
    lines = program_lines(marlin_program(200))
    machine = SimulatedMarlin(speed=10.0)  # the spin-up dwell takes 0.3 s, then 5 ms a move
    pty, port, streamer = connect(machine, journal=tmp_path / "j.log")
    closing.append((pty, port, streamer))
    threading.Timer(0.6, streamer.request_stop).start()  # while it cuts (M410 does not cut a dwell short)
    report = streamer.stream(lines)
    assert not report.completed and report.reason.startswith("stopped by the operator: quick stop (M410)")
    time.sleep(0.05)
    assert machine.quick_stops == 1 and not machine.planner and machine.spindle == 0.0
    assert report.last_acknowledged is not None and report.last_acknowledged < lines[-1][0]
    assert "# stopped by the operator" in (tmp_path / "j.log").read_text()


def test_plycut_send_takes_the_marlin_streamer_when_marlin_answers(tmp_path):
    path = tmp_path / "job.gcode"
    path.write_text(marlin_program(40))
    runner = CliRunner()
    result = runner.invoke(app, ["send", str(path), "--port", "sim://?firmware=marlin&speed=10000",
                                 "--machine", "marlin-hobby-600x400"])
    assert result.exit_code == 0, result.output
    assert f"{len(program_lines(marlin_program(40)))} lines sent and acknowledged (marlin 2.1.2.1)" in result.output
    # A GRBL program (for the default machine) refused by a Marlin controller: one line, nothing sent.
    grbl = tmp_path / "job.nc"
    grbl.write_text(program(10))
    result = runner.invoke(app, ["send", str(grbl), "--port", "sim://?firmware=marlin"])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert ("the controller is marlin 2.1.2.1, but generic-grbl-2500x1250 programs are written for grbl; "
            "nothing sent") in result.output


def test_an_unknown_firmware_banner_is_one_line_and_nothing_is_sent(tmp_path):
    path = tmp_path / "job.nc"
    path.write_text("G21 G90\nG0 Z5\nM5\nM2\n")
    master, slave = os.openpty()
    port_path = os.ttyname(slave)
    received = bytearray()
    done = threading.Event()

    def smoothieware():  # a controller plycut does not speak to, greeting whoever opens the port
        while not done.is_set():
            os.write(master, b"Smoothie command shell\r\n")
            if select.select([master], [], [], 0.05)[0]:
                received.extend(os.read(master, 1024))

    talker = threading.Thread(target=smoothieware)
    talker.start()
    try:
        result = CliRunner().invoke(app, ["send", str(path), "--port", port_path, "--connect-timeout", "0.4"])
    finally:
        done.set()
        talker.join()
        os.close(master)
        os.close(slave)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert f"{port_path}: unknown firmware banner 'Smoothie command shell'; nothing sent" in result.output
    assert b"G0" not in received and not (tmp_path / "job.nc.journal").exists()
