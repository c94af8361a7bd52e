"""The nesting engine: a collision engine that answers questions (nester.engine.collide,
nester.engine.shapes) kept apart from the optimiser that asks them (separator, strip, bins).
"""
