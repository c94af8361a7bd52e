"""The sender against the simulated GRBL, over a real pseudo-terminal opened with pyserial."""

from __future__ import annotations

import os
import time

import pytest
import serial
from send_support import close_all, open_streamer, program

from gcode.grbl_protocol import read_banner, read_planner_blocks, read_rx_buffer, read_status
from gcode.grbl_sim import Faults, PtyMachine, SimulatedGrbl
from gcode.sender import GrblStreamer, program_lines

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs POSIX pseudo-terminals")


def connect(machine: SimulatedGrbl, **options):
    return open_streamer(machine, GrblStreamer, **options)


@pytest.fixture
def closing():
    opened = []
    yield opened
    close_all(opened)


def test_every_line_arrives_once_in_order_within_the_receive_buffer(closing, tmp_path):
    machine = SimulatedGrbl(speed=2000.0)
    pty, port, streamer = connect(machine, journal=tmp_path / "journal.log")
    closing.append((pty, port, streamer))
    lines = program_lines(program())
    report = streamer.stream(lines)
    assert report.completed and report.reason == ""
    assert report.sent == report.acknowledged == len(lines)
    assert machine.executed == [text.upper() for _, text in lines]
    assert machine.dropped_bytes == 0
    assert 100 < report.max_in_flight <= 128  # the buffer is used, never overrun
    journal = (tmp_path / "journal.log").read_text().splitlines()
    assert sum(e.startswith("sent ") for e in journal) == len(lines)
    assert [e for e in journal if e.startswith("ok ")][-1] == f"ok {lines[-1][0]}"
    assert journal[-1] == "# completed"


def test_a_sender_ignoring_flow_control_corrupts_the_simulated_machine(closing):
    machine = SimulatedGrbl(speed=0.5)  # slow motion: the planner fills, the receive buffer overflows
    with PtyMachine(machine) as pty:
        port = serial.Serial(pty.path, 115200, timeout=0.05)
        port.write(program().encode("ascii"))  # everything at once
        time.sleep(1.0)
        port.close()
    assert machine.dropped_bytes > 0
    expected = [text.upper() for _, text in program_lines(program())]
    assert machine.executed != expected[:len(machine.executed)] or len(machine.executed) < len(expected)


def test_the_receive_buffer_size_comes_from_dollar_i(closing):
    pty, port, streamer = connect(SimulatedGrbl(rx_buffer=256, speed=2000.0))
    closing.append((pty, port, streamer))
    assert streamer.rx_buffer == 256 and streamer.firmware.name == "grbl"
    report = streamer.stream(program_lines(program()))
    assert report.completed and 128 < report.max_in_flight <= 256


def test_an_error_stops_the_stream_at_its_file_line_and_resets_the_machine(closing, tmp_path):
    lines = program_lines(program())
    faults = Faults(error_at={120: 33})
    machine = SimulatedGrbl(speed=200.0, faults=faults)
    pty, port, streamer = connect(machine, journal=tmp_path / "j.log")
    closing.append((pty, port, streamer))
    report = streamer.stream(lines)
    assert not report.completed
    file_line = lines[119][0]
    assert report.stopped_at == file_line
    assert report.reason.startswith(f"line {file_line}: error:33 (The motion command has an invalid target")
    assert report.errors == [(file_line, 33)]
    assert f"error {file_line} 33" in (tmp_path / "j.log").read_text()
    time.sleep(0.1)
    assert machine.planner == deque_empty() and machine.state in ("Idle", "Alarm")


def deque_empty():
    from collections import deque
    return deque()


def test_an_alarm_stops_the_stream_and_is_never_unlocked_by_the_sender(closing):
    machine = SimulatedGrbl(speed=200.0, faults=Faults(alarm_at={50: 2}))
    pty, port, streamer = connect(machine)
    closing.append((pty, port, streamer))
    report = streamer.stream(program_lines(program()))
    assert not report.completed
    assert report.reason.startswith("ALARM:2 (G-code motion target exceeds machine travel")
    assert machine.alarm == 2 and machine.state == "Alarm"


