"""Calculator ``serving-cost``: a model on an accelerator, a batch and request lengths -> the decode step split
into weights, KV cache and compute, tokens per second per GPU and per user, prefill throughput, the largest batch
that fits, dollars per million input and output tokens and per request; and the cost-speed frontier."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from .. import api_pricing, data, serving
from ..memory import usable_memory_bytes
from ..charts import line_chart
from ..formatting import format_bytes, format_count, format_flops, format_number, format_percent, format_usd
from ..model_config import ConfigError, ModelArchitecture, architecture, load_config_json
from ..parameters import parameter_counts
from ..schema import Calculator, ChoiceField, Example, FieldError, NumberField, Output, Plausible, Result
from .common import (ACCELERATORS, ASSUMED, ATTENTION_KINDS, PRECISIONS, WEIGHT_PRECISIONS, config_field,
                     elements_per_token_per_layer, kv_heads_errors, layer_kind_inputs, peak_errors, price_field,
                     rental_range, reserve_field)

ACCELERATOR_CHOICES = (*ACCELERATORS, ("custom", "Custom (enter its figures)"))
CATALOG_ACCELERATOR = {"accelerator": tuple(key for key, _ in ACCELERATORS)}
CUSTOM_ACCELERATOR = {"accelerator": ("custom",)}
PARALLELISM = (("dp", "Data-parallel: each GPU holds all non-expert weights"),
               ("tp", "Tensor-parallel: weights and heads split over the GPUs"))
BATCH_MODES = (("max", "Largest that fits"), ("fixed", "Fixed"))
KV_PRECISIONS = ((16, "BF16"), (8, "FP8"))
FIELD_DEFAULT_GPUS = 144
FRONTIER_POINTS = 16
"""Batches drawn on the frontier up to the memory limit (log-spaced), and as many again beyond it."""


def _rounded_billions(count: float) -> float:
    return round(count / 1e9, 3)


def from_config(arch: ModelArchitecture) -> dict[str, Any]:
    """The fields a config fills: counted parameters (all, active without the embedding table, routed experts),
    experts, attention shape, layers by kind (full, windowed, linear; a chunked layer counts as windowed); and a
    deployment to start from (see the comment below)."""
    counts = parameter_counts(arch)
    shape = arch.attention_shape()
    moe = arch.routed_experts > 0 and counts.all.routed_experts > 0
    inputs: dict[str, Any] = {
        "total_params_billion": _rounded_billions(counts.all.total),
        "active_params_billion": _rounded_billions(counts.active.without_embeddings),
        "expert_params_billion": _rounded_billions(counts.all.routed_experts) if moe else 0,
        "experts": arch.routed_experts if moe else 0,
        "experts_per_token": arch.experts_per_token if moe else 0,
        "attention": shape.kind,
        **{k: v for k, v in layer_kind_inputs(arch).items() if k != "window_kind"},
        "heads": shape.heads,
        "kv_heads": shape.kv_heads,
        "head_dim": shape.head_dim,
        # a config replaces a preset, deployment included: data-parallel attention over the default GPUs for an
        # MoE, one node of 8 tensor-parallel GPUs for a dense model, and the largest batch that fits either way
        "parallelism": "dp" if moe else "tp",
        "gpus": FIELD_DEFAULT_GPUS if moe else 8,
        "batch_mode": "max",
        "context_window": 0,
    }
    if shape.kind == "mla":
        inputs["kv_lora_rank"] = shape.kv_lora_rank
        inputs["rope_head_dim"] = shape.rope_head_dim
    return inputs


def model_inputs(key: str) -> dict[str, Any]:
    """The model fields of a model in `data/models`, with its context window."""
    config = data.models()[key].config
    return {**from_config(architecture(config)), "context_window": config.get("max_position_embeddings", 0)}


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """Published deployments (DeepSeek's own, SGLang's on 96 H100) and dense models on one 8-GPU node."""
    facts = data.serving()
    day6 = facts.disclosures["deepseek-day6"]
    decode = facts.deployments["deepseek-day6-decode"]
    sglang = facts.deployments["sglang-96-h100-decode"]
    mtp = facts.figures["mtp.deepseek-v3"].values
    v3 = model_inputs("deepseek-v3")
    node = {"accelerator": "h100", "precision": "bf16", "gpus": 8, "parallelism": "tp", "redundant_experts": 0,
            "weight_bits": 16, "kv_bits": 16, "batch_mode": "max", "prompt_tokens": 2000, "output_tokens": 500,
            "cached_share": 0, "mtp_acceptance": 0}
    return {
        "deepseek-v3-day6": ("DeepSeek-V3/R1 as DeepSeek decodes it (18 H800 nodes, EP144)", {
            **v3, "accelerator": decode.accelerator, "precision": "fp8", "gpus": decode.gpus,
            "parallelism": "dp" if decode.data_parallel_attention else "tp",
            "redundant_experts": decode.redundant_experts, "weight_bits": 8, "kv_bits": 16,
            "batch_mode": "fixed", "batch_size": 128 * decode.gpus,
            # Day 6's ratio of input to output tokens (608B : 168B) at its average KV length, T_p + T_o/2 = 4,989
            "prompt_tokens": 4384, "output_tokens": 1210,
            "cached_share": day6.cache_hit_tokens / day6.input_tokens,
            "mtp_acceptance": mtp["acceptance_low"], "usd_per_gpu_hour": day6.usd_per_gpu_hour,
        }),
        "sglang-96-h100": ("DeepSeek-V3 as SGLang decodes it on 96 H100 (9 nodes, EP72, 2K inputs)", {
            **v3, "accelerator": sglang.accelerator, "precision": "fp8", "gpus": sglang.gpus,
            "parallelism": "dp" if sglang.data_parallel_attention else "tp",
            "redundant_experts": sglang.redundant_experts, "weight_bits": 8, "kv_bits": 16,
            "batch_mode": "fixed", "batch_size": 256 * sglang.gpus,
            "prompt_tokens": 1900, "output_tokens": 200, "cached_share": 0, "mtp_acceptance": 0,
            "usd_per_gpu_hour": 2.0,
        }),
        "deepseek-v3-8xh200": ("DeepSeek-V3 on one 8 × H200 node (FP8, tensor-parallel)", {
            **v3, **node, "accelerator": "h200", "precision": "fp8", "weight_bits": 8,
        }),
        "llama-3.1-70b-8xh100": ("Llama 3.1 70B on 8 × H100 (BF16, tensor-parallel)", {
            **model_inputs("llama-3.1-70b"), **node,
        }),
        "qwen2.5-72b-8xh100": ("Qwen2.5 72B on 8 × H100 (BF16, tensor-parallel)", {
            **model_inputs("qwen2.5-72b"), **node,
        }),
    }


def hardware(values: Mapping[str, Any]) -> serving.Hardware:
    """The chosen accelerator's peak at the chosen precision, bandwidth and memory, or the custom figures."""
    if values["accelerator"] == "custom":
        return serving.Hardware(peak_flops_per_second=values["peak_tflops"] * 1e12,
                                memory_bandwidth_bytes_per_s=values["bandwidth_tb_s"] * 1e12,
                                memory_bytes=values["memory_gb"] * 1e9,
                                attention_flops_per_second=values["attention_tflops"] * 1e12)
    acc = data.accelerators()[values["accelerator"]]
    return serving.Hardware(peak_flops_per_second=acc.dense_tflops(values["precision"]) * 1e12,
                            memory_bandwidth_bytes_per_s=acc.memory_bandwidth_bytes_per_s,
                            memory_bytes=acc.memory_bytes,
                            attention_flops_per_second=acc.bf16_dense_tflops * 1e12)


