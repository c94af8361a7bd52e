"""The engine-independent solution check: hand-built layouts, valid ones and ones with one defect each."""

import time
from dataclasses import replace
from pathlib import Path

import pytest
from shapely.geometry import box

from nester.formats import read_instance
from nester.problem import BinLayout, Container, Item, PlacedItem, Problem, Solution
from nester.solution_check import default_tolerance, solution_problems

DATA = Path(__file__).parent / "data" / "nesting"


def in_a_row(problem, gap=0.0):
    """Every copy at rotation 0, side by side along x from the origin, ``gap`` apart."""
    placed, x = [], 0.0
    for item in problem.items:
        x0, y0, x1, _ = item.shape.bounds
        for _ in range(item.demand):
            placed.append(PlacedItem(item.id, 0.0, (x - x0, -y0)))
            x += x1 - x0 + gap
    return Solution(problem, (BinLayout(0, tuple(placed)),), strip_length=x - gap)


def with_placed(solution, index, **changes):
    placed = list(solution.layouts[0].placed)
    placed[index] = replace(placed[index], **changes)
    return replace(solution, layouts=(BinLayout(solution.layouts[0].container_id, tuple(placed)),))


@pytest.fixture(scope="module")
def jakobs1():
    return read_instance(DATA / "jakobs1.json")


def test_items_touching_in_a_row_are_valid(jakobs1):
    assert solution_problems(in_a_row(jakobs1)) == []


def test_spacing_is_checked_between_items(jakobs1):
    spaced = replace(jakobs1, spacing=1.0)

    assert solution_problems(in_a_row(spaced, gap=1.0)) == []
    problems = solution_problems(in_a_row(spaced, gap=0.5))
    # Neighbours whose outlines do not reach their boxes' facing sides may still be 1 apart.
    assert 20 <= len(problems) <= 24 and all("closer than the spacing of 1.000 mm" in p for p in problems)
    assert "'item 0' and 'item 1' are 0.500 mm apart" in problems[0]


def test_overlap_is_reported(jakobs1):
    solution = in_a_row(jakobs1)
    x, y = solution.layouts[0].placed[1].translation

    problems = solution_problems(with_placed(solution, 1, translation=(x - 0.5, y)))

    assert len(problems) == 1 and "'item 0' overlaps 'item 1'" in problems[0]


def test_item_outside_the_strip_is_reported(jakobs1):
    solution = in_a_row(jakobs1)
    x, _ = solution.layouts[0].placed[3].translation

    problems = solution_problems(with_placed(solution, 3, translation=(x, -2.0)))

    assert problems == [problems[0]] and "strip: 'item 3' extends 2 mm outside the container" in problems[0]


def test_strip_shorter_than_its_items_is_reported(jakobs1):
    solution = in_a_row(jakobs1)
    problems = solution_problems(replace(solution, strip_length=solution.strip_length - 1.0))
    assert len(problems) == 1 and "'item 24' extends 1 mm outside" in problems[0]


def test_rotation_not_allowed_is_reported(jakobs1):
    problems = solution_problems(with_placed(in_a_row(jakobs1), 0, rotation=45.0))
    assert any("'item 0' is rotated 45 degrees, allowed rotations are 0, 90, 180, 270" in p for p in problems)


def test_minus_ninety_is_two_hundred_seventy(jakobs1):
    solution = in_a_row(jakobs1)
    item = jakobs1.items[0]
    # Item 0 is a right triangle with legs on the axes: turned -90 degrees it lies below the x axis.
    turned = with_placed(solution, 0, rotation=-90.0, translation=(0.0, item.shape.bounds[2]))
    assert solution_problems(turned) == []


def test_missing_and_duplicated_copies_are_reported(jakobs1):
    solution = in_a_row(jakobs1)
    placed = solution.layouts[0].placed
    missing = replace(solution, layouts=(BinLayout(0, placed[1:]),))
    twice = replace(solution, layouts=(BinLayout(0, placed + (PlacedItem(0, 0.0, (0.0, 20.0)),)),))

    assert solution_problems(missing) == ["item 0: 0 of 1 copies placed and 0 reported unplaced"]
    assert solution_problems(twice) == ["item 0: 2 of 1 copies placed and 0 reported unplaced"]
    assert solution_problems(replace(missing, unplaced={0: 1})) == []


