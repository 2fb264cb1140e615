"""dl.project: a project file round trip gives the same model, and the CLI writes and reads one (issue 26.1).

The independent truth is the model itself: the model read back from a project, installed into a fresh
store on "another machine" (another cache folder), gives the same predictions on the same inputs as
the model that was saved. Refusals of broken and hostile project files are in the bad-input corpus.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_runner import run_cli

from dl.jobs import run_inline
from dl.project import ProjectData, install_project, project_summary, read_project, save_project
from dl.store import ModelStore
from dl.text.config import TextClassifierConfig
from dl.text.data import build_dataset
from dl.text.train import TASK, model_key, train_text_classifier

TEXTS = [f"{word} {noun} number {index}" for index in range(40) for word, noun in (("lovely", "tasty"), ("awful", "stale"))]
LABELS = ["good", "bad"] * 40


def trained_text_model(store: ModelStore):
    dataset = build_dataset(TEXTS, LABELS, "mine.csv")
    config = TextClassifierConfig(epochs=3)
    return dataset, config, run_inline(lambda reporter: train_text_classifier(config, dataset, reporter, store))


def test_a_project_opened_in_a_fresh_store_gives_the_same_predictions(tmp_path):
    dataset, config, trained = trained_text_model(ModelStore(tmp_path / "here"))
    data = ProjectData(fingerprint=dataset.fingerprint(), files={"data": "mine.csv"}, options={"text_col": "text"})
    content = save_project(trained_entry(trained), data, {"mine.csv": b"text,label\n..."})

    project = read_project(content, "mine.zip")
    elsewhere = ModelStore(tmp_path / "there")
    entry = install_project(project, elsewhere)
    assert entry.key == model_key(config, dataset) and project.task == TASK
    assert project.data_file("data") == ("mine.csv", b"text,label\n...")
    assert entry.meta["created"] == trained.meta["created"]  # when it was trained, not when it was opened
    (entry.path / "model.keras").write_bytes(b"damaged on disk")
    assert install_project(project, elsewhere).key == entry.key  # a broken copy is moved aside and replaced
    assert elsewhere.get(entry.key) is not None
    reopened = run_inline(lambda reporter: train_text_classifier(config, dataset, reporter, elsewhere))  # the store answers: no training
    assert reopened.from_cache and reopened.history == trained.history
    probes = ["lovely tasty number 3", "awful stale number 8", "something else entirely"]
    assert np.allclose(reopened.predict(probes), trained.predict(probes), atol=1e-6)
    summary = project_summary(project)
    assert summary["data"] == "mine.csv" and summary["epochs_run"] == len(trained.history)


def test_the_cli_saves_a_project_and_open_prints_it(tmp_path):
    table = tmp_path / "mine.csv"
    table.write_text("text,label\n" + "".join(f"{text},{label}\n" for text, label in zip(TEXTS, LABELS, strict=True)))
    project_path = tmp_path / "mine-project.zip"
    trained = run_cli(["train", "text", "--data", str(table), "--epochs", "2", "--json", "--save-project", str(project_path)],
                      cache=tmp_path / "cache")
    assert trained.returncode == 0, trained.stderr
    opened = run_cli(["open", str(project_path), "--json"], cache=tmp_path / "other-cache")
    assert opened.returncode == 0, opened.stderr
    summary = json.loads(opened.stdout)
    result = json.loads(trained.stdout)
    assert summary["task"] == "text" and summary["data"] == "mine.csv" and not summary["builtin"]
    assert summary["metrics"]["accuracy"] == pytest.approx(result["accuracy"])
    project = read_project(project_path.read_bytes())
    assert project.data_file("data")[1] == table.read_bytes()  # the data travels with it
    assert project.doctor == result["data_doctor"] and summary["data_doctor"] == result["data_doctor"]  # and its findings

    resumed = run_cli(["train", "text", "--project", str(project_path), "--epochs", "2", "--json"], cache=tmp_path / "other-cache")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["epochs_run"] == result["epochs_run"] + 2  # on the project's own data and settings
    no_epochs = run_cli(["train", "text", "--project", str(project_path)], cache=tmp_path / "other-cache")
    assert no_epochs.returncode == 2 and "--epochs" in no_epochs.stderr

    project_path.write_bytes(project_path.read_bytes()[:-200])  # truncated in transit
    refused = run_cli(["open", str(project_path)], cache=tmp_path / "other-cache")
    assert refused.returncode == 2 and "project" in refused.stderr


def trained_entry(trained):
    from dl.store import StoreEntry

    return StoreEntry(key=trained.path.name, path=trained.path, meta=trained.meta)


def test_a_resumed_image_cnn_continues_its_loss_and_its_history(tmp_path):
    """Resuming loads the weights and the optimizer's state: the first new epoch's loss carries on from the
    saved run's last one; a fresh network starts near ln(10) = 2.30 on ten digit classes."""
    from dl.image.cnn import ImageClassifierConfig, train_image_classifier
    from dl.image.dataset import load_builtin
    from dl.task import Resume

    store = ModelStore(tmp_path)
    digits = load_builtin("digits")
    config = ImageClassifierConfig(epochs=3, early_stopping=False)
    first = run_inline(lambda reporter: train_image_classifier(config, digits, reporter, store))
    entry = store.get(first.path.name)
    resumed = run_inline(lambda reporter: train_image_classifier(config, digits, reporter, store, Resume(entry, 2)))
    history = resumed.history
    assert [row["epoch"] for row in history] == [1, 2, 3, 4, 5] and history[:3] == first.history
    saved_loss, next_loss = history[2]["loss"], history[3]["loss"]
    assert next_loss < saved_loss * 1.5 and next_loss < 1.0, (saved_loss, next_loss)  # no jump back to ~2.3
    assert resumed.metrics["epochs_run"] == 5 and resumed.path.name != first.path.name
    assert store.get(resumed.path.name).meta["resumed_from"] == first.path.name


