"""Guards of the layering rules: dl never imports streamlit; pages never import a framework;
the home page renders without loading TensorFlow."""

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
    long_pages = {path.name: n for path in (ROOT / "app_pages").glob("*.py") if (n := len(path.read_text().splitlines())) > 200}
    assert long_pages == {}
