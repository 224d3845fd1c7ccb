import atexit
import os
import shutil
import tempfile

import pytest
import torch
from hypothesis import HealthCheck, settings

# CI: derandomized so a red run can be reproduced; locally: random, to keep finding new cases.
settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=40)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def pytest_configure(config):
    """One folder for the session's site and decks (tests/_pages.py), made by the main process before
    pytest-xdist starts its workers, which inherit the variable; removed when the main process ends."""
    if not hasattr(config, "workerinput") and "RNN_PAGES_SHARED" not in os.environ:
        folder = tempfile.mkdtemp(prefix="rnn-pages-")
        os.environ["RNN_PAGES_SHARED"] = folder
        atexit.register(shutil.rmtree, folder, True)
