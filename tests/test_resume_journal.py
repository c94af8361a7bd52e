"""The executed mark in the journal, and `plycut send --resume JOURNAL`: never later than the machine got."""

from __future__ import annotations

import os
import random
from collections import deque

import pytest
from send_support import close_all, open_streamer, program
from typer.testing import CliRunner

from gcode.executed import SEGMENT_BLOCKS, ExecutionTracker, is_motion
from gcode.grbl_protocol import Status, read_acknowledgement, read_status
from gcode.grbl_sim import PLANNER_BLOCKS, Faults, PtyMachine, SimulatedGrbl
from gcode.journal import read_journal
from gcode.sender import GrblStreamer, program_lines
from nester.errors import InputError
from plycut.cli import app
from plycut.config import load_machine
from plycut.send_job import resume_point, send_program

needs_pty = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs POSIX pseudo-terminals")
WINDOW = PLANNER_BLOCKS + SEGMENT_BLOCKS  # motion lines an acknowledged line may still be behind


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_acknowledged_is_not_executed_until_the_planner_cannot_hold_it():
    tracker = ExecutionTracker(planner_blocks=15, segment_blocks=10)
    assert tracker.acknowledged(1, "G21G90") and tracker.executed == 1  # no move before it: in effect already
    for line in range(2, 27):  # 25 moves: the planner and the stepper may hold them all
        assert not tracker.acknowledged(line, f"G1X{line}F3000")
    assert tracker.executed == 1
    assert tracker.acknowledged(27, "G1X27")  # a 26th: the first move surely ran, and the line before it
    assert tracker.executed == 2
    # Bf: 12 free of 15: 3 blocks planned, plus the stepper's segments of 10 more at most.
    assert tracker.status(Status("Run", planner_free=12), nothing_in_flight=False) and tracker.executed == 14
    assert not tracker.status(Status("Run"), nothing_in_flight=True)  # no Bf, not idle: nothing known
    assert tracker.status(Status("Idle"), nothing_in_flight=True) and tracker.executed == 27


def test_a_reported_line_number_names_the_oldest_planned_line():
    tracker = ExecutionTracker(planner_blocks=15, segment_blocks=2)
    for line in range(1, 16):
        tracker.acknowledged(line, f"N{line * 10}G1X{line}F3000")
    # The planner's oldest block is N100 (file line 10): lines 8 and 9 may still be in the stepper.
    assert tracker.status(Status("Run", line=100), nothing_in_flight=False) and tracker.executed == 7
    # Bf alone would say less (15 - 13 planned + 2): the line number is the closer bound, and both are safe.
    assert not tracker.status(Status("Run", planner_free=2, line=100), nothing_in_flight=False)
    assert is_motion("G28") and is_motion("g1 x5") and not is_motion("G28.1") and not is_motion("M3S12000")


@pytest.mark.parametrize("seed", range(6))
def test_the_mark_never_passes_the_first_line_the_simulated_machine_has_not_finished(seed):
    """Stream through the model with random timing, reading acknowledgements and status reports as the
    sender does; at every step the resume line must be at or before the machine's own first unfinished line,
    and within the planner and the stepper's blocks of it."""
    rng = random.Random(seed)
    lines = program_lines(program(150))
    clock = Clock()
    machine = SimulatedGrbl(speed=rng.choice([1.0, 5.0, 50.0]), clock=clock, line_numbers=seed % 2 == 1)
    if seed % 2:
        lines = [(number, f"N{number}{text}") for number, text in lines]
    tracker = ExecutionTracker(PLANNER_BLOCKS)
    machine.take_output()
    pending, in_flight, in_flight_bytes = deque(lines), deque(), 0
    while pending or in_flight:
        while pending and in_flight_bytes + len(pending[0][1]) + 1 <= 128:
            number, text = pending.popleft()
            machine.receive((text + "\n").encode("ascii"))
            in_flight.append((number, text))
            in_flight_bytes += len(text) + 1
        if rng.random() < 0.4:
            machine.receive(b"?")
        clock.now += rng.uniform(0.0, 0.08)
        machine.advance()
        for answer in machine.take_output().decode("ascii").splitlines():
            status = read_status(answer)
            if read_acknowledgement(answer) is not None:
                number, text = in_flight.popleft()
                in_flight_bytes -= len(text) + 1
                tracker.acknowledged(number, text)
            elif status is not None:
                tracker.status(status, nothing_in_flight=not in_flight)
        resume_at = next((i for i, (number, _) in enumerate(lines) if number > tracker.executed), len(lines))
        unfinished = machine.first_unfinished - 1  # its index in `lines`
        assert resume_at <= unfinished
        assert sum(is_motion(text) for _, text in lines[resume_at:unfinished]) <= WINDOW
    assert tracker.executed < lines[-1][0]  # the last moves may still run when the last ok comes


