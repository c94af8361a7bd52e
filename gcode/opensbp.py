"""Read ShopBot OpenSBP part files into the motion model of :mod:`gcode.reader`.

OpenSBP is not G-code: one statement per line, a two-letter command and its
comma-separated arguments (``M3,10,20,-5`` is a 3-axis move, never a spindle),
``'`` comments, labels (``UNIT_ERROR:``), ``GOTO``/``GOSUB``, ``IF ... THEN``,
``PAUSE`` and ``END``. Speeds are units per SECOND and the file's units are set
on the control, so a file states them in a header comment and guards them with
``IF %(25)=... THEN GOTO UNIT_ERROR``; everything is converted here to mm and
mm/min, like the G-code reader does.

How fast a move runs follows ShopBot's own OpenSBP runtime (FabMo-Engine,
runtime/opensbp/commands/move.js and cut.js): M2, M3, MX, MY and CG run at the XY
move speed, MZ at the Z move speed, and MS caps each axis at its own speed -- so
an M3 that moves XY and Z runs at the XY speed unless its Z component would
exceed the Z speed, which then slows the whole move.

The reader never guesses. Every line is parsed, even those after END (error
handlers) that never run, so an unknown command anywhere is an error with its
line; statements run in program order until END, following GOTO and GOSUB.
What cannot be followed -- a condition, an expression, a custom cut plycut cannot
see -- is an error, and what makes every later position a guess (zeroing, tool
compensation by the control, a loop) stops the simulation there.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from gcode.numbers import format_number
from gcode.reader import MM_PER_INCH, Event, GcodeProgram, Motion, UntrackedMove

# %(25), the control's unit setting: 0 inches, 1 millimetres. A mm file refuses to run on
# a control set to inches with IF %(25)=0 THEN GOTO UNIT_ERROR (Vectric and Autodesk ShopBot posts).
UNIT_SETTING = {"in": 0, "mm": 1}
MM_PER_UNIT = {"in": MM_PER_INCH, "mm": 1.0}
UNIT_ERROR_LABEL = "UNIT_ERROR"
# The header comment naming the file's units, as the ShopBot posts write it.
UNIT_HEADER = {"mm": "SHOPBOT ROUTER FILE IN MM", "in": "SHOPBOT ROUTER FILE IN INCHES"}
# Custom cuts are part files shipped with the control (Custom6.sbc ...), run by C6, C#,6 or CN,6.
SPINDLE_ON_CUT, SPINDLE_OFF_CUT, TOOL_CHANGE_CUT = 6, 7, 9
# The control's Z-zero routine ("Reset Cutter Length (sometimes called Z-Zero) -- MACRO #2 -- [C2]",
# FabMo-Engine macro_2.sbp): it plunges Z until the bit touches the zero plate, backs off, touches
# again slower, sets Z from the plate's thickness in the control's settings and pulls up, where the
# file does not say. It moves Z alone: the plate lies under the bit.
ZERO_Z_CUT = 2
LOAD_VARIABLES_CUT = 90  # loads the control's user variables and offsets: moves nothing
UNIT_ERROR_CUT = 91  # explains a unit error to the operator; only the UNIT_ERROR handler runs it
ROUTER_OUTPUT = 1  # SO,1,1 / SO,1,0: the router relay on output 1 (older files' spindle on/off)

# The coordinates each move command takes, in argument order.
JOGS = {"J2": "XY", "J3": "XYZ", "JX": "X", "JY": "Y", "JZ": "Z"}
MOVES = {"M2": "XY", "M3": "XYZ", "MX": "X", "MY": "Y", "MZ": "Z"}
SIMULATED = frozenset({*JOGS, *MOVES, "CG", "MS", "JS", "TR", "SA", "SR", "SO", "VD"})
# Settings that change neither the path nor its speed: cutter values, ramp (acceleration) values.
NO_EFFECT = frozenset({"VC", "VR"})
# Commands that move to, or redefine, a position the file does not give.
NOT_SIMULATED = {
    **dict.fromkeys(("JH", "MH"), "goes home"),
    **dict.fromkeys(("ZX", "ZY", "ZZ", "Z2", "Z3"), "zeroes an axis"),
}
KNOWN_COMMANDS = SIMULATED | NO_EFFECT | frozenset(NOT_SIMULATED)
# CG's arguments after the arc itself: plunge, repetitions, X and Y proportions, options,
# no pull-up, plunge from zero. Only their neutral values describe a single plain arc.
CG_NEUTRAL = {7: (0.0,), 8: (1.0,), 9: (1.0,), 10: (1.0,), 11: (0.0,), 12: (0.0, 1.0), 13: (0.0, 1.0)}
CG_ARGUMENTS = 14
MAX_SUBROUTINE_DEPTH = 16

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_LABEL = re.compile(rf"({_NAME})\s*:")
_JUMP = re.compile(rf"(GOTO|GOSUB)\s+({_NAME})", re.IGNORECASE)
_IF = re.compile(r"IF\s+(.+?)\s+THEN\s+(.+)", re.IGNORECASE)
_ASSIGNMENT = re.compile(rf"([&$]{_NAME})\s*:?=\s*(.*)")
_PAUSE = re.compile(r"PAUSE\b\s*,?\s*(.*)", re.IGNORECASE)
_CUSTOM_CUT = re.compile(r"C(\d+)\s*,?", re.IGNORECASE)
_NUMBERED_CUT = re.compile(r"C[#N]", re.IGNORECASE)
_COMMAND = re.compile(r"([A-Za-z][A-Za-z0-9#])(?=[\s,]|$)")
_UNIT_GUARD = re.compile(r"%\(\s*25\s*\)\s*(=|==|<>|!=)\s*([01])")
_UNIT_COMMENT = re.compile(
    r"(?:SHOPBOT\b.*\bFILE IN|UNITS\s*[:=])\s*(MM|MILLIMET(?:ER|RE)S?|IN|INCH|INCHES)\b", re.IGNORECASE
)

Point = tuple[float, float, float]


@dataclass(frozen=True)
class Statement:
    """One OpenSBP statement: kind "command", "custom", "label", "jump", "if", "assign", "pause",
    "end" or "return"."""

    kind: str
    name: str = ""  # command mnemonic, label, GOTO/GOSUB, variable
    arguments: tuple[str, ...] = ()  # raw argument texts ("" for an empty one)
    then: Statement | None = None  # IF's statement
    condition: str = ""  # IF's condition as written


def read_opensbp(text: str, *, source: str = "<program>") -> GcodeProgram:
    """Parse an OpenSBP part file into motions, events and errors (never raises on a bad file)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the newline ending the last line does not start another
    program = GcodeProgram(source=source, lines=lines)
    statements: list[tuple[int, Statement]] = []
    for number, raw in enumerate(lines, start=1):
        statement, problem = parse_statement(raw)
        if problem is not None:
            program.errors.append((number, problem))
        elif statement is not None:
            statements.append((number, statement))
    _Interpreter(program, statements).run()
    program.errors.sort(key=lambda error: error[0])
    return program


