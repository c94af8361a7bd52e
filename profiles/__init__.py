"""Built-in material and tool profiles: one TOML file per material (package data of plycut)."""