@pytest.fixture(scope="module")
def unplugged(tmp_path_factory):
    """A program streamed until the cable comes out at its 90th line: (file, journal, lines, machine)."""
    folder = tmp_path_factory.mktemp("unplugged")
    path = folder / "job.nc"
    path.write_text(program(120))
    lines = program_lines(path.read_text())
    machine = SimulatedGrbl(speed=5.0, faults=Faults(unplug_after=90))  # 10 ms a move: the planner fills
    opened = [open_streamer(machine, GrblStreamer, journal=folder / "job.nc.journal")]
    report = opened[0][2].stream(lines)
    close_all(opened)
    assert report.reason.startswith("the port vanished")
    return path, folder / "job.nc.journal", lines, machine, report


@needs_pty
def test_after_an_unplugged_cable_the_journal_resumes_at_or_before_the_first_unfinished_line(unplugged):
    path, journal, lines, machine, report = unplugged
    record = read_journal(journal)
    assert record.last_executed == report.last_executed and record.last_acknowledged == report.last_acknowledged
    resume_at = resume_point(journal, path.read_text())
    numbers = [number for number, _ in lines]
    first_unfinished = numbers[machine.first_unfinished - 1]  # the simulator's own record
    assert record.last_executed < resume_at <= first_unfinished
    # Earlier than needed only by what the planner and the stepper may hold: air recut, nothing missed.
    between = [text for number, text in lines if resume_at <= number < first_unfinished]
    assert sum(map(is_motion, between)) <= WINDOW
    assert record.last_acknowledged >= first_unfinished  # acknowledged is not executed: resuming there would skip
    assert resume_at > numbers[40]  # the mark followed the machine, not stuck at the start


def run_to_rest(lines: list[str]) -> SimulatedGrbl:
    """The state a fresh simulated machine is left in by `lines`, every move done."""
    machine = SimulatedGrbl(speed=1e9)
    for line in lines:
        machine.receive((line + "\n").encode("ascii"))
        while b"\n" in machine.rx or machine.planner:
            machine.advance()
    return machine


@needs_pty
def test_plycut_send_resume_lands_where_the_resumed_line_begins_with_its_modal_state(unplugged):
    path, journal, lines, _, _ = unplugged
    resume_at = resume_point(journal, path.read_text())
    with PtyMachine(SimulatedGrbl(speed=100000.0)) as fresh:
        # The fresh machine greets before the port opens (and pyserial empties the input then):
        # the sender soft-resets it for a banner after half the connect timeout.
        result = CliRunner().invoke(app, ["send", str(path), "--port", fresh.path, "--resume", str(journal),
                                          "--connect-timeout", "0.6"])
    assert result.exit_code == 0, result.output
    runs = journal.read_text().split("# connected ")
    assert f"# resuming at line {resume_at}\nexecuted {resume_at - 1}\n" in runs[-1]
    preamble = [entry.split(" ", 2)[2] for entry in runs[-1].splitlines() if entry.startswith("sent 0 ")]
    rest = [text for number, text in lines if number >= resume_at]
    assert fresh.machine.executed == [text.upper() for text in preamble + rest]  # then the file, from there on
    landed = run_to_rest(preamble)
    expected = run_to_rest([text for number, text in lines if number < resume_at])
    assert landed.position == pytest.approx(expected.position, abs=1e-3)
    assert (landed.feed, landed.spindle, landed.absolute, landed.motion) == (
        expected.feed, expected.spindle, expected.absolute, expected.motion)
    assert read_journal(journal).last_acknowledged == lines[-1][0]


def test_resume_refuses_a_journal_it_cannot_trust(tmp_path):
    path = tmp_path / "job.nc"
    path.write_text(program(20))
    text = path.read_text()
    journal = tmp_path / "job.nc.journal"
    machine = load_machine("generic-grbl-2500x1250")

    def refusal(journal_text: str) -> str:
        journal.write_text(journal_text)
        with pytest.raises(InputError) as caught:
            send_program(path, machine, "sim://", resume_journal=journal)
        return str(caught.value)

    assert "no line is known to have run (last acknowledged: 2)" in refusal(
        "# connected grbl 1.1h\nsent 1 G21G90\nok 1\nsent 2 G0Z5\nok 2\n")
    assert "line 2 ran as 'G0Z9', but the program's line 2 reads 'G0Z5'" in refusal(
        "# connected grbl 1.1h\nsent 2 G0Z9\nexecuted 2\n")
    journal.write_text("# connected grbl 1.1h\nsent 2 G0Z5\nsent 3 G0X9Y9\nexecuted 2\n")
    assert resume_point(journal, text) == 3  # line 3 did not run: it may have been fixed since
    assert "every line up to the end has run; nothing to resume" in refusal(
        f"# connected grbl 1.1h\nexecuted {len(text.splitlines())}\n")
    assert "no run in it" in refusal("G21\nG0 Z5\n")
    # Only the last run counts: a fresh start after a resumable stop knows nothing has run yet.
    assert "no line is known to have run" in refusal("# connected grbl 1.1h\nexecuted 15\n# connected grbl 1.1h\n")
    journal.write_text("# connected grbl 1.1h\nexecuted 15\n")
    assert resume_point(journal, text) == 16
