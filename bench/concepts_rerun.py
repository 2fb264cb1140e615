"""How long one rerun of the Concepts page takes (what every widget change costs), AppTest, warm.

Opens the page, runs it once to warm caches and imports, then times ``--repeats`` reruns with the
playground tab open. Prints JSON: median seconds. Run: python bench/concepts_rerun.py
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    app.query_params["lang"] = "en"
    app.run()
    app.switch_page("app_pages/concepts.py").run()
    app.run()  # warm: every lesson's imports and caches
    seconds = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        app.run()
        seconds.append(time.perf_counter() - started)
    assert not app.exception, app.exception
    print(json.dumps({"rerun_seconds_median": round(statistics.median(seconds), 3),
                      "samples": [round(value, 3) for value in seconds]}, indent=2))


if __name__ == "__main__":
    main()
