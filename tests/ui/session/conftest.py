"""Today and session-screen tests run on the seeded demonstration clinic."""

from __future__ import annotations

import pytest


@pytest.fixture
def nurse(services):  # type: ignore[no-untyped-def]
    """Nora Kim, signed in, on the seeded demonstration clinic."""
    services.demo.seed()
    return services.auth.sign_in("nkim", "nurse-demo-1")
