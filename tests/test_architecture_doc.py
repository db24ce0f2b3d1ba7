"""docs/ARCHITECTURE.md holds to the code, and every file a comment cites
exists (issue 17: "the picture of the tree matches the code").

- every module or folder the tree picture names exists in its layer;
- every package of planner, storage and tui is in the picture;
- every repository path the text names in backticks exists;
- every path of the repository cited in a comment or docstring of the code,
  the tests or the benches exists (bench/out/, the benches' own output, is
  not kept in the repository).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "ARCHITECTURE.md"
LAYERS = ("tui", "storage", "planner")
NAME = re.compile(r"(?<![\w./-])(\w+(?:/\w+)*(?:\.(?:py|toml|tcss)(?!\w)|/(?![\w.])))")
CITED = re.compile(r"(?<![\w./-])((?:docs|planner|storage|tui|tests|bench|\.ci)/[\w./-]*[\w-]"
                   r"\.(?:py|md|toml|tcss|json|csv|sh|txt))")
NOT_KEPT = ("bench/out/",)  # .gitignore
PACKAGES_LEFT_OUT = ("storage/migrations/versions",)


def tree_picture() -> dict[str, list[str]]:
    """The names of the first code block of the doc, by layer."""
    block = DOC.read_text(encoding="utf-8").split("```")[1]
    names: dict[str, list[str]] = {layer: [] for layer in LAYERS}
    layer = None
    for line in block.splitlines():
        heading = re.match(r"\s*│ (\w+)\s", line)
        if heading and heading.group(1) in LAYERS:
            layer = heading.group(1)
        if layer is not None:
            names[layer] += NAME.findall(line)
    return names


def exists_in(layer: str, name: str) -> bool:
    """`name` ("loading.py", "case_parts/", "widgets/narrow.py") is the end
    of a path of a file or folder in `layer`."""
    base = ROOT / layer
    if name.endswith("/"):
        return any(p.is_dir() and (p.relative_to(ROOT).as_posix() + "/").endswith("/" + name)
                   for p in base.rglob(name.rstrip("/").split("/")[-1]))
    return any((p.relative_to(ROOT).as_posix()).endswith("/" + name)
               for p in base.rglob(name.split("/")[-1]))


def packages(layer: str) -> list[Path]:
    return sorted(p.parent for p in (ROOT / layer).rglob("__init__.py")
                  if p.parent != ROOT / layer
                  and not p.parent.relative_to(ROOT).as_posix().startswith(PACKAGES_LEFT_OUT))


def test_every_name_of_the_tree_picture_exists():
    names = tree_picture()
    assert all(len(found) > 10 for found in names.values()), names
    missing = [f"{layer}: {name}" for layer, found in names.items() for name in found if not exists_in(layer, name)]
    assert missing == []


def test_every_package_is_in_the_tree_picture():
    names = tree_picture()
    missing = [p.relative_to(ROOT).as_posix() for layer in LAYERS for p in packages(layer)
               if not any(n.endswith("/") and f"{p.relative_to(ROOT).as_posix()}/".endswith("/" + n)
                          for n in names[layer])]
    assert missing == []


def test_every_path_in_the_text_exists():
    paths = re.findall(r"`((?:docs|planner|storage|tui|tests|bench)/[^`\s{}<>*]+)`", DOC.read_text(encoding="utf-8"))
    assert len(paths) > 30
    missing = sorted({p for p in paths if not (ROOT / p.rstrip("/").split(":")[0]).exists()})
    assert missing == []


def comments_and_docstrings(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    out = [(t.start[0], t.string) for t in tokenize.generate_tokens(io.StringIO(source).readline)
           if t.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                out.append((node.body[0].lineno, doc))
    return out


def cited_files() -> dict[str, list[str]]:
    """Each repository path cited in a comment or docstring -> where."""
    cited: dict[str, list[str]] = {}
    for top in ("planner", "storage", "tui", "tests", "bench"):
        for path in sorted((ROOT / top).rglob("*.py")):
            for line, text in comments_and_docstrings(path):
                for name in CITED.findall(text):
                    cited.setdefault(name, []).append(f"{path.relative_to(ROOT)}:{line}")
    return cited


def test_every_file_cited_in_a_comment_exists():
    cited = cited_files()
    assert len(cited) > 100, "the scan finds the citations"
    missing = {name: where for name, where in cited.items()
               if not name.startswith(NOT_KEPT) and not (ROOT / name).exists()}
    assert missing == {}
