"""A normal wheel install carries machines/, profiles/ and the demo plan as package data."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(folder), str(ROOT)],
        check=True, capture_output=True, text=True, cwd=folder,
    )
    (built,) = folder.glob("plycut-*.whl")
    return built


def test_wheel_holds_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "plycut/machines/generic-grbl-2500x1250.toml" in names
    assert "plycut/profiles/birch-plywood-18mm.toml" in names
    assert "nester/catalog/stool.dxf" in names
    assert not any(name.startswith("tests/") for name in names)


def test_demo_runs_from_the_unpacked_wheel(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run(
        [sys.executable, "-c", "import plycut, plycut.config as c; print(plycut.__file__); "
         "print(sorted(c.builtin_machines())); print(sorted(c.builtin_profiles()))"],
        check=True, capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    location, machines, profiles = probe.stdout.splitlines()
    assert location.startswith(str(site)), "the test must exercise the wheel, not the checkout"
    assert "generic-grbl-2500x1250" in machines and "birch-plywood-18mm" in profiles
    run = subprocess.run([sys.executable, "-m", "plycut.cli", "demo", "--copies", "1", "-o", str(out)],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (out / "sheet-01.nc").is_file() and (out / "summary.json").is_file()
