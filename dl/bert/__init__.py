"""BERT sentence labeling: fine-tune a pretrained BERT (offline MiniLM, or any Hugging Face model
online) with transformers' Trainer, compare with frozen-embedding baselines, label new sentences.

Modules: ``config``, ``backbone`` (find and load the pretrained model and tokenizer, offline
errors), ``train`` (Trainer, progress, cancel, the store), ``baselines`` (frozen embeddings +
logistic regression, nearest centroid), ``probe`` (the frozen-encoder baseline kept as a model of its
own, predicted with ``probe_predict_script``), ``attribution`` (integrated gradients), ``export``, ``cli``.
"""
