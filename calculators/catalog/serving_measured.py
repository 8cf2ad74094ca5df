"""Calculator ``serving-measured``: published serving throughputs of DeepSeek-V3 set against the roofline model,
and the efficiency (MBU, MFU) each measurement implies; with SGLang's "$0.20 per million output tokens"
reconstructed."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from .. import data, serving
from ..formatting import format_count, format_number, format_percent, format_usd
from ..schema import Calculator, Example, FieldError, NumberField, Output, Result
from .common import price_field
from .serving_cost import model_inputs, served_model

ASSUMPTIONS = "Assumptions"

GPUS_PER_NODE = 8
WEIGHT_BITS, KV_BITS = 8, 16  # FP8 products and weights, BF16 MLA cache (Day 6, 'Statistics')


@functools.cache
def _deepseek_v3() -> serving.ServedModel:
    """DeepSeek-V3 as served, from its config (counted once per process: every row and every edit reuses it)."""
    return served_model(model_inputs("deepseek-v3"))


def _hardware(key: str) -> serving.Hardware:
    acc = data.accelerators()[key]
    return serving.Hardware(peak_flops_per_second=acc.fp8_dense_tflops * 1e12,
                            memory_bandwidth_bytes_per_s=acc.memory_bandwidth_bytes_per_s,
                            memory_bytes=acc.memory_bytes, attention_flops_per_second=acc.bf16_dense_tflops * 1e12)


def _deployment(unit: data.ServingDeployment) -> serving.Deployment:
    return serving.Deployment(gpus=unit.gpus, data_parallel_attention=unit.data_parallel_attention,
                              redundant_experts=unit.redundant_experts, weight_bits=WEIGHT_BITS, kv_bits=KV_BITS)


def decode_row(measurement: data.ServingMeasurement, *, batch_per_gpu: float, acceptance_rate: float,
               price: float) -> dict[str, float]:
    """Model, measurement and implied efficiencies of one decode measurement (batch per GPU given)."""
    unit = data.serving().deployments[measurement.deployment]
    model = _deepseek_v3()
    hw, dep = _hardware(unit.accelerator), _deployment(unit)
    batch = round(batch_per_gpu * unit.gpus)
    ideal = serving.decode_step(model, hw, dep, batch=batch, context_tokens=measurement.context_tokens,
                                acceptance_rate=acceptance_rate)
    per_gpu = measurement.tokens_per_second_per_node / GPUS_PER_NODE
    measured = serving.measured_step_seconds(batch=batch, tokens_per_step=ideal.tokens_per_step,
                                             tokens_per_second_per_gpu=per_gpu, gpus=unit.gpus)
    return {
        "measured": measurement.tokens_per_second_per_node,
        "roofline": ideal.tokens_per_second_per_gpu * GPUS_PER_NODE,
        "mbu": serving.implied_utilization(ideal_seconds=ideal.memory_seconds, measured_seconds=measured),
        "mfu": serving.implied_utilization(ideal_seconds=ideal.compute_seconds, measured_seconds=measured),
        "step_ms": measured * 1000,
        "usd_per_mtok": serving.usd_per_million_tokens(usd_per_gpu_hour=price, gpus=GPUS_PER_NODE,
                                                       tokens_per_second=measurement.tokens_per_second_per_node),
    }


def prefill_row(measurement: data.ServingMeasurement, *, uncached_share: float, price: float) -> dict[str, float]:
    """Model, measurement and implied MFU of one prefill measurement (the uncached share is what was computed)."""
    unit = data.serving().deployments[measurement.deployment]
    model = _deepseek_v3()
    hw = _hardware(unit.accelerator)
    matmul, attention = serving.prefill_flops_per_token(model, prompt_tokens=measurement.prompt_tokens)
    ideal = serving.prefill_tokens_per_second_per_gpu(
        matmul_flops_per_token=matmul, attention_flops_per_token=attention,
        peak_flops_per_second=hw.peak_flops_per_second,
        attention_peak_flops_per_second=hw.attention_peak_flops_per_second, mfu=1.0)
    computed = measurement.tokens_per_second_per_node * uncached_share
    return {
        "measured": measurement.tokens_per_second_per_node,
        "computed": computed,
        "roofline": ideal * GPUS_PER_NODE,
        "mfu": computed / (ideal * GPUS_PER_NODE),
        "usd_per_mtok": serving.usd_per_million_tokens(usd_per_gpu_hour=price, gpus=GPUS_PER_NODE,
                                                       tokens_per_second=measurement.tokens_per_second_per_node),
    }


def check(values: Mapping[str, Any]) -> list[FieldError]:
    """DeepSeek's decode batch is its throughput over the per-user speed: it must come to one sequence or more."""
    decode = data.serving().measurements["deepseek-day6-decode"]
    gpus = data.serving().deployments[decode.deployment].gpus
    fastest = decode.tokens_per_second_per_node / GPUS_PER_NODE * gpus
    if values["user_tokens_per_second"] > fastest:
        return [FieldError(field="user_tokens_per_second", message=(
            f"At most {format_count(fastest)} tokens/s: faster, DeepSeek's {format_count(decode.tokens_per_second_per_node)} "
            f"tokens/s per node would be less than one sequence on its {gpus} decode GPUs."))]
    return []


