"""Built-in machine definitions: one TOML file per machine (package data of plycut)."""