def served_model(values: Mapping[str, Any]) -> serving.ServedModel:
    """The model the fields describe. MLA decodes on its latent (queries and keys d_c + d_h^R wide, values d_c),
    prefills on full heads (d + d_h^R and d: DeepSeek-V2/V3 have v_head_dim = qk_nope_head_dim). Linear layers keep
    a state of H·d² elements."""
    kind = values["attention"]
    mla = kind == "mla"
    moe = values["experts"] > 0 and values["expert_params_billion"] > 0
    d = values["head_dim"]
    return serving.ServedModel(
        total_params=values["total_params_billion"] * 1e9,
        active_params=values["active_params_billion"] * 1e9,
        routed_expert_params=values["expert_params_billion"] * 1e9 if moe else 0.0,
        experts=values["experts"] if moe else 0,
        experts_per_token=values["experts_per_token"] if moe else 0,
        layers=values["layers"],
        heads=values["heads"],
        kv_elements_per_token_per_layer=elements_per_token_per_layer(values),
        kv_heads={"mha": values["heads"], "gqa": values["kv_heads"]}.get(kind, 1),
        decode_qk_dim=values["kv_lora_rank"] + values["rope_head_dim"] if mla else d,
        decode_v_dim=values["kv_lora_rank"] if mla else d,
        prefill_qk_dim=d + values["rope_head_dim"] if mla else d,
        prefill_v_dim=d,
        window_layers=values["window_layers"],
        window_tokens=values["window_tokens"] if values["window_layers"] else 0,
        linear_layers=values["linear_layers"],
        linear_head_dim=d,
    )


def deployment(values: Mapping[str, Any]) -> serving.Deployment:
    return serving.Deployment(gpus=values["gpus"], data_parallel_attention=values["parallelism"] == "dp",
                              redundant_experts=values["redundant_experts"], weight_bits=values["weight_bits"],
                              kv_bits=values["kv_bits"], memory_reserve=values["reserve_fraction"])


def decode_context_tokens(values: Mapping[str, Any]) -> float:
    """Average context a sequence holds while it decodes: the prompt and half the answer, $T_p + T_r/2$ (a batch
    under continuous batching holds sequences at every stage of their answer)."""
    return values["prompt_tokens"] + values["output_tokens"] / 2


