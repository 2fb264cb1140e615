"""Helpers for AppTest page tests. Import as ``from apptest_utils import open_page, APP, TIMEOUT``
(a plain module, not conftest: several conftest modules share that name)."""

import base64
import json
import time
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 120  # anything that imports TensorFlow needs far more than AppTest's 3 s default


def open_page(page: str, language: str = "en") -> AppTest:
    """Run the app on ``app_pages/<page>.py`` in ``language`` and return the AppTest after that run."""
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.query_params["lang"] = language
    app.run()
    if page != "home":
        app.switch_page(f"app_pages/{page}.py").run()
    return app


def chart_specs(app) -> list[dict]:
    """The page's plotly figures, decoded (plotly may write non-ASCII text as \\uXXXX escapes)."""
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def plotly_array(value) -> np.ndarray:
    """A trace's data array: a plain list, or plotly's typed array ({"dtype", "bdata", "shape"})."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(size) for size in str(value.get("shape", len(flat))).split(",")]
        return flat.reshape(shape).astype(np.float64 if flat.dtype.kind == "f" else np.int64)
    return np.asarray(value)


def run_until(app, condition, seconds: float = 240) -> None:
    """Rerun the page until ``condition(app)``: a job's fragment does not tick inside AppTest."""
    deadline = time.time() + seconds
    while not condition(app):
        assert time.time() < deadline, "timed out waiting for the page"
        assert not app.exception, app.exception
        time.sleep(1.0)
        app.run()


def show_tab(app: AppTest, index: int, page: str = "concepts") -> AppTest:
    """Open tab ``index`` of a page's lazy tabs (``ui.tabs.lazy_tabs``) and rerun.

    AppTest cannot click a tab; the tabs' widget state holds the selected label, so set that, and
    the URL parameter the tabs are bound to (a browser's address follows a click; AppTest's does
    not, and a stale one would win). Only the open tab (and a training page's Data tab) has
    content afterwards.
    """
    label = app.tabs[index].label
    app.session_state[f"{page}_tab"] = label
    app.query_params[f"{page}_tab"] = label
    return app.run()
