"""French and English: a program's landing page, form errors, thanks page and
confirmation email speak the program's language, with dates as Babel writes them for
it; the portal speaks each user's language; the French catalogue is complete."""
from datetime import datetime, timezone
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from portal.extensions import db
from portal.i18n import in_zone
from portal.models import Email, FlowStep, Member, Person, Program, User
from providers.zoom.sandbox import seed
from tests.babel_helpers import babel_when
from tests.services_helpers import connect_service, linked_program
from tests.smtp_fixtures import smtp_server_fixture  # noqa: F401  (the smtp_server fixture)

ROOT = Path(__file__).resolve().parent.parent
FORM = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
        "company": "Navy", "phone": "+1 555 0100"}


@pytest.fixture
def config(config):
    config.update(ZOOM_MAX_WAIT=0.5, REGISTRATION_RETRY_BASE=1, MAIL_RETRY_INTERVALS=[1])
    return config


def test_event_times_are_written_for_the_language_with_the_zone_named():
    start = datetime(2030, 4, 1, 12, 0, tzinfo=timezone.utc)
    assert in_zone(start, "Europe/Paris", locale="fr") == "lundi 1 avril 2030, 14:00 heure d’été d’Europe centrale"
    assert in_zone(start, "Europe/Paris", locale="en") == \
        "Monday, April 1, 2030, 2:00\u202fPM Central European Summer Time"


def registration_journey(client, program, run_jobs, smtp_server) -> dict:
    """What a registrant sees: the page, the page with errors, the thanks page, the email."""
    url = f"/lp/{program.landing_page.slug}"
    seen = {"page": client.get(url),
            "errors": client.post(url, data={**FORM, "first_name": "", "email": "not-an-address"})}
    seen["thanks"] = client.post(url, data=FORM, follow_redirects=True)
    run_jobs()
    [mail] = smtp_server.to("grace@example.com")
    seen["email"] = {"subject": mail["subject"], "body": mail["body"].replace("\r\n", "\n")}
    return seen


def test_french_program_speaks_french_to_its_registrants(client, admin, sandbox, run_jobs, smtp_server):
    program = linked_program(connect_service(admin), "Webinaire de printemps", seed.W_SINGLE, language="fr")
    admin.post("/logout")
    binding = program.binding
    when = babel_when(binding.start_at, binding.timezone, "fr")
    seen = registration_journey(client, program, run_jobs, smtp_server)

    page = seen["page"].text
    assert '<html lang="fr">' in page
    assert when in page and "60 minutes" in page
    for label in ("Prénom", "Nom", "E-mail", "Société (facultatif)", "Téléphone (facultatif)", "S’inscrire"):
        assert label in page
    assert "First name" not in page and "Register" not in page

    errors = seen["errors"]
    assert errors.status_code == 400
    assert "Veuillez corriger les champs signalés ci-dessous." in errors.text
    assert "Ce champ est requis." in errors.text
    assert "Saisissez une adresse e-mail valide." in errors.text

    thanks = seen["thanks"].text
    assert "Merci pour votre inscription" in thanks
    assert f"Vous êtes inscrit à <strong>{binding.topic}</strong>, le {when}." in thanks

    mail = seen["email"]
    member = db.session.scalar(db.select(Member))
    # The webinar's topic and duration (issue 16), the start labelled with its zone.
    assert mail["subject"] == f"Votre lien pour rejoindre {binding.topic}"
    assert mail["body"].startswith(f"Bonjour Grace,\n\nMerci de vous être inscrit à {binding.topic}.\n")
    assert f"L’événement commence le {when} ({binding.timezone}) et dure 60 min." in mail["body"]
    assert member.webinar_url and member.webinar_url in mail["body"]


def test_english_program_speaks_english(client, admin, sandbox, run_jobs, smtp_server):
    program = linked_program(connect_service(admin), "Spring webinar", seed.W_SINGLE)
    admin.post("/logout")
    binding = program.binding
    when = babel_when(binding.start_at, binding.timezone, "en")
    # The visitor's browser asks for French: the page still speaks the program's language.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,fr;q=0.9"
    seen = registration_journey(client, program, run_jobs, smtp_server)

    page = seen["page"].text
    assert '<html lang="en">' in page and when in page
    assert "First name" in page and "Company (optional)" in page and "Prénom" not in page
    assert "This field is required." in seen["errors"].text
    assert "Enter a valid email address." in seen["errors"].text
    assert "Thank you for registering" in seen["thanks"].text and when in seen["thanks"].text
    assert seen["email"]["subject"] == f"Your link to join {binding.topic}"
    assert seen["email"]["body"].startswith("Hello Grace,")
    assert f"It starts {when} ({binding.timezone}) and lasts 60 min." in seen["email"]["body"]


