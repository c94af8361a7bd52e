"""The one exception type that means "the input is wrong", not "plycut is broken".

Every stage raises :class:`InputError` with a single line that names the file and
the entity, key or line at fault; the CLI prints it and exits with code 2.
"""


class InputError(ValueError):
    """Bad user input: a plan, a job, a profile or a program that cannot be used."""
