"""What cutting an order costs: rates and the arithmetic, in EUR excluding VAT.

The defaults are orders of magnitude, not a price list. Sources are those of the
project's notes (shared/notes/furniture-and-shops.md, section 5); a figure marked
ESTIMATE has no source. Every rate is a setting of the order (``[costs]``).
"""

from __future__ import annotations

from dataclasses import dataclass

# EUR per hour of estimated machine run time. ESTIMATE: French fablabs charge about 20-50 EUR/h
# (not sourced); WOWLab (NL, 2023) 37 EUR/h excl. VAT, Happylab Berlin 18 EUR/h of milling time.
MACHINE_RATE = 30.0
# EUR per operator hour. ESTIMATE: 40-70 EUR/h with a fab-manager for commissions (not sourced);
# WOWLab's operator is 57.85 EUR/h, its fablab rate 28.92 EUR/h.
OPERATOR_RATE = 45.0
# Operator hours per machine hour: 1.0 means someone stays by the running router, as fablab
# rules ask (the "Abaque de la Fabrication Distribuee" bills operator time as a share of machine
# time). ESTIMATE.
OPERATOR_SHARE = 1.0
# Minutes per sheet to load, screw down, zero, unload and sweep. ESTIMATE, not sourced:
# calibrate it on one real job.
SETUP_MINUTES_PER_SHEET = 10.0
# EUR once per order: WOWLab's start-up fee, 20.66 EUR excl. VAT (25 EUR incl.).
JOB_FEE = 20.66


@dataclass(frozen=True)
class CostSettings:
    """Rates of one order. sheet_price: EUR per sheet of the order's own material (None: the
    profile's price); sheet_prices: (profile, EUR per sheet) for any material."""

    machine_rate: float = MACHINE_RATE
    operator_rate: float = OPERATOR_RATE
    operator_share: float = OPERATOR_SHARE
    setup_minutes_per_sheet: float = SETUP_MINUTES_PER_SHEET
    job_fee: float = JOB_FEE
    sheet_price: float | None = None
    sheet_prices: tuple[tuple[str, float], ...] = ()

    def price_of_sheet(self, profile: str, order_profile: str, profile_price: float) -> float:
        """EUR per sheet of ``profile``: named in sheet_prices, else sheet_price for the
        order's own profile, else the profile's price."""
        named = dict(self.sheet_prices)
        if profile in named:
            return named[profile]
        if profile == order_profile and self.sheet_price is not None:
            return self.sheet_price
        return profile_price

    def as_dict(self) -> dict:
        return {"machine_eur_h": self.machine_rate, "operator_eur_h": self.operator_rate,
                "operator_share": self.operator_share, "setup_min_per_sheet": self.setup_minutes_per_sheet,
                "job_fee_eur": self.job_fee}


def operator_hours(settings: CostSettings, machine_h: float, sheets: int) -> float:
    """The operator by the running machine (share of its time) plus set-up per sheet."""
    return machine_h * settings.operator_share + sheets * settings.setup_minutes_per_sheet / 60.0


def group_costs(settings: CostSettings, *, sheets: int, sheet_price: float, machine_h: float) -> dict:
    """EUR of one material: sheets, machine time and operator time (the job fee is per order)."""
    operator_h = operator_hours(settings, machine_h, sheets)
    costs = {
        "material": sheets * sheet_price,
        "machine": machine_h * settings.machine_rate,
        "operator": operator_h * settings.operator_rate,
    }
    costs["total"] = sum(costs.values())
    return {key: round(value, 2) for key, value in costs.items()}


def order_costs(groups: list[dict], job_fee: float) -> dict:
    """The order's EUR: every material's costs added, plus the job fee once."""
    totals = {key: round(sum(g[key] for g in groups), 2) for key in ("material", "machine", "operator")}
    totals["job_fee"] = round(job_fee, 2) if groups else 0.0
    totals["total"] = round(sum(totals.values()), 2)
    return totals
