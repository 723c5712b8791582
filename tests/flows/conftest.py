"""Flow tests run on the explainable rules alone, unless marked `model`.

What a step does with a verdict is the subject here, so a test must not change its outcome
whenever the trained model is rebuilt. The model's own behaviour is tested where it is the
subject (`test_classifier.py`, `test_holdout.py`, marked `model`), through stand-ins where a
test needs a model to say something exact (`stand_in.py`), and end to end in `tests/bot/`
and `tests/e2e/`, which run the shipped model.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flows.language import classifier


@pytest.fixture(autouse=True)
def rules_only(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("model") is None:
        classifier.install(None)
    yield
    classifier.configure(True)