def test_an_unplugged_cable_ends_the_stream_with_the_journal_intact(closing, tmp_path):
    lines = program_lines(program())
    machine = SimulatedGrbl(speed=2000.0, faults=Faults(unplug_after=80))
    pty, port, streamer = connect(machine, journal=tmp_path / "j.log")
    closing.append((pty, port, streamer))
    report = streamer.stream(lines)
    assert not report.completed and report.reason.startswith("the port vanished")
    journal = (tmp_path / "j.log").read_text().splitlines()
    acknowledged = [int(e.split()[1]) for e in journal if e.startswith("ok ")]
    # The journal holds an unbroken run of acknowledged lines, the last one the report names;
    # the machine took at least those (an answer in the cable when it came out is lost).
    assert acknowledged == [number for number, _ in lines[:len(acknowledged)]]
    assert report.last_acknowledged == acknowledged[-1]
    assert lines[70][0] <= acknowledged[-1] <= lines[79][0]
    assert machine.executed[:len(acknowledged)] == [text.upper() for _, text in lines[:len(acknowledged)]]
    assert len(machine.executed) == 80


def test_a_lost_ok_is_noticed_and_no_line_is_sent_twice(closing):
    lines = program_lines(program(40))
    machine = SimulatedGrbl(speed=2000.0, faults=Faults(drop_ok_at={30}))
    pty, port, streamer = connect(machine, stall_timeout=0.5)
    closing.append((pty, port, streamer))
    report = streamer.stream(lines)
    assert not report.completed
    assert machine.executed == [text.upper() for _, text in lines]  # all delivered, once
    assert report.stopped_at == lines[-1][0]
    assert report.reason == (f"an acknowledgement was lost: the machine is idle with empty buffers, so every line "
                             f"up to {lines[-1][0]} reached it (1 answer(s) missing)")


def test_a_machine_that_hangs_is_a_stall_at_the_first_unanswered_line(closing):
    lines = program_lines(program(40))
    machine = SimulatedGrbl(speed=2000.0, faults=Faults(freeze_after=10))
    pty, port, streamer = connect(machine, stall_timeout=0.5)
    closing.append((pty, port, streamer))
    report = streamer.stream(lines)
    assert not report.completed and report.acknowledged == 10
    assert report.stopped_at == lines[10][0]
    assert report.reason == f"stalled: no answer to line {lines[10][0]} for 0.5 s while the machine reports Run"


def test_no_banner_means_no_controller(closing):
    master, slave = os.openpty()
    try:
        port = serial.Serial(os.ttyname(slave), 115200, timeout=0.02)
        from gcode.sender import SenderFailure

        with pytest.raises(SenderFailure, match="no GRBL banner within 0.4 s"):
            GrblStreamer(port).connect(timeout=0.4)
        port.close()
    finally:
        os.close(master)
        os.close(slave)


def test_protocol_lines_are_read_into_types():
    assert read_banner("Grbl 1.1h ['$' for help]").name == "grbl"
    assert read_banner("GrblHAL 1.1f ['$' or '$HELP' for help]").name == "grblhal"
    assert read_banner("Grbl 3.7 [FluidNC v3.7.8 (wifi) '$' for help]").name == "fluidnc"
    assert read_banner("ok") is None
    assert read_rx_buffer("[OPT:VNML+,100,1024]") == 1024 and read_rx_buffer("[OPT:V,15,128]") == 128
    assert read_rx_buffer("[OPT:V]") is None
    assert read_planner_blocks("[OPT:VNML+,100,1024]") == 100 and read_planner_blocks("[OPT:PHSW]") is None
    assert read_banner("echo:Marlin 2.1.2.1") == read_banner("FIRMWARE_NAME:Marlin 2.1.2.1 (Github) X:1")
    assert read_banner("echo:Marlin 2.1.2.1").name == "marlin" and read_banner("start") is None
    assert read_status("<Run|MPos:1.000,2.000,3.000|Bf:3,100|Ln:120|FS:3000,0>").line == 120
    status = read_status("<Hold:0|MPos:10.000,20.000,-1.000|Bf:15,128|FS:3000,12000|WCO:5.000,5.000,0.000>")
    assert status.state == "Hold" and status.substate == 0
    assert status.work == (5.0, 15.0, -1.0) and status.planner_free == 15 and status.spindle == 12000


