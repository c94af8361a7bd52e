"""Jobs: what to cut, from which sheets, with which tool, on which machine.

A job comes from a TOML file (see README, "Job file") or from plan files named on
the command line. ``JobSpec`` is what the user asked for; ``build_job`` imports the
plans and resolves the machine and profile into a :class:`Job` the pipeline runs.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field, replace
from pathlib import Path

from gcode.cam_settings import DOGBONE_STYLES, ENTRIES, HOLDING, MIN_LABEL_HEIGHT
from gcode.feeds import cutting_data
from gcode.tooling import CuttingData, Machine, Tool
from nester.catalog.stool import SHIPPED_PLAN
from nester.errors import InputError
from nester.layers import LayerRules
from nester.model import RIGHT_ANGLES, Machining, Operation, Part, Sheet
from nester.plans import apply_production_list, load_plan
from nester.production import read_production_list
from nester.thickness import FITS, ThicknessSpec, adapt_thickness
from plycut.config import MaterialProfile, load_machine, load_profile
from plycut.toml_reader import TableReader, load_toml

DEFAULT_MACHINE = "generic-grbl-2500x1250"
DEFAULT_PROFILE = "birch-plywood-18mm"
UNITS = ("mm", "cm", "m", "in")
MAX_OVERCUT = 2.0  # mm below the sheet: deeper than this is cutting the spoilboard, not the part


@dataclass(frozen=True)
class PlanSpec:
    """One plan file (or glob) of a job and how many of each of its parts to cut."""

    file: Path
    quantity: int = 1
    units: str | None = None
    rotations: tuple[float, ...] | None = RIGHT_ANGLES
    grain: bool = False
    production: Path | None = None


@dataclass(frozen=True)
class SheetSpec:
    """A stock sheet as asked; None fields take the material profile's values."""

    width: float | None = None
    height: float | None = None
    thickness: float | None = None
    quantity: int | None = None
    margin: float = 10.0
    cost: float | None = None
    zones: tuple[tuple[float, float, float, float], ...] = ()


@dataclass(frozen=True)
class NestOptions:
    time_limit: float = 5.0  # seconds; the engine stops sooner on a lower bound
    seed: int = 0
    workers: int = 1


@dataclass(frozen=True)
class CamOptions:
    clearance: float = 2.0  # mm between the cuts of two neighbouring parts
    overcut: float = 0.3
    safe_z: float | None = None  # None: the machine's
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
    part_dogbones: tuple[tuple[str, str], ...] = ()
    peck: float | None = None
    finish_allowance: float = 0.0
    labels: bool = False
    label_depth: float = 0.5
    label_height: float = 20.0


@dataclass(frozen=True)
class JobSpec:
    name: str
    plans: tuple[PlanSpec, ...]
    sheets: tuple[SheetSpec, ...] = (SheetSpec(),)
    machine: str = DEFAULT_MACHINE
    profile: str = DEFAULT_PROFILE
    tool: str | None = None
    copies: int = 1
    cam: CamOptions = CamOptions()
    nest: NestOptions = NestOptions()
    layer_rules: tuple[tuple[str, Machining], ...] = ()
    svg_colours: tuple[tuple[str, Machining], ...] = ()
    source: str = "command line"
    thickness: ThicknessSpec | None = None  # resize the plans' slots for the measured sheet


@dataclass(frozen=True)
class Job:
    """Everything the pipeline needs, resolved and validated."""

    name: str
    parts: tuple[Part, ...]
    stock: tuple[Sheet, ...]
    machine: Machine
    profile: MaterialProfile
    tool: Tool
    cutting: CuttingData
    cam: CamOptions
    warnings: tuple[str, ...] = field(default=())
    nest: NestOptions = NestOptions()

    @property
    def spacing(self) -> float:
        """Gap between part outlines: one tool width for each cut plus the clearance."""
        return self.tool.diameter + self.cam.clearance

    @property
    def safe_z(self) -> float:
        return self.cam.safe_z if self.cam.safe_z is not None else self.machine.safe_z


def _machining(table: TableReader) -> Machining:
    operations = tuple(op.value for op in Operation)
    operation = Operation(table.string("operation", choices=operations))
    depth = table.number("depth", None, positive=True)
    diameter = table.number("diameter", None, positive=True)
    if operation is Operation.POCKET and depth is None:
        raise table.error("depth", "a pocket needs a depth")
    return Machining(operation, depth, diameter)


