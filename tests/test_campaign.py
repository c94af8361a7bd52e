"""`plycut campaign`: one estimate per CSV row, the same in this process, in a process pool
and on a Dask cluster; totals per region and per fablab; bad rows are one line naming the
line, exit 2, no report."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from nester.errors import InputError
from plycut.campaign import Campaign, CampaignOrder, estimate_campaign_order, read_campaign, run_campaign
from plycut.cli import app
from plycut.estimate_order import Order
from plycut.job import NestOptions

runner = CliRunner()
HEADER = "requester,region,item,quantity,material,fablab\n"
ROWS = ("Mairie de Nimes,Occitanie,stool,1,birch-plywood-18mm,Fablab de Nimes\n"
        "CD du Gard,Occitanie,stool,2,,Fablab de Nimes\n"
        "Ville de Tours,Centre-Val de Loire,stool,1,birch-plywood-15mm,La FUN\n")
SETTINGS = Order(name="campaign", items=(), nest=NestOptions(time_limit=0.1))


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def orders_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("campaign") / "orders.csv"
    path.write_text(HEADER + ROWS)
    return path


@pytest.fixture(scope="module")
def in_process(orders_csv):
    out = orders_csv.parent / "out"
    result = invoke("campaign", str(orders_csv), "-o", str(out), "--workers", "1", "--time-limit", "0.1")
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "campaign.json").read_text()), result.output


def _essentials(orders: list[dict]) -> list[tuple]:
    """What no nesting time limit changes: the rows, their items and materials, one sheet each."""
    return [(o["row"], o["requester"], o["item"], o["quantity"], o["material"], o["sheets"]) for o in orders]


def test_campaign_totals_per_region_and_fablab(in_process):
    _, doc, output = in_process
    orders = doc["orders"]
    assert [o["row"] for o in orders] == [2, 3, 4]
    assert [o["material"] for o in orders] == ["birch-plywood-18mm, 18 mm", "birch-plywood-18mm, 18 mm",
                                               "birch-plywood-15mm, 15 mm"]
    assert sorted(doc["by_region"]) == ["Centre-Val de Loire", "Occitanie"]
    occitanie = doc["by_region"]["Occitanie"]
    assert (occitanie["orders"], occitanie["units"], occitanie["items"]) == (2, 3, {"stool": 3})
    for key in ("by_region", "by_fablab"):
        groups = doc[key].values()
        for figure in ("orders", "units", "sheets"):
            assert sum(g[figure] for g in groups) == doc["totals"][figure]
        assert sum(g["cost_eur"] for g in groups) == pytest.approx(doc["totals"]["cost_eur"], abs=0.02)
    assert doc["totals"]["cost_eur"] == pytest.approx(sum(o["cost_eur"] for o in orders), abs=0.02)
    for o in orders:
        assert o["sheets"] >= o["sheets_lower_bound"] >= 1
        assert o["cost_per_unit_eur"] == pytest.approx(o["cost_eur"] / o["quantity"], abs=0.01)
    assert doc["run"]["executor"] == "in-process"
    assert "Occitanie" in output and "La FUN" in output


def test_campaign_files_agree(in_process):
    out, doc, _ = in_process
    assert sorted(p.name for p in out.iterdir()) == ["campaign-fablabs.csv", "campaign-regions.csv",
                                                     "campaign.csv", "campaign.html", "campaign.json"]
    rows = list(csv.DictReader((out / "campaign.csv").open()))
    assert [int(r["row"]) for r in rows] == [2, 3, 4]
    assert [float(r["total_eur"]) for r in rows] == [o["cost_eur"] for o in doc["orders"]]
    regions = {r["region"]: r for r in csv.DictReader((out / "campaign-regions.csv").open())}
    assert int(regions["Occitanie"]["units"]) == 3 and float(regions["total"]["cost_eur"]) == doc["totals"]["cost_eur"]
    fablabs = {r["fablab"] for r in csv.DictReader((out / "campaign-fablabs.csv").open())}
    assert fablabs == {"Fablab de Nimes", "La FUN", "total"}

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = {}

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if "data-field" in attrs:
                self.found[attrs["data-field"]] = attrs["data-value"]

    html = (out / "campaign.html").read_text()
    parser = Fields()
    parser.feed(html)
    assert float(parser.found["by_region.Occitanie.cost_eur"]) == doc["by_region"]["Occitanie"]["cost_eur"]
    assert int(parser.found["by_fablab.La FUN.units"]) == 1
    assert float(parser.found["totals.cost_eur"]) == doc["totals"]["cost_eur"]
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)


def test_the_order_function_is_pure_and_picklable(orders_csv):
    import pickle

    campaign = read_campaign(orders_csv, SETTINGS)
    row = campaign.orders[0]
    again = pickle.loads(pickle.dumps((row, SETTINGS, campaign.source)))
    result = estimate_campaign_order(*again)
    assert (result["row"], result["quantity"], result["sheets"]) == (2, 1, 1)
    assert json.loads(json.dumps(result)) == result  # plain data, as it crosses processes and clusters


def test_process_pool_gives_the_in_process_results(orders_csv, in_process):
    _, doc, _ = in_process
    pooled = run_campaign(read_campaign(orders_csv, SETTINGS), workers=2)
    assert pooled["run"] == {**pooled["run"], "executor": "local processes", "workers": 2}
    assert _essentials(pooled["orders"]) == _essentials(doc["orders"])


def test_dask_cluster_gives_the_in_process_results(orders_csv, in_process, tmp_path):
    pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'plycut[dask]'")
    from distributed import LocalCluster

    _, doc, _ = in_process
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        out = tmp_path / "dask"
        result = invoke("campaign", str(orders_csv), "-o", str(out), "--scheduler", cluster.scheduler_address,
                        "--time-limit", "0.1")
        assert result.exit_code == 0, result.output
        on_dask = json.loads((out / "campaign.json").read_text())
        # a bad order raised on a worker comes back as the same one line
        bad = tmp_path / "bad.csv"
        bad.write_text(HEADER + "Mairie,Occitanie,stool,1,birch-plywood-18mm,Nimes\n")
        settings = tmp_path / "settings.toml"
        settings.write_text("thickness = 30\n[nest]\ntime_limit = 0.1\n")
        failed = invoke("campaign", str(bad), "-o", str(tmp_path / "bad"), "--settings", str(settings),
                        "--scheduler", cluster.scheduler_address)
    assert on_dask["run"]["executor"] == f"dask {cluster.scheduler_address}"
    assert _essentials(on_dask["orders"]) == _essentials(doc["orders"])
    assert failed.exit_code == 2 and failed.output.count("\n") == 1, failed.output
    assert f"{bad}: line 2" in failed.output and "30 mm is far from" in failed.output
    assert not (tmp_path / "bad").exists()


def test_a_bad_order_in_the_pool_stops_the_campaign_without_a_report(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("requester,region,item,quantity,material,fablab,thickness\n"
                    "Mairie de Nimes,Occitanie,stool,1,birch-plywood-18mm,Fablab de Nimes,17.5\n"
                    "Mairie,Bretagne,stool,1,birch-plywood-18mm,Rennes,40\n")
    out = tmp_path / "out"
    result = invoke("campaign", str(path), "-o", str(out), "--workers", "2", "--time-limit", "0.1")
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        (f"plycut: error: {path}: line 3: measured thickness 40 mm is far from the 18 mm of profile "
         "'birch-plywood-18mm' (more than 25%): choose a profile of that thickness")]
    assert not out.exists()


@pytest.mark.parametrize("text, fragment", [
    ("requester,region,item,quantity,material\nA,B,stool,1,\n",
     "line 1: missing column 'fablab' (expected requester, region, item, quantity, material, fablab"),
    (HEADER + "A,B,stool,1,,F\nA,B,chariote,2,,F\n", "line 3: unknown item 'chariote'; the catalog has"),
    (HEADER + "A,B,stool,0,,F\n", "line 2: quantity of 'stool' must be a whole number of at least 1, got 0"),
    (HEADER + "A,B,stool,-4,,F\n", "line 2: quantity of 'stool' must be a whole number of at least 1, got -4"),
    (HEADER + "A,B,stool,two,,F\n", "line 2: quantity 'two': expected a whole number"),
    (HEADER + "A,B,stool,1,,\n", "line 2: empty 'fablab'"),
    (HEADER + "A,B,stool,1,,F\nA,B,stool,1,plywood-19mm,F\n", "line 3: material: unknown profile 'plywood-19mm'"),
    (HEADER, "no orders below the header"),
    ("", "empty file"),
])
def test_bad_campaign_csv_is_one_line(tmp_path, text, fragment):
    path = tmp_path / "orders.csv"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        read_campaign(path, SETTINGS)
    assert str(caught.value).startswith(f"{path}: ") and fragment in str(caught.value)
    out = tmp_path / "out"
    result = invoke("campaign", str(path), "-o", str(out))
    assert result.exit_code == 2 and result.output.strip() == f"plycut: error: {caught.value}"
    assert not out.exists()


def test_spreadsheet_csv_is_read(tmp_path):
    """A French spreadsheet's export: byte-order mark, ';', capitalised headers, extra columns."""
    path = tmp_path / "commandes.csv"
    path.write_bytes("\ufeffRequester;Region;Item;Quantity;Material;Fablab;Notes\n"
                     "Mairie de Saint-Paul;La Réunion;stool;6;;Lab 974;livrée le 13 juin\n".encode())
    campaign = read_campaign(path, SETTINGS)
    assert campaign.orders == (CampaignOrder(line=2, requester="Mairie de Saint-Paul", region="La Réunion",
                                             item="stool", quantity=6, material="", fablab="Lab 974"),)
    assert isinstance(campaign, Campaign) and campaign.name == "commandes"


