"""The calculators, one module each; importing this package registers them."""

from . import kv_cache, model_params, moe_design, moe_router  # noqa: F401