def strip_comment(raw: str) -> str:
    """The line without its comment: ``'`` to the end of the line, outside double quotes."""
    in_quotes = False
    for index, char in enumerate(raw):
        if char == '"':
            in_quotes = not in_quotes
        elif char == "'" and not in_quotes:
            return raw[:index]
    return raw


def comment_text(raw: str) -> str | None:
    """The text of the line's comment, or None."""
    code = strip_comment(raw)
    return raw[len(code) + 1 :] if len(code) < len(raw) else None


def parse_statement(raw: str) -> tuple[Statement | None, str | None]:
    """The statement on one line (None for a blank or comment line), or why it cannot be read."""
    code = strip_comment(raw).strip()
    if not code:
        return None, None
    return _parse_code(code)


def _parse_code(code: str) -> tuple[Statement | None, str | None]:
    keyword = code.upper()
    if keyword in ("END", "RETURN"):
        return Statement(keyword.lower()), None
    if match := _LABEL.fullmatch(code):
        return Statement("label", match.group(1).upper()), None
    if match := _JUMP.fullmatch(code):
        return Statement("jump", match.group(1).upper(), (match.group(2).upper(),)), None
    if match := _IF.fullmatch(code):
        then, problem = _parse_code(match.group(2).strip())
        if problem is not None:
            return None, f"IF ... THEN {match.group(2).strip()!r}: {problem}"
        return Statement("if", then=then, condition=match.group(1).strip()), None
    if match := _ASSIGNMENT.fullmatch(code):
        return Statement("assign", match.group(1).upper(), (match.group(2).strip(),)), None
    if match := _PAUSE.fullmatch(code):
        argument = match.group(1).strip()
        return Statement("pause", arguments=(argument,) if argument else ()), None
    if match := _CUSTOM_CUT.fullmatch(code):
        return Statement("custom", arguments=(match.group(1),)), None
    match = _COMMAND.match(code)
    if match is None:
        return None, f"cannot read {code!r}"
    mnemonic = match.group(1).upper()
    rest = code[match.end():].strip().removeprefix(",")
    arguments = tuple(argument.strip() for argument in rest.split(",")) if rest.strip() else ()
    if _NUMBERED_CUT.fullmatch(mnemonic):
        if len(arguments) != 1 or not arguments[0].isdigit():
            return None, f"{mnemonic} takes the number of a custom cut, not {rest!r}"
        return Statement("custom", arguments=arguments), None
    if mnemonic not in KNOWN_COMMANDS:
        return None, f"unknown command {mnemonic}"
    return Statement("command", mnemonic, arguments), None


