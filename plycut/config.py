"""Machines and material profiles: built-in TOML files (package data) or the user's own."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from gcode.feeds import ToolRecipe
from gcode.post import POSTS, get_post
from gcode.programs import read_program
from gcode.tooling import Machine, OutputSwitch, Tool, TouchPlate
from nester.errors import InputError
from plycut.toml_reader import TableReader, load_toml


def dialects() -> tuple[str, ...]:
    """Every dialect a post-processor exists for."""
    return tuple(sorted(POSTS))


@dataclass(frozen=True)
class MaterialProfile:
    """A material and the tools known to cut it (first tool = default)."""

    id: str
    name: str
    thickness: float
    sheet: tuple[float, float]
    sheet_cost: float
    tools: tuple[ToolRecipe, ...]
    density: float | None = None  # kg/m3, for sheet and part weights

    def recipe(self, tool_id: str | None) -> ToolRecipe:
        if tool_id is None:
            return self.tools[0]
        for recipe in self.tools:
            if recipe.tool.id == tool_id:
                return recipe
        known = ", ".join(r.tool.id for r in self.tools)
        raise InputError(f"profile '{self.id}' has no tool '{tool_id}' (tools: {known})")


def _builtin_files(package: str) -> dict[str, Path]:
    folder = resources.files(package)
    return {
        Path(entry.name).stem: Path(str(entry))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def builtin_machines() -> dict[str, Path]:
    return _builtin_files("plycut.machines")


def builtin_profiles() -> dict[str, Path]:
    return _builtin_files("plycut.profiles")


def _resolve(name: str, builtins: dict[str, Path], what: str) -> Path:
    """A built-in name, or a path to a TOML file of the user's."""
    if name in builtins:
        return builtins[name]
    candidate = Path(name)
    if candidate.suffix.lower() == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise InputError(f"{candidate}: no such {what} file")
        return candidate
    known = ", ".join(sorted(builtins)) or "none"
    raise InputError(f"unknown {what} '{name}' (built-in: {known}; or give a path to a .toml file)")


def _axis(axes: TableReader, axis: str) -> tuple[float, float]:
    table = axes.table(axis, required=True)
    limits = table.number("max_feed", positive=True), table.number("acceleration", positive=True)
    table.done()
    return limits


def _output(outputs: TableReader, key: str, dialect: str) -> OutputSwitch | None:
    if not outputs.has(key):
        return None
    table = outputs.table(key)
    switch = OutputSwitch(on=table.string("on"), off=table.string("off"))
    for state in ("on", "off"):
        problem = _output_command_problem(getattr(switch, state), dialect)
        if problem:
            raise table.error(state, problem)
    table.done()
    return switch


def _touch_plate(tool_change: TableReader, dialect: str, max_feed_z: float) -> TouchPlate | None:
    """[tool_change] probe: the plate that measures a tool changed by hand in mid-program."""
    if not tool_change.has("probe"):
        return None
    if not get_post(dialect).touch_plate_tool_change:
        # Read and ignored, it would promise a tool change the program then refuses or does otherwise.
        raise tool_change.error("probe", f"{dialect} does not change tools by hand on a touch plate")
    table = tool_change.table("probe")
    plate = TouchPlate(thickness=table.number("thickness", positive=True), travel=table.number("travel", positive=True),
                       feed=table.number("feed", positive=True))  # fmt: skip
    table.done()
    if plate.travel <= plate.thickness:
        # The head waits ``travel`` above the sheet for the change (gcode.post.base.tool_change_height).
        why = "the head waits that high above the sheet, and the plate must fit under the bit"
        raise table.error("travel", f"{plate.travel:g} mm must be more than the plate's thickness "
                                    f"({plate.thickness:g} mm): {why}")  # fmt: skip
    if plate.feed > max_feed_z:
        raise table.error("feed", f"{plate.feed:g} mm/min is faster than the Z axis can go ({max_feed_z:g} mm/min)")
    return plate


