"""Text classification: review sets and uploaded tables, Keras text classifiers beside a TF-IDF
baseline, per-token explanations, export and CLI.

Modules: ``data`` (TextDataset, built-in sets, uploads), ``tokens`` (text -> tokens, Chinese by
character), ``config``, ``models`` (seed, average pooling, 1-D CNN, BiLSTM), ``baseline`` (TF-IDF +
logistic regression), ``train``, ``explain`` (occlusion), ``export``, ``cli``.
"""
