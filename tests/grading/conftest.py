import os
import shutil

import pytest


@pytest.fixture(scope="session")
def bwrap():
    """Bubblewrap must be there: CI installs it, so under CI its absence fails
    the tests that need the sandbox instead of skipping them."""
    if shutil.which("bwrap") is None:
        message = "bubblewrap (bwrap) is not installed: the sandbox cannot be tested"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
