"""gcode: layouts in, machine programs out. May import nester, never the reverse."""
