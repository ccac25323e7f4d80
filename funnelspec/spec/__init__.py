"""Reading specs: YAML with positions, units, and the typed model."""
