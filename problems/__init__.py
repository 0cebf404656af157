"""Problem types: one module per type, found by the registry."""
