"""Layer names (and DXF colours) to machining operations.

Plans encode what to do with each line in the layer name. The conventions this
module knows are matched on keywords, case-insensitively and anywhere in the
name, because WikiHouse R12 files truncate layer names to 26 characters
(``3_ANYTOOL_CUTTHROUGH_INSID``) and Skylark files add suffixes
(``1_ANYTOOL_1MMDEEP_LABELS_S``).

Order of the decision, first match wins:

1. user rules from the job file (regex, ``search`` semantics, case-insensitive);
2. the built-in name rules below (WikiHouse, Opendesk, generic names);
3. the ACI colour of the entity (its own, or its layer's when BYLAYER):

   ===  ==========================  ==========================
   ACI  colour                      operation
   ===  ==========================  ==========================
   1    red                         CUT (outline or hole by nesting)
   2    yellow (Skylark labels)     ENGRAVE 1 mm deep
   4    cyan (Skylark inside cut)   CUT_INSIDE
   5    blue (Skylark outside cut)  CUT_OUTSIDE
   ===  ==========================  ==========================

4. layer ``0`` and Inkscape's default layer (``Layer 1``, ``Calque 1``...) -> CUT,
   since most simple plans draw everything there;
5. otherwise the layer is unknown (None) and the importer refuses it.

A pocket whose name carries no depth (``POCKET``) matches a rule that answers
"unknown": its depth cannot be guessed, so it stops the search there rather
than falling through to a colour.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nester.errors import InputError
from nester.model import Machining, Operation

MachiningFactory = Callable[[str], Machining | None]
LayerRule = tuple[re.Pattern[str], Machining | MachiningFactory]
UserRule = tuple[str, Operation | str, float | None, float | None]

_MM_VALUE = re.compile(r"(\d+(?:\.\d+)?)\s*MM", re.IGNORECASE)
_DEFAULT_ENGRAVE_DEPTH = 1.0
_DEFAULT_LAYER = re.compile(r"^(?:0|(?:layer|calque|ebene|capa|livello|laag)\s*\d+)$", re.IGNORECASE)


# Keywords a layer name may carry to ask for bones in the inside corners of its
# cuts, or none; the first match wins. A T is a word of its own: CUT_BONE is not T_BONE.
_DOGBONE_KEYWORDS = (
    (re.compile(r"NO[_ -]?DOG[_ -]?BONES?", re.IGNORECASE), "off"),
    (re.compile(r"(?<![A-Z])T[_ -]?BONES?", re.IGNORECASE), "tbone"),
    (re.compile(r"DOG[_ -]?BONES?", re.IGNORECASE), "dogbone"),
)


def dogbone_style(layer: str) -> str | None:
    """"off", "tbone" or "dogbone" when the layer name asks for it (NODOGBONE, TBONE, DOGBONE), else None."""
    for pattern, style in _DOGBONE_KEYWORDS:
        if pattern.search(layer):
            return style
    return None


def _first_mm_value(name: str) -> float | None:
    match = _MM_VALUE.search(name)
    return float(match.group(1)) if match else None


def _depth_or(operation: Operation, default: float | None) -> MachiningFactory:
    """A factory taking the depth from the first ``<number>MM`` in the name."""

    def factory(name: str) -> Machining:
        depth = _first_mm_value(name)
        return Machining(operation, default if depth is None else depth)

    return factory


def _depth_required(operation: Operation) -> MachiningFactory:
    """Like :func:`_depth_or`, but a name without a depth is unknown (None)."""

    def factory(name: str) -> Machining | None:
        depth = _first_mm_value(name)
        return None if depth is None else Machining(operation, depth)

    return factory


def _drill(name: str) -> Machining:
    return Machining(Operation.DRILL, None, _first_mm_value(name))


def _keyword(word: str) -> str:
    """A regex matching ``word`` not glued to other letters (digits and separators delimit)."""
    return rf"(?<![A-Z]){word}(?![A-Z])"


_IGNORE = Machining(Operation.IGNORE)
_NUMBER = r"\d+(?:\.\d+)?"

# (pattern, Machining or factory(layer name)); the first match decides.
_BUILT_IN_NAME_RULES: list[tuple[str, Machining | MachiningFactory]] = [
    # Never machined: notes, annotations, sheet outlines, cut-list tool frames.
    (_keyword(r"DO[-_ ]?NOT[-_ ]?CUT"), _IGNORE),
    (_keyword(r"NO[-_ ]?PLOT"), _IGNORE),
    (_keyword("NOTES?"), _IGNORE),
    (_keyword("IGNORE"), _IGNORE),
    (_keyword("DIMENSIONS?"), _IGNORE),
    (_keyword("DEFPOINTS"), _IGNORE),
    (r"^0_SHEET", _IGNORE),
    (r"OCL_(?:SHEET|CUT|LEFTOVER|BIN)(?![A-Z])", _IGNORE),
    (_keyword("BORDERS?"), _IGNORE),
    (_keyword("FRAMES?"), _IGNORE),
    # WikiHouse / Skylark, full and R12-truncated names.
    (rf"{_NUMBER}MMDEEP_LABEL", _depth_or(Operation.ENGRAVE, _DEFAULT_ENGRAVE_DEPTH)),
    (rf"SCREWHOLE|^2_ANYTOOL_{_NUMBER}MMCUTTHROUGH", Machining(Operation.DRILL)),
    (r"CUTTHROUGH_INSID", Machining(Operation.CUT_INSIDE)),
    (r"CUTTHROUGH_OUTSI", Machining(Operation.CUT_OUTSIDE)),
    (rf"{_NUMBER}MMDEEP_IN|HALF_MILL_{_NUMBER}MM", _depth_required(Operation.POCKET)),
    # Opendesk and generic names. The number in CUT-OUTSIDE-18.0MM is the sheet
    # thickness, not a depth: those cuts go through.
    (_keyword(r"CUT[-_ ]?OUTSIDE"), Machining(Operation.CUT_OUTSIDE)),
    (_keyword(r"CUT[-_ ]?INSIDE"), Machining(Operation.CUT_INSIDE)),
    (_keyword("POCKET"), _depth_required(Operation.POCKET)),
    (_keyword("DRILL"), _drill),
    (_keyword("HOLES?"), Machining(Operation.DRILL)),
    (_keyword(r"ON[-_ ]?LINE"), _depth_or(Operation.CUT_ON_LINE, None)),
    (_keyword("ENGRAV(?:E|ING)"), _depth_or(Operation.ENGRAVE, _DEFAULT_ENGRAVE_DEPTH)),
    (_keyword(r"PROFILE[-_ ]?THROUGH"), Machining(Operation.CUT)),
    (_keyword("CUT"), Machining(Operation.CUT)),
]

_ACI_FALLBACK: dict[int, Machining] = {
    1: Machining(Operation.CUT),
    2: Machining(Operation.ENGRAVE, _DEFAULT_ENGRAVE_DEPTH),
    4: Machining(Operation.CUT_INSIDE),
    5: Machining(Operation.CUT_OUTSIDE),
}


@dataclass(frozen=True)
class NameMatch:
    """The rule a layer name matched; machining None means "matched, but cannot be guessed"."""

    pattern: str
    machining: Machining | None


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _parse_operation(pattern: str, operation: Operation | str) -> Operation:
    if isinstance(operation, Operation):
        return operation
    wanted = operation.strip().lower()
    for candidate in Operation:
        if wanted in (candidate.value, candidate.name.lower()):
            return candidate
    expected = ", ".join(op.value for op in Operation)
    raise InputError(f"layer rule '{pattern}': unknown operation '{operation}' (expected one of {expected})")


def _user_rule(pattern: str, operation: Operation | str, depth: float | None, diameter: float | None) -> LayerRule:
    try:
        compiled = _compile(pattern)
    except re.error as exc:
        raise InputError(f"layer rule '{pattern}': not a valid regular expression ({exc})") from None
    op = _parse_operation(pattern, operation)
    if op is Operation.POCKET and depth is None:
        raise InputError(f"layer rule '{pattern}': a pocket needs a depth")
    if depth is not None and depth <= 0:
        raise InputError(f"layer rule '{pattern}': depth must be positive, got {depth}")
    if diameter is not None and diameter <= 0:
        raise InputError(f"layer rule '{pattern}': diameter must be positive, got {diameter}")
    return compiled, Machining(op, depth, diameter)


@dataclass(frozen=True)
class LayerRules:
    """Ordered name rules plus the ACI colour fallback; see the module docstring."""

    rules: tuple[LayerRule, ...]
    aci_fallback: tuple[tuple[int, Machining], ...] = tuple(_ACI_FALLBACK.items())

    @classmethod
    def default(cls) -> LayerRules:
        """The built-in WikiHouse, Opendesk and generic rules."""
        return cls(tuple((_compile(pattern), result) for pattern, result in _BUILT_IN_NAME_RULES))

    @classmethod
    def with_user_rules(cls, user_rules: Iterable[UserRule]) -> LayerRules:
        """The built-in rules preceded by job-file rules ``(pattern, operation, depth, diameter)``.

        ``operation`` is an :class:`Operation` or its name/value (``"pocket"``);
        ``depth`` None means through; a pocket rule must give a depth.
        """
        user = tuple(_user_rule(*rule) for rule in user_rules)
        return cls(user + cls.default().rules)

    def match_name(self, layer: str) -> NameMatch | None:
        """The first name rule matching ``layer``, or None when no rule mentions it."""
        for pattern, result in self.rules:
            if pattern.search(layer):
                machining = result if isinstance(result, Machining) else result(layer)
                return NameMatch(pattern.pattern, machining)
        return None

    def classify(self, layer: str, aci: int | None) -> Machining | None:
        """The machining for an entity on ``layer`` with colour ``aci``; None if unknown."""
        match = self.match_name(layer)
        if match is not None:
            return match.machining
        for colour, machining in self.aci_fallback:
            if colour == aci:
                return machining
        if _DEFAULT_LAYER.match(layer.strip()):
            return Machining(Operation.CUT)
        return None
