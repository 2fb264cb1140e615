"""Guards of the layering rules: dl never imports streamlit; pages never import a framework;
the home page renders without loading TensorFlow; no project modules import each other in a circle
when they load."""

import re
import subprocess
import sys
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


def module_level_imports(path: Path) -> set[str]:
    """Project modules (dl.*, ui.*) that ``path`` imports when it is loaded: top-level statements
    only; an import inside a function runs later and cannot make a cycle at load time."""
    import ast

    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("dl", "ui")}


def test_no_import_cycles_between_project_modules():
    files = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for package in ("dl", "ui")
        for path in (ROOT / package).rglob("*.py")
    }
    graph = {
        name: {imported for imported in module_level_imports(path) if imported in files and imported != name}
        for name, path in files.items()
    }

    def cycle_from(start: str) -> list[str] | None:
        stack, on_path = [(start, iter(sorted(graph[start])))], [start]
        while stack:
            _, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.pop()
            elif child == start:
                return [*on_path, start]
            elif child not in on_path:
                stack.append((child, iter(sorted(graph[child]))))
                on_path.append(child)
        return None

    cycles = {" -> ".join(cycle) for name in graph if (cycle := cycle_from(name))}
    assert cycles == set()
