"""Bundled furniture designs."""
