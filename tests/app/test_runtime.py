"""The router stops Streamlit from clearing Keras' session after every script run."""

import keras
from streamlit.runtime.scriptrunner import script_runner

from ui.runtime import keep_keras_state_across_reruns


def test_reruns_keep_keras_state(monkeypatch):
    current = script_runner._clean_problem_modules
    streamlits_own = getattr(current, "replaced", current)  # an earlier AppTest may have patched it
    monkeypatch.setattr(script_runner, "_clean_problem_modules", streamlits_own)
    cleared = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: cleared.append(True))
    script_runner._clean_problem_modules()
    assert cleared, "precondition: Streamlit's own clean-up clears the Keras session"
    cleared.clear()
    keep_keras_state_across_reruns()
    keep_keras_state_across_reruns()  # idempotent
    script_runner._clean_problem_modules()
    assert cleared == []