def _context_window(values: Mapping[str, Any]) -> int:
    """The model's context window: from a pasted config.json if it gives one, else the field (0: unknown)."""
    text = values.get("config") or ""
    if text.strip():
        try:
            config = load_config_json(text)
        except ConfigError:
            return 0
        config = config.get("text_config") if isinstance(config.get("text_config"), dict) else config
        window = config.get("max_position_embeddings")
        if isinstance(window, int) and not isinstance(window, bool) and window > 0:
            return window
    return int(values["context_window"])


def check(values: Mapping[str, Any]) -> list[FieldError]:
    errors = peak_errors(values) if values["accelerator"] != "custom" else []
    errors += kv_heads_errors(values)
    if values["window_layers"] > values["layers"]:
        errors.append(FieldError(field="window_layers", message=f"Cannot exceed the {values['layers']} layers."))
    total, active, routed = (values["total_params_billion"], values["active_params_billion"],
                             values["expert_params_billion"])
    experts, k = values["experts"], values["experts_per_token"]
    if active > total:
        errors.append(FieldError(field="active_params_billion",
                                 message=f"Cannot exceed the {format_number(total)}B parameters in all."))
    if routed > 0 and experts == 0:
        errors.append(FieldError(field="experts", message="Routed-expert weights need a number of experts "
                                                          "(or set the expert parameters to 0 for a dense model)."))
    if experts > 0 and routed <= 0:
        errors.append(FieldError(field="expert_params_billion",
                                 message="Give the routed experts' parameters (all experts, all layers)."))
    if experts > 0 and routed > 0:
        if not 1 <= k <= experts:
            errors.append(FieldError(field="experts_per_token",
                                     message=f"Must be between 1 and the {experts} experts."))
        elif routed >= total:
            errors.append(FieldError(field="expert_params_billion",
                                     message=f"Must be less than the {format_number(total)}B parameters in all."))
        elif routed * k / experts > active:
            errors.append(FieldError(field="active_params_billion",
                                     message=f"Must include the {k} routed experts a token uses: at least "
                                             f"{format_number(routed * k / experts)}B."))
    window = _context_window(values)
    length = values["prompt_tokens"] + values["output_tokens"]
    if window and length > window:
        errors.append(FieldError(field="prompt_tokens",
                                 message=f"Prompt and answer ({length:,} tokens) exceed the model's context window "
                                         f"of {window:,} tokens."))
    if errors:
        return errors
    plan = serving.memory_plan(served_model(values), hardware(values), deployment(values),
                               context_tokens=decode_context_tokens(values))
    if not plan.fits:
        memory = usable_memory_bytes(memory_bytes=hardware(values).memory_bytes,
                                     reserve_fraction=values["reserve_fraction"])
        message = (f"The model does not fit: {format_bytes(plan.weight_bytes_per_gpu)} of weights per GPU, "
                   f"{format_bytes(memory)} usable "
                   f"(after the {format_percent(values['reserve_fraction'])} reserve), and one sequence's cache needs "
                   f"{format_bytes(plan.kv_bytes_per_sequence)}.")
        if values["parallelism"] == "dp" and served_model(values).dense_params * values["weight_bits"] / 8 >= memory:
            message += (" Each GPU holds all non-expert weights under data-parallel attention: split them "
                        "(tensor-parallel).")
        else:
            message += " Add GPUs, lower the weight precision or shorten the requests."
        errors.append(FieldError(field="gpus", message=message))
    elif values["batch_mode"] == "fixed" and values["batch_size"] > plan.largest_batch:
        errors.append(FieldError(field="batch_size",
                                 message=f"At most {plan.largest_batch:,} sequences of "
                                         f"{format_count(decode_context_tokens(values))} tokens fit "
                                         f"({format_bytes(plan.kv_bytes_per_sequence)} of cache each): lower the "
                                         "batch or choose “Largest that fits”."))
    return errors


def _step(values: Mapping[str, Any], model: serving.ServedModel, hw: serving.Hardware, dep: serving.Deployment,
          batch: int) -> serving.DecodeStep:
    return serving.decode_step(model, hw, dep, batch=batch, context_tokens=decode_context_tokens(values),
                               acceptance_rate=values["mtp_acceptance"], mbu=values["mbu"], mfu=values["mfu"],
                               overhead_seconds=values["overhead_ms"] / 1000)


def _usd_per_mtok(values: Mapping[str, Any], tokens_per_second_per_gpu: float) -> float:
    return serving.usd_per_million_tokens(usd_per_gpu_hour=values["usd_per_gpu_hour"], gpus=1,
                                          tokens_per_second=tokens_per_second_per_gpu)


