"""Language identification with py3langid (its model ships inside the package: no download)."""

from __future__ import annotations

import functools
import re

MIN_CHARS = 20
_NOISE = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+", re.IGNORECASE)  # shorter texts are not classified: langid is unreliable on a few words


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code (``"en"``, ``"de"``) of ``text``, or None when it is too short or unsure (p < 0.5)."""
    # Links and addresses say nothing about the language and mislead the classifier.
    sample = " ".join(_NOISE.sub(" ", text).split())[:4000]
    if len(sample) < MIN_CHARS:
        return None
    code, prob = _identifier().classify(sample)
    # "zxx" is ISO 639-2 for "no linguistic content" (codes, hashes, link debris).
    return code if prob >= 0.5 and code != "zxx" else None
