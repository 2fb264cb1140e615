"""Concepts tab 1: the neural-network playground (controls, live decision boundary, loss curves).

The model lives in a ``dl.lessons.playground.PlaygroundRun`` kept in ``st.session_state``; "Train" and
"Step" each start a background job that trains that same model further. While a job runs, a
fragment redraws the latest boundary and curves every second.
"""

from __future__ import annotations

import numpy as np
import pandas  # noqa: F401 - fully imported before plotly peeks at sys.modules for it (see below)
import plotly.graph_objects as go
import streamlit as st

from dl import jobs
from dl.data.errors import DataError
from dl.lessons import playground
from ui.errors import show_data_error
from ui.i18n import t
from ui.job_widget import attached_job, show_job, start_or_attach, status_line
from ui.limits import show_limits
from ui.links import BIND, check_link, keep_choice, link_box, seed_choice
from ui.plots import history_figure
from ui.replay import add_player, pick_frames
from ui.replay import weights_figure as replay_weights_figure
from ui.tabs import KEEP, kept_upload

# plotly looks pandas up in sys.modules without importing it; on a fresh server, while another
# session's thread is still importing pandas, it found a half-initialised module and the figure
# failed ("partially initialized module 'pandas' has no attribute 'Series'"). The import above
# waits for that import to finish.
RUN_STATE = "playground_run"
JOB_STATE = "playground_job_key"
CLASS_COLOURS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf"]  # orange / blue first, as in TensorFlow Playground
LINKED = ("playground_dataset", "playground_points", "playground_noise", "playground_test_share", "playground_layers",
          "playground_width", "playground_activation", "playground_optimizer", "playground_learning_rate", "playground_batch",
          "playground_l1", "playground_l2", "playground_dropout", "playground_epochs", "playground_seed")  # in the address
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
PENALTIES = [0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]
BATCH_SIZES = [4, 8, 16, 32, 64, 128, 256]
MAX_DRAWN_POINTS = 3000  # per split; more SVG markers make the browser crawl and hide the boundary anyway


def render() -> None:
    """Draw the whole playground tab."""
    st.markdown(t("concepts.playground_intro"))
    link = check_link(LINKED, ("playground_",))
    data_column, model_column, output_column = st.columns([1, 1, 2.3], gap="medium")
    with data_column:
        data_config, upload = _data_controls()
    with model_column:
        config, epochs = _model_controls()
    try:
        data = _load_data(data_config, upload)
    except DataError as error:
        with output_column:
            show_data_error(error)
        return
    run = _current_run(config, data)
    job = attached_job(st.session_state.get(JOB_STATE))
    busy = job is not None and not job.finished
    with output_column:
        train_column, step_column, reset_column, _spacer = st.columns([1.2, 1, 1, 1.5])
        if train_column.button(t("common.train"), icon="▶️", disabled=busy, key="playground_train",
                               width="stretch"):
            job = _start(run, epochs)
        if step_column.button(t("concepts.playground_step"), icon="⏭️", disabled=busy, key="playground_step",
                              help=t("concepts.playground_step_help"), width="stretch"):
            job = _start(run, 1)
        if reset_column.button(t("concepts.playground_reset"), icon="🔄", disabled=busy, key="playground_reset",
                               width="stretch"):
            run = _replace_run(config, data)
            job = None
    with output_column:
        if job is not None and not job.finished:
            _live_output(run, job)
        else:
            _draw_output(run, replay=len(run.snapshots) > 1)
            if job is not None:
                show_job(job, chart=False)  # finished: the final status line, or the error
    st.info(t("concepts.playground_try"), icon="💡")
    link_box(link)


