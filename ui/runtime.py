"""Process-wide adjustments of Streamlit's runtime, applied once by the router (streamlit_app.py)."""

from __future__ import annotations

import contextlib
import sys
import threading


def keep_keras_state_across_reruns() -> None:
    """Stop Streamlit from calling ``keras.backend.clear_session()`` after every script run.

    Streamlit does that after each run, fragment reruns included (``_clean_problem_modules``). It
    resets Keras' global state and TensorFlow's kernel cache and runs a full garbage collection,
    under a training job that runs in another thread: measured on the playground, an epoch went
    from ~0.3 s to ~30 s while the progress fragment refreshed every second. Keep Streamlit's
    matplotlib clean-up, skip the Keras one (jobs own their models; nothing leaks per rerun).
    """
    from streamlit.runtime.scriptrunner import script_runner

    current = getattr(script_runner, "_clean_problem_modules", None)
    if current is None or getattr(current, "keeps_keras_state", False):
        return

    def clean_matplotlib_only() -> None:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            with contextlib.suppress(Exception):
                pyplot.close("all")

    clean_matplotlib_only.keeps_keras_state = True  # type: ignore[attr-defined]
    clean_matplotlib_only.replaced = current  # type: ignore[attr-defined]
    script_runner._clean_problem_modules = clean_matplotlib_only


_PANDAS_LOCK = threading.Lock()
_PANDAS_READY = threading.Event()
_PANDAS_THREAD_STARTED = threading.Event()


def import_pandas_once() -> None:
    """Import pandas under a process-wide lock; returns at once when it is already imported.

    Two sessions whose first runs import pandas (directly or through Streamlit's dataframe code) at
    the same moment can collide halfway through its import; taking this lock first serialises them.
    """
    if _PANDAS_READY.is_set():
        return
    with _PANDAS_LOCK:
        import pandas  # noqa: F401

        _PANDAS_READY.set()


def import_pandas_in_background() -> None:
    """Start importing pandas in a daemon thread (once per process), after a page has been drawn.

    The home page needs no pandas, so its first paint does not wait ~0.3 s for it; the page a visitor
    opens next finds it loaded. Any session that needs it meanwhile waits on the same lock.
    """
    if _PANDAS_READY.is_set() or _PANDAS_THREAD_STARTED.is_set():
        return
    _PANDAS_THREAD_STARTED.set()
    threading.Thread(target=import_pandas_once, name="import-pandas", daemon=True).start()