def test_plycut_send_streams_the_demo_to_the_simulated_machine(tmp_path):
    from typer.testing import CliRunner

    from plycut.cli import app

    runner = CliRunner()
    out = tmp_path / "out"
    assert runner.invoke(app, ["demo", "--copies", "1", "-o", str(out)]).exit_code == 0
    program_file = out / "sheet-01.nc"
    result = runner.invoke(app, ["send", str(program_file), "--port", "sim://?speed=100000"])
    assert result.exit_code == 0, result.output
    sent = len(program_lines(program_file.read_text()))
    assert f"{sent} lines sent and acknowledged (grbl 1.1h)" in result.output
    journal = (out / "sheet-01.nc.journal").read_text().splitlines()
    assert journal[-1] == "# completed" and sum(e.startswith("ok ") for e in journal) == sent


def test_plycut_send_refuses_bad_input_with_one_line_and_sends_nothing(tmp_path):
    from typer.testing import CliRunner

    from plycut.cli import app

    runner = CliRunner()
    bad = tmp_path / "toolchange.nc"
    bad.write_text("G21 G90\nG0 Z5\nM3 S12000\nG4 P3\nM6 T2\nG0 X10 Y10\nM5\nM2\n")
    result = runner.invoke(app, ["send", str(bad), "--port", "sim://"])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert f"{bad}:5:" in result.output and "preflight failed" in result.output and "nothing sent" in result.output
    assert not (tmp_path / "toolchange.nc.journal").exists()
    good = tmp_path / "good.nc"
    good.write_text("G21 G90\nG0 Z5\nM5\nM2\n")
    result = runner.invoke(app, ["send", str(good), "--port", str(tmp_path / "no-such-port")])
    assert result.exit_code == 2 and "cannot open the port" in result.output and "nothing sent" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_plycut_send_check_mode_lists_every_error_with_its_line(tmp_path):
    from typer.testing import CliRunner

    from plycut.cli import app

    bad = tmp_path / "bad.nc"
    bad.write_text("G21 G90\nG0 Z5\nM3 S12000\nG4 P3\nM6 T2\nG1 X10 Y10 F500\nG81 X5 Y5 Z-1 R1\nM5\nM2\n")
    result = CliRunner().invoke(app, ["send", str(bad), "--port", "sim://?speed=1000", "--check"])
    assert result.exit_code == 1, result.output
    assert f"{bad}:5: error:20" in result.output and f"{bad}:7: error:20" in result.output
    assert "check mode found 2 error(s)" in result.output


def test_resume_rebuilds_the_state_and_reaches_the_start_of_the_line_from_above():
    from gcode.resume import modal_state, resume_lines

    text = ["G20 G90 G55", "G0 Z0.2", "M3 S15000", "G4 P3", "G0 X1 Y2", "G1 Z-0.1 F20", "G1 X3 F80",
            "G1 Y4", "G0 Z0.2", "M5", "M2"]
    state = modal_state(text[:7])
    assert (state.units, state.work_offset, state.feed, state.spindle, state.position) == (
        "G20", "G55", 80.0, "M3", (3.0, 2.0, -0.1))
    resumed = resume_lines(text, 8, safe_z=25.4, plunge_feed=254.0, spin_up_s=3.0)
    assert resumed == ["G20 G90 G55 G17 G94", "G0 Z1.0000", "M3 S15000", "G4 P3", "G0 X3.000 Y2.000",
                       "G1 Z-0.100 F10", "F80", "G1 Y4", "G0 Z0.2", "M5", "M2"]
    with pytest.raises(ValueError, match="relative distances"):
        resume_lines(["G21 G91", "G1 X1 F100", "G1 X1"], 3, safe_z=5, plunge_feed=100)
    with pytest.raises(ValueError, match="do not say where the tool is"):
        resume_lines(["G21 G90", "G0 Z5", "G0 X1"], 3, safe_z=5, plunge_feed=100)


