"""Control characters in form fields, NUL bytes and absurd numbers in query
arguments: refused with a clear answer, never a 500."""
import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm

import portal
from portal.extensions import db
from portal.forms import Form
from portal.models import Person, Program, User
from tests.test_landing import FORM, published_program

BAD = ["Grace\r\nBcc: everyone@example.com", "Grace\nHopper", "Gr\x00ace", "Grace\x1b[31m", "Grace\u2028"]


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("field", ["first_name", "last_name", "company"])
def test_landing_form_refuses_control_characters_in_a_field(client, app, field, value):
    program = published_program()
    response = client.post(f"/lp/{program.landing_page.slug}", data=dict(FORM, **{field: value}))
    assert response.status_code == 400
    assert "without line breaks or invisible control characters" in response.text
    assert db.session.scalar(db.select(Person)) is None


def test_landing_form_refuses_nul_in_the_email(client, app):
    program = published_program()
    response = client.post(f"/lp/{program.landing_page.slug}",
                           data=dict(FORM, email="grace\x00@example.com"))
    assert response.status_code == 400 and "control characters" in response.text


def test_sign_in_refuses_control_characters(client, users):
    response = client.post("/login", data={"email": "marketer@example.com\x00", "password": "x\ny"})
    assert response.status_code == 200
    assert response.text.count("without line breaks or invisible control characters") == 2
    assert client.get("/programs/").status_code == 302


def test_single_line_fields_of_marketers_refuse_line_breaks(marketer):
    response = marketer.post("/programs/", data={"name": "Launch\r\nX-Injected: 1", "channel": "webinar"})
    assert "without line breaks" in response.text
    assert db.session.scalar(db.select(Program)) is None


def test_text_areas_keep_line_breaks_and_refuse_other_controls(marketer):
    ok = marketer.post("/programs/", data={"name": "Launch", "channel": "webinar",
                                          "description": "Line one\r\n\tLine two"})
    assert ok.status_code == 302
    refused = marketer.post("/programs/", data={"name": "Launch 2", "channel": "webinar",
                                               "description": "Line one\x00"})
    assert "Remove the control characters" in refused.text
    assert db.session.scalar(db.select(Program.description)) == "Line one\r\n\tLine two"


def test_admin_user_form_refuses_control_characters(admin):
    response = admin.post("/admin/users", data={"email": "new\r\n@example.com", "role": "marketer",
                                                "password": "plum anvil sorrow kite"})
    assert "without line breaks" in response.text
    assert db.session.scalar(db.select(User).where(User.email.like("new%"))) is None


def test_every_form_of_the_portal_refuses_control_characters(app):
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)
    forms = [c for c in subclasses(FlaskForm) if c.__module__.startswith("portal.")]
    assert len(forms) >= 10
    assert [f"{c.__module__}.{c.__name__}" for c in forms if not issubclass(c, Form)] == []


@pytest.mark.parametrize("query", ["q=%00", "status=a%00b", "x%00=1"])
def test_nul_in_a_query_argument_is_a_400(marketer, query):
    program = marketer.post("/programs/", data={"name": "P", "channel": "webinar"})
    assert program.status_code == 302
    assert marketer.get(f"/programs/1?{query}").status_code == 400


def test_nul_in_a_query_argument_of_a_public_page_is_a_400(client, app):
    program = published_program()
    assert client.get(f"/lp/{program.landing_page.slug}?utm=%00").status_code == 400


@pytest.mark.parametrize("url", ["/programs/1?page=1e20", "/programs/1?page=100000000000000000000",
                                 "/programs/1?page=-1", "/programs/1?page=%EF%BC%91",
                                 "/outbox/?page=1e20", "/outbox/?program=100000000000000000000",
                                 "/programs/1/event?service=99999999999999999999"])
def test_absurd_numbers_in_query_arguments_are_a_400(marketer, url):
    marketer.post("/programs/", data={"name": "P", "channel": "webinar"})
    assert marketer.get(url).status_code == 400


def test_ordinary_page_numbers_still_work(marketer):
    marketer.post("/programs/", data={"name": "P", "channel": "webinar"})
    assert marketer.get("/programs/1?page=3").status_code == 200
    assert marketer.get("/outbox/?page=1&program=1").status_code == 200
