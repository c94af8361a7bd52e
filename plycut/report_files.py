"""The files of an estimate or a campaign report, made in memory and written together.

Every file is written atomically and the JSON goes last (plycut.outputs.write_outputs):
a folder holding estimate.json (campaign.json) holds a complete report. Nothing is
written until every figure is known, so bad input leaves no partial report.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from nester.errors import InputError
from plycut.outputs import write_outputs
from plycut.report_html import campaign_html, estimate_html

ESTIMATE_JSON = "estimate.json"
CAMPAIGN_JSON = "campaign.json"

MATERIAL_COLUMNS = ("material", "profile", "thickness_mm", "sheet", "sheets", "parts", "yield_pct", "parts_area_m2",
                    "offcuts_kept", "offcut_area_m2", "waste_area_m2", "cut_length_m", "machine_time_h",
                    "operator_time_h", "sheets_eur", "machine_eur", "operator_eur", "job_fee_eur", "total_eur",
                    "units", "eur_per_unit")


def _csv(header: tuple[str, ...], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _json(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def estimate_csv(document: dict) -> str:
    """One row per material and thickness, then the order's total."""
    rows = []
    units_of = {}
    for item in document["items"]:
        units_of[item["material"]] = units_of.get(item["material"], 0) + item["quantity"]
    for m in document["materials"]:
        c = m["costs_eur"]
        rows.append([m["material"], m["profile"], m["thickness_mm"], m["sheet"], m["sheets"], m["parts"],
                     round(100 * m["yield"], 2), m["parts_area_m2"], m["offcuts_kept"], m["offcut_area_m2"],
                     m["waste_area_m2"], m["cut_length_m"], m["machine_time_h"], m["operator_time_h"],
                     c["material"], c["machine"], c["operator"], "", c["total"], units_of.get(m["material"], 0), ""])
    t = document["totals"]
    c = t["costs_eur"]
    rows.append(["total", "", "", "", t["sheets"], t["parts"], round(100 * t["yield"], 2), t["parts_area_m2"],
                 sum(m["offcuts_kept"] for m in document["materials"]), t["offcut_area_m2"], t["waste_area_m2"],
                 t["cut_length_m"], t["machine_time_h"], t["operator_time_h"], c["material"], c["machine"],
                 c["operator"], c["job_fee"], c["total"], t["units"], t["cost_per_unit_eur"]])
    return _csv(MATERIAL_COLUMNS, rows)


def estimate_files(estimate) -> dict[str, str]:
    """estimate.csv, estimate.html and estimate.json (last) of an OrderEstimate."""
    return {
        "estimate.csv": estimate_csv(estimate.document),
        "estimate.html": estimate_html(estimate.document, estimate.previews),
        ESTIMATE_JSON: _json(estimate.document),
    }


ORDER_COLUMNS = ("row", "requester", "region", "fablab", "item", "quantity", "material", "sheets", "yield_pct",
                 "offcut_area_m2", "waste_area_m2", "cut_length_m", "machine_time_h", "operator_time_h",
                 "sheets_eur", "machine_eur", "operator_eur", "job_fee_eur", "total_eur", "eur_per_unit")
SUMMARY_COLUMNS = ("orders", "units", "sheets", "yield_pct", "sheet_area_m2", "parts_area_m2", "cut_length_m",
                   "machine_time_h", "operator_time_h", "cost_eur", "cost_per_unit_eur")


def _summary_rows(groups: dict, totals: dict) -> list[list]:
    rows = []
    for name, s in [*groups.items(), ("total", totals)]:
        rows.append([name, *[round(100 * s["yield"], 2) if c == "yield_pct" else s[c] for c in SUMMARY_COLUMNS]])
    return rows


def campaign_files(document: dict) -> dict[str, str]:
    """campaign.csv (one row per order), campaign-regions.csv, campaign-fablabs.csv,
    campaign.html and campaign.json (last)."""
    orders = []
    for o in document["orders"]:
        c = o["costs_eur"]
        orders.append([o["row"], o["requester"], o["region"], o["fablab"], o["item"], o["quantity"], o["material"],
                       o["sheets"], round(100 * o["yield"], 2), o["offcut_area_m2"], o["waste_area_m2"],
                       o["cut_length_m"], o["machine_time_h"], o["operator_time_h"], c["material"], c["machine"],
                       c["operator"], c["job_fee"], c["total"], o["cost_per_unit_eur"]])
    return {
        "campaign.csv": _csv(ORDER_COLUMNS, orders),
        "campaign-regions.csv": _csv(("region", *SUMMARY_COLUMNS),
                                     _summary_rows(document["by_region"], document["totals"])),
        "campaign-fablabs.csv": _csv(("fablab", *SUMMARY_COLUMNS),
                                     _summary_rows(document["by_fablab"], document["totals"])),
        "campaign.html": campaign_html(document),
        CAMPAIGN_JSON: _json(document),
    }


def write_report_files(folder: Path, files: dict[str, str], marker: str) -> list[Path]:
    """Every file atomically, the JSON ``marker`` last."""
    try:
        return write_outputs(folder, files, marker=marker)
    except OSError as exc:
        raise InputError(f"{folder}: cannot write the report ({exc.strerror or exc})") from None
