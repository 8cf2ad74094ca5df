#!/usr/bin/env python3
"""Reference check: each fixture config's parameter count here against transformers' own count of the same model.

For every `tests/fixtures/configs/*.json`, builds the language model in transformers on the meta device (shapes
only: no weights are downloaded or allocated) and counts `model.parameters()` exactly (a tied head is one tensor,
counted once); then counts the same config with `calculators.parameters` and prints a table: model, ours,
transformers, difference in percent. A family this package refuses prints its refusal instead of a count.

Needs torch and transformers, which the project itself never depends on. Run it from a separate virtual
environment (the machine's CPU wheel of torch; a plain `pip install torch` would pull a multi-GB CUDA build):

    python3 -m venv .venv-reference
    .venv-reference/bin/pip install torch==2.13.0 transformers==5.23.0
    .venv-reference/bin/python scripts/check_param_counts.py            # the table
    .venv-reference/bin/python scripts/check_param_counts.py --json     # the same rows as JSON

Exit status 1 when a supported family differs by more than 0.1% (`--tolerance`) or its modeling code is missing.

Conventions (the two counts differ by these, and by nothing else):
- a multimodal wrapper (`text_config`) is counted as its language model only, in both;
- DeepSeek's auxiliary-loss-free router bias (`e_score_correction_bias`) is a buffer in transformers, not a
  parameter; this package counts it (it is stored in the checkpoint): E more per MoE layer;
- multi-token-prediction modules (`num_nextn_predict_layers`) are not built by transformers and are not in our
  `total` either (they are counted apart).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "configs"
sys.path.insert(0, str(ROOT))

from calculators.model_config import ConfigError, architecture  # noqa: E402
from calculators.parameters import parameter_counts  # noqa: E402


def language_model_config(config: dict[str, Any]) -> dict[str, Any]:
    """The language model's keys, renamed where a published config predates transformers' own class."""
    text = dict(config["text_config"]) if isinstance(config.get("text_config"), dict) else dict(config)
    if text.get("model_type") == "minimax_m1":  # MiniMax-M1 ships its own code; transformers calls it "minimax"
        text["model_type"] = "minimax"
        text["layer_types"] = ["full_attention" if t else "linear_attention" for t in text.pop("attn_type_list")]
    if text.get("model_type") == "llama4":
        text["model_type"] = "llama4_text"
    if text.get("model_type") == "gemma3":
        text["model_type"] = "gemma3_text"
    return text


def transformers_count(config: dict[str, Any]) -> int:
    """Exact parameter count of the language model transformers builds from `config`, on the meta device."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    keys = language_model_config(config)
    model_type = keys.pop("model_type")
    for key in ("architectures", "auto_map", "quantization_config", "torch_dtype", "transformers_version"):
        keys.pop(key, None)
    hf_config = AutoConfig.for_model(model_type, **keys)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(hf_config)
    return sum(p.numel() for p in model.parameters())


def our_count(config: dict[str, Any]) -> int | str:
    try:
        return parameter_counts(architecture(config)).total
    except ConfigError as exc:
        return str(exc)


def rows() -> list[dict[str, Any]]:
    out = []
    for path in sorted(FIXTURES.glob("*.json")):
        config = json.loads(path.read_text())
        ours = our_count(config)
        row: dict[str, Any] = {"model": path.stem, "ours": ours, "transformers": None, "difference_percent": None}
        if isinstance(ours, int):
            try:
                theirs = transformers_count(config)
            except (ImportError, KeyError, ValueError) as exc:
                row["transformers"] = f"not built: {type(exc).__name__}: {exc}"[:200]
            else:
                row["transformers"] = theirs
                row["difference_percent"] = (ours / theirs - 1) * 100
        out.append(row)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--tolerance", type=float, default=0.1, help="largest difference allowed, in percent")
    args = parser.parse_args(argv)
    table = rows()
    if args.json:
        print(json.dumps(table, indent=2))
    else:
        print(f"{'model':<28} {'ours':>17} {'transformers':>17} {'difference':>11}")
        for row in table:
            if isinstance(row["ours"], str):
                print(f"{row['model']:<28} refused: {row['ours']}")
            elif isinstance(row["transformers"], str):
                print(f"{row['model']:<28} {row['ours']:>17,} {row['transformers']}")
            else:
                print(f"{row['model']:<28} {row['ours']:>17,} {row['transformers']:>17,} "
                      f"{row['difference_percent']:>+10.4f}%")
    bad = [r for r in table if isinstance(r["ours"], int)
           and (r["difference_percent"] is None or abs(r["difference_percent"]) > args.tolerance)]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
