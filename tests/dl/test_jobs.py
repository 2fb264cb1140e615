"""Background jobs: ordered progress, cancel within a batch, errors, reattach, the concurrency bound."""

import threading
import time

import numpy as np
import pytest

from dl import jobs
from dl.data.errors import DataError


def wait_for(condition, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def epoch_loop(epochs=3, steps=5, delay=0.0):
    def work(reporter):
        reporter.start_training(epochs, steps)
        for epoch in range(1, epochs + 1):
            reporter.start_epoch(epoch)
            for step in range(1, steps + 1):
                time.sleep(delay)
                reporter.end_batch(step, loss=1.0 / (epoch * step))
            reporter.end_epoch(epoch, {"loss": 1.0 / epoch, "accuracy": epoch / epochs})
        return "trained"

    return work


def test_progress_arrives_in_order_and_result_is_kept():
    registry = jobs.JobRegistry()
    seen = []
    work = epoch_loop()

    def recording_work(reporter):
        original = reporter._job._update

        def spy(**changes):
            original(**changes)
            progress = reporter._job.progress
            seen.append((progress.epoch, progress.step))

        reporter._job._update = spy
        return work(reporter)

    job = registry.submit("k", recording_work)
    assert job.wait(20)
    assert job.status == jobs.DONE and job.result == "trained"
    assert seen == sorted(seen)  # (epoch, step) never goes backwards
    assert [row["epoch"] for row in job.history] == [1, 2, 3]
    assert job.history[-1]["accuracy"] == pytest.approx(1.0)
    assert job.progress.fraction == 1.0


def test_cancel_stops_at_the_next_batch():
    registry = jobs.JobRegistry()
    steps_done = []
    started = threading.Event()

    def work(reporter):
        reporter.start_training(1, 1000)
        for step in range(1, 1001):
            started.set()
            time.sleep(0.01)
            steps_done.append(step)
            reporter.end_batch(step)

    job = registry.submit("k", work)
    assert started.wait(10)
    assert wait_for(lambda: len(steps_done) >= 3)  # well inside the loop
    job.cancel()
    cancelled_at = len(steps_done)
    assert job.wait(10)
    assert job.status == jobs.CANCELLED
    assert len(steps_done) <= cancelled_at + 1


def test_exception_becomes_the_jobs_error_with_details():
    def work(reporter):
        raise RuntimeError("out of cheese")

    job = jobs.JobRegistry().submit("k", work)
    assert job.wait(10)
    assert job.status == jobs.FAILED
    assert "out of cheese" in job.error and "RuntimeError" in job.error
    assert "Traceback" in job.error_details


def test_data_error_message_is_shown_as_is():
    def work(reporter):
        raise DataError("Column 'label' is missing in reviews.csv.")

    job = jobs.JobRegistry().submit("k", work)
    assert job.wait(10)
    assert job.error == "Column 'label' is missing in reviews.csv." and job.error_details is None


def test_reattach_returns_the_same_job_and_failed_jobs_restart():
    registry = jobs.JobRegistry()
    first = registry.submit("same", epoch_loop(delay=0.01))
    again = registry.submit("same", epoch_loop())
    assert again is first and registry.get("same") is first
    assert first.wait(20)
    assert registry.submit("same", epoch_loop()) is first  # done: reattach to the finished job

    failing = registry.submit("broken", lambda reporter: 1 / 0)
    assert failing.wait(10) and failing.status == jobs.FAILED
    retry = registry.submit("broken", epoch_loop())
    assert retry is not failing
    assert retry.wait(20) and retry.status == jobs.DONE


def test_concurrency_bound_queues_the_second_job():
    registry = jobs.JobRegistry(max_concurrent=1)
    release = threading.Event()

    def blocking(reporter):
        release.wait(10)
        return "first"

    first = registry.submit("a", blocking)
    assert wait_for(lambda: first.status == jobs.RUNNING)
    second = registry.submit("b", epoch_loop())
    assert wait_for(lambda: "Waiting" in second.progress.message)
    assert second.status == jobs.QUEUED
    assert "Waiting" in second.progress.message
    release.set()
    assert second.wait(20) and second.status == jobs.DONE
    assert first.result == "first"


def test_eta_is_estimated_while_running():
    registry = jobs.JobRegistry()
    job = registry.submit("k", epoch_loop(epochs=2, steps=20, delay=0.02))
    assert wait_for(lambda: job.progress.eta_seconds is not None)
    assert job.progress.eta_seconds > 0
    job.wait(20)


def test_eta_counts_training_time_not_loading_time():
    """BERT's first ETA said 785 s: a minute of loading PyTorch and the model counted as training (issue 24.9)."""
    halfway = threading.Event()
    release = threading.Event()

    def work(reporter):
        reporter.say("loading_transformers")
        time.sleep(1.5)
        reporter.start_training(2, 5)
        for epoch in (1, 2):
            reporter.start_epoch(epoch)
            for step in range(1, 6):
                time.sleep(0.02)
                reporter.end_batch(step, loss=1.0)
            if epoch == 1:
                halfway.set()
                release.wait(10)

    job = jobs.JobRegistry().submit("eta", work)
    assert halfway.wait(10)
    assert job.progress.fraction == 0.5 and job.progress.eta_seconds < 0.75  # about one epoch (0.1 s) left, not 1.6 s
    release.set()
    job.wait(10)


def test_early_stopping_ends_the_countdown_while_the_work_goes_on():
    """Stopped after 3 of 10 epochs and still scoring the test set: no "about 44 s left" (issue 24.10)."""
    scoring = threading.Event()
    release = threading.Event()

    def work(reporter):
        reporter.start_training(10, 4)
        for epoch in range(1, 4):
            reporter.start_epoch(epoch)
            for step in range(1, 5):
                time.sleep(0.01)
                reporter.end_batch(step, loss=1.0)
            reporter.end_epoch(epoch, {"loss": 1.0})
        reporter.end_training()
        reporter.say("evaluating")
        scoring.set()
        release.wait(10)
        return "scored"

    job = jobs.JobRegistry().submit("early", work)
    assert scoring.wait(10)
    progress = job.progress
    assert progress.eta_seconds is None and progress.fraction == 1.0
    assert progress.stopped_early and (progress.epoch, progress.epochs) == (3, 10)
    release.set()
    assert job.wait(10) and job.result == "scored"


def test_keras_callback_reports_epochs_and_cancel_stops_within_a_batch():
    import keras

    rng = np.random.default_rng(0)
    features = rng.normal(size=(640, 8)).astype("float32")
    labels = (features[:, 0] > 0).astype("int32")
    batches_seen = []

    def work(reporter):
        keras.utils.set_random_seed(0)
        inputs = keras.Input(shape=(8,))
        outputs = keras.layers.Dense(2, activation="softmax")(inputs)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

        class Spy(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                batches_seen.append(batch)
                if len(batches_seen) == 25:  # the user presses Cancel in epoch 3
                    reporter._job.cancel()

        model.fit(
            features, labels, epochs=50, batch_size=64, verbose=0,
            callbacks=[Spy(), jobs.keras_progress_callback(reporter, epochs=50)],
        )
        reporter.check_cancelled()
        return model

    job = jobs.JobRegistry().submit("keras", work)
    assert job.wait(120), "training did not stop"
    assert job.status == jobs.CANCELLED
    assert len(batches_seen) == 25  # stopped right after the batch in which cancel arrived
    assert [row["epoch"] for row in job.history] == [1, 2]
    assert {"loss", "accuracy"} <= set(job.history[0])
    assert job.progress.steps == 10


def test_run_inline_returns_the_result():
    assert jobs.run_inline(epoch_loop()) == "trained"


def test_plain_callback_adapter_reports_like_keras_and_stops_on_cancel():
    """The adapter a hand-written (e.g. PyTorch / transformers) loop calls once per batch."""
    started = threading.Event()

    def work(reporter):
        report = reporter.callback()
        reporter.start_training(epochs=2, steps_per_epoch=50)
        for epoch in (1, 2):
            for step in range(1, 51):
                report(step, 50, loss=0.5, epoch=epoch)
                started.set()
                time.sleep(0.01)
        return "finished"

    job = jobs.JobRegistry().submit("plain", work)
    assert started.wait(10)
    assert wait_for(lambda: job.progress.step >= 3)
    assert job.progress.steps == 50 and job.progress.loss == 0.5 and job.progress.epoch == 1
    job.cancel()
    assert job.wait(10) and job.status == jobs.CANCELLED and job.result is None


def test_status_messages_carry_a_code_pages_translate():
    job = jobs.Job(key="say", name="say", work=lambda reporter: None)
    reporter = jobs.ProgressReporter(job)
    reporter.say("loading_tensorflow")
    assert (job.progress.message, job.progress.message_code) == ("loading TensorFlow…", "loading_tensorflow")
    reporter.say("counting sheep")  # free text: shown as is, no code
    assert (job.progress.message, job.progress.message_code) == ("counting sheep", "")
    reporter.say("")
    assert (job.progress.message, job.progress.message_code) == ("", "")


def test_a_loading_line_ends_when_training_starts():
    def work(reporter):
        reporter.say("loading_transformers")
        assert "loading" in reporter._job.progress.message
        reporter.start_training(1, 1)
        assert reporter._job.progress.message == "" and reporter._job.progress.message_code == ""
        reporter.say("evaluating")
        reporter.start_training(1, 1)  # a line that is not about loading stays
        assert reporter._job.progress.message_code == "evaluating"
        return "done"

    job = jobs.JobRegistry().submit("k", work)
    assert job.wait(10) and job.status == jobs.DONE, job.error


def test_every_status_code_has_a_line_in_both_languages():
    import json
    from pathlib import Path

    locales = Path(__file__).resolve().parents[2] / "locales"
    for language in ("en", "zh"):
        strings = json.loads((locales / language / "jobs.json").read_text(encoding="utf-8"))
        missing = [code for code in jobs.STATUS_MESSAGES if f"message_{code}" not in strings]
        assert not missing, (language, missing)  # a page would show the code itself