def test_french_marketing_email_and_unsubscribe_page(client, app, run_jobs, smtp_server, marketer):
    marketer.post("/programs/", data={"name": "Rencontre", "channel": "in_person", "language": "fr"})
    program = db.session.scalar(db.select(Program))
    assert program.language == "fr" and program.emails[0].name == "Confirmation"
    news = Email(program=program, name="Nouvelles", subject="Nos nouvelles", body="Bonjour !", operational=False)
    db.session.add(news)
    db.session.flush()
    db.session.execute(db.delete(FlowStep).where(FlowStep.program_id == program.id))
    db.session.add_all([FlowStep(program=program, position=1, action="change_status", status="Registered"),
                        FlowStep(program=program, position=2, action="send_email", email_id=news.id)])
    program.landing_page.published = True
    db.session.commit()
    marketer.post("/logout")
    client.post(f"/lp/{program.landing_page.slug}", data=FORM)
    run_jobs()

    [mail] = smtp_server.to("grace@example.com")
    link = mail["body"].split("Pour ne plus recevoir ces e-mails : ")[1].split()[0]
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    asked = client.get(path)
    assert "Ne plus envoyer d’e-mails marketing à grace@example.com ?" in asked.text
    done = client.post(path)
    assert "Vous êtes désinscrit" in done.text
    assert db.session.scalar(db.select(Person)).unsubscribed is True


def test_portal_speaks_the_users_language(client, users):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,fr;q=0.9,en;q=0.5"
    login = client.get("/login").text
    assert "Se connecter à Lectern" in login and "Mot de passe" in login
    wrong = client.post("/login", data={"email": "marketer@example.com", "password": "nope"}).text
    assert "E-mail ou mot de passe incorrect." in wrong
    client.post("/login", data={"email": "marketer@example.com", "password": "correct horse battery"})

    # Not chosen yet: the browser's French is proposed, and the portal already speaks it.
    prefs = client.get("/account").text
    assert "Vous n’avez pas encore choisi de langue" in prefs
    assert '<option selected value="fr">Français</option>' in prefs
    saved = client.post("/account", data={"locale": "fr"}, follow_redirects=True).text
    assert "Préférences enregistrées." in saved
    assert db.session.scalar(db.select(User).where(User.email == "marketer@example.com")).locale == "fr"

    # Chosen: it wins over an English browser.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    programs = client.get("/programs/").text
    assert "Programmes d’événements" in programs and "Nouveau programme" in programs
    assert '<option selected value="fr">Français</option>' in programs   # a new program's language
    created = client.post("/programs/", data={"name": "Atelier", "channel": "webinar"}, follow_redirects=True)
    assert "Programme « Atelier » créé." in created.text
    assert db.session.scalar(db.select(Program)).language == "fr"
    missing = client.get("/programs/999")
    assert missing.status_code == 404 and "Il n’y a rien à cette adresse." in missing.text

    client.post("/account", data={"locale": "en"})
    assert "Event programs" in client.get("/programs/").text


def test_program_language_is_set_on_the_landing_page_editor(marketer):
    marketer.post("/programs/", data={"name": "Spring", "channel": "in_person", "language": "en"})
    program = db.session.scalar(db.select(Program))
    marketer.post(f"/programs/{program.id}/landing", data={"slug": "spring", "title": "Printemps",
                                                           "language": "fr", "published": "y"})
    db.session.expire_all()
    assert program.language == "fr"
    page = marketer.get("/lp/spring").text
    assert "S’inscrire" in page and "Prénom" in page


def test_provider_help_speaks_the_users_language(admin, users):
    users["admin"].locale = "fr"
    db.session.commit()
    page = admin.get("/admin/services/new").text
    assert "L’utilisateur Zoom doit être administrateur, ou avoir les privilèges" in page
    assert "L’organisateur GoTo doit être super-utilisateur du compte GoTo" in page
    assert "must be an admin" not in page and "must be a super user" not in page


def source_messages() -> set:
    """Every string the code and templates mark for translation (the babel.cfg mapping)."""
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "Nn_": (1, 2)}
    found = set()
    for pattern, method in (("portal/**.py", "python"), ("providers/**.py", "python"),
                            ("templates/**.html", "jinja2")):
        for _file, _line, message, _comments, _context in extract_from_dir(
                str(ROOT), [(pattern, method)], keywords=keywords):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_french_catalogue_is_complete():
    with (ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f, locale="fr")
    entries = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalogue if m.id}
    missing = sorted(source_messages() - set(entries))
    assert not missing, f"not in the French catalogue (make update-messages, then translate): {missing}"
    untranslated = sorted(k for k, m in entries.items()
                          if not (m.string if isinstance(m.string, str) else all(m.string)))
    assert not untranslated, f"no French translation: {untranslated}"
    fuzzy = sorted(k for k, m in entries.items() if m.fuzzy)
    assert not fuzzy, f"fuzzy French translations: {fuzzy}"
    assert not list(catalogue.check()), "translations whose placeholders do not match"
