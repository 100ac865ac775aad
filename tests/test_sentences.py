"""Sentences stored in English (reasons, errors, what a sync or a task did) are shown in
the reader's language; a marketer's own words are shown as written."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask_babel import force_locale

from portal.extensions import db
from portal.models import Member
from portal.programs import lifecycle as flows
from portal.sentences import declared, worded
from tests.test_programs import make_members

ROOT = Path(__file__).resolve().parent.parent


def sample(sentence, num: int) -> dict:
    """Values for each field: numbers for %d, a word no catalogue knows for %s."""
    return {name: (num if name == "num" else 7) if kind == "d" else f"Zq{name}"
            for name, kind in sentence.fields.items()}


@pytest.mark.parametrize("num", [1, 3])
def test_every_stored_sentence_is_worded_in_the_readers_language(app, num):
    assert len(declared()) >= 25
    for sentence in declared():
        values = sample(sentence, num)
        english = sentence(**values)
        with app.test_request_context():
            with force_locale("en"):
                assert worded(english) == english
            with force_locale("fr"):
                french = worded(english)
        assert french != english, english
        for value in values.values():
            assert str(value) in french, (english, french)


def test_fields_are_worded_only_where_they_hold_stored_text(app):
    with app.test_request_context(), force_locale("fr"):
        # a reason inside a reason, an error inside an error: worded too
        assert worded("filled out the form (manual move back)") == \
            "a rempli le formulaire (retour en arrière manuel)"
        assert worded("Gave up after 3 attempts. SMTP delivery failed: timed out (attempt 3 of 3; retrying)") \
            == "Abandon après 3 tentatives. Échec de l’envoi SMTP : timed out (tentative 3 sur 3 ; nouvel essai prévu)"
        # statuses are the channel's names, shown as written even where a catalogue knows the word
        assert worded("2 members moved from Registered to Attended.") == \
            "2 membres passés de Registered à Attended."
        assert worded("left early") == "left early"
        assert worded("") == "" and worded(None) == ""


def test_the_web_app_knows_every_sentence_its_jobs_store(tmp_path):
    """Jobs are imported by the worker only: the sentences they store must be declared in
    modules the web app imports, or its pages would show them in English."""
    script = """
import importlib, pkgutil, portal
from portal import create_app
from portal.sentences import declared
create_app()
known = len(declared())
for module in pkgutil.walk_packages(portal.__path__, "portal."):
    importlib.import_module(module.name)
print(known, len(declared()))
"""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "test"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == out[1] and int(out[0]) >= 25


def test_french_history_words_the_portals_reasons_and_keeps_the_marketers(marketer, users):
    marketer.post("/account", data={"locale": "fr"})
    program = flows.create_program("Manual", "webinar", "", None)
    make_members(program, 1, status="Attended")
    member = db.session.scalar(db.select(Member))
    url = f"/programs/{program.id}/members/{member.id}"
    marketer.post(url, data={"status": "No Show", "reason": "left after 1 minute"})
    marketer.post(url, data={"status": "Registered", "reason": ""})
    page = marketer.get(url).text
    assert "changement manuel (retour en arrière manuel)" in page
    assert "left after 1 minute (retour en arrière manuel)" in page
    assert "manual change" not in page
