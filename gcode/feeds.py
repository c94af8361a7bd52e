"""Feeds and speeds: from a tool's chip load to the feed a machine can actually do."""

from __future__ import annotations

from dataclasses import dataclass

from gcode.tooling import CuttingData, Machine, Tool


@dataclass(frozen=True)
class ToolRecipe:
    """A tool as a material profile describes it: rpm and chip load, not yet a feed."""

    tool: Tool
    rpm: float
    chip_load: float  # mm per tooth
    plunge_feed: float
    step_down: float
    step_over: float
    # The tool-maker chart's chip loads (mm per tooth) the chosen one comes from, when known.
    chip_load_range: tuple[float, float] | None = None


def cutting_data(recipe: ToolRecipe, machine: Machine) -> tuple[CuttingData, list[str]]:
    """feed = rpm x flutes x chip load, fitted to the machine; warnings say what was changed.

    The rpm is brought into the spindle's range first and the feed follows it, so the
    chip load (what keeps the tool from burning or breaking) stays as the profile says;
    only the machine's feed limit can lower it further."""
    warnings: list[str] = []
    rpm = recipe.rpm
    low, high = machine.spindle_rpm
    if high > 0 and not low <= rpm <= high:
        clamped = min(max(rpm, low), high)
        warnings.append(
            f"{recipe.tool.name}: {rpm:g} rpm is outside the {machine.name} spindle range "
            f"{low:g}-{high:g} rpm; using {clamped:g} rpm"
        )
        rpm = clamped
    feed = rpm * recipe.tool.flutes * recipe.chip_load
    if feed > machine.max_feed_xy:
        warnings.append(
            f"{recipe.tool.name}: feed {feed:g} mm/min ({rpm:g} rpm x {recipe.tool.flutes} flutes x "
            f"{recipe.chip_load:g} mm) is above the machine maximum; using {machine.max_feed_xy:g} mm/min"
            + _thin_chip_advice(recipe, rpm, machine.max_feed_xy)
        )
        feed = machine.max_feed_xy
    plunge = recipe.plunge_feed
    if plunge > machine.max_feed_z:
        warnings.append(
            f"{recipe.tool.name}: plunge feed {plunge:g} mm/min is above the machine Z maximum; "
            f"using {machine.max_feed_z:g} mm/min"
        )
        plunge = machine.max_feed_z
    return CuttingData(rpm=rpm, feed=feed, plunge_feed=plunge, step_down=recipe.step_down,
                       step_over=recipe.step_over), warnings


def _thin_chip_advice(recipe: ToolRecipe, rpm: float, feed: float) -> str:
    """What to do when a lowered feed thins the chip below the chart: chips carry the heat
    away, so a tool that rubs instead of cutting burns (Onsrud: if it burns, lower the rpm)."""
    chip_load = feed / (rpm * recipe.tool.flutes)
    if recipe.chip_load_range is None or chip_load >= recipe.chip_load_range[0]:
        return ""
    low, high = recipe.chip_load_range
    keeping_rpm = feed / (recipe.tool.flutes * recipe.chip_load)
    return (f" ({chip_load:.3f} mm/tooth, thinner than the chart's {low:g}-{high:g} mm: "
            f"{keeping_rpm:.0f} rpm would keep the {recipe.chip_load:g} mm chip)")
