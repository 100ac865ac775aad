"""Load the Zoom fixtures when the top-level tests/conftest.py has not already
(``pytest_plugins`` is only allowed in the rootdir's conftest)."""


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("tests.zoom.fixtures"):
        config.pluginmanager.import_plugin("tests.zoom.fixtures")
