"""Fixtures of the attendance tests against the Zoom sandbox: reports retried quickly,
and a service connected by the admin."""
import pytest

from tests.services_helpers import connect_service


@pytest.fixture(name="config")
def attendance_config(config):
    config.update(ATTENDANCE_REPORT_RETRY_SECONDS=0.5, ATTENDANCE_REPORT_RETRIES=3)
    return config


@pytest.fixture(name="service")
def admin_service(admin, sandbox):
    return connect_service(admin)