def test_plycut_send_resume_from_sends_the_preamble_then_the_rest_of_the_file(tmp_path):
    from typer.testing import CliRunner

    from plycut.cli import app

    text = program(60)
    path = tmp_path / "job.nc"
    path.write_text(text)
    result = CliRunner().invoke(app, ["send", str(path), "--port", "sim://?speed=100000", "--resume-from", "40"])
    assert result.exit_code == 0, result.output
    journal = (tmp_path / "job.nc.journal").read_text().splitlines()
    sent = [e.split(" ", 2) for e in journal if e.startswith("sent ")]
    preamble = [text for _, number, text in sent if number == "0"]
    assert preamble[0].startswith("G21G90G54") and preamble[1] == "G0Z5.0000"
    assert [p[:2] for p in preamble[2:4]] == ["M3", "G4"] and preamble[-2].startswith("G1Z-1.000F")
    assert [int(number) for _, number, _ in sent if number != "0"] == list(range(40, 70))


@pytest.mark.parametrize("grblhal", [False, True])
def test_continue_after_an_error_loses_nothing_else_even_with_grblhals_error_latch(closing, grblhal):
    lines = program_lines(program(60))
    machine = SimulatedGrbl(speed=2000.0, rx_buffer=1024 if grblhal else 128, grblhal=grblhal,
                            faults=Faults(error_at={20: 33}))
    pty, port, streamer = connect(machine, on_error="continue")
    closing.append((pty, port, streamer))
    assert streamer.firmware.name == ("grblhal" if grblhal else "grbl")
    report = streamer.stream(lines)
    assert report.completed and report.errors == [(lines[19][0], 33)]
    expected = [text.upper() for i, (_, text) in enumerate(lines) if i != 19]
    assert machine.executed == expected  # every other line ran, the failed one did not


def test_without_the_blank_line_grblhal_would_have_skipped_the_rest():
    machine = SimulatedGrbl(grblhal=True)
    machine.receive(b"G21G90\nG1X1F100Y1Z1Q\nG0Z5\nG0X2\n\nG0X3\n")
    machine.advance()
    out = machine.take_output().decode()
    assert out.count("error:") == 3 and machine.executed[-1] == "G0X3"
    assert "G0Z5" not in machine.executed


def test_fluidnc_is_recognised_and_streamed_with_the_default_buffer(closing):
    machine = SimulatedGrbl(speed=2000.0, fluidnc=True)
    pty, port, streamer = connect(machine)
    closing.append((pty, port, streamer))
    assert (streamer.firmware.name, streamer.firmware.version) == ("fluidnc", "3.7.8")
    assert streamer.rx_buffer == 128
    assert streamer.stream(program_lines(program(30))).completed


def test_the_operator_can_hold_and_resume_mid_stream_and_nothing_is_lost(closing):
    import threading

    lines = program_lines(program(60))
    machine = SimulatedGrbl(speed=8.0)  # about 1 s of motion
    pty, port, streamer = connect(machine)
    closing.append((pty, port, streamer))
    states = []

    def operator():
        time.sleep(0.3)
        streamer.realtime(b"!")
        time.sleep(0.4)
        states.append(machine.state)
        streamer.realtime(bytes([0x91]))  # feed +10 %
        streamer.realtime(b"~")

    helper = threading.Thread(target=operator)
    helper.start()
    report = streamer.stream(lines)
    helper.join()
    assert states == ["Hold:0"]
    assert report.completed and machine.executed == [text.upper() for _, text in lines]
    assert machine.overrides[0] == 110
    with pytest.raises(ValueError, match="not an operator realtime byte"):
        streamer.realtime(b"\x18")


def test_progress_counts_down_the_estimated_time_left(tmp_path):
    from plycut.config import load_machine
    from plycut.send_job import send_program

    path = tmp_path / "job.nc"
    path.write_text(program(80))
    seen = []
    result = send_program(path, load_machine("generic-grbl-2500x1250"), "sim://?speed=100000",
                          progress=lambda report, total, left: seen.append((report.acknowledged, total, left)))
    assert result.report.completed
    lefts = [left for _, _, left in seen]
    assert lefts[0] > 10.0 and lefts[-1] == pytest.approx(0.0, abs=1e-9)
    assert all(a >= b - 1e-9 for a, b in zip(lefts, lefts[1:]))
    assert seen[-1][1] == len(program_lines(program(80)))


