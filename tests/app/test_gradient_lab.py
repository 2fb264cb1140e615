"""AppTest: the gradient lab in both languages: a preset trains, the doctor diagnoses it, its first fix
retrains and the before/after comparison appears; step-by-step training; a bad CSV shows a DataError."""

import pytest
from apptest_utils import open_page, show_tab

from dl import jobs


def _page_state(app) -> dict:
    return app.session_state["_page_state.gradient_lab"]


def _active_key(app) -> str:
    """The store key of the job the page started last (ui.training keeps it in the page state)."""
    return _page_state(app)["last_job"]["key"]


def _wait_for_job(app, timeout=240):
    """Wait for the page's active job, then rerun (fragments do not tick inside AppTest)."""
    job = jobs.registry().get(_active_key(app))
    assert job is not None and job.wait(timeout), "training did not finish"
    app.run()  # the job sets its status before it signals the end: nothing left to wait for
    assert job.status == jobs.DONE, job.error
    return job


def _texts(app):
    return [item.value for item in (*app.markdown, *app.subheader, *app.caption)]


@pytest.mark.parametrize(
    ("language", "preset", "verdict", "first_fix", "after_label"),
    [
        ("en", "bad_init_explodes", "Diagnosis: exploding gradients.", "1. Use He initialisation",
         "**After: #2 + Use He initialisation**"),
        ("zh", "sigmoid_vanishes", "诊断：梯度消失。", "1. 加入批归一化", "**修复后: #2 + 加入批归一化**"),
    ],
)
def test_preset_train_fix_and_compare(language, preset, verdict, first_fix, after_label):
    app = open_page("gradient_lab", language)
    assert not app.exception
    app.button(key=f"preset-{preset}").click().run()
    train = next(button for button in app.button if button.label.startswith(("Train", "训练")))
    train.click().run()
    _wait_for_job(app)
    assert not app.exception
    assert any(verdict in box.value for box in (*app.error, *app.warning)), verdict
    assert len(_page_state(app)["lab"].runs) == 1
    fixes = [button for button in app.button if button.label.startswith("1.")]
    assert [button.label for button in fixes] == [first_fix]

    fixes[0].click().run()
    _wait_for_job(app)
    assert not app.exception
    texts = _texts(app)
    assert after_label in texts
    assert any(item.value in ("Before and after", "修复前后对比") for item in app.subheader)
    healthy = "Diagnosis: the gradient flows healthily through the network." if language == "en" else "诊断：梯度在网络中流动正常。"
    assert any(healthy in box.value for box in app.success)
    runs = _page_state(app)["lab"].runs
    assert len(runs) == 2
    before, after = (record.run for record in runs.values())
    assert after.history[-1]["val_accuracy"] > 0.5 > before.history[-1]["val_accuracy"]
    assert len(app.dataframe) == 1 and len(app.dataframe[0].value) == 2  # the runs table


def test_step_by_step_and_cache_hit():
    app = open_page("gradient_lab", "en")
    app.slider(key="gl_depth").set_value(4).run()
    app.session_state["gl_how"] = "steps"
    app.run()
    app.button(key="step-10").click().run()
    assert not app.exception
    assert any("10 steps done" in caption.value for caption in app.caption)
    app.button(key="step-epoch").click().run()
    trainer_key, trainer = _page_state(app)["lab"].trainer
    assert trainer.epoch == 1 and trainer.steps_done == trainer.steps_per_epoch
    assert app.metric[2].label == "Validation accuracy" and float(app.metric[2].value) > 0.3
    # the run's details: only the open tab draws its figures; opening another draws that one
    gradients, distributions = app.tabs[0], app.tabs[1]
    assert len(gradients.get("plotly_chart")) >= 2 and len(distributions.get("plotly_chart")) == 0
    show_tab(app, 1, page="gradient_lab_run")
    assert not app.exception
    assert len(app.tabs[0].get("plotly_chart")) == 0 and len(app.tabs[1].get("plotly_chart")) >= 2

    # the same configuration trained in the background twice: the second time comes from the cache
    app.session_state["gl_how"] = "epochs"
    app.slider(key="gl_epochs").set_value(1).run()
    for _attempt in range(2):
        next(button for button in app.button if button.label.startswith("Train")).click().run()
        _wait_for_job(app)
        jobs.registry().forget(_active_key(app))  # a new job, so the store is asked again
    assert any("loaded from the model cache" in box.value for box in app.success)


def test_bad_csv_shows_what_to_fix(tmp_path):
    app = open_page("gradient_lab", "en")
    app.selectbox(key="gl_dataset").set_value("csv").run()
    assert not app.exception
    assert any("Choose a CSV file first" in box.value for box in app.error)
    # a CSV whose second class has one row: an error box that names the class, no exception
    rows = "a,b,label\n" + "".join(f"{index},{index % 3},cat\n" for index in range(12)) + "5,5,dog\n"
    app.file_uploader(key="gl_upload").set_value(("pets.csv", rows.encode(), "text/csv")).run()
    assert not app.exception
    assert any("pets.csv" in box.value and "class 'dog' has only 1 row" in box.value for box in app.error)
    assert not any(button.label.startswith("Train") for button in app.button if not button.disabled)
