"""Movie recommender: ratings data, matrix-factorization models, baselines, recommendations.

Modules: ``data`` (RatingsData, MovieLens 100k, uploaded ratings and items files), ``split``
(held-out splits), ``baselines`` (global mean, user + item biases), ``models`` (Keras seed MF,
biased MF, neural), ``factors`` (the trained model as NumPy arrays: scoring, fold-in, similar
movies), ``train``, ``evaluate`` (RMSE, MAE, Precision/Recall/NDCG@k), ``export``, ``cli``.
"""
