"""Self-contained HTML reports: an order's estimate (with its sheets as inline SVG) and a
campaign's totals. No script, no external file: a browser opens it as it is, offline.

Figures that tests compare with the JSON carry ``data-field`` / ``data-value`` attributes
holding the JSON's own value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape

from gcode.estimate import format_duration

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } .meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0 1.4em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f3efe6; } tr.total td { font-weight: bold; border-top: 2px solid #999; }
figure { margin: 0 0 1.6em; } figure svg { width: 100%; height: auto; border: 1px solid #ccc; }
figcaption { color: #444; font-size: 0.9em; } .warning { color: #a35a00; }
"""


def _cell(value, text: str | None = None, field: str | None = None, tag: str = "td") -> str:
    shown = escape(text if text is not None else str(value))
    if field is None:
        return f"<{tag}>{shown}</{tag}>"
    return f'<{tag} data-field="{escape(field)}" data-value="{escape(str(value))}">{shown}</{tag}>'


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, total_last: bool = False) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    lines = [f"<tr>{''.join(cells)}</tr>" for cells in rows]
    if total_last and lines:
        lines[-1] = '<tr class="total">' + lines[-1][len("<tr>"):]
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(lines) + "\n</tbody></table>"


def euros(value: float) -> str:
    return f"{value:,.2f} €".replace(",", "\u202f")


def hours(h: float) -> str:
    return format_duration(h * 3600.0)


def percent(fraction: float) -> str:
    return f"{fraction:.1%}"


