"""Command line: ``python -m calculators list``, ``python -m calculators run ID [name=value ...]`` and
``python -m calculators sensitivity ID [name=value ...] [--output NAME] [--percent P] [--no-ranges]``.

Exit codes: 0 on success, 2 when the inputs are invalid (the field errors are printed) or the call is malformed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from .model_config import MAX_CONFIG_CHARS
from .registry import calculator_ids, get_calculator, list_calculators, run
from .schema import Calculator, ChoiceField, TextField
from .sensitivity import sensitivity

__all__ = ["main"]


def _field_help(calc: Calculator) -> str:
    lines = ["inputs (name=value):"]
    for f in calc.fields:
        if isinstance(f, ChoiceField):
            kinds = "|".join(v for v, _ in f.choices)
            lines.append(f"  {f.name}={kinds}  (default {f.default})")
        elif isinstance(f, TextField):
            how = "  (or --config FILE)" if f.name == "config" else ""
            lines.append(f"  {f.name}=TEXT{how}")
        else:
            unit = f" [{f.unit}]" if f.unit else ""
            bounds = []
            if f.minimum is not None:
                bounds.append(f"{'>' if f.exclusive_minimum else '>='} {f.minimum:g}")
            if f.maximum is not None:
                bounds.append(f"<= {f.maximum:g}")
            kind = "integer" if f.integer else "number"
            lines.append(f"  {f.name}={kind}{unit}  (default {f.default:g}; {', '.join(bounds)})")
        lines.append(f"      {f.label}: {f.help}")
    lines.append("outputs:")
    for o in calc.outputs:
        lines.append(f"  {o.name} [{o.unit}]: {o.label}")
    presets = ", ".join(calc.presets())
    if presets:
        lines.append(f"presets: {presets}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m calculators", description="LLM cost calculators.")
    sub = parser.add_subparsers(dest="command", required=True)
    lister = sub.add_parser("list", help="list the calculators")
    lister.add_argument("--json", action="store_true", help="print the full schema as JSON")
    runner = sub.add_parser("run", help="run a calculator", add_help=False)
    runner.add_argument("id", nargs="?", help="calculator id (see `list`)")
    runner.add_argument("assignments", nargs="*", metavar="name=value", help="inputs")
    runner.add_argument("--preset", help="fill the model inputs from a preset; explicit inputs override it")
    runner.add_argument("--config", metavar="FILE", help="a Hugging Face config.json to count the model from")
    runner.add_argument("--json", action="store_true", help="print the result as JSON")
    runner.add_argument("-h", "--help", action="store_true", help="show the calculator's inputs and outputs")
    varier = sub.add_parser("sensitivity", help="which inputs move an output most (a tornado table)")
    varier.add_argument("id", help="calculator id (see `list`)")
    varier.add_argument("assignments", nargs="*", metavar="name=value", help="inputs")
    varier.add_argument("--preset", help="fill the model inputs from a preset; explicit inputs override it")
    varier.add_argument("--config", metavar="FILE", help="a Hugging Face config.json to count the model from")
    varier.add_argument("--output", help="the output to watch (default: the calculator's main one)")
    varier.add_argument("--percent", help="vary inputs without a stated range by this many percent (default 10)")
    varier.add_argument("--no-ranges", action="store_true", help="vary every input by --percent, ignoring ranges")
    varier.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _print_list(as_json: bool, out: TextIO) -> None:
    if as_json:
        json.dump(list_calculators(), out, indent=2)
        out.write("\n")
        return
    for calc in list_calculators():
        out.write(f"{calc['id']:<16} {calc['title']}: {calc['summary']}\n")


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    calc = get_calculator(args.id) if args.id else None
    if args.help:
        if calc is None:
            out.write("usage: python -m calculators run ID [name=value ...] [--preset NAME] [--config FILE] [--json]\n")
            out.write(f"calculators: {', '.join(calculator_ids())}\n")
            return 0 if args.id is None else 2
        config = " [--config FILE]" if calc.field("config") else ""
        out.write(f"usage: python -m calculators run {calc.id} [name=value ...] [--preset NAME]{config} [--json]\n\n")
        out.write(f"{calc.title}: {calc.summary}\n\n{_field_help(calc)}\n")
        return 0
    if args.id is None:
        err.write("error: name a calculator: python -m calculators run ID (see `python -m calculators list`)\n")
        return 2
    inputs = _inputs(args, calc, err)
    if inputs is None:
        return 2
    result = run(args.id, inputs)
    if args.json:
        public = {
            "calculator": result["calculator"],
            "outputs": {
                name: {"value": o["value"], "unit": o["unit"], "label": o["label"]}
                for name, o in result["outputs"].items()
            },
            "errors": result["errors"],
            "notes": result["notes"],
            "charts": [chart["spec"] for chart in result["charts"]],
        }
        json.dump(public, out, indent=2)
        out.write("\n")
    if result["errors"]:
        for e in result["errors"]:
            where = f"{e['field']}: " if e["field"] else ""
            err.write(f"error: {where}{e['message']}\n")
        return 2
    if not args.json:
        width = max(len(o["label"]) for o in result["outputs"].values())
        for o in result["outputs"].values():
            if o["value"] is not None:
                out.write(f"{o['label']:<{width}}  {o['text']}\n")
        for table in result["tables"]:
            _write_table(table, out)
        for note in result["notes"]:
            out.write(f"note: {note}\n")
    return 0


def _inputs(args: argparse.Namespace, calc: Calculator | None, err: TextIO) -> dict[str, Any] | None:
    """The inputs named on the command line (name=value, --preset, --config FILE), or None after an error."""
    inputs: dict[str, Any] = {}
    for item in args.assignments:
        name, sep, value = item.partition("=")
        if not sep or not name:
            err.write(f"error: expected name=value, got {item!r}\n")
            return None
        inputs[name] = value
    if args.preset:
        inputs["preset"] = args.preset
    if args.config:
        if calc is None or calc.field("config") is None:
            takes = [c for c in calculator_ids() if get_calculator(c).field("config")]  # type: ignore[union-attr]
            err.write(f"error: {args.id} does not take a model config; these do: {', '.join(takes)}\n")
            return None
        text, problem = _read_config_file(args.config)
        if problem:
            err.write(f"error: config: {problem}\n")
            return None
        inputs["config"] = text
    return inputs


def _sensitivity(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    inputs = _inputs(args, get_calculator(args.id), err)
    if inputs is None:
        return 2
    result = sensitivity(args.id, inputs, output=args.output, percent=args.percent, ranges=not args.no_ranges)
    if result["errors"]:
        for e in result["errors"]:
            where = f"{e['field']}: " if e["field"] else ""
            err.write(f"error: {where}{e['message']}\n")
        return 2
    if args.json:
        json.dump({key: value for key, value in result.items() if key != "chart"}
                  | {"chart": result["chart"]["spec"] if result["chart"] else None}, out, indent=2)
        out.write("\n")
        return 0
    out.write(f"{result['output']['label']}: {result['base']['text']} with the inputs given\n")
    rows = [["Input", "Low", "High", "Output at low", "Output at high", "Range"]]
    for bar in result["bars"]:
        rows.append([bar["label"], bar["low_input_text"], bar["high_input_text"], bar["low_text"] or "refused",
                     bar["high_text"] or "refused", bar["source"]])
    _write_table({"title": "Largest swing first", "columns": rows[0], "rows": rows[1:]}, out)
    for bar in result["bars"]:
        for problem in bar["problems"]:
            out.write(f"note: {bar['label']}, {problem}\n")
    for note in result["notes"]:
        out.write(f"note: {note}\n")
    return 0


def _write_table(table: dict, out: TextIO) -> None:
    """A result table as aligned plain-text columns under its title."""
    rows = [table["columns"], *table["rows"]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table["columns"]))]
    out.write(f"\n{table['title']}\n")
    for row in rows:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n")
    out.write("\n")


def _read_config_file(path: str) -> tuple[str, str | None]:
    """The text of a config file, or a message; a file larger than the calculators accept is not read whole."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_CONFIG_CHARS * 4 + 1)  # UTF-8 takes at most 4 bytes a character
    except OSError as exc:
        return "", f"cannot read {path}: {exc.strerror or exc}"
    if len(raw) > MAX_CONFIG_CHARS * 4:
        return "", f"{path} is larger than {MAX_CONFIG_CHARS * 4:,} bytes; a config.json is a few kB."
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return "", f"{path} is not UTF-8 text."


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line with `argv` (default: ``sys.argv[1:]``); returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    try:
        args, extra = parser.parse_known_args(argv)
    except SystemExit as exc:  # argparse exits 2 on a malformed call, 0 on --help
        return int(exc.code or 0)
    # name=value pairs may stand after options (`run ID --preset X a=1`): argparse leaves those over.
    stray = [item for item in extra if "=" not in item or item.startswith("-")]
    if stray or (extra and args.command not in ("run", "sensitivity")):
        err.write(f"error: unrecognized arguments: {' '.join(stray or extra)}\n")
        return 2
    if args.command in ("run", "sensitivity"):
        args.assignments = [*args.assignments, *extra]
    if args.command == "list":
        _print_list(args.json, out)
        return 0
    if args.command == "sensitivity":
        return _sensitivity(args, out, err)
    return _run(args, out, err)
