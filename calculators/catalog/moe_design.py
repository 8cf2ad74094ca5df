"""Calculator ``moe-design``: choose experts, experts per token, shared experts, expert width and layers; see total
against active parameters, and forward FLOPs per token against a dense model of the same size."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .. import data, flops, moe
from ..charts import line_chart
from ..model_config import ModelArchitecture, architecture
from ..parameters import attention_params_per_layer, gated_mlp_params, stack_parameter_counts
from ..schema import Calculator, Example, FieldError, NumberField, Output, Result
from .common import config_field

EXPERTS, MODEL = "Experts", "The rest of the model"

DESIGN_FIELDS = ("vocab_size", "hidden_size", "layers", "dense_layers", "attention_params_million",
                 "intermediate_size", "experts", "experts_per_token", "shared_experts", "expert_width")


def from_config(arch: ModelArchitecture) -> dict[str, Any]:
    """A config's numbers as design inputs; a dense model becomes one expert, always active."""
    inputs: dict[str, Any] = {
        "vocab_size": arch.vocab_size,
        "hidden_size": arch.hidden_size,
        "layers": arch.layers,
        "attention_params_million": attention_params_per_layer(arch) / 1e6,
        "intermediate_size": arch.intermediate_size or arch.expert_intermediate_size,
    }
    if arch.routed_experts:
        inputs.update(
            dense_layers=arch.dense_layer_count,
            experts=arch.routed_experts,
            experts_per_token=arch.experts_per_token,
            # shared width in units of the expert width (DeepSeekMoE counts shared experts that way)
            shared_experts=arch.shared_intermediate_size / arch.expert_intermediate_size,
            expert_width=arch.expert_intermediate_size,
        )
    else:
        inputs.update(dense_layers=arch.layers, experts=1, experts_per_token=1, shared_experts=0,
                      expert_width=arch.intermediate_size)
    return inputs


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """The Mixture-of-Experts models of `data/models`."""
    out = {}
    for key, model in data.models().items():
        arch = architecture(model.config)
        if arch.routed_experts:
            out[key] = (model.name, from_config(arch))
    return out