# ----------------------------------------------------------------------------------------- controls
def _data_controls() -> tuple[playground.PlaygroundDataConfig, object | None]:
    st.markdown(f"**{t('concepts.playground_data')}**")
    seed_choice("playground_dataset", playground.DATASETS)
    dataset = st.selectbox(t("concepts.playground_dataset"), playground.DATASETS, key="playground_dataset", persist_state=KEEP,
                           format_func=_labels("dataset", playground.DATASETS).get)
    keep_choice("playground_dataset", dataset, playground.DATASETS[0])
    upload = None
    if dataset == "csv":
        upload = kept_upload("concepts", "playground_upload", lambda: st.file_uploader(
            t("concepts.playground_upload"), type=["csv", "txt"], key="playground_upload",
            help=t("concepts.playground_upload_help")))
        show_limits("points")
    num_points = st.slider(t("concepts.playground_points"), 50, 1000, 400, step=50, key="playground_points", persist_state=KEEP, bind=BIND,
                           disabled=dataset == "csv")
    noise = st.slider(t("concepts.playground_noise"), 0.0, 0.5, 0.1, step=0.05, key="playground_noise", persist_state=KEEP, bind=BIND)
    test_percent = st.slider(t("concepts.playground_test_share"), 10, 50, 30, step=5, format="%d%%",
                             key="playground_test_share", persist_state=KEEP, bind=BIND)
    config = playground.PlaygroundDataConfig(dataset=dataset, num_points=num_points, noise=noise,
                                             test_fraction=test_percent / 100)
    return config, upload


def _model_controls() -> tuple[playground.PlaygroundConfig, int]:
    st.markdown(f"**{t('concepts.playground_model')}**")
    layers = st.slider(t("concepts.playground_layers"), 0, 6, 2, key="playground_layers", persist_state=KEEP, bind=BIND,
                       help=t("concepts.playground_layers_help"))
    width = st.slider(t("concepts.playground_width"), 1, 32, 8, key="playground_width", persist_state=KEEP, bind=BIND, disabled=layers == 0)
    activation = st.selectbox(t("concepts.playground_activation"), playground.ACTIVATIONS, index=1,
                              key="playground_activation", persist_state=KEEP, bind=BIND)
    seed_choice("playground_optimizer", playground.OPTIMIZERS)
    optimizer = st.selectbox(t("concepts.playground_optimizer"), playground.OPTIMIZERS, index=3, key="playground_optimizer",
                             persist_state=KEEP, format_func=_labels("optimizer", playground.OPTIMIZERS).get)
    keep_choice("playground_optimizer", optimizer, playground.OPTIMIZERS[3])
    learning_rate = st.select_slider(t("concepts.playground_learning_rate"), LEARNING_RATES, value=0.03,
                                     key="playground_learning_rate", persist_state=KEEP, bind=BIND)
    batch_size = st.select_slider(t("concepts.playground_batch"), BATCH_SIZES, value=16, key="playground_batch", persist_state=KEEP, bind=BIND)
    l1_column, l2_column = st.columns(2)
    l1 = l1_column.select_slider("L1", PENALTIES, value=0.0, key="playground_l1", persist_state=KEEP, bind=BIND)
    l2 = l2_column.select_slider("L2", PENALTIES, value=0.0, key="playground_l2", persist_state=KEEP, bind=BIND)
    dropout = st.slider(t("concepts.playground_dropout"), 0.0, 0.5, 0.0, step=0.05, key="playground_dropout", persist_state=KEEP, bind=BIND)
    epochs = st.slider(t("concepts.playground_epochs"), 5, 200, 30, step=5, key="playground_epochs", persist_state=KEEP, bind=BIND)
    seed = st.number_input(t("concepts.playground_seed"), 0, 99_999, 0, key="playground_seed", persist_state=KEEP, bind=BIND,
                           help=t("concepts.playground_seed_help"))
    config = playground.PlaygroundConfig(hidden_layers=(width,) * layers, activation=activation,
                                         learning_rate=learning_rate, optimizer=optimizer, batch_size=batch_size,
                                         l1=l1, l2=l2, dropout=dropout, epochs=epochs, seed=int(seed))
    return config, epochs


@st.cache_data(show_spinner=False, max_entries=32)
def _load_data(config: playground.PlaygroundDataConfig, upload: object | None) -> playground.PlaygroundData:
    content = upload.getvalue() if upload is not None else None
    return playground.make_playground_data(config, content, getattr(upload, "name", "the CSV file"))


# ----------------------------------------------------------------------------------------- runs and jobs
def _current_run(config: playground.PlaygroundConfig, data: playground.PlaygroundData) -> playground.PlaygroundRun:
    """The session's run; a different network, recipe or dataset starts a fresh one (like TF Playground)."""
    run = st.session_state.get(RUN_STATE)
    wanted = playground.PlaygroundRun(config, data)
    if run is None or run.key != wanted.key:
        return _replace_run(config, data)
    return run


