"""Today and session-screen tests run on the seeded demonstration clinic."""

from __future__ import annotations

import pytest

from tests.ui.session_support import demo_nurse


@pytest.fixture
def nurse(services):  # type: ignore[no-untyped-def]
    return demo_nurse(services)
