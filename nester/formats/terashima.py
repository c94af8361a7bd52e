"""The terashima1 / terashima2 irregular bin-packing text files, and their optimum files.

Instance ``<NAME>.txt``: whitespace-separated numbers (line breaks do not matter):
``N``, ``W H``, then for each of the N pieces ``k x1 y1 ... xk yk``. Every bin is
the same W x H rectangle, in unlimited supply; the goal is the fewest bins.

Each piece becomes one item of demand 1 (item id = its position in the file).

Rotations: the files do not say. The papers that use these sets (López-Camacho,
Terashima-Marín et al., e.g. López-Camacho, Ochoa, Terashima-Marín & Burke 2013,
Annals of OR, "An effective heuristic for the two-dimensional irregular bin
packing problem") rotate pieces by multiples of 90 degrees, so every item may
take 0, 90, 180 or 270 degrees.

Optimum ``Op<NAME>.txt``: ``B n1 ... nB`` (bins, then pieces per bin), ``W H``,
then the pieces as placed; :func:`terashima_optimum` returns B.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from shapely.geometry import box

from nester.errors import InputError
from nester.formats.geometry import build_polygon
from nester.formats.jagua_json import instance_document
from nester.model import RIGHT_ANGLES
from nester.problem import Container, Item, Problem


class _Tokens:
    """The numbers of a text file, read one at a time with errors naming what was expected."""

    def __init__(self, text: str, source: str):
        self.words = text.split()
        self.position = 0
        self.source = source

    def next(self, what: str, kind: type = float) -> float | int:
        if self.position >= len(self.words):
            raise InputError(f"{self.source}: the file ends where {what} should be")
        word = self.words[self.position]
        self.position += 1
        try:
            value = kind(word)
        except ValueError:
            value = None
        if value is None or (kind is float and not abs(value) < float("inf")):
            expected = "an integer" if kind is int else "a number"
            raise InputError(f"{self.source}: {what}: expected {expected}, got {word!r}")
        return value

    def left(self) -> int:
        return len(self.words) - self.position


def looks_like_terashima(text: str) -> bool:
    """Whether the text starts like a terashima instance: an integer count, then two numbers."""
    words = text.split()[:3]
    try:
        return len(words) == 3 and int(words[0]) > 0 and all(float(word) > 0 for word in words[1:])
    except ValueError:
        return False


def read_terashima(text: str, source: str) -> Problem:
    """The Problem of a terashima instance file's text."""
    tokens = _Tokens(text, source)
    count = tokens.next("the number of pieces", int)
    if count <= 0:
        raise InputError(f"{source}: the instance has no pieces (N = {count})")
    width = tokens.next("the bin width")
    height = tokens.next("the bin height")
    if width <= 0 or height <= 0:
        raise InputError(f"{source}: the bin must have a positive size, got {width:g} x {height:g}")
    warnings: list[str] = []
    items = []
    for index in range(count):
        what = f"piece {index + 1}"
        corners = tokens.next(f"{what}: its number of vertices", int)
        if corners < 3:
            raise InputError(f"{source}: {what}: {corners} vertices, a polygon needs 3")
        points = [(tokens.next(f"{what} vertex {k + 1} x"), tokens.next(f"{what} vertex {k + 1} y"))
                  for k in range(corners)]
        shape = build_polygon(points, [], source, what, warnings)
        items.append(Item(id=index, shape=shape, demand=1, rotations=RIGHT_ANGLES, name=what))
    if tokens.left():
        raise InputError(f"{source}: {tokens.left()} numbers after the {count} pieces; is N right?")
    problem = Problem(
        name=Path(source).stem,
        items=tuple(items),
        bins=(Container(id=0, shape=box(0.0, 0.0, width, height), stock=None, cost=1.0),),
        source=source,
        warnings=tuple(warnings),
    )
    return replace(problem, document=instance_document(problem))


def read_terashima_file(path: str | Path) -> Problem:
    path = Path(path)
    return read_terashima(_text(path), str(path))


def terashima_optimum(path: str | Path) -> int:
    """The optimum number of bins recorded in an ``Op<NAME>.txt`` file."""
    path = Path(path)
    tokens = _Tokens(_text(path), str(path))
    bins = tokens.next("the number of bins", int)
    if bins <= 0:
        raise InputError(f"{path}: the number of bins must be positive, got {bins}")
    for number in range(bins):
        tokens.next(f"the number of pieces in bin {number + 1}", int)
    return bins


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="latin-1")  # the upstream files are Latin-1 text
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from error
