"""The JSON every benchmark writes: its figures, with the versions and machine they were measured on."""

from __future__ import annotations

import json
import platform
import resource
from pathlib import Path

from plycut import __version__
from plycut.outputs import write_atomic


def write_report(path: Path, benchmark: str, figures: dict) -> dict:
    """Write the figures to `path` (atomically), after what identifies the run; print where."""
    report = {
        "benchmark": benchmark,
        "plycut": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **figures,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(report, indent=2) + "\n")
    print(f"peak RSS {report['peak_rss_mb']} MB; wrote {path}")
    return report