def _rotations(table: TableReader) -> tuple[float, ...] | None:
    if not table.has("rotations"):
        return RIGHT_ANGLES
    value = table.raw("rotations")
    if value == "any":
        return None
    if not isinstance(value, list) or not value:
        raise table.error("rotations", 'expected a list of angles in degrees, or "any"')
    return tuple(table.numbers("rotations"))


def _plan(table: TableReader, folder: Path) -> PlanSpec:
    production = table.string("production", None)
    spec = PlanSpec(
        file=folder / table.string("file"),
        quantity=table.integer("quantity", 1, minimum=1),
        units=table.string("units", None, choices=UNITS),
        rotations=_rotations(table),
        grain=table.boolean("grain", False),
        production=folder / production if production else None,
    )
    table.done()
    return spec


def _sheet(table: TableReader) -> SheetSpec:
    spec = SheetSpec(
        width=table.number("width", None, positive=True),
        height=table.number("height", None, positive=True),
        thickness=table.number("thickness", None, positive=True),
        quantity=table.integer("quantity", None, minimum=1),
        margin=table.number("margin", 10.0, minimum=0.0),
        cost=table.number("cost", None, minimum=0.0),
        zones=_zones(table),
    )
    table.done()
    return spec


def _zones(table: TableReader) -> tuple[tuple[float, float, float, float], ...]:
    """zones = [[x0, y0, x1, y1], ...]: rectangles in mm, sheet coordinates."""
    if not table.has("zones"):
        return ()
    raw = table.raw("zones")
    zones = []
    if not isinstance(raw, list):
        raise table.error("zones", "expected a list of [x0, y0, x1, y1] rectangles in mm")
    for index, zone in enumerate(raw):
        numeric = isinstance(zone, list) and len(zone) == 4 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in zone)
        if not numeric or not (zone[0] < zone[2] and zone[1] < zone[3]):
            raise table.error("zones", f"zone {index + 1}: expected [x0, y0, x1, y1] with x0 < x1 and y0 < y1, "
                                       f"got {zone!r}")
        zones.append(tuple(float(v) for v in zone))
    return tuple(zones)


def _nest(table: TableReader) -> NestOptions:
    defaults = NestOptions()
    options = NestOptions(
        time_limit=table.number("time_limit", defaults.time_limit, minimum=0.0),
        seed=table.integer("seed", defaults.seed, minimum=0),
        workers=table.integer("workers", defaults.workers, minimum=1),
    )
    table.done()
    return options


DIRECTIONS = ("climb", "conventional")


def _cam(table: TableReader) -> CamOptions:
    defaults = CamOptions()
    options = CamOptions(
        clearance=table.number("clearance", defaults.clearance, minimum=0.0),
        overcut=table.number("overcut", defaults.overcut, minimum=0.0, maximum=MAX_OVERCUT),
        safe_z=table.number("safe_z", None, positive=True),
        climb=table.string("direction", "climb", choices=DIRECTIONS) == "climb",
        inside_climb=_climb_or_none(table.string("inside_direction", None, choices=DIRECTIONS)),
        tab_width=table.number("tab_width", defaults.tab_width, positive=True),
        tab_height=table.number("tab_height", defaults.tab_height, minimum=0.0),
        tab_spacing=table.number("tab_spacing", defaults.tab_spacing, positive=True),
        min_tabs=table.integer("min_tabs", defaults.min_tabs, minimum=0),
        tab_angle=table.number("tab_angle", defaults.tab_angle, positive=True, maximum=90.0),
        holding=table.string("holding", defaults.holding, choices=HOLDING),
        onion_skin=table.number("onion_skin", defaults.onion_skin, positive=True),
        entry=table.string("entry", defaults.entry, choices=ENTRIES),
        ramp_angle=table.number("ramp_angle", defaults.ramp_angle, positive=True, maximum=45.0),
        dogbones=table.string("dogbones", defaults.dogbones, choices=DOGBONE_STYLES),
        part_dogbones=_part_dogbones(table.table("part_dogbones")),
        peck=table.number("peck", None, minimum=0.0),
        finish_allowance=table.number("finish_allowance", defaults.finish_allowance, minimum=0.0),
        labels=table.boolean("labels", defaults.labels),
        label_depth=table.number("label_depth", defaults.label_depth, positive=True),
        label_height=table.number("label_height", defaults.label_height, minimum=MIN_LABEL_HEIGHT),
    )
    table.done()
    return options


