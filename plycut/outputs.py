"""Writing results so that a crash never leaves a half file that looks complete."""

from __future__ import annotations

from pathlib import Path

from nester.files import write_atomic  # one atomic writer for every layer


def write_outputs(folder: Path, files: dict[str, str | bytes], *, marker: str,
                  stale: tuple[str, ...] = ()) -> list[Path]:
    """Write every file atomically; the ``marker`` file (the run summary) goes last.

    The old marker goes first, so a run that dies half-way never leaves a summary
    beside programs it does not describe. Files matching a ``stale`` pattern that
    this run does not write are removed too: a sheet-03.nc left over from a bigger
    earlier run must not pass for part of this one."""
    if marker not in files:
        raise ValueError(f"the marker {marker} must be one of the files")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / marker).unlink(missing_ok=True)
    for pattern in stale:
        for old in folder.glob(pattern):
            if old.name not in files:
                old.unlink()
    order = [name for name in files if name != marker] + [marker]
    written = []
    for name in order:
        target = folder / name
        write_atomic(target, files[name])
        written.append(target)
    return written
