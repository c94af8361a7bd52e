"""benchmarks/nesting.py on the small instances of tests/data/nesting: the report it writes
and its baseline check. Needs no shared datasets."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

from nester.formats import read_instance

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # plain `pytest` puts tests/ on the path, not the repository root
    sys.path.insert(0, str(ROOT))
nesting = importlib.import_module("benchmarks.nesting")
DATA = ROOT / "tests" / "data" / "nesting"


def run(tmp_path: Path, *extra: str) -> int:
    return nesting.main(["--instance", str(DATA / "TA001C5.txt"), "--time-limit", "0.2", "--by-work",
                         "--workers", "1", "--no-spyrrow", "--no-scale", "--out", str(tmp_path / "report.json"),
                         *extra])


def test_a_run_writes_json_markdown_and_a_baseline_that_a_higher_one_fails(tmp_path, capsys):
    assert run(tmp_path, "--write-baseline", str(tmp_path / "baseline.json")) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["benchmark"] == "nesting" and report["by_work"] is True
    (row,) = report["runs"]
    assert row["instance"] == "nesting/TA001C5" and row["kind"] == "terashima"
    assert row["plycut"]["valid"] is True and row["plycut"]["unplaced"] == 0
    assert row["optimum"] == 3 and row["gap"] == row["plycut"]["sheets"] - 3 >= 0
    assert report["summary"]["terashima"]["optimum"] == 3
    table = (tmp_path / "report.md").read_text()
    assert "| nesting/TA001C5 | 35 |" in table and "| bins | optimum | gap |" in table

    baseline = json.loads((tmp_path / "baseline.json").read_text())
    assert baseline == {"nesting/TA001C5": row["plycut"]["density_pct"]}
    higher = tmp_path / "higher.json"
    higher.write_text(json.dumps({"nesting/TA001C5": row["plycut"]["density_pct"] + 1.5}))
    capsys.readouterr()
    assert run(tmp_path, "--check-baseline", str(higher)) == 1
    assert "nesting/TA001C5: density" in capsys.readouterr().out


def test_the_baseline_allows_one_point_and_wants_every_instance():
    rows = [{"instance": "a", "plycut": {"density_pct": 80.0}}, {"instance": "b", "plycut": {"error": "boom"}}]
    assert nesting.baseline_regressions(rows, {"a": 80.9}) == []
    (line,) = nesting.baseline_regressions(rows, {"a": 81.2})
    assert line.startswith("a: density 80.00 % is 1.20 points below")
    assert nesting.baseline_regressions(rows, {"b": 50.0}) == ["b: no density in this run (baseline 50.00 %)"]


def test_without_the_datasets_it_says_so_in_one_line_and_succeeds(tmp_path, capsys):
    assert nesting.main(["--suite", "quick", "--datasets", str(tmp_path / "absent")]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert "no datasets" in line


def test_sheet_rows_report_the_bound_and_the_offcut():
    problem = read_instance(DATA / "knight_body.json")
    case = nesting.Case("nesting/knight_body", DATA / "knight_body.json", "sheets", 0.05)
    row = nesting.run_plycut(problem, case, workers=1, by_work=True)
    assert row["valid"] is True and row["sheets"] >= nesting.lower_bound(problem) == 1
    assert row["offcut_m2"] > 0 and row["offcut"][2] <= 2800.0


def test_spyrrow_layouts_go_through_the_same_check():
    pytest.importorskip("spyrrow")
    problem = read_instance(DATA / "jakobs1.json")
    row = nesting.run_spyrrow(problem, 1.0, workers=1)
    assert row["valid"] is True and row["length"] >= nesting.lower_bound(problem)
    assert row["density_pct"] == pytest.approx(row["reported_density_pct"], abs=0.5)
