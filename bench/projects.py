"""Keep, share and resume (issue 26): opening a project, resuming one, and the run list of 200 models.

1. ``open``: the CLI trains the seed CNN on the built-in digits and saves a project. A fresh process
   (another "machine": an empty model cache) opens the home page in AppTest, uploads the project and
   times until the image page shows the trained model's accuracy, and whether TensorFlow was imported
   by then (it should not be: that needs only meta.json); then the Results tab, whose Grad-CAM loads the model.
2. ``resume``: ``python -m dl train image --project P.zip --epochs 2``: the saved run's last training
   loss against the first resumed epoch's (and ln(10) = 2.30, where a fresh network starts).
3. ``run_list``: a model cache with 200 stored runs (real meta.json files of an image CNN, settings
   varied); times reading them (``dl.runs``) and the text page's "All runs" tab's whole rerun in AppTest.

Run: python bench/projects.py   (about two minutes). Prints JSON.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EPOCHS = 2

from app_cache_hit import wait_for  # noqa: E402 - a sibling script (bench/ is on sys.path when this runs)


def cli(arguments: list[str], cache: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "dl", *arguments, "--json"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "DL_CACHE_DIR": str(cache)}, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def open_phase(project: Path) -> dict:
    """In this (fresh) process: the home page, the upload, the image page with the model's result."""
    from streamlit.testing.v1 import AppTest

    def open_once() -> tuple[Any, float]:
        app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600)
        app.query_params["lang"] = "en"
        app.run()
        started = time.perf_counter()
        app.file_uploader(key="home_open_project").set_value((project.name, project.read_bytes(), "application/zip")).run()
        wait_for(app, lambda page: any("test accuracy" in box.value for box in page.success))
        return app, round(time.perf_counter() - started, 3)

    app, cold = open_once()  # a fresh server process: the image page's modules and the data doctor's scikit-learn load too
    result = {"seconds_to_result": cold, "tensorflow_imported": "tensorflow" in sys.modules}
    result["seconds_to_result_second_visitor"] = open_once()[1]  # the same server, another visitor opening it
    started = time.perf_counter()
    app.session_state["image_classification_tab"] = app.tabs[1].label  # Results: metrics, curves, then Grad-CAM (the model)
    app.run()
    result["results_tab_with_grad_cam_seconds"] = round(time.perf_counter() - started, 3)
    return result


def run_list_phase(cache: Path) -> dict:
    from streamlit.testing.v1 import AppTest

    from dl.runs import list_runs
    from dl.store import ModelStore

    started = time.perf_counter()
    runs = list_runs(ModelStore(cache), ["text"])
    read_seconds = time.perf_counter() - started
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600)
    app.query_params["lang"] = "en"
    app.run()
    app.switch_page("app_pages/text_classification.py").run()
    labels = [tab.label for tab in app.tabs]
    app.session_state["text_classification_tab"] = labels[-1]
    app.run()  # the first visit to the tab
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        app.run()
        timings.append(time.perf_counter() - started)
    rows = next(len(table.value) for table in app.dataframe if "trained" in table.value.columns)
    return {"runs": len(runs), "read_seconds": round(read_seconds, 3), "tab_rerun_seconds": round(sorted(timings)[1], 3),
            "rows_shown": rows}


def fill_cache(cache: Path, count: int = 200) -> None:
    """``count`` copies of one real text run's entry, each with its own settings (and so its own key)."""
    from dl.store import ModelStore, make_key

    cli(["train", "text", "--data", "rotten_tomatoes", "--max-texts", "500", "--epochs", "2"], cache)
    store = ModelStore(cache, max_bytes=2**40)
    entry = store.entries()[0]
    for index in range(count - 1):
        config = {**entry.meta["config"], "epochs": 2 + index % 9, "learning_rate": [0.0003, 0.001, 0.003, 0.01][index % 4],
                  "seed": index}
        key = make_key("text", config, entry.meta["data"]["fingerprint"])
        meta = {name: value for name, value in entry.meta.items() if name not in ("files", "key", "created", "versions")}
        meta["config"] = config
        store.put(key, lambda folder, source=entry.path: [shutil.copy(file, folder / file.name)
                                                           for file in source.iterdir() if file.name not in ("meta.json", "last_used")],
                  meta)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--open-phase":
        print(json.dumps(open_phase(Path(sys.argv[2]))))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--list-phase":
        print(json.dumps(run_list_phase(Path(sys.argv[2]))))
        return
    work = Path(tempfile.mkdtemp(prefix="dl-bench-projects-"))
    project = work / "digits.zip"
    trained = cli(["train", "image", "--data", "digits", "--epochs", str(EPOCHS), "--save-project", str(project)], work / "here")
    env = {**os.environ, "DL_CACHE_DIR": str(work / "there")}
    opened = json.loads(subprocess.run([sys.executable, __file__, "--open-phase", str(project)], cwd=ROOT, env=env,
                                       capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    resumed = cli(["train", "image", "--project", str(project), "--epochs", "2"], work / "there")
    saved_history = json.loads(subprocess.run([sys.executable, "-m", "dl", "open", str(project), "--json"], cwd=ROOT,
                                              capture_output=True, text=True, check=True).stdout)
    from dl.store import ModelStore

    resumed_entry = next(entry for entry in ModelStore(work / "there").entries() if entry.meta.get("resumed_from"))
    history = resumed_entry.meta["history"]
    fill_cache(work / "runs")
    listing = json.loads(subprocess.run([sys.executable, __file__, "--list-phase", str(work / "runs")], cwd=ROOT,
                                        env={**os.environ, "DL_CACHE_DIR": str(work / "runs")}, capture_output=True, text=True,
                                        check=True).stdout.strip().splitlines()[-1])
    print(json.dumps({
        "open": {**opened, "project_bytes": project.stat().st_size, "trained_accuracy": trained["accuracy"]},
        "resume": {"epochs_before": saved_history["epochs_run"], "epochs_after": resumed["epochs_run"],
                   "last_saved_loss": round(history[EPOCHS - 1]["loss"], 4), "first_resumed_loss": round(history[EPOCHS]["loss"], 4),
                   "fresh_network_loss": round(math.log(10), 4), "accuracy_before": trained["accuracy"],
                   "accuracy_after": resumed["accuracy"]},
        "run_list": listing,
    }, indent=1))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