def page(title: str, meta: str, sections: Iterable[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{escape(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>", f'<p class="meta">{escape(meta)}</p>', *sections, "</body>", "</html>", ""])


def inline_svg(svg: str) -> str:
    """A standalone SVG document as an element of the page: sized by the page, not in mm."""
    return re.sub(r'^<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg \1', svg.lstrip(), count=1)


def _figures_table(totals: dict, prefix: str = "") -> str:
    c = totals["costs_eur"]
    rows = [
        ("units of furniture", totals["units"], str(totals["units"]), "units"),
        ("sheets", totals["sheets"], str(totals["sheets"]), "sheets"),
        ("yield (parts / sheets)", totals["yield"], percent(totals["yield"]), "yield"),
        ("offcuts kept", totals["offcut_area_m2"], f"{totals['offcut_area_m2']:.2f} m²", "offcut_area_m2"),
        ("waste", totals["waste_area_m2"], f"{totals['waste_area_m2']:.2f} m²", "waste_area_m2"),
        ("cut length", totals["cut_length_m"], f"{totals['cut_length_m']:.1f} m", "cut_length_m"),
        ("machine time", totals["machine_time_h"], hours(totals["machine_time_h"]), "machine_time_h"),
        ("operator time", totals["operator_time_h"], hours(totals["operator_time_h"]), "operator_time_h"),
        ("sheets cost", c["material"], euros(c["material"]), "costs_eur.material"),
        ("machine cost", c["machine"], euros(c["machine"]), "costs_eur.machine"),
        ("operator cost", c["operator"], euros(c["operator"]), "costs_eur.operator"),
        ("job fees", c["job_fee"], euros(c["job_fee"]), "costs_eur.job_fee"),
        ("total", c["total"], euros(c["total"]), "costs_eur.total"),
        ("per unit of furniture", totals["cost_per_unit_eur"], euros(totals["cost_per_unit_eur"]),
         "cost_per_unit_eur"),
    ]
    body = "\n".join(f"<tr><th>{escape(label)}</th>{_cell(value, text, prefix + field)}</tr>"
                     for label, value, text, field in rows)
    return f'<table class="totals"><tbody>\n{body}\n</tbody></table>'


MATERIAL_HEADER = ("material", "sheet", "sheets", "parts", "yield", "offcuts kept", "waste", "cut length",
                   "machine", "operator", "sheets €", "machine €", "operator €", "total €")


def _material_row(m: dict) -> list[str]:
    c = m["costs_eur"]
    key = f"materials.{m['material']}."
    return [_cell(m["material"]), _cell(f"{m['sheet']} @ {euros(m['sheet_price_eur'])}"),
            _cell(m["sheets"], field=key + "sheets"), _cell(m["parts"]),
            _cell(m["yield"], percent(m["yield"]), key + "yield"),
            _cell(m["offcut_area_m2"], f"{m['offcuts_kept']} / {m['offcut_area_m2']:.2f} m²", key + "offcut_area_m2"),
            _cell(m["waste_area_m2"], f"{m['waste_area_m2']:.2f} m²", key + "waste_area_m2"),
            _cell(m["cut_length_m"], f"{m['cut_length_m']:.1f} m", key + "cut_length_m"),
            _cell(m["machine_time_h"], hours(m["machine_time_h"]), key + "machine_time_h"),
            _cell(m["operator_time_h"], hours(m["operator_time_h"]), key + "operator_time_h"),
            _cell(euros(c["material"])), _cell(euros(c["machine"])), _cell(euros(c["operator"])),
            _cell(c["total"], euros(c["total"]), key + "costs_eur.total")]


def _item_section(item: dict) -> str:
    dims = ", ".join(f"{k} {v:g} mm" for k, v in item["dimensions_mm"].items())
    what = f"catalog design {item['design']}" if item["design"] else "plans " + ", ".join(item["plans"])
    rows = [[_cell(p["part"]), _cell(p["count"]), _cell(f"{p['width_mm']:g} x {p['height_mm']:g} mm"),
             _cell(f"{p['area_m2']:.3f} m²")] for p in item["parts_per_unit"]]
    return (f"<h3>{escape(item['item'])}: parts of one unit</h3>"
            f"<p>{escape(what)}{escape(', ' + dims) if dims else ''}; {escape(item['material'])}</p>"
            + _table(("part", "per unit", "size", "area"), rows))


def estimate_html(document: dict, previews: Sequence) -> str:
    """The order's report: totals, per material, per item (with its parts list), every sheet."""
    totals = document["totals"]
    settings = document["settings"]
    rates = settings["costs"]
    meta = (f"plycut {document['plycut']} - machine {document['machine']} - nesting {settings['nest_time_limit_s']:g} s "
            f"per material - machine {euros(rates['machine_eur_h'])}/h, operator {euros(rates['operator_eur_h'])}/h "
            f"x {rates['operator_share']:g}, set-up {rates['setup_min_per_sheet']:g} min/sheet, "
            f"job fee {euros(rates['job_fee_eur'])} - offcuts kept from "
            f"{settings['min_offcut_mm'][0]:g} x {settings['min_offcut_mm'][1]:g} mm - EUR excl. VAT, estimates")
    sections = [f'<section id="totals"><h2>Totals</h2>{_figures_table(totals, "totals.")}</section>']
    sections.append('<section id="materials"><h2>Per material and thickness</h2>'
                    + _table(MATERIAL_HEADER, [_material_row(m) for m in document["materials"]]) + "</section>")
    item_rows = [[_cell(i["item"]), _cell(i["quantity"], field=f"items.{i['item']}.quantity"), _cell(i["material"]),
                  _cell(i["cost_eur"], euros(i["cost_eur"]), f"items.{i['item']}.cost_eur"),
                  _cell(i["cost_per_unit_eur"], euros(i["cost_per_unit_eur"]), f"items.{i['item']}.cost_per_unit_eur")]
                 for i in document["items"]]
    sections.append('<section id="items"><h2>Items</h2>'
                    + _table(("item", "units", "material", "cost", "per unit"), item_rows)
                    + "<p>An item's share: sheets by its part area, machine and operator time by its contour "
                      "length, the job fee by units.</p>"
                    + "\n".join(_item_section(i) for i in document["items"]) + "</section>")
    warnings = [w for m in document["materials"] for w in m["warnings"]]
    if warnings:
        sections.append('<section id="warnings"><h2>Warnings</h2><ul>'
                        + "".join(f'<li class="warning">{escape(w)}</li>' for w in warnings) + "</ul></section>")
    sections.append('<section id="sheets"><h2>Sheets</h2>' + _sheet_figures(document, previews) + "</section>")
    return page(f"Estimate: {document['order']}", meta, sections)


def _sheet_figures(document: dict, previews: Sequence) -> str:
    drawings = {(p.material, p.index): p.svg for p in previews}
    out = []
    for m in document["materials"]:
        out.append(f"<h3>{escape(m['material'])} ({escape(m['name'])})</h3>")
        for s in m["sheet_details"]:
            offcut = s["offcut_mm"]
            kept = (f"offcut kept {offcut[2] - offcut[0]:.0f} x {offcut[3] - offcut[1]:.0f} mm (green)"
                    if offcut else "no offcut kept")
            caption = (f"Sheet {s['index']} ({s['stock']}): {len(s['parts'])} parts, yield {percent(s['yield'])}, "
                       f"{kept}, cut {s['cut_length_m']:.1f} m, {format_duration(s['machine_time_s'])}. "
                       f"Parts: {', '.join(s['parts'])}")
            svg = drawings.get((m["material"], s["index"]), "")
            out.append(f'<figure data-material="{escape(m["material"])}" data-sheet="{s["index"]}">'
                       f"{inline_svg(svg)}<figcaption>{escape(caption)}</figcaption></figure>")
    return "\n".join(out)


SUMMARY_HEADER = ("", "orders", "units", "sheets", "yield", "machine", "operator", "total €", "per unit")


def _summary_row(name: str, s: dict, key: str) -> list[str]:
    return [_cell(name), _cell(s["orders"], field=key + "orders"), _cell(s["units"], field=key + "units"),
            _cell(s["sheets"], field=key + "sheets"), _cell(s["yield"], percent(s["yield"]), key + "yield"),
            _cell(s["machine_time_h"], hours(s["machine_time_h"]), key + "machine_time_h"),
            _cell(s["operator_time_h"], hours(s["operator_time_h"]), key + "operator_time_h"),
            _cell(s["cost_eur"], euros(s["cost_eur"]), key + "cost_eur"),
            _cell(s["cost_per_unit_eur"], euros(s["cost_per_unit_eur"]), key + "cost_per_unit_eur")]


def campaign_html(document: dict) -> str:
    """The campaign's totals per region and per fablab, and every order."""
    sections = []
    for key, title in (("by_region", "Per region"), ("by_fablab", "Per fablab")):
        rows = [_summary_row(name, s, f"{key}.{name}.") for name, s in document[key].items()]
        rows.append(_summary_row("total", document["totals"], "totals."))
        sections.append(f'<section id="{key}"><h2>{title}</h2>' + _table(SUMMARY_HEADER, rows, total_last=True) + "</section>")
    rows = [[_cell(o["row"]), _cell(o["requester"]), _cell(o["region"]), _cell(o["fablab"]), _cell(o["item"]),
             _cell(o["quantity"]), _cell(o["material"]), _cell(o["sheets"], field=f"orders.{o['row']}.sheets"),
             _cell(percent(o["yield"])), _cell(hours(o["machine_time_h"])),
             _cell(o["cost_eur"], euros(o["cost_eur"]), f"orders.{o['row']}.cost_eur"),
             _cell(euros(o["cost_per_unit_eur"]))] for o in document["orders"]]
    sections.append('<section id="orders"><h2>Orders</h2>' + _table(
        ("line", "requester", "region", "fablab", "item", "units", "material", "sheets", "yield", "machine",
         "total €", "per unit"), rows) + "</section>")
    meta = (f"plycut {document['plycut']} - {document['source']} - {len(document['orders'])} orders - "
            f"machine {document['machine']} - nesting {document['nest_time_limit_s']:g} s per order - "
            "EUR excl. VAT, estimates")
    return page(f"Campaign: {document['name']}", meta, sections)
