"""What a cache hit costs on the image page: pressing Train for settings already in the model store.

A first process trains the seed CNN on the built-in digits (3 epochs) through the page, which fills
a fresh model store. A second, fresh process (as after a server restart) opens the page, presses
Train with the same settings and times how long until the result (accuracy) is on the page, and
whether TensorFlow was imported by then; then it opens the Results tab and times its metrics and
Grad-CAM (which needs the model). AppTest, CPU. Prints JSON.

Run: python bench/app_cache_hit.py   (about a minute; --root DIR measures another checkout)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EPOCHS = 3


def open_image_page(root: Path):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=600)
    app.query_params["lang"] = "en"
    app.run()
    app.switch_page("app_pages/image_classification.py").run()
    app.radio(key="image_source").set_value("digits").run()
    app.slider(key="image_epochs").set_value(EPOCHS).run()
    return app


def wait_for(app, condition, seconds: float = 300) -> None:
    """Rerun quickly until ``condition(app)`` (a job's fragment does not tick inside AppTest)."""
    deadline = time.perf_counter() + seconds
    while not condition(app):
        if time.perf_counter() > deadline or app.exception:
            raise RuntimeError(f"the page did not get there: {app.exception}")
        time.sleep(0.05)
        app.run()


def has_result(app) -> bool:
    return any("test accuracy" in block.value for block in app.success)


def run_phase(root: Path, phase: str) -> dict:
    sys.path.insert(0, str(root))
    app = open_image_page(root)
    started = time.perf_counter()
    app.button(key="image_train").click().run()
    wait_for(app, has_result)
    result = {"seconds_to_result": round(time.perf_counter() - started, 3),
              "tensorflow_imported_at_result": "tensorflow" in sys.modules,
              "from_cache": any("model cache" in block.value for block in app.success)}
    if phase == "hit":
        started = time.perf_counter()
        results_label = app.tabs[1].label
        app.session_state["image_classification_tab"] = results_label  # open the Results tab (lazy tabs)
        app.run()
        wait_for(app, lambda page: len(page.tabs[1].metric) >= 4 and len(page.tabs[1].get("image")) > 0)
        result["seconds_to_results_tab_with_grad_cam"] = round(time.perf_counter() - started, 3)
        result["tensorflow_imported_after_results_tab"] = "tensorflow" in sys.modules
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--phase", choices=["fill", "hit"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.root.resolve(), args.phase)))
        return
    with tempfile.TemporaryDirectory() as cache:
        environment = {**os.environ, "DL_CACHE_DIR": cache}
        phases = {}
        for phase in ("fill", "hit"):
            process = subprocess.run([sys.executable, __file__, "--root", str(args.root), "--phase", phase],
                                     env=environment, capture_output=True, text=True, cwd=args.root)
            if process.returncode:
                raise SystemExit(f"the {phase} phase failed:\n{process.stderr[-3000:]}")
            phases[phase] = json.loads(process.stdout.strip().splitlines()[-1])
    fill, hit = phases["fill"], phases["hit"]
    print(json.dumps({
        "epochs": EPOCHS,
        "train_seconds_first": fill["seconds_to_result"],
        "cache_hit_seconds_to_result": hit["seconds_to_result"],
        "ratio": round(hit["seconds_to_result"] / fill["seconds_to_result"], 3),
        "tensorflow_imported_at_result": hit["tensorflow_imported_at_result"],
        "from_cache": hit["from_cache"],
        "results_tab_seconds_with_grad_cam": hit.get("seconds_to_results_tab_with_grad_cam"),
        "tensorflow_imported_after_results_tab": hit.get("tensorflow_imported_after_results_tab"),
    }, indent=2))


if __name__ == "__main__":
    main()
