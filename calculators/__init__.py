"""What it costs to train and serve a large language model: the calculations, as plain functions.

The public face: `run` (the one entry point for every calculator), the registry's listing functions, and the
formula modules (`calculators.attention`, ...), documented on the API reference pages.
"""

from .registry import calculator_ids, get_calculator, list_calculators, run

__all__ = ["calculator_ids", "get_calculator", "list_calculators", "run"]
__version__ = "0.1.0"