def compute(values: Mapping[str, Any]) -> Result:
    model, hw, dep = served_model(values), hardware(values), deployment(values)
    context = decode_context_tokens(values)
    plan = serving.memory_plan(model, hw, dep, context_tokens=context)
    batch = plan.largest_batch if values["batch_mode"] == "max" else values["batch_size"]
    step = _step(values, model, hw, dep, batch)
    prefill_matmul, prefill_attention = serving.prefill_flops_per_token(model, prompt_tokens=values["prompt_tokens"])
    prefill = serving.prefill_tokens_per_second_per_gpu(
        matmul_flops_per_token=prefill_matmul, attention_flops_per_token=prefill_attention,
        peak_flops_per_second=hw.peak_flops_per_second,
        attention_peak_flops_per_second=hw.attention_peak_flops_per_second, mfu=values["mfu"])
    miss = _usd_per_mtok(values, prefill)
    output = _usd_per_mtok(values, step.tokens_per_second_per_gpu)
    dense_batch = serving.compute_bound_batch(peak_flops_per_second=hw.peak_flops_per_second,
                                              memory_bandwidth_bytes_per_s=hw.memory_bandwidth_bytes_per_s,
                                              bytes_per_param=values["weight_bits"] / 8)
    verified = 2 if values["mtp_acceptance"] > 0 else 1
    out: dict[str, float | None] = {
        "weight_bytes_per_gpu": plan.weight_bytes_per_gpu,
        "kv_bytes_per_token": plan.kv_bytes_per_token,
        "decode_context_tokens": context,
        "kv_bytes_per_sequence": plan.kv_bytes_per_sequence,
        "largest_batch": plan.largest_batch,
        "batch": batch,
        "batch_per_gpu": batch / dep.gpus,
        "distinct_experts": step.distinct_experts if model.is_moe else None,
        "expert_tokens_per_gpu": serving.expert_tokens_per_gpu(tokens=batch * verified,
                                                               experts_per_token=model.experts_per_token,
                                                               gpus=dep.gpus) if model.is_moe else None,
        "compute_bound_batch": dense_batch,
        "moe_compute_bound_batch": serving.moe_compute_bound_batch(
            dense_batch=dense_batch, experts=model.experts, experts_per_token=model.experts_per_token)
        if model.is_moe else None,
        "step_weights_ms": step.weight_seconds * 1000,
        "step_kv_ms": step.kv_seconds * 1000,
        "step_compute_ms": step.compute_seconds * 1000,
        "step_ms": step.step_seconds * 1000,
        "tokens_per_step": step.tokens_per_step,
        "decode_tokens_per_second_per_gpu": step.tokens_per_second_per_gpu,
        "per_user_tokens_per_second": step.per_user_tokens_per_second,
        "prefill_tokens_per_second_per_gpu": prefill,
        "usd_per_mtok_input_miss": miss,
        "usd_per_mtok_input_hit": 0.0,
        "usd_per_mtok_output": output,
        "usd_per_request": api_pricing.request_cost(
            prompt_tokens=values["prompt_tokens"], cache_hit_share=values["cached_share"],
            output_tokens=values["output_tokens"], reasoning_tokens=0, input_cache_miss_per_mtok=miss,
            input_cache_hit_per_mtok=0.0, output_per_mtok=output).total,
    }
    return Result(values=out, notes=tuple(_notes(values, model, hw, plan, step, batch, dense_batch)),
                  charts=(frontier_chart(values, model, hw, dep, plan, batch),))


def _notes(values: Mapping[str, Any], model: serving.ServedModel, hw: serving.Hardware, plan: serving.MemoryPlan,
           step: serving.DecodeStep, batch: int, dense_batch: float) -> list[str]:
    bound = "memory-bound" if step.memory_bound else "compute-bound"
    overhead = values["overhead_ms"]
    notes = [f"The step is {bound}: reading {format_bytes(step.weight_bytes_read)} of weights and "
             f"{format_bytes(step.kv_bytes_read)} of KV cache per GPU takes "
             f"{format_number((step.weight_seconds + step.kv_seconds) * 1000)} ms; computing "
             f"{format_flops(step.flops)} ({format_percent(step.attention_flops / step.flops)} of it attention) "
             f"takes {format_number(step.compute_seconds * 1000)} ms; the step is the larger"
             + (f" plus {format_number(overhead)} ms of overhead." if overhead else ", as if reading and computing "
                "overlapped perfectly and nothing else took time.")]
    if model.window_layers or model.linear_layers:
        notes.append(_layer_kinds_note(values, model))
    if model.is_moe:
        notes.append(f"Each of the {format_count(batch)} sequences' tokens picks {model.experts_per_token} of "
                     f"{model.experts} experts: a step touches {format_number(step.distinct_experts)} experts per "
                     f"layer on average (uniform routing). The expert products turn compute-bound only above "
                     f"{format_count(dense_batch * model.experts / model.experts_per_token)} tokens per step, "
                     f"E/k = {format_number(model.experts / model.experts_per_token)} times the "
                     f"{format_count(dense_batch)} of a dense matrix.")
    if values["accelerator"] != "custom":
        acc = data.accelerators()[values["accelerator"]]
        precision = dict(PRECISIONS)[values["precision"]]
        notes.append(f"{acc.name}: {format_number(hw.peak_flops_per_second / 1e12)} TFLOPS dense {precision} for the "
                     f"weight products, {format_number(hw.attention_peak_flops_per_second / 1e12)} BF16 for attention, "
                     f"{format_number(hw.memory_bandwidth_bytes_per_s / 1e12)} TB/s, "
                     f"{format_bytes(hw.memory_bytes)}. Source: {acc.source.split(':')[0]}.")
    notes.append("Cached input costs no prefill arithmetic here; storing the cache (DeepSeek keeps it on disk) and "
                 "loading it back are left out, which is why the cached-input cost shows as $0.")
    notes.append("Left out: communication between GPUs (expert dispatch and combine, tensor-parallel all-reduce) "
                 "unless you put it in the overhead, uneven expert load, scheduling gaps, and idle capacity. Real "
                 "deployments run well below this roofline: see the implied efficiencies on the serving page.")
    return notes


