"""The calculators, one module each; importing this package registers them, in the order listed here (the order
the CLI lists them in): attention and models first, then training cost and ownership."""

# isort: skip_file
from . import kv_cache, model_params, moe_design, moe_router  # noqa: F401
from . import training_cost, run_bill, precision, buy_vs_rent, full_cost, headline_costs  # noqa: F401
from . import grpo_advantages, ppo_vs_grpo, rl_run_bill  # noqa: F401
