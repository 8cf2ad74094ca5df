"""Inputs the reinforcement-learning calculators share: the shape of an RL step and the two utilisations."""

from __future__ import annotations

from typing import Any

from .. import data
from ..schema import NumberField

# Assumptions, not published figures: decoding is bound by memory bandwidth, passes over whole sequences by
# arithmetic. The pages say so wherever they are used.
GENERATION_MFU, TRAINING_MFU = 0.1, 0.35
PROMPT_TOKENS, RESPONSE_TOKENS = 200, 4000


def count_field(name: str, label: str, default: float, maximum: float, help: str, unit: str = "",
                symbol: str = "") -> NumberField:
    """A whole number from 1 to `maximum`."""
    return NumberField(name=name, label=label, unit=unit, symbol=symbol, default=default, integer=True, minimum=1,
                       maximum=maximum, help=help)


def mfu_field(name: str, label: str, default: float, help: str, **more: Any) -> NumberField:
    """A utilisation: a fraction in (0, 1]."""
    return NumberField(name=name, label=label, unit="fraction", default=default, minimum=0, exclusive_minimum=True,
                       maximum=1, help=help, **more)


def r1_zero_stage() -> data.RunStage:
    """DeepSeek-R1-Zero's RL stage as published, with its settings."""
    return data.training_runs()["deepseek-r1"].stages[0]


def step_fields() -> tuple[NumberField, ...]:
    """Prompts, answers per prompt, prompt and answer lengths, and training passes: one RL step's shape, with
    DeepSeek-R1-Zero's published batch (data/training_runs.toml) as the default."""
    r1_zero = r1_zero_stage()
    return (
        count_field("prompts", "Prompts per step", r1_zero.prompts_per_step, 1e6,
                    f"DeepSeek-R1-Zero: {r1_zero.prompts_per_step} questions a step."),
        count_field("group_size", "Answers per prompt", r1_zero.answers_per_prompt, 4096,
                    f"The group (DeepSeek-R1-Zero: {r1_zero.answers_per_prompt}).", unit="answers", symbol="G"),
        count_field("prompt_tokens", "Mean prompt length", PROMPT_TOKENS, 1e6,
                    "An assumption: DeepSeek gives no prompt length.", unit="tokens", symbol="T_p"),
        count_field("response_tokens", "Mean answer length", RESPONSE_TOKENS, 1e6,
                    "An assumption: DeepSeek-R1-Zero's answers grew from hundreds to thousands of tokens; the "
                    "paper prints no mean.", unit="tokens", symbol="T_r"),
        count_field("inner_epochs", "Training passes over each answer", 1, 100,
                    "DeepSeek-R1-Zero: a single inner epoch.", unit="passes", symbol="n_ep"),
    )


def mfu_fields(**more: Any) -> tuple[NumberField, ...]:
    """Generation's MFU and that of the passes over whole sequences (training and scoring)."""
    return (
        mfu_field("generation_mfu", "Generation MFU", GENERATION_MFU,
                  "Share of peak that decoding achieves: low, as it is bound by memory bandwidth (an assumption).",
                  **more),
        mfu_field("training_mfu", "Training and scoring MFU", TRAINING_MFU,
                  "Share of peak for passes over whole sequences (an assumption).", **more),
    )
