"""Writing results so that a crash never leaves a half file that looks complete."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename it over path."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(handle, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
