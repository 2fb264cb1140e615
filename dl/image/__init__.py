"""Image classification: datasets and uploads, the seed CNN, Grad-CAM, pretrained models, export.

Submodules are imported on demand; nothing here imports TensorFlow at package import time.
"""