def _output_command_problem(command: str, dialect: str) -> str | None:
    """Why ``command`` cannot switch an output in ``dialect``: read as the controller would."""
    if "\n" in command or not command.strip():
        return "expected one command on one line"
    program = read_program(command + "\n", dialect, source="output")
    words = [word for line in program.words_used.values() for word in line]
    if program.motions or program.untracked_moves or any(word.letter in "XYZ" for word in words):
        return f"{command!r} moves the machine"
    if program.errors:
        return f"{command!r}: {program.errors[0][1]}"
    allowed = get_post(dialect).rules.allowed_codes
    words = [word for word in words if word.letter in "GM"]
    unsupported = [word.code for word in words if allowed is not None and word.code not in allowed]
    return f"{command!r}: {unsupported[0]} is not supported by {dialect}" if unsupported else None


def load_machine(name: str) -> Machine:
    """A machine from its built-in name or a TOML file; every bad or unknown key is named."""
    path = _resolve(name, builtin_machines(), "machine")
    top = TableReader(load_toml(path), path)
    envelope = top.table("envelope", required=True)
    axes = top.table("axes", required=True)
    motion, spindle, controller = top.table("motion"), top.table("spindle"), top.table("controller")
    tool_change, outputs = top.table("tool_change"), top.table("outputs")
    limits = [_axis(axes, axis) for axis in "xyz"]
    manual = spindle.boolean("manual", False)
    dialect = top.string("dialect", choices=dialects())
    rpm = (0.0, 0.0) if manual else (spindle.number("rpm_min", 0.0, minimum=0.0),
                                     spindle.number("rpm_max", 24000.0, positive=True))
    machine = Machine(
        id=path.stem,
        name=top.string("name"),
        dialect=dialect,
        envelope=(envelope.number("x", positive=True), envelope.number("y", positive=True),
                  envelope.number("z", positive=True)),
        max_feed=tuple(feed for feed, _ in limits),
        acceleration=tuple(acceleration for _, acceleration in limits),
        safe_z=motion.number("safe_z", 5.0, positive=True),
        park=motion.numbers("park", (0.0, 0.0), length=2),
        spindle_rpm=rpm,
        spindle_spinup_s=spindle.number("spinup_s", 3.0, minimum=0.0),
        line_limit=controller.integer("line_limit", 80, minimum=20),
        units=top.string("units", "mm", choices=("mm", "in")),
        arcs=controller.boolean("arcs", True),
        arc_tolerance=controller.number("arc_tolerance", 0.01, positive=True, maximum=1.0),
        line_numbers=controller.boolean("line_numbers", False),
        dwell_ms=controller.boolean("dwell_ms", False),
        tool_changer=tool_change.boolean("automatic", False),
        tool_length_offset=tool_change.boolean("length_offset", False),
        tool_change_s=tool_change.number("seconds", 60.0, minimum=0.0),
        tool_change_position=tool_change.numbers("position", None, length=2),
        tool_change_probe=_touch_plate(tool_change, dialect, limits[2][0]),
        vacuum=_output(outputs, "vacuum", dialect),
        dust_extraction=_output(outputs, "dust_extraction", dialect),
    )
    for table in (envelope, axes, motion, spindle, controller, tool_change, outputs, top):
        table.done()
    if machine.spindle_rpm[0] > machine.spindle_rpm[1]:
        raise InputError(f"{path}: key 'spindle.rpm_min': greater than rpm_max")
    if machine.line_numbers and not get_post(dialect).line_numbers_supported:
        raise InputError(f"{path}: key 'controller.line_numbers': {dialect} takes no line numbers")
    for key, (x, y) in (("motion.park", machine.park), ("tool_change.position", machine.tool_change_xy)):
        if not (0 <= x <= machine.envelope[0] and 0 <= y <= machine.envelope[1]):
            raise InputError(f"{path}: key '{key}': ({x:g}, {y:g}) is outside the envelope")
    return machine


