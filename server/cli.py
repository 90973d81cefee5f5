"""The `iltizam` command: Flask's CLI plus the project's own commands."""
from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import FlaskGroup

if TYPE_CHECKING:
    from flask import Flask


def _create_app() -> Flask:
    from . import create_app

    return create_app()


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
    app.cli.add_command(create_token_cmd)
    app.cli.add_command(reset_password)


@click.group("db", help="Database schema.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Create or migrate the database to the latest schema.")
def db_upgrade() -> None:
    from .migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")


@click.command("seed-demo", help="Create the demo plan (idempotent) and print its accounts.")
@click.option("--json", "as_json", is_flag=True, help="Print the accounts as JSON.")
def seed_demo(as_json: bool) -> None:
    from . import db, demo
    from .collab.wiring import documents

    session = db.session()
    result = demo.seed(session, documents(current_app))
    session.commit()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    click.echo(f"Demo plan {result['plan_id']}; every demo account's password: {result['password']}")
    for acc in result["accounts"]:
        where = f"card {acc['card_number']} (id {acc['card_id']})" if acc["card_id"] else f"plan {acc['plan_id']}"
        click.echo(f"  {acc['role']:<12} {acc['email']:<40} {where}")
    click.echo(f"The public site, without an account: /public/plans/{result['plan_id']}")


@click.command("create-user", help="Create an account.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--language", type=click.Choice(["ar", "fr", "en"]), default="ar")
@click.option("--admin", is_flag=True, help="May create plans.")
def create_user(email: str, name: str, password: str, language: str, admin: bool) -> None:
    from . import db
    from .services.accounts import create_account
    from .services.errors import ServiceError

    session = db.session()
    try:
        create_account(session, email, name, password, language, admin=admin)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    email = email.strip().lower()
    click.echo(f"created {email}")


@click.command("create-token", help="Print a new API token for EMAIL (shown once).")
@click.argument("email")
@click.option("--name", default="script")
def create_token_cmd(email: str, name: str) -> None:
    from . import db
    from .auth.tokens import create_token
    from .services.accounts import find_by_email

    session = db.session()
    user = find_by_email(session, email)
    if user is None:
        raise click.ClickException(f"no account with {email}")
    _, secret = create_token(session, user, name)
    session.commit()
    click.echo(secret)


@click.command("reset-password", help="Set a new password for EMAIL and end all its sessions.")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def reset_password(email: str, password: str) -> None:
    from . import db
    from .services import accounts, live

    session = db.session()
    user = accounts.find_by_email(session, email)
    if user is None:
        raise click.ClickException(f"no account with {email}")
    try:
        accounts.set_password(session, user, password, why="password_reset")
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    live.credentials_revoked(user.id)
    click.echo(f"new password set for {user.email}; its sessions have ended")


@click.command("run", help="Serve the app with live co-editing on HOST:PORT (default 127.0.0.1:5000).")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"))
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")))
def run(host: str, port: int) -> None:
    # The production server (gevent) must monkey-patch before anything else is imported, which
    # this process has already done; so the server runs as a fresh interpreter in its place.
    click.echo(f"Iltizam on http://{host}:{port}/ (Ctrl+C stops it)")
    os.execv(sys.executable, [sys.executable, "-m", "server.serve", "--host", host, "--port", str(port)])


def main() -> None:
    from flask.cli import routes_command, shell_command

    # Flask's own `run` serves plain HTTP only; ours serves Socket.IO too.
    group = FlaskGroup(create_app=_create_app, add_default_commands=False,
                       help="Iltizam: run, db upgrade, seed-demo, create-user, create-token.")
    for command in (run, shell_command, routes_command):
        group.add_command(command)
    group(prog_name="iltizam")