def test_unknown_item_and_container_ids_are_reported(jakobs1):
    solution = in_a_row(jakobs1)
    stray = replace(solution, layouts=(BinLayout(0, solution.layouts[0].placed + (PlacedItem(99, 0.0, (0, 0)),)),))
    assert solution_problems(stray) == ["strip: item id 99 is not in the problem"]
    assert "container id 3, the strip is 0" in solution_problems(replace(solution, layouts=(BinLayout(3, ()),)
                                                                         + solution.layouts))[-1]


# --- bins with holes, zones, stock and margin --------------------------------------------


@pytest.fixture(scope="module")
def hides():
    return read_instance(DATA / "hides_mini.json")


def hides_solution(hides, *extra_layouts):
    """All six copies on the two offcuts (bin 1, 600 x 500, zone at 500..550 x 400..450)."""
    first = BinLayout(1, (PlacedItem(0, 0.0, (0, 0)), PlacedItem(0, 0.0, (200, 0)), PlacedItem(0, 0.0, (400, 0)),
                          PlacedItem(1, 0.0, (0, 100)), PlacedItem(2, 0.0, (300, 100))))
    second = BinLayout(1, (PlacedItem(1, 90.0, (150, 0)),))
    return Solution(hides, (first, second) + extra_layouts)


def test_valid_bin_layout_and_item_inside_a_hole_of_another(hides):
    solution = hides_solution(hides)
    assert solution_problems(solution) == []
    assert solution.cost == 2.0


def test_item_over_a_zone_is_reported(hides):
    solution = hides_solution(hides)
    first = solution.layouts[0]
    moved = BinLayout(1, first.placed[:2] + (PlacedItem(0, 0.0, (380, 380)),) + first.placed[3:])

    problems = solution_problems(replace(solution, layouts=(moved, solution.layouts[1])))

    assert problems == ["layout 1 (bin 1): 'item 0#3' overlaps zone 0 (2500.000 mm²)"]


def test_item_over_a_hole_of_the_bin_is_reported(hides):
    solution = hides_solution(hides)
    # Bin 0 has a 100 x 100 hole at 400..500 x 300..400; this frame covers 80 x 80 of it, less
    # the 30 x 30 where its own hole lies, and its corner is 20 mm inside the bin's hole.
    over_hole = BinLayout(0, (PlacedItem(2, 0.0, (420, 320)),))
    moved = BinLayout(1, solution.layouts[0].placed[:4])

    problems = solution_problems(replace(solution, layouts=(moved, solution.layouts[1], over_hole)))

    assert problems == ["layout 3 (bin 0): 'item 2' extends 20 mm outside the container (5500 mm² outside)"]


def test_stock_exceeded_is_reported(hides):
    problems = solution_problems(hides_solution(hides, BinLayout(1, ())))
    assert problems == ["bin 1: used 3 times, only 2 in stock"]


def test_margin_is_kept_from_edges_and_zones(hides):
    with_margin = replace(hides, margin=5.0)
    problems = solution_problems(replace(hides_solution(hides), problem=with_margin))

    assert "layout 1 (bin 1): 'item 0#1' is 0.000 mm from the container's edge, closer than the margin" in problems[0]
    assert not any("zone" in p for p in problems)


def test_default_tolerance_follows_the_problem_size(hides, jakobs1):
    assert default_tolerance(hides_solution(hides)) == pytest.approx(1300 * 1e-6)
    assert default_tolerance(in_a_row(jakobs1)) == pytest.approx(in_a_row(jakobs1).strip_length * 1e-6)


def test_a_thousand_items_are_checked_in_seconds():
    items = (Item(0, box(0, 0, 10, 10), 600, (0.0,)), Item(1, box(0, 0, 10, 5), 600, (0.0, 90.0)))
    problem = Problem("grid", items, bins=(Container(0, box(0, 0, 410, 330)),), spacing=1.0)
    placed = [PlacedItem(0, 0.0, (11 * (k % 30), 11 * (k // 30))) for k in range(600)]
    placed += [PlacedItem(1, 90.0, (335 + 11 * (k % 6) + 5, 11 * (k // 6))) for k in range(180)]
    placed += [PlacedItem(1, 0.0, (11 * (k % 30), 220 + 6 * (k // 30))) for k in range(420)]
    solution = Solution(problem, (BinLayout(0, tuple(placed)),))

    start = time.perf_counter()
    problems = solution_problems(solution)

    assert problems == []
    assert time.perf_counter() - start < 10.0
