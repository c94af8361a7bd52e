"""`plycut nest` end to end: research instances and plycut jobs in, sparrow-format solutions
out, read back and checked exactly; bad input; Ctrl-C keeps the best layout."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from nester.catalog.stool import SHIPPED_PLAN
from nester.formats import read_instance, read_solution
from nester.model import place
from nester.solution_check import solution_problems
from plycut.cli import app

DATA = Path(__file__).parent / "data" / "nesting"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_nest_a_strip_instance_writes_a_valid_sparrow_solution_and_svg(tmp_path):
    out, svg = tmp_path / "jakobs1.solution.json", tmp_path / "jakobs1.svg"
    result = invoke("nest", str(DATA / "jakobs1.json"), "-o", str(out), "--svg", str(svg), "--time-limit", "2")
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["instance"]["strip_height"] == pytest.approx(40.004)
    assert document["solution"]["strip_width"] > 0
    solution = read_solution(out)  # the solution alone, with its embedded instance
    assert solution_problems(solution) == []
    assert len(solution.layouts[0].placed) == 25
    assert "strip length" in result.output and "density" in result.output
    assert ElementTree.parse(svg).getroot().tag.endswith("svg")


def test_nest_a_packingsolver_furniture_file_in_inches(tmp_path):
    out = tmp_path / "stool.json"
    result = invoke("nest", str(DATA / "stool_x10.json"), "-o", str(out), "--time-limit", "2")
    assert result.exit_code == 0, result.output
    solution = read_solution(out)
    assert solution_problems(solution) == []
    assert sum(len(layout.placed) for layout in solution.layouts) == 50
    assert "sheet(s)" in result.output and "offcut on the last sheet" in result.output


def test_nest_the_parts_of_a_job_with_a_no_go_zone(tmp_path):
    job = tmp_path / "job.toml"
    job.write_text(f"""
name = "stools"
copies = 2
[[plans]]
file = "{SHIPPED_PLAN}"
[[sheets]]
width = 1250
height = 1250
thickness = 18
zones = [[500, 400, 760, 900]]
[nest]
time_limit = 2
""")
    out = tmp_path / "stools.json"
    result = invoke("nest", str(job), "-o", str(out))
    assert result.exit_code == 0, result.output
    solution = read_solution(out)
    assert solution_problems(solution) == []
    zone = box(500, 400, 760, 900)
    for layout in solution.layouts:
        for placed in layout.placed:
            outline = place(solution.problem.items[placed.item_id].shape, placed.rotation, placed.translation)
            assert outline.distance(zone) >= 10.0 - 1e-6  # the sheet margin holds around zones


def test_run_honours_zones_and_the_time_limit_option(tmp_path):
    job = tmp_path / "job.toml"
    job.write_text(f"""
[[plans]]
file = "{SHIPPED_PLAN}"
[[sheets]]
width = 2500
height = 1250
thickness = 18
zones = [[1000, 0, 1100, 1250]]
""")
    result = invoke("run", str(job), "-o", str(tmp_path / "out"), "--time-limit", "1", "--seed", "3")
    assert result.exit_code == 0, result.output
    layout = json.loads((tmp_path / "out" / "layout.json").read_text())
    shapes = {item["id"]: item["shape"]["data"] for item in layout["instance"]["items"]}
    from shapely.geometry import Polygon
    for sheet in layout["solution"]["layouts"]:
        for placed in sheet["placed_items"]:
            data = shapes[placed["item_id"]]
            outline = place(Polygon(data["outer"], data["inner"]), placed["transformation"]["rotation"],
                            placed["transformation"]["translation"])
            assert outline.distance(box(1000, 0, 1100, 1250)) >= 10.0 - 1e-6


@pytest.mark.parametrize("content, message", [
    ("{\"hello\": 1}", "unknown"),
    ("{\"name\": \"x\", \"strip_height\": 10, \"items\": []}", "no items"),
    ("{\"name\": \"x\", \"strip_height\": 10, \"items\": [{\"id\": 0, \"demand\": 0, "
     "\"shape\": {\"type\": \"simple_polygon\", \"data\": [[0,0],[1,0],[1,1]]}}]}", "demand"),
    ("{\"name\": \"x\", \"strip_height\": 10, \"items\": [{\"id\": 0, \"demand\": 1, "
     "\"allowed_orientations\": [0], "
     "\"shape\": {\"type\": \"simple_polygon\", \"data\": [[0,0],[20,0],[20,20],[0,20]]}}]}", "larger than the strip"),
])
def test_bad_instances_are_one_line_exit_2_and_nothing_written(tmp_path, content, message):
    instance = tmp_path / "bad.json"
    instance.write_text(content)
    out = tmp_path / "bad.solution.json"
    result = invoke("nest", str(instance), "-o", str(out), "--time-limit", "1")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "bad.json" in lines[0], lines
    assert not out.exists()


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="needs POSIX signals")
def test_ctrl_c_stops_the_search_and_writes_the_best_layout(tmp_path):
    out = tmp_path / "j.json"
    command = [sys.executable, "-c", "from plycut.cli import app; app()", "nest", str(DATA / "jakobs1.json"),
               "-o", str(out), "--time-limit", "120", "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(8.0)  # imports, numba cache and the first layout, on a busy machine too
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert time.monotonic() - started < 30.0
    assert solution_problems(read_solution(out)) == []
    assert "strip length" in stdout


def test_nest_warm_starts_from_its_own_solution(tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert invoke("nest", str(DATA / "jakobs1.json"), "-o", str(first), "--time-limit", "1").exit_code == 0
    result = invoke("nest", str(DATA / "jakobs1.json"), "-o", str(second), "--time-limit", "1",
                    "--warm-start", str(first))
    assert result.exit_code == 0, result.output
    assert read_solution(second).strip_length <= read_solution(first).strip_length + 1e-9
