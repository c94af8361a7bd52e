"""plycut: the application."""
__version__ = "0.1.0"
