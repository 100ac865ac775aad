"""The admins' warning when the background work stands still: no worker running (and how
many jobs wait), or Redis unreachable. A running `flask worker` clears it; marketers
never see it."""

from providers.zoom.sandbox import seed
from tests.fault_helpers import Workers, wait_for
from tests.services_helpers import connect_service, linked_program

NO_WORKER = "No background worker is running"
FORM = {"first_name": "Ida", "last_name": "Idle", "email": "ida@example.com", "company": "", "phone": ""}


def warning(client) -> str:
    page = client.get("/programs/").text
    start = page.find('class="flash flash-warning background-warning"')
    return "" if start < 0 else page[page.index(">", start) + 1:page.index("</p>", start)]


def test_admins_learn_that_no_worker_runs_and_how_many_jobs_wait(admin, sandbox):
    assert warning(admin).startswith(NO_WORKER)
    assert "waiting" not in warning(admin)

    program = linked_program(connect_service(admin), "Quiet webinar", str(seed.W_SINGLE))
    for n in range(2):
        assert admin.post(f"/lp/{program.landing_page.slug}",
                          data={**FORM, "email": f"ida{n}@example.com"}).status_code == 302
    assert warning(admin).endswith("2 jobs are waiting.")


def test_a_running_worker_clears_the_warning(admin, config, tmp_path):
    workers = Workers(config, tmp_path)
    workers.start()
    try:
        wait_for(lambda: not warning(admin), 30, message=workers.output)
    finally:
        workers.stop()
    assert warning(admin).startswith(NO_WORKER)      # its key left with it


def test_marketers_do_not_see_it(marketer):
    page = marketer.get("/programs/").text
    assert "background-warning" not in page and NO_WORKER not in page


def test_with_redis_down_admins_are_told_what_waits_for_it(admin, own_redis):
    assert warning(admin).startswith(NO_WORKER)
    own_redis.stop()
    page = admin.get("/programs/")
    assert page.status_code == 200
    assert "Lectern cannot reach Redis" in warning(admin)


def test_the_warning_in_french(admin):
    admin.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,fr;q=0.9"     # the admin chose no language
    assert warning(admin).startswith("Aucun processus d’arrière-plan ne tourne")
