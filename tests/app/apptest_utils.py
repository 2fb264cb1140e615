"""Helpers for AppTest page tests. Import as ``from apptest_utils import open_page, APP, TIMEOUT``
(a plain module, not conftest: several conftest modules share that name)."""

from pathlib import Path

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