def compute(values: Mapping[str, Any]) -> Result:
    facts = data.serving()
    day = facts.disclosures["deepseek-day6"]
    price, speed, accept = values["usd_per_gpu_hour"], values["user_tokens_per_second"], values["mtp_acceptance"]
    m = facts.measurements
    day6_batch = m["deepseek-day6-decode"].tokens_per_second_per_node / GPUS_PER_NODE / speed
    rows = {
        "day6_decode": decode_row(m["deepseek-day6-decode"], batch_per_gpu=day6_batch, acceptance_rate=accept,
                                  price=price),
        "sglang_decode": decode_row(m["sglang-decode-2k"], batch_per_gpu=m["sglang-decode-2k"].batch_per_gpu,
                                    acceptance_rate=0.0, price=price),
        "day6_prefill": prefill_row(m["deepseek-day6-prefill"], price=price,
                                    uncached_share=1 - day.cache_hit_tokens / day.input_tokens),
        **{f"sglang_prefill_{n}k": prefill_row(m[f"sglang-prefill-{n}k"], uncached_share=1.0, price=price)
           for n in (1, 2, 4)},
    }
    table_rows = []
    for key, name in (("day6_decode", "DeepSeek decode, 18 H800 nodes, KV 4,989"),
                      ("sglang_decode", "SGLang decode, 9 H100 nodes, KV 2,000")):
        r = rows[key]
        table_rows.append([name, format_count(r["measured"]), format_count(r["roofline"]), format_percent(r["mbu"]),
                           format_percent(r["mfu"]), format_usd(r["usd_per_mtok"])])
    for key, name in (("day6_prefill", "DeepSeek prefill, 4 H800 nodes (56% cache hits)"),
                      ("sglang_prefill_1k", "SGLang prefill, 4 H100 nodes, 1K prompts"),
                      ("sglang_prefill_2k", "SGLang prefill, 2K prompts"),
                      ("sglang_prefill_4k", "SGLang prefill, 4K prompts")):
        r = rows[key]
        measured = format_count(r["measured"])
        if r["computed"] != r["measured"]:
            measured += f" ({format_count(r['computed'])} computed)"
        table_rows.append([name, measured, format_count(r["roofline"]), "–", format_percent(r["mfu"]),
                           format_usd(r["usd_per_mtok"])])
    table = {
        "title": f"DeepSeek-V3 serving: measured against the roofline (FP8 products, BF16 attention), at "
                 f"{format_usd(price)} per GPU-hour",
        "columns": ["Deployment", "Measured tokens/s per node", "Roofline at 100%", "Implied MBU", "Implied MFU",
                    "$ per M tokens, measured"],
        "rows": table_rows,
    }
    claim = facts.figures["claim.sglang-usd-per-mtok-output"].values["value"]
    out = {
        "day6_decode_batch_per_gpu": day6_batch,
        "day6_decode_step_ms": rows["day6_decode"]["step_ms"],
        "day6_decode_roofline": rows["day6_decode"]["roofline"],
        "day6_decode_mbu": rows["day6_decode"]["mbu"],
        "day6_decode_mfu": rows["day6_decode"]["mfu"],
        "day6_prefill_computed": rows["day6_prefill"]["computed"],
        "day6_prefill_mfu": rows["day6_prefill"]["mfu"],
        "sglang_decode_step_ms": rows["sglang_decode"]["step_ms"],
        "sglang_decode_roofline": rows["sglang_decode"]["roofline"],
        "sglang_decode_mbu": rows["sglang_decode"]["mbu"],
        "sglang_decode_mfu": rows["sglang_decode"]["mfu"],
        "sglang_prefill_4k_mfu": rows["sglang_prefill_4k"]["mfu"],
        "sglang_prefill_1k_mfu": rows["sglang_prefill_1k"]["mfu"],
        "sglang_usd_per_mtok_output": rows["sglang_decode"]["usd_per_mtok"],
        "sglang_usd_per_mtok_output_published": claim,
    }
    notes = (
        f"Roofline at 100%: the serving-cost model with MBU = MFU = 1 and no overhead, for DeepSeek-V3 in FP8 with a "
        f"BF16 cache, on the published units (DeepSeek: EP144 over 144 H800, SGLang: EP72 over 72 H100, "
        f"data-parallel attention, 32 redundant experts).",
        f"Implied MBU and MFU: the time the step's reads (or its arithmetic) would take at 100%, over the step time "
        f"the measurement implies. The larger of the two is how close the deployment runs to the roofline; the rest "
        f"is communication, scheduling, imbalance and idle time, which the model leaves out.",
        f"DeepSeek's decode batch is not published: {format_number(day6_batch)} sequences per GPU is the throughput "
        f"per GPU over the {format_number(speed)} tokens/s each user sees. MTP with acceptance "
        f"{format_percent(accept)} is assumed (the V3 report's 85–90%); its step time, and so the implied MBU, "
        f"scale with 1 + acceptance.",
        f"SGLang's “$0.20 per 1M output tokens” is not derived in its post. 8 GPUs × "
        f"{format_usd(price)} / 22,282 tokens/s gives {format_usd(rows['sglang_decode']['usd_per_mtok'])}: the "
        f"decode nodes alone at $2 per GPU-hour, prefill not counted. This reading is a reconstruction.",
        "DeepSeek's prefill figure counts cache hits as input; only the uncached share was computed, and that is "
        "what the implied MFU uses (prompt length taken as DeepSeek's 4K profile).",
    )
    return Result(values=out, notes=notes, tables=(table,))


