"""Early stopping that cannot end a run while the model is no better than the majority class.

Keras's ``EarlyStopping`` on validation accuracy stops a model that predicts the largest class for
everything: on a 85/15 set that model's accuracy is 0.85 from the first epoch and never "improves",
so two epochs of patience end the run with nothing learned. ``MacroF1Stopping`` watches macro F1
on the validation split instead (the majority predictor scores at most 1/classes on it), keeps the
best epoch's weights, never stops before ``min_epochs`` and never while its best is still at or
below the majority predictor's; patience counts in updates, not epochs, so a small set (a few
updates an epoch) gets as many chances as a large one. On a small validation part macro F1 often
stops moving (16 images give a handful of possible scores; a perfect first epoch can never be
beaten), so an epoch with the same macro F1 and a lower validation loss counts as better too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dl.data_doctor.labels import majority_baseline

PATIENCE_UPDATES = 150  # batches without improvement before stopping (2 epochs of Rotten Tomatoes' ~130)
MIN_UPDATES = 200  # no run stops before this many batches (or its epoch limit)
MAX_SCALED_PATIENCE = 10  # epochs: a 50-text set would otherwise wait 150 epochs
MIN_GAIN = 1e-4  # a smaller rise in macro F1 is noise, not improvement


@dataclass(frozen=True)
class StoppingPlan:
    """Patience and minimum epochs for one run, from the data size (see ``plan_stopping``)."""

    patience: int
    min_epochs: int


def plan_stopping(train_examples: int, batch_size: int, patience: int, epochs: int) -> StoppingPlan:
    """``patience`` epochs at least, more when an epoch is only a few updates long."""
    updates = max(1, math.ceil(train_examples / batch_size))
    scaled = min(MAX_SCALED_PATIENCE, max(patience, math.ceil(PATIENCE_UPDATES / updates)))
    minimum = min(epochs, max(1, math.ceil(MIN_UPDATES / updates)), MAX_SCALED_PATIENCE)
    return StoppingPlan(patience=scaled, min_epochs=minimum)


def macro_f1_score(labels: np.ndarray, predicted: np.ndarray, num_classes: int) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(labels, predicted, labels=list(range(num_classes)), average="macro", zero_division=0))


def macro_f1_stopping(predict: Callable[[], np.ndarray], labels: np.ndarray, num_classes: int, plan: StoppingPlan):
    """A Keras callback (built here so importing this module does not import Keras).

    ``predict()`` returns the validation examples' class probabilities, shape (n, classes). The
    epoch's score is written to ``logs["val_macro_f1"]`` so the curves show it.
    """
    import keras

    floor = majority_baseline(labels, num_classes)["macro_f1"]

    class MacroF1Stopping(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.best, self.best_loss, self.best_epoch, self.best_weights, self.wait = -1.0, math.inf, -1, None, 0

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            score = macro_f1_score(labels, predict().argmax(axis=1), num_classes)
            loss = float((logs or {}).get("val_loss", math.inf))
            if logs is not None:
                logs["val_macro_f1"] = score
            tied = abs(score - self.best) <= MIN_GAIN and loss < self.best_loss - MIN_GAIN
            if score > self.best + MIN_GAIN or tied:
                self.best, self.best_loss, self.best_epoch, self.wait = max(score, self.best), loss, epoch, 0
                self.best_weights = self.model.get_weights()
            else:
                self.wait += 1
            learned = self.best > floor + MIN_GAIN
            if epoch + 1 >= plan.min_epochs and self.wait >= plan.patience and learned:
                self.model.stop_training = True

        def on_train_end(self, logs: dict | None = None) -> None:
            if self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    return MacroF1Stopping()