def check(values: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    if values["experts_per_token"] > values["experts"]:
        errors.append(FieldError(field="experts_per_token", message=f"Cannot exceed the {values['experts']} experts."))
    if values["dense_layers"] > values["layers"]:
        errors.append(FieldError(field="dense_layers", message=f"Cannot exceed the {values['layers']} layers."))
    if (values["shared_experts"] * values["expert_width"]) % 1:
        errors.append(FieldError(field="shared_experts", message="Shared experts × expert width must be whole."))
    return errors


def _counts(values: Mapping[str, Any], experts: int) -> tuple[Any, Any]:
    return stack_parameter_counts(
        vocab_size=values["vocab_size"], hidden_size=values["hidden_size"], layers=values["layers"],
        moe_layers=values["layers"] - values["dense_layers"],
        attention_per_layer=round(values["attention_params_million"] * 1e6),
        intermediate_size=values["intermediate_size"], routed_experts=experts,
        experts_per_token=min(values["experts_per_token"], experts), expert_intermediate_size=values["expert_width"],
        shared_intermediate_size=round(values["shared_experts"] * values["expert_width"]),
    )


def compute(values: Mapping[str, Any]) -> Result:
    total, active = _counts(values, values["experts"])
    forward = flops.matmul_flops_per_token(matmul_params=active.without_embeddings)
    dense_forward = flops.matmul_flops_per_token(matmul_params=total.without_embeddings)
    one_expert = gated_mlp_params(hidden_size=values["hidden_size"], intermediate_size=values["expert_width"])
    out = {
        "total_params": total.total,
        "active_params_without_embeddings": active.without_embeddings,
        "active_params": active.total,
        "active_share": active.without_embeddings / total.total,
        "routed_expert_params": total.routed_experts,
        "params_per_expert": one_expert,
        "forward_flops_per_token": forward,
        "dense_forward_flops_per_token": dense_forward,
        "compute_ratio": dense_forward / forward,
        "moe_flops_saving": 1 - forward / dense_forward,
        "expert_combinations": _combinations(values["experts"], values["experts_per_token"]),
    }
    notes = [
        "FLOPs here are the weight multiplications only (2 N_active, without the token-embedding table); the "
        "attention term, the same for the MoE and the dense model, is left out, so the saving is larger than with "
        "it (the model-params calculator counts attention too).",
        f"Weight memory follows the {total.total / 1e9:,.1f}B total, not the {active.without_embeddings / 1e9:,.1f}B "
        "active: "
        "every expert must be loaded somewhere, and tokens travel to the GPUs holding their experts.",
    ]
    return Result(values=out, notes=tuple(notes), charts=(_experts_chart(values),))


def _combinations(experts: int, experts_per_token: int) -> float | None:
    """C(E, k), or None beyond 10^300 (no float holds it; the point is made long before)."""
    log10 = (math.lgamma(experts + 1) - math.lgamma(experts_per_token + 1)
             - math.lgamma(experts - experts_per_token + 1)) / math.log(10)
    return moe.expert_combinations(experts=experts, experts_per_token=experts_per_token) if log10 < 300 else None


def _experts_chart(values: Mapping[str, Any]) -> dict[str, Any]:
    """Total and active parameters as the number of experts grows, experts per token held fixed."""
    e_max = max(2 * values["experts"], values["experts_per_token"] + 1)
    xs = sorted({max(values["experts_per_token"], round(e_max * i / 8)) for i in range(1, 9)} | {values["experts"]})
    totals, actives = [], []
    for e in xs:
        total, active = _counts(values, e)
        totals.append([e, total.total])
        actives.append([e, active.total])
    return line_chart(
        title="More experts add parameters, not compute per token",
        x_label="Routed experts E (experts per token held fixed)", x_format="count",
        y_label="Parameters", y_format="params",
        series=[("All parameters", totals), ("Active per token", actives)],
        markers=[{"x": values["experts"], "label": f"E = {values['experts']:,}"}],
    )


CALCULATOR = (
    Calculator(
        id="moe-design",
        title="Design an MoE: total against active",
        summary="Experts, experts per token, shared experts, expert width and layers -> total and active "
                "parameters, and forward FLOPs per token against a dense model of the same size.",
        fields=(
            NumberField(name="experts", label="Routed experts", symbol="E", default=256, integer=True, minimum=1,
                        maximum=100_000, help="Experts per MoE layer a router chooses among.", group=EXPERTS),
            NumberField(name="experts_per_token", label="Experts per token", symbol="k", default=8, integer=True,
                        group=EXPERTS,
                        minimum=1, maximum=100_000, help="Routed experts each token is sent to (top-k)."),
            NumberField(name="shared_experts", label="Shared experts", symbol="E_s", default=1, minimum=0, maximum=1_000,
                        group=EXPERTS,
                        help="Always-active experts of the same width (DeepSeekMoE); 0 for none."),
            NumberField(name="expert_width", label="Expert width", symbol="F_e", default=2048, integer=True,
                        minimum=1, maximum=10_000_000, help="Hidden width of one expert's MLP.", group=EXPERTS),
            NumberField(name="layers", group=MODEL, label="Layers", symbol="L", default=61, integer=True, minimum=1,
                        maximum=10_000, help="Transformer layers."),
            NumberField(name="dense_layers", label="Dense layers", symbol="L_dense", default=3, integer=True, minimum=0,
                        group=MODEL,
                        maximum=10_000, help="Layers with a dense MLP instead of experts (the first k in DeepSeek)."),
            NumberField(name="intermediate_size", label="Dense MLP width", symbol="F", default=18432, integer=True,
                        minimum=1, maximum=10_000_000, help="Hidden width of the dense layers' MLP.", group=MODEL),
            NumberField(name="hidden_size", label="Model width", symbol="D", default=7168, integer=True, minimum=1,
                        maximum=1_000_000, help="Hidden size of the residual stream.", group=MODEL),
            NumberField(name="attention_params_million", label="Attention per layer", unit="million", default=187.1,
                        group=MODEL,
                        minimum=0, maximum=1e6, help="Weights of one layer's attention (a preset fills its own)."),
            NumberField(name="vocab_size", label="Vocabulary", symbol="V", default=129280, integer=True, minimum=1,
                        group=MODEL,
                        maximum=100_000_000, help="Tokens in the vocabulary; embedding and head are V × D each."),
            config_field(fills="fills the fields above from a model's published numbers", group=MODEL),
        ),
        outputs=(
            Output(name="total_params", main=True, label="Parameters, all", unit="parameters", format="params"),
            Output(name="active_params_without_embeddings", main=True, label="Parameters active per token (N_active)",
                   unit="parameters", format="params", help="Without the token-embedding table."),
            Output(name="active_params", label="Active per token, with the embedding table", unit="parameters",
                   format="params"),
            Output(name="active_share", label="Active share (N_active / all)", unit="fraction", format="percent"),
            Output(name="routed_expert_params", label="Routed-expert parameters", unit="parameters", format="params"),
            Output(name="params_per_expert", label="Parameters per expert", unit="parameters", format="params",
                   help="3 × D × F_e (gate, up and down matrices)."),
            Output(name="forward_flops_per_token", label="MoE forward FLOPs per token", unit="FLOP", format="flops"),
            Output(name="dense_forward_flops_per_token", label="Dense model of the same size, forward FLOPs",
                   unit="FLOP", format="flops"),
            Output(name="compute_ratio", label="Dense FLOPs / MoE FLOPs", unit="×", format="number"),
            Output(name="moe_flops_saving", label="Compute saved per token", unit="fraction", format="percent",
                   main=True),
            Output(name="expert_combinations", label="Expert sets a token can use, C(E, k)", unit="combinations",
                   format="count"),
        ),
        compute=compute,
        check=check,
        presets=presets,
        preset_fields=DESIGN_FIELDS,
        default_preset="deepseek-v3",
        from_config=from_config,
        examples=(
            Example(title="DeepSeekMoE's fine-grained split: 64 experts, top-8",
                    inputs={"preset": "deepseek-v3", "experts": 64, "experts_per_token": 8},
                    expected={"expert_combinations": 4_426_165_368},
                    source="DeepSeekMoE, arXiv:2401.06066, Sec. 3.1: C(64, 8) = 4,426,165,368"),
        ),
    )
)
