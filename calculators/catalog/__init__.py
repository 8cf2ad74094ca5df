"""The calculators, one module each; importing this package registers them."""

from . import kv_cache  # noqa: F401