def _thickness(table: TableReader) -> ThicknessSpec | None:
    """[thickness] nominal = 18, measured = 17.4, fit = "normal": slots drawn for nominal, cut for measured."""
    if not table.keys():
        return None
    spec = ThicknessSpec(nominal=table.number("nominal", positive=True),
                         measured=table.number("measured", positive=True),
                         fit=table.string("fit", "normal", choices=tuple(FITS)))
    table.done()
    return spec


def _climb_or_none(direction: str | None) -> bool | None:
    return None if direction is None else direction == "climb"


def _part_dogbones(table: TableReader) -> tuple[tuple[str, str], ...]:
    """[cam.part_dogbones] "part name" = "off" | "dogbone" | "tbone"."""
    overrides = tuple((name, table.string(name, choices=DOGBONE_STYLES)) for name in list(table.keys()))
    table.done()
    return overrides


def read_job_file(path: Path) -> JobSpec:
    """Parse a job TOML file; paths inside it are relative to the file."""
    top = TableReader(load_toml(path), path)
    folder = path.parent
    plans = tuple(_plan(t, folder) for t in top.tables("plans"))
    if not plans:
        raise InputError(f"{path}: no [[plans]] to cut")
    sheets = tuple(_sheet(t) for t in top.tables("sheets")) or (SheetSpec(),)
    rules = []
    for table in top.tables("layers"):
        rules.append((table.string("pattern"), _machining(table)))
        table.done()
    colours = []
    colour_table = top.table("svg_colours")
    for colour in list(colour_table.keys()):
        entry = colour_table.table(colour, required=True)
        colours.append((colour, _machining(entry)))
        entry.done()
    spec = JobSpec(
        name=top.string("name", path.stem),
        plans=plans,
        sheets=sheets,
        machine=top.string("machine", DEFAULT_MACHINE),
        profile=top.string("profile", DEFAULT_PROFILE),
        tool=top.string("tool", None),
        copies=top.integer("copies", 1, minimum=1),
        cam=_cam(top.table("cam")),
        nest=_nest(top.table("nest")),
        thickness=_thickness(top.table("thickness")),
        layer_rules=tuple(rules),
        svg_colours=tuple(colours),
        source=str(path),
    )
    colour_table.done()
    top.done()
    return spec


def _resolve_machine_path(spec: JobSpec, name: str) -> str:
    """Machine and profile paths in a job file are relative to it, like plan paths."""
    if spec.source != "command line" and name.lower().endswith(".toml"):
        return str(Path(spec.source).parent / name)
    return name


def _expand(plan: PlanSpec) -> list[Path]:
    pattern = str(plan.file)
    if any(ch in pattern for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(pattern))
        if not files:
            raise InputError(f"{pattern}: no file matches")
        return files
    return [plan.file]


def _stock(spec: JobSpec, profile: MaterialProfile) -> tuple[Sheet, ...]:
    sheets = []
    # A sheet whose thickness the job does not give is the one measured for the thickness adaptation.
    thickness = spec.thickness.measured if spec.thickness else profile.thickness
    for sheet in spec.sheets:
        sheets.append(Sheet(
            width=sheet.width if sheet.width is not None else profile.sheet[0],
            height=sheet.height if sheet.height is not None else profile.sheet[1],
            thickness=sheet.thickness if sheet.thickness is not None else thickness,
            quantity=sheet.quantity,
            margin=sheet.margin,
            cost=sheet.cost if sheet.cost is not None else profile.sheet_cost,
            material=profile.id,
            zones=sheet.zones,
        ))
    return tuple(sheets)


