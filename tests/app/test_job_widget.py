"""AppTest: the training-job widget shows progress, curves, cancel, errors and the finished state."""

import time

from apptest_utils import ROOT, TIMEOUT
from streamlit.testing.v1 import AppTest

from dl import jobs


def job_page(kind: str):
    """A tiny page that starts (or reattaches to) a job and draws it with the shared widget."""
    import sys
    import time

    import streamlit as st

    sys.path.insert(0, st.session_state["root"])
    from ui.job_widget import attached_job, show_job, start_or_attach

    def work(reporter):
        reporter.start_training(3, 4)
        for epoch in range(1, 4):
            reporter.start_epoch(epoch)
            for step in range(1, 5):
                time.sleep(0.15 if kind == "slow" else 0.01)
                reporter.end_batch(step, loss=1.0 / epoch)
            reporter.end_epoch(epoch, {"loss": 1.0 / epoch, "val_loss": 1.2 / epoch, "accuracy": 0.3 * epoch})
        if kind == "fail":
            raise RuntimeError("the GPU caught fire")
        return 42

    key = f"widget-test-{kind}"
    if st.button("Train"):
        start_or_attach(key, work, name="test job")
    job = attached_job(key)
    if job and show_job(job, live_view=lambda running: st.caption(f"live view of {running.name}")):
        st.success(f"result {job.result}")


def new_app(kind: str) -> AppTest:
    app = AppTest.from_function(job_page, args=(kind,), default_timeout=TIMEOUT)
    app.session_state["root"] = str(ROOT)
    return app.run()


def wait_for_state(condition, timeout: float = 30.0) -> None:
    """Poll a job's state (not a fixed sleep: a busy machine may start the thread late)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the job never reached the expected state"
        time.sleep(0.01)


def wait_for_job(key: str, timeout: float = 30.0):
    job = jobs.registry().get(key)
    assert job is not None
    assert job.wait(timeout)
    return job


def test_progress_then_result_and_curves():
    app = new_app("fast")
    app.button[0].click().run()
    wait_for_job("widget-test-fast")
    app.run()
    assert app.success[0].value == "result 42"
    assert "Done" in app.get("progress")[0].proto.text
    assert not app.caption  # the live view is for running jobs only
    assert len(app.get("plotly_chart")) == 1


def test_running_job_shows_status_and_cancel_works():
    app = new_app("slow")
    app.button[0].click().run()
    job = jobs.registry().get("widget-test-slow")
    wait_for_state(lambda: job.progress.status == jobs.RUNNING and job.progress.epoch >= 1)  # inside an epoch
    app.run()
    text = app.get("progress")[0].proto.text
    assert "Training" in text and "epoch" in text
    assert [caption.value for caption in app.caption] == ["live view of test job"]  # the page's own live view
    cancel = next(button for button in app.button if button.label == "Cancel")
    cancel.click().run()
    job = wait_for_job("widget-test-slow")
    assert job.status == jobs.CANCELLED
    app.run()
    assert "cancelled" in app.warning[0].value


def test_failure_is_shown_with_details_not_a_traceback():
    app = new_app("fail")
    app.button[0].click().run()
    wait_for_job("widget-test-fail")
    app.run()
    assert not app.exception
    assert "the GPU caught fire" in app.error[0].value
    assert app.expander[0].label == "Technical details"


def status_page():
    import sys

    import streamlit as st

    sys.path.insert(0, st.session_state["root"])
    from dl import jobs
    from ui.job_widget import status_line

    st.write(status_line(jobs.Progress(status=jobs.QUEUED, message="Waiting for another training job to finish.",
                                       message_code="waiting_for_slot")))
    st.write(status_line(jobs.Progress(status=jobs.RUNNING, message="loading TensorFlow…", message_code="loading_tensorflow")))
    st.write(status_line(jobs.Progress(status=jobs.RUNNING, epoch=3, epochs=10, steps=4, step=4, training_ended=True,
                                       elapsed_seconds=5.0, eta_seconds=None)))

    class CachedResult:
        from_cache = True
        meta = {"train_seconds": 17.04}

    st.write(status_line(jobs.Progress(status=jobs.DONE, epoch=4, epochs=4, elapsed_seconds=1.23), CachedResult()))


def test_status_lines_are_in_the_pages_language():
    app = AppTest.from_function(status_page, default_timeout=TIMEOUT)
    app.session_state["root"] = str(ROOT)
    app.session_state["language"] = "zh"
    app.run()
    assert [block.value for block in app.markdown] == [
        "正在等待另一个训练任务结束。", "训练中 · 正在加载 TensorFlow……",
        "训练中 · 第 3 轮后提前停止（最多 10 轮）",  # no countdown and no batch counter once the last epoch ran
        "完成 · 第 4/4 轮 · 训练用时 17.0 秒，本次从缓存加载用时 1.2 秒",  # a cache hit is not passed off as training
    ]


def curves_page():
    import sys

    import streamlit as st

    sys.path.insert(0, st.session_state["root"])
    from ui.plots import history_figure

    rows = [{"epoch": 1, "loss": 0.61, "val_loss": 0.66, "accuracy": 0.7694, "val_accuracy": 0.8222},
            {"epoch": 2, "loss": 0.42, "val_loss": 0.51, "accuracy": 0.8123, "val_accuracy": 0.8301}]
    st.plotly_chart(history_figure(rows), key="curves")


def test_curves_are_named_in_the_pages_language_with_rounded_ticks():
    """'val_accuracy' legends and 0.7694 ticks on the Chinese page (issue 24.6, 24.12)."""
    import json

    app = AppTest.from_function(curves_page, default_timeout=TIMEOUT)
    app.session_state["root"] = str(ROOT)
    app.session_state["language"] = "zh"
    spec = json.loads(app.run().get("plotly_chart")[0].proto.spec)
    assert [trace["name"] for trace in spec["data"]] == ["准确率", "损失", "验证准确率", "验证损失"]
    layout = spec["layout"]
    assert layout["yaxis2"]["tickformat"] == ".0%" and layout["yaxis"]["tickformat"] == ".3~f"
    assert layout["xaxis"]["title"]["text"] == "轮次"