def _layer_kinds_note(values: Mapping[str, Any], model: serving.ServedModel) -> str:
    """What the windowed and linear layers hold and attend to at the average context."""
    context = decode_context_tokens(values)
    parts = []
    if model.window_layers:
        parts.append(f"{model.window_layers} of the {model.layers} layers with a KV cache keep and attend to at most "
                     f"the last {model.window_tokens:,} tokens (a sliding window; a chunked layer is counted as a "
                     "window of its chunk, an upper bound)")
    if model.linear_layers:
        parts.append(f"{model.linear_layers} linear-attention layers keep a fixed state of "
                     f"{format_count(model.heads * model.linear_head_dim ** 2)} elements per sequence instead")
    all_full = dataclasses.replace(model, layers=model.layers + model.linear_layers, window_layers=0, linear_layers=0)
    full = serving.kv_bytes_per_sequence(all_full, context_tokens=context, kv_bits=values["kv_bits"])
    return (f"{'; '.join(parts)}. At {format_count(context)} tokens a sequence's cache is "
            f"{format_bytes(serving.kv_bytes_per_sequence(model, context_tokens=context, kv_bits=values['kv_bits']))}"
            f", against {format_bytes(full)} were all {all_full.layers} layers full attention.")


def frontier_chart(values: Mapping[str, Any], model: serving.ServedModel, hw: serving.Hardware,
                   dep: serving.Deployment, plan: serving.MemoryPlan, batch: int) -> dict[str, Any]:
    """Dollars per million output tokens against tokens per second per user as the batch grows: a log-spaced
    walk from one sequence to the memory limit (solid) and on to four times it as if memory allowed (dashed)."""
    limit = max(plan.largest_batch, 1)
    fits: list[list[float]] = []
    beyond: list[list[float]] = []
    for i in range(2 * FRONTIER_POINTS + 1):
        b = max(1, round(limit ** (i / FRONTIER_POINTS))) if i <= FRONTIER_POINTS \
            else round(limit * 4 ** ((i - FRONTIER_POINTS) / FRONTIER_POINTS))
        step = _step(values, model, hw, dep, b)
        point = [step.per_user_tokens_per_second, _usd_per_mtok(values, step.tokens_per_second_per_gpu)]
        if i <= FRONTIER_POINTS:
            fits.append(point)
        if i >= FRONTIER_POINTS:
            beyond.append(point)
    chosen = _step(values, model, hw, dep, batch)
    chosen_x = chosen.per_user_tokens_per_second
    chosen_y = _usd_per_mtok(values, chosen.tokens_per_second_per_gpu)
    limit_x = fits[-1][0]
    return line_chart(
        title="A slower answer is a cheaper answer: cost against speed as the batch grows",
        x_label="Tokens per second per user", x_scale="log",
        # a log axis needs positive values: at a price of $0 every point is 0
        y_label="$ per million output tokens", y_format="usd",
        y_scale="log" if values["usd_per_gpu_hour"] > 0 else "linear",
        series=[("Batches that fit in memory", fits), ("Larger batches, if memory allowed", beyond, "dashed")],
        points=[{"x": chosen_x, "y": chosen_y, "label": f"B = {format_count(batch)}"}],
        markers=[{"x": limit_x, "label": f"Memory full: B = {format_count(plan.largest_batch)}", "style": "dashed"}],
        regions=[{"x1": limit_x, "label": "Does not fit"}])


PRICE, REQUESTS, HARDWARE, MODEL = "Price and efficiency", "Requests and batch", "Hardware and deployment", "Model"


def _acceptance_range() -> Plausible:
    """DeepSeek-V3's published acceptance rate of the drafted second token (data/serving.toml)."""
    mtp = data.serving().figures["mtp.deepseek-v3"]
    return Plausible(low=mtp.values["acceptance_low"], high=mtp.values["acceptance_high"],
                     source=f"DeepSeek-V3's published range ({mtp.source.split(',')[0]}, {mtp.as_of})")