@pytest.mark.parametrize("task", ["text", "recommender"])
def test_text_and_recommender_runs_resume_where_they_stopped(tmp_path, task):
    from dl.task import Resume

    store = ModelStore(tmp_path)
    if task == "text":
        dataset = build_dataset(TEXTS, LABELS, "mine.csv")
        config = TextClassifierConfig(epochs=2, early_stopping=False)

        def train(resume=None):
            return run_inline(lambda reporter: train_text_classifier(config, dataset, reporter, store, resume))
    else:
        from dl.recommender.config import RecommenderConfig
        from dl.recommender.data import load_builtin
        from dl.recommender.train import train_recommender

        ratings = load_builtin("ml-100k")
        config = RecommenderConfig(epochs=2, early_stopping=False)

        def train(resume=None):
            return run_inline(lambda reporter: train_recommender(config, ratings, reporter, store, resume))
    first = train()
    resumed = train(Resume(store.get(first.path.name), 2))
    assert [row["epoch"] for row in resumed.history] == [1, 2, 3, 4] and resumed.history[:2] == first.history
    saved, going_on = first.history[1]["loss"], resumed.history[2]["loss"]
    assert going_on < first.history[0]["loss"] and going_on < saved * 1.25, (saved, going_on)  # not back to a fresh start
    assert resumed.metrics["epochs_run"] == 4


def round_trip(trained, store_there: ModelStore, fingerprint: str, builtin: str):
    """``trained``'s project, read and installed in another store (another machine)."""
    from dl.store import StoreEntry

    entry = StoreEntry(key=trained.path.name, path=trained.path, meta=trained.meta)
    project = read_project(save_project(entry, ProjectData(fingerprint=fingerprint, builtin=builtin)), "p.zip")
    install_project(project, store_there)
    return project


def test_image_recommender_and_bert_projects_predict_the_same_elsewhere(tmp_path):
    """The same inputs through the model that was saved and the one opened from its project in a fresh store."""
    from dl.bert.config import BertConfig
    from dl.bert.train import train_labeler
    from dl.image.cnn import ImageClassifierConfig, train_image_classifier
    from dl.image.dataset import load_builtin as load_images
    from dl.recommender.config import RecommenderConfig
    from dl.recommender.data import load_builtin as load_ratings
    from dl.recommender.train import train_recommender

    here, there = ModelStore(tmp_path / "here"), ModelStore(tmp_path / "there")
    digits = load_images("digits")
    image_config = ImageClassifierConfig(epochs=1, image_size=16)
    image = run_inline(lambda reporter: train_image_classifier(image_config, digits, reporter, here))
    round_trip(image, there, digits.fingerprint(), "digits")
    opened = run_inline(lambda reporter: train_image_classifier(image_config, digits, reporter, there))
    assert opened.from_cache
    from dl.image.pixels import prepare_pixels

    pixels = prepare_pixels(digits.images[:20], image.image_size, image.channels)
    assert np.allclose(opened.model.predict(pixels, verbose=0), image.model.predict(pixels, verbose=0), atol=1e-6)

    ratings = load_ratings("ml-100k")
    ratings_config = RecommenderConfig(epochs=1)
    recommender = run_inline(lambda reporter: train_recommender(ratings_config, ratings, reporter, here))
    round_trip(recommender, there, ratings.fingerprint(), "ml-100k")
    opened = run_inline(lambda reporter: train_recommender(ratings_config, ratings, reporter, there))
    users, items = ratings.users[:50], ratings.items[:50]
    assert opened.from_cache and np.allclose(opened.factors.predict(users, items), recommender.factors.predict(users, items))

    sentences = build_dataset([f"{word} film number {index}" for index in range(20) for word in ("lovely", "awful")],
                              ["good", "bad"] * 20, "opinions")
    bert_config = BertConfig(epochs=1, max_sentences=0)
    labeler = run_inline(lambda reporter: train_labeler(bert_config, sentences, reporter, here))
    round_trip(labeler, there, sentences.fingerprint(), "opinions")
    opened = run_inline(lambda reporter: train_labeler(bert_config, sentences, reporter, there))
    probes = ["a lovely film", "an awful film"]
    assert opened.from_cache and np.allclose(opened.predict(probes), labeler.predict(probes), atol=1e-5)


def test_a_project_of_data_changed_by_fix_is_refused_before_training(tmp_path):
    refused = run_cli(["train", "recommender", "--data", "ml-100k", "--fix", "min_ratings", "--save-project",
                       str(tmp_path / "p.zip")], cache=tmp_path / "cache")
    assert refused.returncode == 2 and "--fix" in refused.stderr
    assert not (tmp_path / "p.zip").exists() and not list((tmp_path / "cache").glob("*/meta.json"))  # nothing trained