def unit_declared_by_comment(comment: str) -> str | None:
    """"mm" or "in" when a comment says the file's units ('SHOPBOT ROUTER FILE IN MM, 'UNITS:INCH)."""
    match = _UNIT_COMMENT.match(comment.strip())
    if match is None:
        return None
    return "mm" if match.group(1).upper().startswith("M") else "in"


def unit_declared_by_guard(condition: str) -> str | None:
    """"mm" or "in" for a unit guard's condition: the units the file refuses to leave."""
    match = _UNIT_GUARD.fullmatch(condition.strip())
    if match is None:
        return None
    operator, value = match.group(1), int(match.group(2))
    # "=" jumps away when the control is set to ``value``: the file is in the other units.
    setting = 1 - value if operator in ("=", "==") else value
    return next(units for units, unit_setting in UNIT_SETTING.items() if unit_setting == setting)


class _Interpreter:
    """The state of a ShopBot control running the file, in mm and mm/min."""

    def __init__(self, program: GcodeProgram, statements: list[tuple[int, Statement]]) -> None:
        self.program = program
        self.statements = statements
        self.labels: dict[str, int] = {}  # label -> index in statements
        for index, (number, statement) in enumerate(statements):
            if statement.kind == "label":
                if statement.name in self.labels:
                    first = statements[self.labels[statement.name]][0]
                    self.error(number, f"label {statement.name} is already defined on line {first}")
                else:
                    self.labels[statement.name] = index
        self.first_end = next((number for number, s in statements if s.kind == "end"), None)
        self.units: str | None = None
        self.units_line = 0
        self.comments_scanned = 0  # unit comments count from where they stand: lines read so far
        self.units_assumed = False
        self.position: list[float | None] = [None, None, None]
        self.absolute = True
        self.xy_speed: float | None = None  # mm/min
        self.z_speed: float | None = None
        self.spindle_on = False
        self.spindle_speed = 0.0
        self.variables: dict[str, float | str | None] = {}
        self.returns: list[int] = []
        self.simulating = True

    def error(self, line: int, message: str) -> None:
        self.program.errors.append((line, message))

    def stop(self, line: int, message: str) -> None:
        self.error(line, f"{message}: reading stops here")
        self.simulating = False

    # -- control flow ----------------------------------------------------------------

    def run(self) -> None:
        index = 0
        while self.simulating and index < len(self.statements):
            number, statement = self.statements[index]
            self.scan_unit_comments(number)
            index = self.execute(index, number, statement)
        if self.program.program_end_line is None and self.first_end is not None and not self.simulating:
            # Positions are lost, but where the program ends is still plain to see.
            self.end_program(self.first_end)

    def scan_unit_comments(self, line: int) -> None:
        """Declare the units a comment states, for every line up to ``line`` not yet scanned."""
        while self.comments_scanned < line:
            self.comments_scanned += 1
            comment = comment_text(self.program.lines[self.comments_scanned - 1])
            units = unit_declared_by_comment(comment) if comment is not None else None
            if units is not None:
                self.declare_units(self.comments_scanned, units)

    def execute(self, index: int, number: int, statement: Statement) -> int:
        """Run one statement; return the index of the next one."""
        kind = statement.kind
        if kind == "end":
            self.end_program(number)
            return len(self.statements)
        if kind == "jump":
            return self.jump(index, number, statement.name, statement.arguments[0])
        if kind == "return":
            if not self.returns:
                self.stop(number, "RETURN without GOSUB")
                return index + 1
            return self.returns.pop()
        if kind == "if":
            return self.conditional(index, number, statement)
        if kind == "assign":
            self.assign(number, statement.name, statement.arguments[0])
        elif kind == "pause":
            self.pause(number, statement.arguments)
        elif kind == "custom":
            self.custom_cut(number, int(statement.arguments[0]))
        elif kind == "command":
            self.command(number, statement.name, statement.arguments)
        return index + 1

    def jump(self, index: int, number: int, how: str, label: str) -> int:
        target = self.labels.get(label)
        if target is None:
            self.stop(number, f"{how} {label}: no such label")
            return index + 1
        if how == "GOSUB":
            if len(self.returns) >= MAX_SUBROUTINE_DEPTH:
                self.stop(number, f"GOSUB {label} nests deeper than {MAX_SUBROUTINE_DEPTH} subroutines")
                return index + 1
            self.returns.append(index + 1)
        elif target <= index:
            self.stop(number, f"GOTO {label} jumps back to line {self.statements[target][0]}: a loop plycut does not simulate")
            return index + 1
        return target

    def conditional(self, index: int, number: int, statement: Statement) -> int:
        """Only a unit guard or a jump to an error handler after END can be followed without evaluating."""
        then = statement.then
        to_handler = then.kind == "end" or (
            then.kind == "jump" and then.name == "GOTO" and self.after_end(then.arguments[0])
        )
        units = unit_declared_by_guard(statement.condition)
        if units is not None and to_handler:
            self.declare_units(number, units)
            return index + 1
        if to_handler:
            return index + 1  # an error handler: the program runs on when the condition is false
        self.error(number, f"IF {statement.condition} THEN ...: plycut cannot tell whether it runs; it is skipped")
        return index + 1

    def after_end(self, label: str) -> bool:
        target = self.labels.get(label)
        return target is not None and self.first_end is not None and self.statements[target][0] > self.first_end

    def end_program(self, number: int) -> None:
        self.program.events.append(Event(number, "program-end", "END"))
        self.program.program_end_line = number

    # -- statements ----------------------------------------------------------------------

    def assign(self, number: int, name: str, expression: str) -> None:
        """Record a variable; only a literal number or string has a value the reader knows."""
        value: float | str | None
        if _NUMBER.fullmatch(expression):
            value = float(expression)
        elif len(expression) >= 2 and expression[0] == expression[-1] == '"':
            value = expression[1:-1]
        elif re.fullmatch(r"[A-Za-z][A-Za-z0-9 _.-]*", expression):
            value = expression  # a bare string, e.g. &PWZorigin = Part Surface
        else:
            value = None  # an expression: known only if a command needs it, and then an error
        self.variables[name] = value
        self.program.events.append(Event(number, "assignment", f"{name} = {expression}"))

    def pause(self, number: int, arguments: tuple[str, ...]) -> None:
        if not arguments:
            self.program.events.append(Event(number, "pause", "PAUSE"))
            return
        seconds = self.number(number, arguments[0], "PAUSE")
        if seconds is None:
            return
        if seconds < 0.0:
            self.error(number, f"PAUSE {arguments[0]}: a pause cannot be negative")
            return
        self.program.events.append(Event(number, "dwell", f"{seconds:g} s"))

    def custom_cut(self, number: int, cut: int) -> None:
        if cut == SPINDLE_ON_CUT:
            self.start_spindle(number)
        elif cut == SPINDLE_OFF_CUT:
            self.spindle_on = False
        elif cut == ZERO_Z_CUT:
            # Z is set anew on the tool in the spindle, and left at the routine's pull-up height.
            self.program.untracked_moves.append(
                UntrackedMove(number, "machine", self.position[2], None, False, "C2 zeroes Z on the zero plate")
            )
            self.position[2] = None
        elif cut == TOOL_CHANGE_CUT:
            tool = self.variables.get("&TOOL")
            label = format_number(tool, 0) if isinstance(tool, float) else "?"
            self.program.events.append(Event(number, "tool-change", f"tool {label}"))
            # The tool-change macro drives to the tool rack: the file does not say where it leaves the tool.
            self.leave_known_position(number, "C9 runs the tool-change macro")
        elif cut != LOAD_VARIABLES_CUT:
            self.stop(number, f"custom cut {cut} runs a file plycut cannot see")

    def command(self, number: int, mnemonic: str, arguments: tuple[str, ...]) -> None:
        if mnemonic in NOT_SIMULATED:
            self.stop(number, f"{mnemonic} {NOT_SIMULATED[mnemonic]}, which plycut does not simulate")
        elif mnemonic in ("SA", "SR"):
            self.absolute = mnemonic == "SA"
        elif mnemonic == "VD":
            self.display_units(number, arguments)
        elif mnemonic in ("MS", "JS"):
            self.speeds(number, mnemonic, arguments)
        elif mnemonic == "TR":
            if not arguments or not arguments[0]:
                self.error(number, "TR without a spindle speed")
            elif (rpm := self.number(number, arguments[0], "TR")) is not None:
                self.spindle_speed = rpm
        elif mnemonic == "SO":
            self.output_switch(number, arguments)
        elif mnemonic == "CG":
            self.arc(number, arguments)
        elif mnemonic in JOGS or mnemonic in MOVES:
            self.straight(number, mnemonic, arguments)

    def display_units(self, number: int, arguments: tuple[str, ...]) -> None:
        """VD's second argument is the control's linear units: 0 inches, 1 millimetres."""
        if len(arguments) < 2 or arguments[1] == "":
            return
        setting = self.number(number, arguments[1], "VD units")
        if setting is None:
            return
        if setting not in (0.0, 1.0):
            self.error(number, f"VD units {arguments[1]}: expected 0 (inches) or 1 (millimetres)")
            return
        self.declare_units(number, "mm" if setting == UNIT_SETTING["mm"] else "in")

    def declare_units(self, number: int, units: str) -> None:
        if self.units is not None and units != self.units and not self.units_assumed:
            self.error(number, f"the file is declared in {units} here but in {self.units} on line {self.units_line}")
            return
        if self.units_assumed and units != self.units:
            self.error(number, f"the file is in {units}, declared only after moves read in {self.units}")
        self.units, self.units_line, self.units_assumed = units, number, False

    def mm_per_unit(self, number: int) -> float:
        if self.units is None:
            self.error(number, "the file does not say its units (an IF %(25) guard or a "
                               "'SHOPBOT ROUTER FILE IN MM comment) before its first move: reading millimetres")
            self.units, self.units_line, self.units_assumed = "mm", number, True
        return MM_PER_UNIT[self.units]

    def speeds(self, number: int, mnemonic: str, arguments: tuple[str, ...]) -> None:
        """MS/JS, XY then Z speed in units per second; an empty argument keeps the speed."""
        if len(arguments) > 5:  # X/Y, Z, A, B, C
            self.error(number, f"{mnemonic} takes at most 5 speeds")
            return
        values = []
        for axis, argument in zip(("XY", "Z"), arguments):
            per_second = self.number(number, argument, f"{mnemonic} {axis} speed") if argument else None
            if per_second is not None and per_second <= 0.0:
                self.error(number, f"{mnemonic} {axis} speed {argument}: a speed must be positive")
                return
            values.append(per_second)
        if mnemonic == "JS":
            return  # jogs are rapids: the reader gives them no feed, like G0
        scale = self.mm_per_unit(number) * 60.0
        if values and values[0] is not None:
            self.xy_speed = values[0] * scale
        if len(values) > 1 and values[1] is not None:
            self.z_speed = values[1] * scale

    def output_switch(self, number: int, arguments: tuple[str, ...]) -> None:
        if len(arguments) < 2:
            self.error(number, "SO takes an output number and a state (0 or 1)")
            return
        output, state = self.number(number, arguments[0], "SO output"), self.number(number, arguments[1], "SO state")
        if output is None or state is None:
            return
        if state not in (0.0, 1.0):
            self.error(number, f"SO state {arguments[1]}: expected 0 or 1")
            return
        if output == ROUTER_OUTPUT:
            if state == 1.0:
                self.start_spindle(number)
            else:
                self.spindle_on = False

    def start_spindle(self, number: int) -> None:
        if not self.spindle_on:
            self.program.spindle_starts.append(number)  # from standstill: it needs its spin-up
        self.spindle_on = True

    # -- moves ---------------------------------------------------------------------------

    def straight(self, number: int, mnemonic: str, arguments: tuple[str, ...]) -> None:
        axes = JOGS.get(mnemonic) or MOVES[mnemonic]
        if len(arguments) > len(axes):
            self.error(number, f"{mnemonic} takes {len(axes)} coordinate(s), not {len(arguments)}")
            return
        axis_values = {}
        for axis, argument in zip(axes, arguments):
            if argument:
                value = self.number(number, argument, f"{mnemonic} {axis}")
                if value is None:
                    return
                axis_values[axis] = value
        if not axis_values:
            self.error(number, f"{mnemonic} without a coordinate")
            return
        start = self.position
        target = self.target(number, axis_values)
        moves_xy = ("X" in axis_values or "Y" in axis_values) and not (
            None not in start[:2] and target[:2] == start[:2]
        )
        rapid = mnemonic in JOGS
        if moves_xy and start[2] is None:
            self.error(number, "XY move before Z is known")
            self.position = target
            return
        if None in start or None in target:
            if rapid:
                reason = "a move from an unknown position"
                self.program.untracked_moves.append(UntrackedMove(number, "rapid", start[2], target[2], moves_xy, reason))
            else:
                self.error(number, f"{mnemonic} from an unknown position: set X, Y and Z with a jog first")
            self.position = target
            return
        feed = 0.0 if rapid else self.straight_feed(number, mnemonic, tuple(start), tuple(target))
        self.record(Motion(number, "rapid" if rapid else "feed", tuple(start), tuple(target), None, False,
                           feed, self.rpm(), self.spindle_on))  # fmt: skip

    def straight_feed(self, number: int, mnemonic: str, start: Point, end: Point) -> float:
        """The speed the move runs at, mm/min: the XY speed capped by Z's, or the Z speed for MZ."""
        if mnemonic == "MZ":
            return self.known_speed(number, mnemonic, self.z_speed, "Z")
        feed = self.known_speed(number, mnemonic, self.xy_speed, "XY")
        drop = abs(end[2] - start[2])
        if drop > 0.0:
            z_cap = self.known_speed(number, mnemonic, self.z_speed, "Z")
            length = math.dist(start, end)
            if z_cap > 0.0:
                feed = min(feed, z_cap * length / drop)
        return feed

    def known_speed(self, number: int, mnemonic: str, speed: float | None, axes: str) -> float:
        if speed is None:
            self.error(number, f"{mnemonic} before MS sets the {axes} move speed: the control's last speed is unknown")
            return 0.0
        return speed

    def arc(self, number: int, arguments: tuple[str, ...]) -> None:
        """CG,[diameter],end X,end Y,centre offset X,centre offset Y,T,direction (1 clockwise, -1 not)."""
        if len(arguments) > CG_ARGUMENTS:
            self.error(number, f"CG takes at most {CG_ARGUMENTS} arguments")
            return
        padded = arguments + ("",) * (CG_ARGUMENTS - len(arguments))
        if padded[0]:
            self.error(number, "CG with a diameter (a circle the control works out) is not simulated; "
                               "give the end point and centre offset instead")
            return
        if padded[5].upper() not in ("", "T"):
            self.stop(number, f"CG {padded[5].upper()}: tool compensation by the control is not simulated")
            return
        for position, neutral in CG_NEUTRAL.items():
            if not padded[position]:
                continue
            value = self.number(number, padded[position], f"CG argument {position + 1}")
            if value is None:
                return
            if value not in neutral:
                self.stop(number, f"CG argument {position + 1} = {padded[position]}: plunges, repeats, "
                                  "proportions and pockets are not simulated")
                return
        values = {}
        for name, position in (("end X", 1), ("end Y", 2), ("centre offset X", 3), ("centre offset Y", 4)):
            if not padded[position]:
                self.error(number, f"CG without its {name}")
                return
            values[name] = self.number(number, padded[position], f"CG {name}")
            if values[name] is None:
                return
        direction = self.number(number, padded[6], "CG direction") if padded[6] else 1.0
        if direction is None:
            return
        if direction not in (1.0, -1.0):
            self.error(number, f"CG direction {padded[6]}: expected 1 (clockwise) or -1 (counter-clockwise)")
            return
        start = self.position
        if None in start:
            self.error(number, "CG from an unknown position: set X, Y and Z with a jog first")
            return
        target = self.target(number, {"X": values["end X"], "Y": values["end Y"]})
        scale = self.mm_per_unit(number)
        centre = (start[0] + values["centre offset X"] * scale, start[1] + values["centre offset Y"] * scale)
        radius_start = math.hypot(start[0] - centre[0], start[1] - centre[1])
        if radius_start == 0.0:
            self.error(number, "CG with its centre on its start point")
            return
        radius_end = math.hypot(target[0] - centre[0], target[1] - centre[1])
        feed = self.known_speed(number, "CG", self.xy_speed, "XY")
        self.record(Motion(number, "arc", tuple(start), tuple(target), centre, direction == 1.0, feed, self.rpm(),
                           self.spindle_on, radius_start, radius_end))  # fmt: skip

    def target(self, number: int, axis_values: dict[str, float]) -> list[float | None]:
        scale = self.mm_per_unit(number)
        target = list(self.position)
        for index, axis in enumerate("XYZ"):
            if axis not in axis_values:
                continue
            value = axis_values[axis] * scale
            if self.absolute:
                target[index] = value
            elif target[index] is not None:
                target[index] += value
        return target

    def leave_known_position(self, number: int, reason: str) -> None:
        if any(value is not None for value in self.position):
            self.program.untracked_moves.append(UntrackedMove(number, "machine", self.position[2], None, True, reason))
        self.position = [None, None, None]

    def record(self, motion: Motion) -> None:
        self.program.motions.append(motion)
        self.position = list(motion.end)

    def rpm(self) -> float:
        return self.spindle_speed if self.spindle_on else 0.0

    def number(self, line: int, argument: str, what: str) -> float | None:
        """A literal number, or a variable holding one; anything else is an error."""
        if _NUMBER.fullmatch(argument):
            return float(argument)
        value = self.variables.get(argument.upper()) if argument.startswith(("&", "$")) else None
        if isinstance(value, float):
            return value
        self.error(line, f"{what} {argument!r}: plycut reads literal numbers and variables set to one")
        return None