FIELDS = (
    ChoiceField(name="accelerator", label="Accelerator", default="h800", choices=ACCELERATOR_CHOICES,
                group=HARDWARE,
                help="From the catalog, or Custom to enter any accelerator's peak, bandwidth and memory."),
    NumberField(name="peak_tflops", label="Peak dense throughput", symbol="P", unit="TFLOPS", default=1978.9,
                group=HARDWARE, minimum=0, exclusive_minimum=True, maximum=1e6, relevant_when=CUSTOM_ACCELERATOR,
                help="Dense (not 'with sparsity') TFLOPS at the precision the weight products run in."),
    NumberField(name="attention_tflops", label="Peak dense throughput, attention", symbol="P_attn", unit="TFLOPS",
                group=HARDWARE,
                default=989.4, minimum=0, exclusive_minimum=True, maximum=1e6, relevant_when=CUSTOM_ACCELERATOR,
                help="Dense TFLOPS the attention core runs at (BF16 in DeepSeek's service)."),
    NumberField(name="bandwidth_tb_s", label="Memory bandwidth", symbol="BW", unit="TB/s", default=3.35,
                group=HARDWARE, minimum=0, exclusive_minimum=True, maximum=1e4, relevant_when=CUSTOM_ACCELERATOR,
                help="HBM bandwidth per accelerator, terabytes (10¹²) per second."),
    NumberField(name="memory_gb", label="Memory", symbol="M_GPU", unit="GB", default=80, minimum=0,
                group=HARDWARE, exclusive_minimum=True, maximum=1e6, relevant_when=CUSTOM_ACCELERATOR,
                help="Memory per accelerator, gigabytes (10⁹ bytes)."),
    ChoiceField(name="precision", label="Weight products run in", default="fp8", choices=PRECISIONS,
                group=HARDWARE, relevant_when=CATALOG_ACCELERATOR,
                help="Sets the peak MFU is a share of (FP8 is twice BF16). The attention core runs in BF16."),
    price_field("What one GPU-hour costs you (DeepSeek assumed $2 for the H800).", group=PRICE,
                plausible=rental_range()),
    NumberField(name="gpus", label="GPUs per replica", symbol="n_GPU", default=FIELD_DEFAULT_GPUS, integer=True,
                group=HARDWARE, minimum=1,
                maximum=100_000, help="GPUs holding one copy of the model and decoding one batch together."),
    ChoiceField(name="parallelism", label="Attention and dense weights", default="dp", choices=PARALLELISM,
                group=HARDWARE,
                help="Data-parallel (DeepSeek, SGLang): every GPU a full copy of the non-expert weights and whole "
                     "sequences. Tensor-parallel: weights and heads split; an MLA or MQA cache is copied to each GPU. "
                     "Routed experts are always spread over the GPUs."),
    NumberField(name="redundant_experts", label="Redundant experts", symbol="E_red", unit="per layer", default=32,
                group=HARDWARE, advanced=True, integer=True, minimum=0, maximum=100_000,
                help="Extra copies of popular experts (DeepSeek: 32). Memory only; ignored for a dense model."),
    NumberField(name="weight_bits", label="Weight precision", unit="bits", default=8, minimum=0,
                group=HARDWARE,
                exclusive_minimum=True, maximum=64, suggestions=WEIGHT_PRECISIONS, help="Bits per weight."),
    NumberField(name="kv_bits", label="KV-cache precision", unit="bits", default=16, minimum=0,
                group=HARDWARE, exclusive_minimum=True, maximum=64, suggestions=KV_PRECISIONS,
                help="Bits per cached element (DeepSeek keeps MLA's cache in BF16)."),
    ChoiceField(name="batch_mode", label="Batch", default="fixed", choices=BATCH_MODES,
                group=REQUESTS,
                help="Largest that fits: as many sequences as the memory left after the weights holds."),
    NumberField(name="batch_size", label="Batch size", symbol="B", unit="sequences", default=18_432, integer=True,
                group=REQUESTS, minimum=1, maximum=1e8, relevant_when={"batch_mode": ("fixed",)},
                help="Sequences the replica decodes together (all GPUs). DeepSeek's decode profile: 128 per GPU."),
    NumberField(name="prompt_tokens", label="Prompt", symbol="T_p", unit="tokens", default=4384, integer=True,
                group=REQUESTS, minimum=1, maximum=1e8, help="Average prompt length."),
    NumberField(name="output_tokens", label="Answer", symbol="T_r", unit="tokens", default=1210, integer=True,
                group=REQUESTS,
                minimum=1, maximum=1e8, help="Average answer length (a reasoning model's thinking included)."),
    NumberField(name="cached_share", label="Cached share of the prompt", unit="fraction",
                group=REQUESTS, plausible=Plausible(low=0.75, high=1.25, relative=True, source=ASSUMED),
                default=0.5625, minimum=0, maximum=1,
                help="Share of prompt tokens found in the context cache (DeepSeek, Feb 2025: 342B of 608B)."),
    NumberField(name="mbu", label="MBU", unit="fraction", default=0.8, minimum=0, exclusive_minimum=True,
                group=PRICE, plausible=Plausible(low=0.6, high=0.9, source="assumed"),
                maximum=1, suggestions=((0.6, "60%"), (0.8, "80%"), (0.9, "90%")),
                help="Share of the memory bandwidth the step's reads achieve, between 0 and 1 (an assumption)."),
    NumberField(name="mfu", label="MFU", unit="fraction", default=0.5, minimum=0, exclusive_minimum=True, maximum=1,
                group=PRICE, plausible=Plausible(low=0.3, high=0.7, source="assumed"),
                suggestions=((0.3, "30%"), (0.5, "50%"), (0.7, "70%")),
                help="Share of peak the arithmetic achieves, decode and prefill, between 0 and 1 (an assumption)."),
    NumberField(name="overhead_ms", label="Fixed overhead per step", symbol="ℓ_0", unit="ms", default=0, minimum=0,
                group=PRICE, advanced=True, plausible=Plausible(low=0, high=5, source="assumed: up to 5 ms a step"),
                maximum=1e5, help="Time per step neither memory nor arithmetic accounts for: launches, "
                                  "synchronisation, communication not hidden behind computation."),
    NumberField(name="mtp_acceptance", label="MTP acceptance rate", symbol="a", unit="fraction", default=0.85,
                group=PRICE, plausible=_acceptance_range(),
                minimum=0, maximum=0.999,
                help="Share of drafted second tokens accepted (DeepSeek-V3: 85–90%); 0 turns MTP off."),
    reserve_field(default=0.1, kept_for="activations, buffers and fragmentation (vLLM's default leaves 10%)",
                  group=HARDWARE, advanced=True),
    NumberField(name="total_params_billion", label="Parameters, all", symbol="N", unit="billion", default=671.026,
                group=MODEL, advanced=True, minimum=0, exclusive_minimum=True, maximum=1e6,
                help="Every weight held in memory, all experts and the embedding table."),
    NumberField(name="active_params_billion", label="Active parameters", symbol="N_active", unit="billion",
                group=MODEL, advanced=True, default=36.626, minimum=0, exclusive_minimum=True, maximum=1e6,
                help="Weights one token multiplies by, without the embedding table."),
    NumberField(name="expert_params_billion", label="Routed-expert parameters", symbol="N_routed", unit="billion",
                group=MODEL, advanced=True, default=653.909, minimum=0, maximum=1e6,
                help="All routed experts of all layers (0 for a dense model); a token uses k/E of them."),
    NumberField(name="experts", label="Routed experts", symbol="E", default=256, integer=True, minimum=0,
                group=MODEL, advanced=True, maximum=100_000, help="Per MoE layer; 0 for a dense model."),
    NumberField(name="experts_per_token", label="Experts per token", symbol="k", default=8, integer=True, minimum=0,
                group=MODEL, advanced=True, maximum=100_000, help="Routed experts each token uses."),
    ChoiceField(name="attention", label="Attention", default="mla", choices=ATTENTION_KINDS,
                group=MODEL, advanced=True, help="Sets what the KV cache holds per token and layer."),
    NumberField(name="layers", label="Layers with a KV cache", symbol="L", default=61, integer=True, minimum=1,
                group=MODEL, advanced=True,
                maximum=10_000, help="Transformer layers that keep a KV cache (full or windowed attention)."),
    NumberField(name="window_layers", label="Layers with a window", symbol="L_win", default=0, integer=True, minimum=0,
                group=MODEL, advanced=True,
                maximum=10_000, help="Of the layers above, those that keep and attend to only the last T_win tokens "
                                     "(sliding window; Llama 4's chunked layers, as an upper bound); 0 for none."),
    NumberField(name="window_tokens", label="Window", symbol="T_win", unit="tokens", default=4096, integer=True,
                group=MODEL, advanced=True,
                minimum=1, maximum=1e9, help="Tokens a windowed layer keeps: its cache and its attention stop "
                                              "growing there."),
    NumberField(name="linear_layers", label="Linear-attention layers", symbol="L_linear", default=0, integer=True,
                group=MODEL, advanced=True, minimum=0, maximum=10_000,
                help="Layers without a KV cache that keep a fixed state of H·d² elements per sequence (MiniMax's "
                     "lightning attention); not part of the layers above."),
    NumberField(name="heads", label="Attention heads", symbol="H", default=128, integer=True, minimum=1,
                group=MODEL, advanced=True, maximum=100_000),
    NumberField(name="kv_heads", label="KV heads", symbol="K", default=8, integer=True, minimum=1, maximum=100_000,
                group=MODEL, advanced=True,
                relevant_when={"attention": ("gqa",)}, help="Must divide the attention heads."),
    NumberField(name="head_dim", label="Head dimension", symbol="d", default=128, integer=True, minimum=1,
                group=MODEL, advanced=True, maximum=100_000, help="For MLA, the non-RoPE part d_h."),
    NumberField(name="kv_lora_rank", label="MLA latent rank", symbol="d_c", default=512, integer=True, minimum=1,
                group=MODEL, advanced=True, maximum=1_000_000, relevant_when={"attention": ("mla",)}),
    NumberField(name="rope_head_dim", label="Decoupled RoPE dim", symbol="d_h^R", default=64, integer=True,
                group=MODEL, advanced=True, minimum=0, maximum=1_000_000, relevant_when={"attention": ("mla",)}),
    NumberField(name="context_window", label="Context window", unit="tokens", default=163_840, integer=True,
                group=MODEL, advanced=True,
                minimum=0, maximum=1e9, help="The model's longest sequence, to check the request against (0: not "
                                             "known). A pasted config.json's max_position_embeddings takes its place."),
    config_field(fills="fills the model fields from its counted parameters and attention shape", group=MODEL),
)

