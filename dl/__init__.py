"""Deep Learning Playground's engine: data, training, caching and serving of models.

Plain Python with no Streamlit import, usable from a notebook, the CLI (`python -m dl`) and the
Streamlit pages alike. Heavy frameworks (TensorFlow, PyTorch, transformers) are imported lazily
inside the functions that need them, so importing `dl` is cheap.
"""

__version__ = "0.1.0"