def test_operator_keys_hold_resume_override_and_stop(closing, tmp_path):
    import threading

    from gcode.sender import operator_key

    lines = program_lines(program(200))
    machine = SimulatedGrbl(speed=10.0)  # about 2 s of motion: the stop comes first
    pty, port, streamer = connect(machine, journal=tmp_path / "j.log")
    closing.append((pty, port, streamer))
    seen = {}

    def operator():
        time.sleep(0.2)
        assert operator_key(streamer, " ") == "hold"
        time.sleep(0.3)
        seen["held"] = machine.state
        assert operator_key(streamer, "+") == "override" and operator_key(streamer, "x") is None
        assert operator_key(streamer, "r") == "resume"
        time.sleep(0.3)
        seen["feed"] = machine.overrides[0]
        assert operator_key(streamer, "s") == "stop"

    helper = threading.Thread(target=operator)
    helper.start()
    report = streamer.stream(lines)
    helper.join()
    assert seen["held"] == "Hold:0" and seen["feed"] == 110
    assert not report.completed and report.reason.startswith("stopped by the operator")
    time.sleep(0.1)
    assert not machine.planner and machine.state == "Idle"  # stopped while held: no alarm, position kept
    journal = (tmp_path / "j.log").read_text()
    assert "# stopped by the operator" in journal


def wait_until(condition, timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_port_another_program_holds_is_busy_and_nothing_is_sent(tmp_path):
    from typer.testing import CliRunner

    from plycut.cli import app

    path = tmp_path / "job.nc"
    path.write_text(program(10))
    runner = CliRunner()
    with PtyMachine(SimulatedGrbl(speed=100000.0)) as pty:
        other = serial.Serial(pty.path, 115200, exclusive=True)  # another sender, a terminal program...
        try:
            result = runner.invoke(app, ["send", str(path), "--port", pty.path])
        finally:
            other.close()
        assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
        assert f"{pty.path}: port is busy (used by another program); nothing sent" in result.output
        assert pty.machine.executed == [] and not (tmp_path / "job.nc.journal").exists()
        result = runner.invoke(app, ["send", str(path), "--port", pty.path, "--connect-timeout", "0.6"])
        assert result.exit_code == 0, result.output  # the lock was all that stood in the way


def test_operator_keys_typed_on_a_real_terminal_reach_the_machine(tmp_path):
    import termios
    import threading

    from plycut.config import load_machine
    from plycut.send_job import send_program

    path = tmp_path / "job.nc"
    path.write_text(program(60))
    keyboard, terminal = os.openpty()  # what the operator types goes in at one end, plycut reads the other
    modes = termios.tcgetattr(terminal)
    machine = SimulatedGrbl(speed=8.0)  # about 1 s of motion
    seen = {}

    def operator():
        seen["cutting"] = wait_until(lambda: machine.state == "Run" and machine.position[2] == -1.0)
        os.write(keyboard, b"!")
        seen["held"] = wait_until(lambda: machine.state == "Hold:0")
        os.write(keyboard, b"+~")
        seen["resumed"] = wait_until(lambda: machine.state == "Run" and machine.overrides[0] == 110)
        os.write(keyboard, b"s")

    helper = threading.Thread(target=operator)
    try:
        with PtyMachine(machine) as pty:
            helper.start()
            result = send_program(path, load_machine("generic-grbl-2500x1250"), pty.path, keys=True,
                                  terminal=terminal, timeout=0.6)
            helper.join()
        assert seen == {"cutting": True, "held": True, "resumed": True}
        assert result.report.reason.startswith("stopped by the operator: held, then reset")
        assert termios.tcgetattr(terminal) == modes  # the terminal is given back as it was
    finally:
        os.close(keyboard)
        os.close(terminal)
