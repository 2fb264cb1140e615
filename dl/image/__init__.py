"""Image classification: datasets and uploads, the seed CNN, Grad-CAM, pretrained models, export.

Submodules are imported on demand; nothing here imports TensorFlow at package import time.
Imports between them point one way, from the bottom up (``tests/dl/test_layering.py`` fails on a
circle, imports inside functions included): ``pixels`` <- ``pretrained`` <- ``kinds`` <- ``dataset``
<- ``uploads`` <- ``transfer`` <- ``cnn`` <- ``explain``, ``export``, ``cli``. A piece two modules
both need goes down to the lower one (or to ``pixels``), not into a function-level import upward.
"""
