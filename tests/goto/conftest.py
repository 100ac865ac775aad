"""Load the GoTo fixtures for the tests in this folder (``pytest_plugins`` is only
allowed in the rootdir's conftest)."""


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("tests.goto.fixtures"):
        config.pluginmanager.import_plugin("tests.goto.fixtures")