MODEL_FIELDS = ("total_params_billion", "active_params_billion", "expert_params_billion", "experts",
                "experts_per_token", "attention", "layers", "window_layers", "window_tokens", "linear_layers", "heads",
                "kv_heads", "head_dim", "kv_lora_rank", "rope_head_dim", "context_window")
DEPLOYMENT_FIELDS = ("accelerator", "precision", "gpus", "parallelism", "redundant_experts", "weight_bits",
                     "kv_bits", "batch_mode", "batch_size", "prompt_tokens", "output_tokens", "cached_share",
                     "mtp_acceptance", "usd_per_gpu_hour")

CALCULATOR = (
    Calculator(
        id="serving-cost",
        title="What a token costs to serve",
        summary="A model on an accelerator at a batch and request lengths -> the decode step (weights, KV cache, "
                "compute), tokens per second per GPU and per user, prefill throughput, the largest batch that fits, "
                "dollars per million input and output tokens and per request; the cost-speed frontier.",
        fields=FIELDS,
        outputs=(
            Output(name="weight_bytes_per_gpu", label="Weights per GPU", unit="B", format="bytes"),
            Output(name="kv_bytes_per_token", label="KV cache per token", unit="B", format="bytes"),
            Output(name="decode_context_tokens", label="Average context while decoding, T = T_p + T_r/2",
                   unit="tokens", format="count"),
            Output(name="kv_bytes_per_sequence", label="KV cache per sequence at T", unit="B", format="bytes"),
            Output(name="largest_batch", label="Largest batch that fits", unit="sequences", format="count"),
            Output(name="batch", label="Batch decoded", unit="sequences", format="count"),
            Output(name="batch_per_gpu", label="Sequences per GPU", unit="sequences", format="number"),
            Output(name="distinct_experts", label="Experts touched per layer per step", unit="experts",
                   format="number", help="E(1 − (1 − k/E)^B) for the step's B tokens (twice the sequences with MTP), "
                                         "uniform routing."),
            Output(name="expert_tokens_per_gpu", label="Expert tokens per GPU per step", unit="tokens",
                   format="count", help="B·k/n_GPU (with MTP, twice the sequences)."),
            Output(name="compute_bound_batch", label="Compute-bound above, dense matrix", unit="tokens per step",
                   format="count", help="(bits/16)·P/BW."),
            Output(name="moe_compute_bound_batch", label="Compute-bound above, experts", unit="tokens per step",
                   format="count", help="The dense threshold × E/k."),
            Output(name="step_weights_ms", label="Step: reading weights, ms", unit="ms", format="number"),
            Output(name="step_kv_ms", label="Step: reading the KV cache, ms", unit="ms", format="number"),
            Output(name="step_compute_ms", label="Step: computing, ms", unit="ms", format="number"),
            Output(name="step_ms", label="Decode step, ms", unit="ms", format="number",
                   help="max(weights + KV, compute) + overhead."),
            Output(name="tokens_per_step", label="Tokens per sequence per step", unit="tokens", format="number",
                   help="1 + a with one MTP draft."),
            Output(name="decode_tokens_per_second_per_gpu", label="Output tokens per second per GPU", unit="tokens/s",
                   format="count", main=True),
            Output(name="per_user_tokens_per_second", label="Tokens per second per user", unit="tokens/s",
                   format="number", main=True),
            Output(name="prefill_tokens_per_second_per_gpu", label="Prefill tokens per second per GPU",
                   unit="tokens/s", format="count"),
            Output(name="usd_per_mtok_input_miss", label="$ per M input tokens, not cached", unit="USD",
                   format="usd", main=True),
            Output(name="usd_per_mtok_input_hit", label="$ per M input tokens, cached (compute only)", unit="USD",
                   format="usd"),
            Output(name="usd_per_mtok_output", label="$ per M output tokens", unit="USD", format="usd", main=True),
            Output(name="usd_per_request", label="$ per request", unit="USD", format="usd", main=True),
        ),
        compute=compute,
        check=check,
        presets=presets,
        preset_fields=(*MODEL_FIELDS, *DEPLOYMENT_FIELDS),
        default_preset="deepseek-v3-day6",
        groups=(PRICE, REQUESTS, HARDWARE, MODEL),
        sensitivity_output="usd_per_mtok_output",
        from_config=from_config,
        examples=(
            Example(title="DeepSeek-V3 decoded as DeepSeek describes it (18 H800 nodes, EP144)",
                    inputs={"preset": "deepseek-v3-day6"}),
            Example(title="SGLang's 96-H100 deployment: decode at 2K context",
                    inputs={"preset": "sglang-96-h100"}),
            Example(title="Llama 3.1 70B on 8 × H100, largest batch",
                    inputs={"preset": "llama-3.1-70b-8xh100"}),
            Example(title="A custom accelerator (not in the catalog)",
                    inputs={"preset": "llama-3.1-70b-8xh100", "accelerator": "custom", "peak_tflops": 2500,
                            "bandwidth_tb_s": 8, "memory_gb": 192}),
        ),
    )
)
