"""Guards of the layering rules: dl never imports streamlit; pages never import a framework;
the home page renders without loading TensorFlow; no project modules import each other in a circle,
counting the imports inside functions too."""

import ast
import re
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("tensorflow", "keras", "torch", "transformers")


def imported_modules(path: Path) -> set[str]:
    pattern = re.compile(r"^\s*(?:import|from)\s+([\w.]+)", re.MULTILINE)
    return {match.split(".")[0] for match in pattern.findall(path.read_text(encoding="utf-8"))}


def test_dl_never_imports_streamlit():
    offenders = [str(path) for path in (ROOT / "dl").rglob("*.py") if "streamlit" in imported_modules(path)]
    assert offenders == []


def test_pages_and_router_import_no_framework():
    files = [ROOT / "streamlit_app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
    offenders = {str(path.name): sorted(imported_modules(path) & set(FRAMEWORKS)) for path in files}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_home_page_renders_without_loading_tensorflow_or_torch():
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "app = AppTest.from_file('streamlit_app.py', default_timeout=60).run()\n"
        "assert not app.exception, app.exception\n"
        "assert app.title, 'home page rendered nothing'\n"
        "print(sorted(m for m in ('tensorflow', 'torch', 'keras', 'transformers') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_page_files_stay_short():
    long_pages = {
        path.name: n for path in (ROOT / "app_pages").glob("*.py") if (n := len(path.read_text().splitlines())) > 200
    }
    assert long_pages == {}


PROJECT_PACKAGES = ("dl", "ui")


def project_modules(root: Path) -> dict[str, Path]:
    """Dotted name -> file of every module under ``root``/dl and ``root``/ui (a package by its __init__.py)."""
    return {
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): path
        for package in PROJECT_PACKAGES
        for path in (root / package).rglob("*.py")
    }


def nearest_module(dotted: str, modules: Collection[str]) -> str | None:
    """The longest leading part of ``dotted`` that is a project module (``dl.data.DataError`` -> ``dl.data``)."""
    while dotted and dotted not in modules:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def imported_project_modules(name: str, path: Path, modules: Collection[str]) -> set[str]:
    """Every project module that module ``name`` (file ``path``) imports, wherever the statement stands.

    Imports inside functions count as much as those at the top: they do not fail at load time, but
    two modules that call into each other still cannot be read, tested or changed one at a time,
    and the shared piece belongs a level down. Relative imports are resolved against ``name``;
    ``from package import thing`` is an import of ``package.thing`` when that is a module.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from . import x, from ..y import z
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - (node.level - 1)], *filter(None, [node.module])])
            found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names)
    return {module for imported in found if (module := nearest_module(imported, modules)) not in (None, name)}


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the project modules it imports, for every module of dl/ and ui/ under ``root``."""
    modules = project_modules(root)
    return {name: imported_project_modules(name, path, modules) for name, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles as paths ``[a, b, ..., a]``, empty when there are none.

    A depth-first search over the graph: an edge back to a module still on the current path closes
    a cycle (and a graph without such an edge has no cycle).
    """
    cycles: list[list[str]] = []
    path: list[str] = []
    finished: set[str] = set()

    def visit(module: str) -> None:
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            if imported in path:
                cycles.append([*path[path.index(imported) :], imported])
            elif imported not in finished:
                visit(imported)
        path.pop()
        finished.add(module)

    for module in sorted(graph):
        if module not in finished:
            visit(module)
    return cycles


def test_no_import_cycles_between_project_modules():
    cycles = find_cycles(import_graph(ROOT))
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_cycle_finder_finds_a_planted_cycle_and_nothing_in_a_tree():
    planted = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "c"}}
    assert find_cycles(planted) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b", "c"}, "b": {"c"}, "c": set(), "d": {"a"}}) == []


def test_a_cycle_through_imports_inside_functions_is_found(tmp_path):
    """A planted package whose only cycles go through imports inside functions, one of them relative."""
    files = {
        "dl/__init__.py": "",
        "dl/shapes/__init__.py": "",
        "dl/shapes/kinds.py": "def pixels():\n    from dl.shapes.model import prepare\n    return prepare\n",
        "dl/shapes/model.py": "from dl.shapes import kinds\n\n\ndef prepare():\n    return kinds\n",
        "dl/shapes/reader.py": "def read():\n    from .writer import write\n\n    return write\n",
        "dl/shapes/writer.py": "class Writer:\n    def reader(self):\n        from ..shapes import reader\n\n        return reader\n",
        "ui/__init__.py": "",
        "ui/view.py": "import dl.shapes.model\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = import_graph(tmp_path)
    assert graph["ui.view"] == {"dl.shapes.model"} and graph["dl.shapes.writer"] == {"dl.shapes.reader"}
    assert find_cycles(graph) == [
        ["dl.shapes.kinds", "dl.shapes.model", "dl.shapes.kinds"],
        ["dl.shapes.reader", "dl.shapes.writer", "dl.shapes.reader"],
    ]
