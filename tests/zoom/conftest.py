"""Load the Zoom fixtures when the top-level tests/conftest.py has not already
(``pytest_plugins`` is only allowed in the rootdir's conftest), and check every answer
the sandbox serves to this folder's tests against Zoom's published schemas."""
import pytest

from tests.zoom.schema_check import AnswerRecorder, problems


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("tests.zoom.fixtures"):
        config.pluginmanager.import_plugin("tests.zoom.fixtures")


@pytest.fixture(autouse=True)
def answers_match_zoom_schemas(request):
    if "zoom_sandbox" not in request.fixturenames:
        yield None
        return
    app = request.getfixturevalue("zoom_sandbox").app
    if not isinstance(app.wsgi_app, AnswerRecorder):
        app.wsgi_app = AnswerRecorder(app.wsgi_app)
    recorder = app.wsgi_app
    recorder.take()
    yield recorder
    found = [p for answer in recorder.take() for p in problems(*answer)]
    assert not found, "sandbox answers that break Zoom's schemas:\n" + "\n".join(found[:20])
