"""How long one rerun of a page takes (what every widget change costs), AppTest, warm.

Concepts (default): opens the page, runs it once to warm caches and imports, then times
``--repeats`` reruns with the playground tab open. ``--page image_classification``: the built-in
digits with a seed CNN trained for 3 epochs (a cache hit after the first time), the Data tab open.
``--page gradient_lab``: the 20-layer sigmoid preset trained, its doctor and run details shown.
Prints JSON: median seconds. ``--root DIR`` measures another checkout (e.g. the commit before).

Run: python bench/concepts_rerun.py [--page image_classification|gradient_lab]
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rerun_until(app, condition, seconds: float = 600) -> None:
    """Rerun until ``condition()``: a training job's fragment does not tick inside AppTest."""
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline and not app.exception, app.exception
        time.sleep(0.2)
        app.run()


def open_page(root: Path, page: str):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=600)
    app.query_params["lang"] = "en"
    app.run()
    app.switch_page(f"app_pages/{page}.py").run()
    if page == "image_classification":
        app.radio(key="image_source").set_value("digits").run()
        app.slider(key="image_epochs").set_value(3).run()
        app.button(key="image_train").click().run()
        rerun_until(app, lambda: any("test accuracy" in block.value for block in app.success))
    if page == "gradient_lab":
        app.button(key="preset-sigmoid_vanishes").click().run()
        next(button for button in app.button if button.label.startswith("Train")).click().run()
        rerun_until(app, lambda: any(header.value.endswith("Gradient doctor") for header in app.subheader))
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--page", default="concepts", choices=["concepts", "image_classification", "gradient_lab"])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    args = parser.parse_args()
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    app = open_page(root, args.page)
    app.run()  # warm: every open tab's imports and caches
    seconds = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        app.run()
        seconds.append(time.perf_counter() - started)
    assert not app.exception, app.exception
    print(json.dumps({"page": args.page, "rerun_seconds_median": round(statistics.median(seconds), 3),
                      "samples": [round(value, 3) for value in seconds]}, indent=2))


if __name__ == "__main__":
    main()