def test_unknown_scheduler_without_dask_or_bad_options(tmp_path, orders_csv):
    result = invoke("campaign", str(orders_csv), "-o", str(tmp_path / "out"), "--workers", "0")
    assert result.exit_code == 2 and result.output.strip() == "plycut: error: --workers 0: must be at least 1"
    settings = tmp_path / "settings.toml"
    settings.write_text('[[items]]\nitem = "stool"\nquantity = 1\n')
    result = invoke("campaign", str(orders_csv), "-o", str(tmp_path / "out"), "--settings", str(settings))
    assert result.exit_code == 2 and "campaign settings hold no [[items]]" in result.output
    assert not (tmp_path / "out").exists()


def test_benchmark_campaign_is_1000_units_in_valid_orders(tmp_path):
    from benchmarks.campaign import campaign_rows, write_csv

    rows = campaign_rows(1000, 100, seed=0)
    assert len(rows) == 100 and sum(r["quantity"] for r in rows) == 1000
    assert all(5 <= r["quantity"] <= 20 for r in rows)
    assert rows == campaign_rows(1000, 100, seed=0)
    campaign = read_campaign(write_csv(rows, tmp_path / "campaign.csv"), SETTINGS)
    assert sum(o.quantity for o in campaign.orders) == 1000 and len({o.fablab for o in campaign.orders}) > 3
