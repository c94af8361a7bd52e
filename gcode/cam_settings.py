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
    inside_climb: the same for everything inside a part (holes, pockets, drills,
    lines), when it differs from the outside profiles (None: as `climb`).
    Holding: "tabs" -- tab_width is the gap in the cut (between the tool's edges)
    at the tab's top, tab_height the material left at the bottom of the sheet,
    tab_angle the slope of the tab's flanks (90: square tabs); tab_height 0 means
    no tabs. "onion-skin" -- outside profiles stop `onion_skin` mm above the
    bottom of the sheet and a last shallow pass cuts that skin, after every
    other cut on the sheet (a vacuum table holds the parts until then).
    Entry: "ramp" descends along closed paths at ramp_angle (a helix on a
    circle); "plunge" goes straight down at the plunge feed.
    Dogbones: "dogbone", "tbone" or "off" for every inside corner a square
    mating part must seat in (holes, slots in the outline); dogbone_overrides
    changes it per part name.
    """

    tool: Tool
    cutting: CuttingData
    safe_z: float = 5.0
    overcut: float = 0.3
    climb: bool = True
    inside_climb: bool | None = None
    tab_width: float = 10.0
    tab_height: float = 4.0
    tab_spacing: float = 400.0
    min_tabs: int = 2
    tab_angle: float = 45.0
    holding: str = "tabs"
    onion_skin: float = 0.4
    entry: str = "ramp"
    ramp_angle: float = 5.0
    dogbones: str = "dogbone"
    dogbone_overrides: tuple[tuple[str, str], ...] = ()
    spindle_spinup_s: float = 3.0
    peck: float | None = None  # mm per peck of a plunge drill (None: the step-down; 0: no pecking)
    finish_allowance: float = 0.0  # mm left on profiles by the roughing passes, cut by one full-depth pass
    labels: bool = False  # engrave each part's name on it, single-stroke
    label_depth: float = 0.5
    label_height: float = 20.0  # mm, the largest; smaller where the part is small
    fit_arcs: bool = True  # False keeps every chord of an offset curve: for comparisons only

    @property
    def climb_inside(self) -> bool:
        return self.climb if self.inside_climb is None else self.inside_climb

    @property
    def flank_angle(self) -> float:
        """The tab flanks' slope: a tool that cannot plunge must not dive down one steeper than its ramp."""
        return self.tab_angle if self.tool.centre_cutting else min(self.tab_angle, self.ramp_angle)

    def dogbone_style(self, part_name: str, drawn: str = "") -> str:
        """The job's override for this part, else what the plan's layer asks (drawn), else the job's default."""
        return dict(self.dogbone_overrides).get(part_name) or drawn or self.dogbones


HOLDING = ("tabs", "onion-skin")
MIN_LABEL_HEIGHT = 5.0  # mm: smaller single-stroke text is not legible cut with a router bit
ENTRIES = ("ramp", "plunge")
DOGBONE_STYLES = ("dogbone", "tbone", "off")


def check_settings(settings: CamSettings, thickness: float) -> None:
    """Raise InputError for settings no safe program can come from."""
    tool, cutting = settings.tool, settings.cutting
    problems = [
        (tool.kind == "flat", f"tool '{tool.id}' is a {tool.kind}: plycut cuts with flat end mills only"),
        (tool.centre_cutting or settings.entry == "ramp",
         f"tool '{tool.id}' is not centre-cutting: it cannot plunge, set the entry to ramp"),
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
        (0.0 < settings.tab_angle <= 90.0,
         f"cam settings: tab_angle {settings.tab_angle:g} degrees must be above 0 and at most 90"),
        (settings.holding in HOLDING,
         f"cam settings: holding '{settings.holding}' is not one of {', '.join(HOLDING)}"),
        (settings.holding != "onion-skin" or 0.0 < settings.onion_skin < thickness,
         f"cam settings: onion_skin {settings.onion_skin:g} mm must be above 0 and below "
         f"the {thickness:g} mm sheet thickness"),
        (settings.entry in ENTRIES, f"cam settings: entry '{settings.entry}' is not one of {', '.join(ENTRIES)}"),
        (0.0 < settings.ramp_angle <= 45.0,
         f"cam settings: ramp_angle {settings.ramp_angle:g} degrees must be above 0 and at most 45"),
        *((style in DOGBONE_STYLES,
           f"cam settings: dogbones '{style}'{f' for part {name!r}' if name else ''} is not one of "
           f"{', '.join(DOGBONE_STYLES)}")
          for name, style in (("", settings.dogbones), *settings.dogbone_overrides)),
        (settings.peck is None or settings.peck >= 0.0,
         f"cam settings: peck {settings.peck} mm must not be negative"),
        (0.0 <= settings.finish_allowance <= tool.radius,
         f"cam settings: finish_allowance {settings.finish_allowance:g} mm must be from 0 to the tool radius"),
        (not settings.labels or 0.0 < settings.label_depth < thickness,
         f"cam settings: label_depth {settings.label_depth:g} mm must be above 0 and below the sheet"),
        (not settings.labels or settings.label_height >= MIN_LABEL_HEIGHT,
         f"cam settings: label_height {settings.label_height:g} mm must be at least {MIN_LABEL_HEIGHT:g} mm"),
        (settings.spindle_spinup_s >= 0.0,
         f"cam settings: spindle_spinup_s {settings.spindle_spinup_s:g} s must not be negative"),
    ]
    for ok, message in problems:
        if not ok:
            raise InputError(message)
