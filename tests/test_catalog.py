"""The bundled stool: the shipped plan is what the generator draws, and its joints fit."""

import pytest
from shapely.geometry import LineString, Polygon, box
from shapely.ops import unary_union

from nester.catalog.stool import SHIPPED_PLAN, StoolParameters, write_plan
from nester.plans import load_plan

PARAMS = StoolParameters()
CHORD = 0.01  # curves are flattened to this chord error: the reach is known to that precision


def parts_by_name(path):
    return {p.name: p for p in load_plan(path).parts}


def test_shipped_plan_is_what_the_generator_draws(tmp_path):
    fresh = tmp_path / "stool.dxf"
    write_plan(fresh)
    shipped, drawn = parts_by_name(SHIPPED_PLAN), parts_by_name(fresh)
    assert sorted(shipped) == ["leg-a", "leg-b", "seat"] == sorted(drawn)
    for name, part in shipped.items():
        other = drawn[name]
        assert part.outline.symmetric_difference(other.outline).area < 1e-6, name
        assert len(part.features) == len(other.features)


def tool_reach(free_space, tool_radius):
    """Where a round tool of that radius can remove material, working inside free_space."""
    return free_space.buffer(-tool_radius, quad_segs=64).buffer(tool_radius, quad_segs=64)


def test_seat_mortises_take_the_tenons_square():
    seat = parts_by_name(SHIPPED_PLAN)["seat"]
    r = PARAMS.tool_diameter / 2
    holes = [h for h in seat.outline.interiors]
    c, off = PARAMS.seat / 2, PARAMS.tenon_offset
    long_side = PARAMS.tenon_width + PARAMS.clearance
    centres = [(c + d, c, long_side, PARAMS.slot) for d in (-off, off)]  # leg A runs along x
    centres += [(c, c + d, PARAMS.slot, long_side) for d in (-off, off)]  # leg B along y
    free = unary_union([Polygon(h) for h in holes])
    reach = tool_reach(free, r)
    for x, y, width, height in centres:
        mortise = box(x - width / 2, y - height / 2, x + width / 2, y + height / 2)
        # The whole rectangle, corners included, is cleared: a square tenon seats fully.
        assert reach.buffer(CHORD).contains(mortise)
        # Across its middle, away from the bones, the hole is exactly the joint size.
        across_x = free.intersection(LineString([(x - 100, y), (x + 100, y)])).length
        across_y = free.intersection(LineString([(x, y - 100), (x, y + 100)])).length
        assert (across_x, across_y) == (pytest.approx(width, abs=CHORD), pytest.approx(height, abs=CHORD))


@pytest.mark.parametrize("name, slot_from_top", [("leg-a", True), ("leg-b", False)])
def test_leg_half_lap_slot_is_thickness_plus_clearance_and_square(name, slot_from_top):
    leg = parts_by_name(SHIPPED_PLAN)[name]
    x0 = leg.outline.bounds[0]
    r = PARAMS.tool_diameter / 2
    centre = x0 + PARAMS.leg_width / 2
    half = PARAMS.leg_height / 2
    y0, y1 = (half, PARAMS.leg_height) if slot_from_top else (PARAMS.foot_arch_height + 1.0, half)
    slot = box(centre - PARAMS.slot / 2, y0, centre + PARAMS.slot / 2, y1)
    # The slot is empty, exactly thickness + clearance wide...
    assert leg.outline.intersection(slot).area < 1e-6
    assert leg.outline.intersection(slot.buffer(0.05)).area > 0
    # ... and the tool clears its closed end square, thanks to the dogbones.
    surroundings = box(*leg.outline.buffer(20).bounds).difference(leg.outline)
    assert tool_reach(surroundings, r).buffer(CHORD).contains(slot)
    assert PARAMS.slot == pytest.approx(PARAMS.thickness + PARAMS.clearance)


def test_leg_shoulders_are_square_at_the_tenon_roots():
    leg = parts_by_name(SHIPPED_PLAN)["leg-a"]
    x0 = leg.outline.bounds[0]
    r = PARAMS.tool_diameter / 2
    h = PARAMS.leg_height
    surroundings = box(*leg.outline.buffer(20).bounds).difference(leg.outline)
    reach = tool_reach(surroundings, r).buffer(CHORD)
    for tenon_x in (PARAMS.leg_width / 2 - PARAMS.tenon_offset, PARAMS.leg_width / 2 + PARAMS.tenon_offset):
        for side in (-1, 1):
            edge = x0 + tenon_x + side * PARAMS.tenon_width / 2
            # Just beside the tenon, on the shoulder line the seat rests on: material is cleared.
            corner = box(min(edge, edge + side * 2), h, max(edge, edge + side * 2), h + 2)
            assert reach.contains(corner)
