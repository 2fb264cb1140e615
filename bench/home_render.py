"""First render of the home page against a bare one-title Streamlit page, each in a fresh process.

Each sample is a new Python process that imports Streamlit, builds an AppTest and times its first
``run()`` (what a visitor's first paint costs the server). Prints JSON: median seconds of each
(``--repeats`` samples, default 3) and the ratio. Run: python bench/home_render.py
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = """
import sys, time
sys.path.insert(0, {root!r})
from streamlit.testing.v1 import AppTest
app = AppTest.from_{kind}({target}, default_timeout=120)
started = time.perf_counter()
app.run()
elapsed = time.perf_counter() - started
assert not app.exception, app.exception
print(elapsed)
"""



def first_render_seconds(kind: str, target: str) -> float:
    code = SAMPLE.format(root=str(ROOT), kind=kind, target=target)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    bare_file = Path(tempfile.mkdtemp()) / "bare.py"
    bare_file.write_text("import streamlit as st\nst.title('Hello')\n")
    bare, home = [], []
    for _ in range(args.repeats):  # interleaved, so machine load hits both alike
        bare.append(first_render_seconds("file", repr(str(bare_file))))
        home.append(first_render_seconds("file", repr(str(ROOT / "streamlit_app.py"))))
    print(json.dumps({
        "bare_page_seconds": round(statistics.median(bare), 3),
        "home_page_seconds": round(statistics.median(home), 3),
        "ratio": round(statistics.median(home) / statistics.median(bare), 2),
        "samples": {"bare": [round(value, 3) for value in bare], "home": [round(value, 3) for value in home]},
    }, indent=2))


if __name__ == "__main__":
    main()
