"""The calculators, one module each. Each module defines its calculator as ``CALCULATOR`` and imports nothing of
the registry; `calculators.registry.CATALOG` lists them in order and imports a module only when its calculator is
first asked for."""
