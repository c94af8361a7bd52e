"""Atomic outputs: a crash never leaves a half file or a summary that lies."""

import os

import pytest

from plycut import outputs
from plycut.outputs import write_atomic, write_outputs


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "sheet-01.nc"
    write_atomic(target, "G21\nM2\n")
    assert target.read_text() == "G21\nM2\n"
    write_atomic(target, b"G20\n")
    assert target.read_bytes() == b"G20\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet-01.nc"]


def test_crash_during_write_keeps_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "sheet-01.nc"
    target.write_text("old complete program\n")

    def crash(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_atomic(target, "new program that never lands\n")
    assert target.read_text() == "old complete program\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet-01.nc"]


def test_marker_written_last_and_removed_first(tmp_path, monkeypatch):
    (tmp_path / "summary.json").write_text('{"old": true}')
    (tmp_path / "sheet-03.nc").write_text("stale sheet from a bigger run")
    (tmp_path / "notes.txt").write_text("the user's own file")
    written = []
    real = outputs.write_atomic

    def crash_on_second(path, content):
        if len(written) == 1:
            raise RuntimeError("power cut")
        written.append(path.name)
        real(path, content)

    monkeypatch.setattr(outputs, "write_atomic", crash_on_second)
    files = {"summary.json": "{}", "sheet-01.nc": "a", "sheet-02.nc": "b"}
    with pytest.raises(RuntimeError):
        write_outputs(tmp_path, files, marker="summary.json", stale=("sheet-[0-9][0-9]*.*",))
    names = sorted(p.name for p in tmp_path.iterdir())
    # The stale sheet and the old summary are gone; no summary claims the half run is complete.
    assert names == ["notes.txt", "sheet-01.nc"]

    monkeypatch.setattr(outputs, "write_atomic", real)
    order = [p.name for p in write_outputs(tmp_path, files, marker="summary.json")]
    assert order == ["sheet-01.nc", "sheet-02.nc", "summary.json"]
