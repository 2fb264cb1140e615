"""Beside a prediction: whether the photo is like the images the model was trained on.

``dl.image.familiarity.check_prediction`` returns codes and numbers; this module turns them into a
warning ("far from the training data", with each reason) or a one-line caption, in the user's language.
"""

from __future__ import annotations

import streamlit as st

from dl.image.familiarity import FamiliarityCheck
from ui.i18n import t


def reason_text(check: FamiliarityCheck, reason: str) -> str:
    """One reason as a sentence, with the photo's number beside the training images'."""
    aspect_low, aspect_high = check.aspect_range
    if reason == "colour":
        key = "far_colour_grey" if check.colourfulness_limit < 1 else "far_colour_more"
        return t(f"image_classification.{key}", colour=check.colourfulness, limit=check.colourfulness_limit)
    values = {
        "features": {"distance": check.distance, "limit": check.distance_limit},
        "tones": {"distance": check.tone_distance, "limit": check.tone_limit},
        "shape": {"aspect": check.aspect, "low": aspect_low, "high": aspect_high},
        "small": {"smallest": check.smallest_side},
    }[reason]
    return t(f"image_classification.far_{reason}", **values)


def show_familiarity(check: FamiliarityCheck | None) -> None:
    """A warning listing every reason when the photo is far from the training data, else a caption.

    Nothing for a model stored before training profiles existed (``check`` is None)."""
    if check is None:
        return
    if not check.far:
        st.caption(t("image_classification.near_training", distance=check.distance, limit=check.distance_limit))
        return
    reasons = "\n".join(f"- {reason_text(check, reason)}" for reason in check.reasons)
    st.warning(f"{t('image_classification.far_title')}\n{reasons}", icon="⚠️")
