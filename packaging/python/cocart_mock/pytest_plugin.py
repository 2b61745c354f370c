"""pytest plugin of cocart-mock (entry point ``pytest11``).

Fixtures:
- ``cocart_mock``: a fresh mock for each test, stopped after it. Its profile comes from the
  test's ``@pytest.mark.cocart_mock(access_ttl=60, users=["alice:pw"], ...)`` marker (the keywords
  of ``cocart_mock.start``).
- ``cocart_mock_session``: one mock (default profile) for the whole session; call ``reset()``
  where a test needs the seeded state.
"""

import pytest

import cocart_mock as _cm


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "cocart_mock(**profile): the profile of the cocart_mock fixture's mock")


@pytest.fixture
def cocart_mock(request):
    marker = request.node.get_closest_marker("cocart_mock")
    profile = dict(marker.kwargs) if marker else {}
    mock = _cm.start(**profile)
    yield mock
    mock.stop()


@pytest.fixture(scope="session")
def cocart_mock_session():
    mock = _cm.start()
    yield mock
    mock.stop()
