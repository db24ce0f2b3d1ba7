"""The CSV column spec (storage/csvio/spec.py) is the one home of every
column: docs/csv.md's tables are generated from it, the README's summary
lists the same columns, every plain column names a real model field, and
the CSV and sample packages stay in small pieces."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from storage.csvio import KINDS
from storage.csvio.docs import DOC, columns_markdown, replace_section

ROOT = Path(__file__).resolve().parents[2]


def test_docs_csv_md_holds_the_columns_the_spec_has():
    text = DOC.read_text(encoding="utf-8")
    assert columns_markdown() in text, "docs/csv.md is stale: run python -m storage.csvio.docs"
    assert replace_section(text) == text


def test_readme_lists_each_kinds_required_and_optional_columns():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\w+) \| (.+) \|$", readme, flags=re.M))
    for kind in KINDS.values():
        required, optional = rows[kind.name].split(" | ")
        assert re.findall(r"`([^`]+)`", required)[0].split(",") == list(kind.required), kind.name
        listed = re.findall(r"`([^`]+)`", optional)
        assert (listed[0].split(",") if listed else []) == list(kind.optional), kind.name  # `none`: not_with


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_column_says_where_it_goes(kind):
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401 - the models' tables, the one home of the schema

    spec = KINDS[kind]
    model_table = SQLModel.metadata.tables[spec.table_name]
    for col in spec.specs:
        if col.field is not None:
            assert col.field in model_table.columns, f"{kind}.{col.name}: no field {col.field}"
            assert col.field in spec.table.columns, f"{kind}.{col.name}: not in storage/tables.py"
        else:
            assert col.via, f"{kind}.{col.name}: neither a field nor how it is resolved"
    assert set(spec.key) <= set(spec.required)
    assert spec.columns == spec.required + spec.optional, "required columns come first"


def _sizes(folder: Path) -> list[str]:
    problems = []
    for path in sorted(folder.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) >= 600:
            problems.append(f"{path.name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    problems.append(f"{path.name}: {node.name} is {length} lines")
    return problems


@pytest.mark.parametrize("package", ["storage/csvio", "storage/sample"])
def test_modules_under_600_lines_and_functions_under_60(package):
    assert _sizes(ROOT / package) == []


def test_the_size_check_sees_a_long_function(tmp_path):
    (tmp_path / "long.py").write_text("def f():\n" + "    x = 1\n" * 60)
    assert _sizes(tmp_path) == ["long.py: f is 61 lines"]
