"""The fit parameters every catalog design is drawn with.

A design's shoulders, tenon lengths and finger depths follow the sheet's nominal
thickness (a part stands where the drawing says, whatever the sheet measures),
while every slot and mortise follows the measured thickness plus the clearance:
that is what decides whether a joint goes together. Drawing for the nominal
thickness and fitting for the measured one is also what plycut's thickness
adaptation does to imported plans, so both give the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from nester.errors import InputError

# Over the tool radius, so a bone still clears when the tool wears or the allowance
# changes (Fellesverkstedet's advice).
BONE_ALLOWANCE = 0.2


@dataclass(frozen=True)
class FitParameters:
    """mm. thickness: the sheet as measured; clearance: added to every slot and mortise;
    nominal_thickness: what shoulders, tenons and fingers are drawn for (None: the measured one)."""

    thickness: float = 18.0
    clearance: float = 0.2
    tool_diameter: float = 6.0
    nominal_thickness: float | None = None

    def __post_init__(self) -> None:
        for name in ("thickness", "tool_diameter", "nominal_thickness"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise InputError(f"fit: {name} must be positive, got {value:g}")
        if not self.clearance >= 0:
            raise InputError(f"fit: clearance must be zero or more, got {self.clearance:g}")

    @property
    def nominal(self) -> float:
        return self.thickness if self.nominal_thickness is None else self.nominal_thickness

    @property
    def slot(self) -> float:
        """The width of a slot or mortise that receives one sheet."""
        return self.thickness + self.clearance

    @property
    def bone_radius(self) -> float:
        return self.tool_diameter / 2.0 + BONE_ALLOWANCE