def _import_parts(spec: JobSpec, rules: LayerRules, colours: dict[str, Machining] | None,
                  warnings: list[str]) -> tuple[Part, ...]:
    parts: list[Part] = []
    for plan in spec.plans:
        plan_parts: list[Part] = []
        for file in _expand(plan):
            imported = load_plan(file, rules=rules, units=plan.units, quantity=plan.quantity * spec.copies,
                                 rotations=plan.rotations, grain=plan.grain, svg_colours=colours)
            plan_parts += imported.parts
            warnings += imported.warnings
        if plan.production is not None:
            quantities = read_production_list(plan.production)
            scaled = {label: count * spec.copies for label, count in quantities.items()}
            plan_parts, notes = apply_production_list(plan_parts, scaled, plan.production)
            warnings += notes
        parts += [p for p in plan_parts if p.quantity > 0]
    names = [p.name for p in parts]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        parts = _disambiguate(parts)
    return tuple(parts)


def _disambiguate(parts: list[Part]) -> list[Part]:
    """Two plans may both hold a part called 'side': prefix the file stem so labels stay unique."""
    names = [p.name for p in parts]
    return [replace(p, name=f"{Path(p.source).stem}:{p.name}") if names.count(p.name) > 1 and p.source else p
            for p in parts]


DEMO_COPIES = 6  # stools: one full 2500 x 1250 sheet
DEMO_NEST_SECONDS = 2.0  # one sheet is the bound: the rest only grows the offcut


def demo_spec(machine: str = DEFAULT_MACHINE, copies: int = DEMO_COPIES) -> JobSpec:
    """The bundled stool on 2500 x 1250 x 18 mm birch plywood, or on the bed of a smaller machine."""
    x, y, _ = load_machine(machine).envelope
    return JobSpec(
        name="demo-stool",
        plans=(PlanSpec(file=SHIPPED_PLAN, quantity=1),),
        sheets=(SheetSpec(width=min(2500.0, x), height=min(1250.0, y), thickness=18.0),),
        machine=machine,
        profile=DEFAULT_PROFILE,
        copies=copies,
        nest=NestOptions(time_limit=DEMO_NEST_SECONDS),
    )


def build_job(spec: JobSpec) -> Job:
    """Import the plans, load machine and profile, and fit the feeds to the machine."""
    machine = load_machine(_resolve_machine_path(spec, spec.machine))
    profile = load_profile(_resolve_machine_path(spec, spec.profile))
    recipe = profile.recipe(spec.tool)
    cutting, warnings = cutting_data(recipe, machine)
    rules = LayerRules.default().with_user_rules(
        [(pattern, m.operation, m.depth, m.diameter) for pattern, m in spec.layer_rules])
    colours = dict(spec.svg_colours) or None
    parts = _import_parts(spec, rules, colours, warnings)
    if spec.thickness is not None:
        adapted, changes = adapt_thickness(parts, spec.thickness.nominal, spec.thickness.measured, spec.thickness.fit)
        parts = tuple(adapted)
        told = f"thickness {spec.thickness.nominal:g} -> {spec.thickness.measured:g} mm"
        warnings += [f"{told}: {line}" for line in changes] or [f"{told}: no slot or mortise of that width in the plans"]
    stock = _stock(spec, profile)
    job = Job(name=spec.name, parts=parts, stock=stock, machine=machine, profile=profile,
              tool=recipe.tool, cutting=cutting, cam=spec.cam, warnings=tuple(warnings), nest=spec.nest)
    _check_fits_machine(job)
    return job


def _check_fits_machine(job: Job) -> None:
    x, y, _ = job.machine.envelope
    for sheet in job.stock:
        if sheet.width > x + 1e-9 or sheet.height > y + 1e-9:
            raise InputError(
                f"{job.name}: sheet {sheet.label()} does not fit the {job.machine.name} envelope {x:g} x {y:g} mm")
        if sheet.margin < job.tool.radius:
            raise InputError(
                f"{job.name}: sheet margin {sheet.margin:g} mm is less than the tool radius "
                f"{job.tool.radius:g} mm: the outside cuts would leave the sheet")
    if job.safe_z < job.machine.safe_z:
        raise InputError(f"{job.name}: safe Z {job.safe_z:g} mm is below the {job.machine.name} safe Z "
                         f"{job.machine.safe_z:g} mm (clamps and screws stand up to there)")
    if job.safe_z >= job.machine.envelope[2]:
        raise InputError(f"{job.name}: safe Z {job.safe_z:g} mm is beyond the machine's Z travel")