def _replace_run(config: playground.PlaygroundConfig, data: playground.PlaygroundData) -> playground.PlaygroundRun:
    """A fresh, untrained run; a job still training the old one is cancelled (nobody will see it)."""
    old_job = attached_job(st.session_state.pop(JOB_STATE, None))
    if old_job is not None and not old_job.finished:
        old_job.cancel()
    run = playground.PlaygroundRun(config, data)
    st.session_state[RUN_STATE] = run
    return run


def _start(run: playground.PlaygroundRun, epochs: int):
    # the key names this run and how far it had got, so each press is a new job on the same model
    key = f"playground:{run.id}:{run.epochs_done}:{epochs}"
    st.session_state[JOB_STATE] = key
    return start_or_attach(key, lambda reporter: run.train(epochs, reporter), name=t("concepts.tab_playground"))


@st.fragment(run_every=1.0)
def _live_output(run: playground.PlaygroundRun, job: jobs.Job) -> None:
    """While training: progress line, cancel, boundary and curves in ONE fragment (each rerun costs CPU
    that the training thread needs); a full rerun once the job has finished."""
    progress, _history = job.snapshot()
    st.progress(progress.fraction, text=status_line(progress))
    if st.button(t("jobs.cancel"), key=f"cancel-{job.id}", icon="⏹️"):
        job.cancel()
    _draw_output(run)
    if job.finished:
        st.rerun()


# ----------------------------------------------------------------------------------------- figures
def _draw_output(run: playground.PlaygroundRun, replay: bool = False) -> None:
    """Metrics, the boundary and the curves; once a run has finished epochs (``replay``), a switch turns the
    boundary into a replay of the recorded epochs, with the layers' weights beside it."""
    history, boundary = run.history, run.boundary
    last = history[-1] if history else {}
    epoch_metric, train_metric, test_metric, accuracy_metric = st.columns(4)
    epoch_metric.metric(t("concepts.playground_epoch"), run.epochs_done)
    train_metric.metric(t("concepts.playground_train_loss"), _format(last.get("loss")))
    test_metric.metric(t("concepts.playground_test_loss"), _format(last.get("val_loss")))
    accuracy_metric.metric(t("concepts.playground_test_accuracy"),
                           f"{last['val_accuracy']:.1%}" if "val_accuracy" in last else "–")
    if replay and st.toggle(t("concepts.playground_replay"), key="playground_replay", help=t("concepts.playground_replay_help")):
        snapshots = run.snapshots
        st.plotly_chart(replay_figure(run, snapshots), key="playground_replay_boundary", width="stretch")
        st.plotly_chart(weights_figure(snapshots), key="playground_replay_weights", width="stretch")
        st.caption(t("concepts.playground_weights_caption"))
    else:
        st.plotly_chart(boundary_figure(run.data, boundary), key="playground_boundary", width="stretch")
    if len(run.data.x_train) > MAX_DRAWN_POINTS:
        st.caption(t("concepts.playground_sampled", shown=MAX_DRAWN_POINTS, total=len(run.data.x_train)))
    if history:
        st.plotly_chart(history_figure(history, height=260), key="playground_history", width="stretch")
        st.caption(t("concepts.playground_history_caption"))
    else:
        st.caption(t("concepts.playground_untrained"))