CALCULATOR = (
    Calculator(
        id="serving-measured",
        title="Measured against modelled: DeepSeek-V3 serving",
        summary="DeepSeek's own serving throughputs and SGLang's 96-H100 reproduction against the roofline model, "
                "with the MBU and MFU each implies, and SGLang's $0.20 per million output tokens reconstructed.",
        fields=(
            price_field("Price per GPU-hour for the cost column ($2: DeepSeek's assumption).", group=ASSUMPTIONS),
            NumberField(name="user_tokens_per_second", label="DeepSeek's output speed per user", unit="tokens/s",
                        default=21, minimum=0, exclusive_minimum=True, maximum=1e6, group=ASSUMPTIONS,
                        help="Day 6: 20–22 on average; sets the decode batch the throughput implies."),
            NumberField(name="mtp_acceptance", label="MTP acceptance assumed for DeepSeek", symbol="a",
                        unit="fraction", default=0.85, minimum=0, maximum=0.999, group=ASSUMPTIONS,
                        help="Not stated on Day 6; the V3 report gives 85–90%. 0: no MTP."),
        ),
        outputs=(
            Output(name="day6_decode_batch_per_gpu", label="DeepSeek decode: sequences per GPU (implied)",
                   unit="sequences", format="number"),
            Output(name="day6_decode_step_ms", label="DeepSeek decode: step time (implied), ms", unit="ms",
                   format="number"),
            Output(name="day6_decode_roofline", label="DeepSeek decode: roofline tokens/s per node", unit="tokens/s",
                   format="count"),
            Output(name="day6_decode_mbu", label="DeepSeek decode: implied MBU", unit="fraction", format="percent",
                   main=True),
            Output(name="day6_decode_mfu", label="DeepSeek decode: implied MFU", unit="fraction", format="percent",
                   main=True),
            Output(name="day6_prefill_computed", label="DeepSeek prefill: uncached tokens/s per node",
                   unit="tokens/s", format="count"),
            Output(name="day6_prefill_mfu", label="DeepSeek prefill: implied MFU", unit="fraction", format="percent"),
            Output(name="sglang_decode_step_ms", label="SGLang decode: step time (implied), ms", unit="ms",
                   format="number"),
            Output(name="sglang_decode_roofline", label="SGLang decode: roofline tokens/s per node", unit="tokens/s",
                   format="count"),
            Output(name="sglang_decode_mbu", label="SGLang decode: implied MBU", unit="fraction", format="percent"),
            Output(name="sglang_decode_mfu", label="SGLang decode: implied MFU", unit="fraction", format="percent"),
            Output(name="sglang_prefill_1k_mfu", label="SGLang prefill, 1K: implied MFU", unit="fraction",
                   format="percent"),
            Output(name="sglang_prefill_4k_mfu", label="SGLang prefill, 4K: implied MFU", unit="fraction",
                   format="percent"),
            Output(name="sglang_usd_per_mtok_output", label="SGLang decode: $ per M output tokens", unit="USD",
                   format="usd", main=True),
            Output(name="sglang_usd_per_mtok_output_published", label="SGLang's published figure", unit="USD",
                   format="usd"),
        ),
        compute=compute,
        check=check,
        examples=(
            Example(title="At $2 per GPU-hour: SGLang's $0.20 per million output tokens",
                    inputs={}, expected={"sglang_usd_per_mtok_output": 0.1995},
                    source="LMSYS blog, 2025-05-05: '$0.20/1M output tokens' (derivation not shown)"),
            Example(title="DeepSeek without MTP", inputs={"mtp_acceptance": 0}),
        ),
    )
)
