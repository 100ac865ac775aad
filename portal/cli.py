"""Command-line tools: `flask users create`, `flask demo`, `flask worker`."""
import secrets

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db
from portal.models import ADMIN, MARKETER, User
from portal.passwords import password_problem
from portal.workers import worker as run_worker

users = AppGroup("users", help="Manage portal users.")


def create_user(email: str, password: str, admin: bool) -> User:
    user = User(email=email.strip().lower(), role=ADMIN if admin else MARKETER)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


@users.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Give the user the admin role.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_create(email, admin, password):
    """Create a portal user."""
    if db.session.scalar(db.select(User).where(User.email == email.strip().lower())):
        raise click.ClickException(f"a user with the email {email} already exists")
    problem = password_problem(password, [email])
    if problem:
        raise click.ClickException(f"password refused: {problem}")
    user = create_user(email, password, admin)
    click.echo(f"Created {user.role} {user.email}")


@click.command("demo")
def demo():
    """Create the demo admin and marketer if missing, and print their credentials."""
    lines = []
    for email, admin in (("admin@lectern.local", True), ("marketer@lectern.local", False)):
        user = db.session.scalar(db.select(User).where(User.email == email))
        password = secrets.token_urlsafe(12)
        if user is None:
            user = create_user(email, password, admin)
        else:
            # A fresh password each run, so the printed one always works.
            user.set_password(password)
            user.active = True
            db.session.commit()
        lines.append(f"  {user.role:<9} {email}  password: {password}")
    click.echo("Demo users (sign in at %s):" % current_app.config["PORTAL_URL"])
    click.echo("\n".join(lines))


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst):
    """Run an RQ worker (with the scheduler) for Lectern's jobs."""
    run_worker(current_app._get_current_object(), burst=burst)


def init_app(app):
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(worker)
