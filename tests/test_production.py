import ezdxf
import pytest

from nester.errors import InputError
from nester.plans import apply_production_list, load_plan
from nester.production import read_production_list


def write(tmp_path, text, name="F-S_production.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_wikihouse_list(tmp_path):
    path = write(tmp_path, "Label,Quantity\nF-S-A,1\nF-S-A_v2,1\nF-S-I,7\n")
    assert read_production_list(path) == {"F-S-A": 1, "F-S-A_v2": 1, "F-S-I": 7}


def test_bom_semicolons_case_and_blank_lines(tmp_path):
    path = write(tmp_path, "\ufeffLABEL ; quantity\r\nside;4\r\n\r\ntop ; 2\r\n")
    assert read_production_list(path) == {"side": 4, "top": 2}


def test_extra_columns_and_windows_code_page(tmp_path):
    path = write(tmp_path, "Quantity;Matériau;Label\n3;bouleau;étagère\n", encoding="cp1252")
    assert read_production_list(path) == {"étagère": 3}


@pytest.mark.parametrize("value", ["two", "-1", "2.5", ""])
def test_bad_quantity_names_line_and_value(tmp_path, value):
    path = write(tmp_path, f"Label,Quantity\nA,1\nB,{value}\n")
    message = rf"F-S_production.csv: line 3: quantity '{value}' for 'B' is not a whole number"
    with pytest.raises(InputError, match=message):
        read_production_list(path)


def test_duplicate_label_is_refused_case_insensitively(tmp_path):
    path = write(tmp_path, "Label,Quantity\nside,1\ntop,2\nSIDE,3\n")
    with pytest.raises(InputError, match="line 4: label 'SIDE' is already listed on line 2"):
        read_production_list(path)


def test_missing_columns_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="line 1: expected a header with 'Label' and 'Quantity' columns"):
        read_production_list(write(tmp_path, "Part,Count\nA,1\n"))
    with pytest.raises(InputError, match="nothing.csv: no such file"):
        read_production_list(tmp_path / "nothing.csv")


def plan(tmp_path, stem, boxes):
    doc = ezdxf.new()
    doc.header["$INSUNITS"] = 4
    for x0, y0, x1, y1 in boxes:
        corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        doc.modelspace().add_lwpolyline(corners, close=True, dxfattribs={"layer": "CUT"})
    path = tmp_path / f"{stem}.dxf"
    doc.saveas(path)
    return load_plan(path).parts


def test_apply_production_list_by_part_name_and_file_stem(tmp_path):
    parts = plan(tmp_path, "F-S-A", [(0, 0, 10, 10)]) + plan(tmp_path, "F-S-I", [(0, 0, 10, 10), (0, 20, 10, 30)])
    parts += plan(tmp_path, "F-S-Z", [(0, 0, 5, 5)]) + plan(tmp_path, "F-S-B", [(0, 0, 5, 5)])
    quantities = read_production_list(write(tmp_path, "Label,Quantity\nf-s-a,2\nF-S-I,7\nF-S-B,0\nF-S-Q,3\n"))
    kept, warnings = apply_production_list(parts, quantities, "F-S_production.csv")
    assert [(p.name, p.quantity) for p in kept] == [("F-S-A", 2), ("F-S-I-1", 7), ("F-S-I-2", 7), ("F-S-Z", 1)]
    assert warnings == [
        "F-S_production.csv: part 'F-S-Z' is not listed; making 1",
        "F-S_production.csv: part 'F-S-B' is listed as 'F-S-B' with quantity 0; not made",
        "F-S_production.csv: label 'F-S-Q' matches no part",
    ]
