"""What the CAM needs to know besides the layout: tool, cutting data, clearances, tabs."""

from __future__ import annotations

from dataclasses import dataclass

from gcode.tooling import CuttingData, Tool
from nester.errors import InputError

CLEARANCE_Z = 1.0  # mm above the top of the sheet: rapids stop here, the plunge feed takes over


@dataclass(frozen=True)
class CamSettings:
    """How to cut one sheet. mm, mm/min, seconds.

    climb: climb milling with a clockwise spindle -- outside profiles clockwise,
    holes counter-clockwise (material on the tool's right); False reverses both.
    Tabs: tab_width is the gap in the cut (between the tool's edges), tab_height
    the material left at the bottom of the sheet; tab_height 0 means no tabs.
    """

    tool: Tool
    cutting: CuttingData
    safe_z: float = 5.0
    overcut: float = 0.3
    climb: bool = True
    tab_width: float = 10.0
    tab_height: float = 4.0
    tab_spacing: float = 400.0
    min_tabs: int = 2
    spindle_spinup_s: float = 3.0


def check_settings(settings: CamSettings, thickness: float) -> None:
    """Raise InputError for settings no safe program can come from."""
    tool, cutting = settings.tool, settings.cutting
    problems = [
        (tool.kind == "flat", f"tool '{tool.id}' is a {tool.kind}: plycut cuts with flat end mills only"),
        (tool.centre_cutting, f"tool '{tool.id}' is not centre-cutting: plycut plunges straight down"),
        (tool.diameter > 0.0, f"tool '{tool.id}': diameter {tool.diameter:g} mm must be positive"),
        (cutting.feed > 0.0, f"cutting data: feed {cutting.feed:g} mm/min must be positive"),
        (cutting.plunge_feed > 0.0, f"cutting data: plunge_feed {cutting.plunge_feed:g} mm/min must be positive"),
        (cutting.rpm >= 0.0, f"cutting data: rpm {cutting.rpm:g} must not be negative"),
        (cutting.step_down > 0.0, f"cutting data: step_down {cutting.step_down:g} mm must be positive"),
        (cutting.step_over > 0.0, f"cutting data: step_over {cutting.step_over:g} mm must be positive"),
        (thickness > 0.0, f"sheet: thickness {thickness:g} mm must be positive"),
        (settings.safe_z > CLEARANCE_Z,
         f"cam settings: safe_z {settings.safe_z:g} mm must be above the {CLEARANCE_Z:g} mm plunge clearance"),
        (settings.overcut >= 0.0, f"cam settings: overcut {settings.overcut:g} mm must not be negative"),
        (0.0 <= settings.tab_height < thickness,
         f"cam settings: tab_height {settings.tab_height:g} mm must be at least 0 and below "
         f"the {thickness:g} mm sheet thickness"),
        (settings.tab_width > 0.0, f"cam settings: tab_width {settings.tab_width:g} mm must be positive"),
        (settings.tab_spacing > 0.0, f"cam settings: tab_spacing {settings.tab_spacing:g} mm must be positive"),
        (settings.min_tabs >= 0, f"cam settings: min_tabs {settings.min_tabs} must not be negative"),
        (settings.spindle_spinup_s >= 0.0,
         f"cam settings: spindle_spinup_s {settings.spindle_spinup_s:g} s must not be negative"),
    ]
    for ok, message in problems:
        if not ok:
            raise InputError(message)