def boundary_figure(data: playground.PlaygroundData, boundary: playground.BoundaryGrid | None) -> go.Figure:
    """Points (train filled, test outlined) over the model's class map (binary: P(class 1) shading)."""
    figure = go.Figure()
    if boundary is not None:
        if data.num_classes == 2:
            figure.add_trace(go.Heatmap(
                x=boundary.xs, y=boundary.ys, z=boundary.probabilities[..., 1], zmin=0, zmax=1, name="boundary",
                colorscale=[[0, CLASS_COLOURS[0]], [0.5, "#ffffff"], [1, CLASS_COLOURS[1]]], opacity=0.55,
                colorbar={"title": f"P({data.class_names[1]})", "len": 0.8}, hoverinfo="skip"))
            figure.add_trace(go.Contour(
                x=boundary.xs, y=boundary.ys, z=boundary.probabilities[..., 1], showscale=False, hoverinfo="skip",
                showlegend=False, name="P = 0.5",
                contours={"start": 0.5, "end": 0.5, "size": 1, "coloring": "none"}, line={"width": 2, "color": "#333"}))
        else:
            count = data.num_classes
            scale = [[edge / count, CLASS_COLOURS[index]] for index in range(count) for edge in (index, index + 1)]
            figure.add_trace(go.Heatmap(
                x=boundary.xs, y=boundary.ys, z=boundary.predicted_class, zmin=0, zmax=count, name="boundary",
                colorscale=scale, opacity=0.35, showscale=False, hoverinfo="skip"))
    for split, points, labels in (("train", data.x_train, data.y_train), ("test", data.x_test, data.y_test)):
        if len(points) > MAX_DRAWN_POINTS:  # a big upload: draw a fixed sample, train on everything
            sample = np.random.default_rng(0).choice(len(points), MAX_DRAWN_POINTS, replace=False)
            points, labels = points[sample], labels[sample]
        for index, name in enumerate(data.class_names):
            chosen = points[labels == index]
            figure.add_trace(go.Scatter(
                x=chosen[:, 0], y=chosen[:, 1], mode="markers", name=f"{t(f'concepts.playground_{split}')} · {name}",
                marker={"color": CLASS_COLOURS[index] if split == "train" else "rgba(255,255,255,0.9)", "size": 7,
                        "line": {"color": CLASS_COLOURS[index] if split == "test" else "white",
                                 "width": 2 if split == "test" else 0.5}}))
    x_min, x_max, y_min, y_max = data.bounds()
    figure.update_layout(
        height=430, margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"orientation": "h", "y": -0.15},
        xaxis={"range": [x_min, x_max], "title": "x", "constrain": "domain"},
        yaxis={"range": [y_min, y_max], "title": "y", "scaleanchor": "x", "scaleratio": 1},
        plot_bgcolor="white",
    )
    return figure


def replay_figure(run: playground.PlaygroundRun, snapshots: list[playground.Snapshot]) -> go.Figure:
    """The boundary figure at the last recorded epoch, with a frame for each of (at most 30 of) the epochs:
    Play and the slider redraw the class map only; the points stay."""
    def boundary_traces(snapshot: playground.Snapshot) -> tuple[list[go.BaseTraceType], list[int]]:
        if run.data.num_classes == 2:
            shares = snapshot.probabilities[..., 1].astype(np.float32).round(3)
            return [go.Heatmap(z=shares), go.Contour(z=shares)], [0, 1]
        return [go.Heatmap(z=snapshot.predicted_class)], [0]

    def title(snapshot: playground.Snapshot) -> str:
        accuracy = snapshot.metrics.get("val_accuracy")
        shown = t("concepts.playground_replay_title", epoch=snapshot.epoch)
        return shown + (" · " + t("concepts.playground_replay_accuracy", accuracy=accuracy * 100) if accuracy is not None else "")

    last = snapshots[-1]
    figure = boundary_figure(run.data, playground.BoundaryGrid(run.grid_xs, run.grid_ys, last.probabilities.astype(np.float32),
                                                              last.epoch))
    frames = []
    for index in pick_frames(len(snapshots)):
        traces, positions = boundary_traces(snapshots[index])
        frames.append(go.Frame(data=traces, traces=positions, name=str(snapshots[index].epoch),
                               layout={"title": {"text": title(snapshots[index])}}))
    figure.update_layout(title={"text": title(last), "x": 0.01, "y": 0.98, "font": {"size": 14}},
                         margin={"l": 10, "r": 10, "t": 70}, height=560,
                         legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0})  # the player is below
    return add_player(figure, frames, t("concepts.playground_epoch"))


def weights_figure(snapshots: list[playground.Snapshot]) -> go.Figure:
    """Each layer's weight spread and mean size over the recorded epochs (``ui.replay.weights_figure``)."""
    return replay_weights_figure([snapshot.epoch for snapshot in snapshots], [
        (layer.layer, [snapshot.layers[index].spread for snapshot in snapshots],
         [snapshot.layers[index].mean_size for snapshot in snapshots]) for index, layer in enumerate(snapshots[0].layers)])


def _labels(prefix: str, names: tuple[str, ...]) -> dict[str, str]:
    """Option labels looked up now (a dict, not a lambda calling t() later, which AppTest runs out of context)."""
    return {name: t(f"concepts.{prefix}_{name}") for name in names}


def _format(value: float | None) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{value:.3f}"
