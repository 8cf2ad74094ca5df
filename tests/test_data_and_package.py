"""The facts in data/ carry their sources; the package is standard-library only and ships them in its wheel."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import calculators
from calculators import data

ROOT = Path(__file__).resolve().parents[1]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_every_model_record_has_source_date_and_published_figures() -> None:
    models = data.models()
    assert {"deepseek-v3", "deepseek-v2", "deepseek-llm-67b", "llama-3.1-405b", "llama-3.1-8b", "qwen2.5-72b"} <= set(models)
    for key, model in models.items():
        assert model.source and DATE.match(model.as_of), key
        assert model.config["num_hidden_layers"] > 0, key
        assert model.published, key
        for fig in model.published:
            assert fig.source and DATE.match(fig.as_of) and fig.value > 0, (key, fig.what)


def test_every_accelerator_has_source_and_date() -> None:
    for key, acc in data.accelerators().items():
        assert acc.source and DATE.match(acc.as_of) and acc.memory_bytes > 0, key


def test_unverified_records_say_why() -> None:
    for record in [*data.models().values(), *data.accelerators().values()]:
        if not record.verified:
            assert record.note, record.key


def test_package_imports_only_the_standard_library() -> None:
    stdlib = set(sys.stdlib_module_names)
    for path in (ROOT / "calculators").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in stdlib | {"__future__"}, f"{path.name} imports {name}"


def test_wheel_is_pure_python_carries_data_and_installs(wheel_path: Path, tmp_path: Path) -> None:
    assert wheel_path.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel_path) as whl:
        names = set(whl.namelist())
    assert "calculators/_data/models/deepseek-v3.toml" in names
    assert "calculators/_data/accelerators.toml" in names
    target = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target),
                    str(wheel_path)], check=True, capture_output=True)
    probe = (f"import sys; sys.path.insert(0, {str(target)!r}); import calculators, calculators.data as d; "
             "print(calculators.__file__); print(d.data_dir()); "
             "print(calculators.run('kv-cache', {'preset': 'deepseek-v3'})['outputs']['bytes_per_token']['value'])")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    module_file, data_dir, value = proc.stdout.split()
    assert module_file.startswith(str(target)) and data_dir.endswith("calculators/_data")
    assert float(value) == 70272.0


def _public_names() -> set[str]:
    import importlib
    import pkgutil

    names = {f"calculators.{n}" for n in calculators.__all__}
    for info in pkgutil.walk_packages(calculators.__path__, "calculators."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        names |= {f"{info.name}.{n}" for n in getattr(module, "__all__", [])}
    return names


def test_every_public_name_is_on_a_reference_page() -> None:
    documented_modules = set()
    for page in (ROOT / "docs" / "reference").glob("*.md"):
        documented_modules |= set(re.findall(r"^::: (calculators[\w.]*)", page.read_text(), re.M))
    missing = []
    for name in sorted(_public_names()):
        module, _, _ = name.rpartition(".")
        if module not in documented_modules and name not in documented_modules:
            missing.append(name)
    assert not missing, f"public names on no reference page: {missing}"


@pytest.mark.parametrize("name", sorted(_public_names()))
def test_public_name_has_a_docstring(name: str) -> None:
    import importlib

    module, _, attr = name.rpartition(".")
    obj = getattr(importlib.import_module(module), attr)
    if callable(obj) or isinstance(obj, type):
        assert (obj.__doc__ or "").strip(), f"{name} has no docstring"
