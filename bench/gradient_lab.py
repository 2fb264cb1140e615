"""Gradient lab: the cost of recording, the quality of each preset and its fix, cache hits, browser time.

For every configuration below, trains (1) the lab's recorded GradientTape loop and (2) a plain Keras
script on the very same model, data, batches per epoch and optimizer (``model.fit``), and prints JSON:
seconds of each and their ratio (the price of recording per-layer norms, update ratios and
snapshots every step), validation accuracy of both, the lab's diagnosis, and peak RSS. Then a
second ``train_gradient_lab`` of one configuration through the model store (a cache hit).
With ``--browser``, also starts the app and times, in chromium, each preset from pressing Train to
the doctor's verdict, and from pressing the first fix to the before/after comparison.

    python bench/gradient_lab.py [--browser] [--epochs-scale 1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dl.gradient_lab import doctor  # noqa: E402
from dl.gradient_lab import trainer as lab  # noqa: E402
from dl.jobs import run_inline  # noqa: E402
from dl.store import ModelStore  # noqa: E402

CASES = {
    "default": lab.GradientLabConfig(),
    "sigmoid_vanishes": lab.preset_config("sigmoid_vanishes"),
    "sigmoid_vanishes + batch_norm": replace(lab.preset_config("sigmoid_vanishes"), batch_norm=True),
    "bad_init_explodes + he_init": replace(lab.preset_config("bad_init_explodes"), initializer="he"),
    "rnn_explodes + clip_global_norm": replace(lab.preset_config("rnn_explodes"), clipping="global_norm"),
    "default on mnist5k": lab.GradientLabConfig(dataset="mnist5k", epochs=3),
}


def plain_keras_seconds(config: lab.GradientLabConfig, data: lab.LabData) -> tuple[float, float]:
    """Seconds and final validation accuracy of model.fit on the same network (full batches only)."""
    import keras

    keras.utils.set_random_seed(config.seed)
    model = lab.build_network(config, data.x_train.shape[1:], data.num_classes)
    model.compile(optimizer=lab.make_optimizer(config), metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rows = len(data.y_train) // config.batch_size * config.batch_size
    started = time.perf_counter()
    history = model.fit(data.x_train[:rows], data.y_train[:rows], batch_size=config.batch_size, epochs=config.epochs,
                        validation_data=(data.x_validation, data.y_validation), verbose=0)
    return time.perf_counter() - started, float(history.history["val_accuracy"][-1])


def lab_seconds(config: lab.GradientLabConfig, data: lab.LabData) -> tuple[float, lab.GradientRun]:
    started = time.perf_counter()
    trainer = lab.GradientTrainer(config, data)
    run = trainer.train_epochs(config.epochs)
    return time.perf_counter() - started, run


def browser_times() -> list[dict]:
    """Start the app, then for each preset: Train -> doctor's verdict, first fix -> comparison (seconds)."""
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from browser_utils import CHROMIUM, CHROMIUM_ARGS, wait_until_idle
    from playwright.sync_api import sync_playwright

    port = 8791
    environment = {**os.environ, "DL_CACHE_DIR": tempfile.mkdtemp(prefix="bench-gl-")}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port",
                               str(port), "--server.headless", "true"], cwd=ROOT, env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = []
    try:
        time.sleep(8)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for preset in lab.PRESETS:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(300_000)
                page.goto(f"http://127.0.0.1:{port}/?lang=en")
                wait_until_idle(page)
                page.locator('[data-testid="stSidebarNav"] a[href*="/gradient_lab"]').first.click()
                page.wait_for_url("**/gradient_lab*")
                wait_until_idle(page)
                page.locator(f".st-key-preset-{preset} button").first.click()
                wait_until_idle(page)
                started = time.perf_counter()
                page.locator('[data-testid="stBaseButton-primary"]').first.click()
                page.get_by_role("heading", name="Gradient doctor").wait_for()
                diagnosed = time.perf_counter() - started
                wait_until_idle(page)
                started_fix = time.perf_counter()
                page.locator('[data-testid="stBaseButton-primary"]').filter(has_text="1.").first.click()
                page.get_by_role("heading", name="Before and after").wait_for()
                results.append({"preset": preset, "train_to_diagnosis_s": round(diagnosed, 1),
                                "fix_to_comparison_s": round(time.perf_counter() - started_fix, 1),
                                "total_s": round(diagnosed + time.perf_counter() - started_fix, 1)})
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--browser", action="store_true", help="also time the presets in chromium")
    args = parser.parse_args()
    report: dict = {"machine_note": "2 CPU cores shared with other engineers' jobs while measured", "cases": []}
    warm = lab.GradientLabConfig(depth=2, width=4, epochs=1)  # import TensorFlow before any timing
    lab_seconds(warm, lab.prepare_data(warm, lab.load_lab_table(warm)))
    for name, config in CASES.items():
        table = lab.load_lab_table(config)
        data = lab.prepare_data(config, table)
        lab_time, run = lab_seconds(config, data)
        plain_time, plain_accuracy = plain_keras_seconds(config, data)
        report["cases"].append({
            "case": name, "steps": run.steps, "lab_seconds": round(lab_time, 2), "plain_keras_seconds": round(plain_time, 2),
            "lab_over_plain": round(lab_time / plain_time, 2), "lab_val_accuracy": round(run.summary()["val_accuracy"], 3),
            "plain_val_accuracy": round(plain_accuracy, 3), "flow_ratio": run.summary()["flow_ratio"],
            "nonfinite_step": run.summary()["nonfinite_step"], "diagnosis": doctor.diagnose(run).verdict,
        })
    with tempfile.TemporaryDirectory() as folder:
        store, config = ModelStore(folder), CASES["sigmoid_vanishes"]
        table = lab.load_lab_table(config)
        timings = []
        for _attempt in range(2):
            started = time.perf_counter()
            result = run_inline(lambda reporter: lab.train_gradient_lab(config, table, reporter, store))
            timings.append((round(time.perf_counter() - started, 3), result.from_cache))
        report["cache"] = {"first_seconds": timings[0][0], "second_seconds": timings[1][0], "second_from_cache": timings[1][1]}
    report["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(report, default=str), file=sys.stderr, flush=True)  # kept even if the browser part fails
    if args.browser:
        report["browser"] = browser_times()
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