def _tool_recipe(table: TableReader, position: int) -> ToolRecipe:
    """One [[tools]] table; ``position`` (from 1) is its tool number unless it gives one."""
    diameter = table.number("diameter", positive=True)
    kind = table.string("kind", "flat", choices=("flat", "vbit"))
    tool = Tool(
        id=table.string("id"),
        name=table.string("name"),
        diameter=diameter,
        flutes=table.integer("flutes", minimum=1),
        centre_cutting=table.boolean("centre_cutting", True),
        kind=kind,
        number=table.integer("number", position, minimum=1),
        angle=_vbit_angle(table, kind),
        upcut_length=table.number("upcut_length", None, positive=True),
    )
    recipe = ToolRecipe(
        tool=tool,
        rpm=table.number("rpm", positive=True),
        chip_load=table.number("chip_load", positive=True),
        plunge_feed=table.number("plunge_feed", positive=True),
        step_down=table.number("step_down", positive=True),
        step_over=table.number("step_over", positive=True),
        chip_load_range=_chip_load_range(table),
    )
    if recipe.step_over > diameter:
        raise table.error("step_over", f"{recipe.step_over:g} mm is wider than the {diameter:g} mm tool")
    if recipe.chip_load_range is not None:
        low, high = recipe.chip_load_range
        if not low <= recipe.chip_load <= high:
            raise table.error("chip_load",
                              f"{recipe.chip_load:g} mm is outside its chip_load_range {low:g}-{high:g} mm")
    if tool.upcut_length is not None:
        if kind == "vbit":
            raise table.error("upcut_length", 'only a flat (compression) tool has up-cut flutes, not kind = "vbit"')
        if recipe.step_down <= tool.upcut_length:
            # Every pass is at most step_down deep, so none could reach past the up-cut flutes.
            raise table.error("step_down", f"{recipe.step_down:g} mm is not deeper than upcut_length "
                                           f"{tool.upcut_length:g} mm: the first pass would tear the top face")
    table.done()
    return recipe


def _vbit_angle(table: TableReader, kind: str) -> float | None:
    """A V-bit's included angle (required); a flat tool has none."""
    if kind == "vbit":
        return table.number("angle", minimum=1.0, maximum=179.0)
    if table.has("angle"):
        raise table.error("angle", 'only a V-bit has an angle: add kind = "vbit" or remove the angle')
    return None


def _chip_load_range(table: TableReader) -> tuple[float, float] | None:
    """[min, max] mm per tooth from the tool-maker's chart, when the profile gives it."""
    limits = table.numbers("chip_load_range", None, length=2)
    if limits is None:
        return None
    low, high = limits
    if low <= 0 or low > high:
        raise table.error("chip_load_range", f"expected [min, max] with 0 < min <= max, got [{low:g}, {high:g}]")
    return low, high


def load_profile(name: str) -> MaterialProfile:
    path = _resolve(name, builtin_profiles(), "profile")
    top = TableReader(load_toml(path), path)
    material = top.table("material", required=True)
    tool_tables = top.tables("tools")
    if not tool_tables:
        raise InputError(f"{path}: no [[tools]] in the profile")
    profile = MaterialProfile(
        id=path.stem,
        name=material.string("name"),
        thickness=material.number("thickness", positive=True),
        sheet=material.numbers("sheet", (2500.0, 1250.0), length=2),
        sheet_cost=material.number("sheet_cost", 0.0, minimum=0.0),
        tools=tuple(_tool_recipe(t, position) for position, t in enumerate(tool_tables, start=1)),
        density=material.number("density", None, positive=True),
    )
    material.done()
    top.done()
    if min(profile.sheet) <= 0:
        raise InputError(f"{path}: key 'material.sheet': sizes must be greater than 0")
    ids = [r.tool.id for r in profile.tools]
    if len(set(ids)) != len(ids):
        raise InputError(f"{path}: two tools share an id")
    numbers = [r.tool.number for r in profile.tools]
    for position, number in enumerate(numbers):
        if number in numbers[:position]:
            raise InputError(f"{path}: key 'tools[{position}].number': tool number {number} is already taken "
                             f"by '{ids[numbers.index(number)]}' (one number per tool in the machine's table)")
    return profile
