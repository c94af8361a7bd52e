"""Parts take their names from the text drawn inside them, in DXF and SVG plans."""

import ezdxf

from nester.plans import load_plan


def square(msp, x, y, size, layer="CUT_OUTSIDE"):
    msp.add_lwpolyline([(x, y), (x + size, y), (x + size, y + size), (x, y + size)], close=True,
                       dxfattribs={"layer": layer})


def test_dxf_text_names_the_part_it_sits_in(tmp_path):
    doc = ezdxf.new("R2010", units=ezdxf.units.MM)
    msp = doc.modelspace()
    square(msp, 0, 0, 300)                     # a frame with a hole...
    square(msp, 100, 100, 100, "CUT_INSIDE")
    square(msp, 120, 120, 60)                  # ...and a small part cut from that hole
    square(msp, 400, 0, 100)                   # two labels: ambiguous, keeps the numbered name
    square(msp, 600, 0, 100)                   # no label
    square(msp, 800, 0, 100)                   # same label as the frame
    msp.add_text("frame", dxfattribs={"layer": "NOTES", "insert": (10, 10)})
    msp.add_mtext("coaster", dxfattribs={"layer": "NOTES", "insert": (130, 150)})
    msp.add_text("a", dxfattribs={"layer": "NOTES", "insert": (410, 10)})
    msp.add_text("b", dxfattribs={"layer": "NOTES", "insert": (410, 50)})
    msp.add_text("frame", dxfattribs={"layer": "NOTES", "insert": (810, 10)})
    msp.add_text("outside every part", dxfattribs={"layer": "NOTES", "insert": (2000, 2000)})
    doc.saveas(tmp_path / "board.dxf")
    parts = load_plan(tmp_path / "board.dxf").parts
    by_corner = {tuple(round(v) for v in p.outline.bounds[:2]): p.name for p in parts}
    assert by_corner[(0, 0)] == "frame-1"
    assert by_corner[(800, 0)] == "frame-2"
    assert by_corner[(120, 120)] == "coaster"
    assert by_corner[(400, 0)].startswith("board-")
    assert by_corner[(600, 0)].startswith("board-")
    assert len({p.name for p in parts}) == len(parts)


def test_text_inside_a_block_is_placed_with_the_block(tmp_path):
    doc = ezdxf.new("R2010", units=ezdxf.units.MM)
    block = doc.blocks.new("PANEL")
    square(block, 0, 0, 100)
    block.add_text("panel", dxfattribs={"layer": "NOTES", "insert": (10, 10)})
    msp = doc.modelspace()
    msp.add_blockref("PANEL", (500, 0))
    msp.add_blockref("PANEL", (0, 0), dxfattribs={"xscale": 2, "yscale": 2})
    doc.saveas(tmp_path / "blocks.dxf")
    parts = load_plan(tmp_path / "blocks.dxf").parts
    assert sorted(p.name for p in parts) == ["panel-1", "panel-2"]


def test_svg_text_names_the_part(tmp_path):
    plan = tmp_path / "shelf.svg"
    plan.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="400mm" height="200mm" viewBox="0 0 400 200">'
        '<rect x="0" y="0" width="150" height="100" fill="none" stroke="#ff0000"/>'
        '<g transform="translate(200 0)"><rect x="0" y="0" width="150" height="100" fill="none" stroke="#ff0000"/>'
        '<text x="20" y="50">side</text></g>'
        '<text x="20 30 40" y="50">top</text></svg>'
    )
    imported = load_plan(plan)
    assert sorted(p.name for p in imported.parts) == ["side", "top"]
