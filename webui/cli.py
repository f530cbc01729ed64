"""The `cpc` command: set up the database, deploy diagrams, demo data, users, serve."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from engine import accounts, demo, registry, roles, schema
from engine.db import transaction
from engine.errors import EngineError, InvalidDiagram
from forms import exists as form_exists

from . import scheduling
from .extensions import services


def _session():
    return services().sessions()


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the database or migrate it to the latest schema."""
    schema.upgrade(services().db_engine)
    click.echo(f"Database at schema {schema.current_revision(services().db_engine)}.")


def deploy_folder(folder: Path, deployed_by: str = "cli") -> list[str]:
    """Validate every diagram in the folder first; deploy them only if all are valid."""
    files = sorted(folder.glob("*.bpmn"))
    if not files:
        raise click.ClickException(f"No .bpmn files in {folder}.")
    diagrams, problems = [], []
    for path in files:
        try:
            diagrams.append(registry.parse(path.read_bytes(), path.name, form_exists))
        except InvalidDiagram as exc:
            problems += [f"{path.name}: {p}" for p in exc.problems]
    if problems:
        raise click.ClickException("Nothing deployed.\n  " + "\n  ".join(problems))
    lines = []
    with _session() as session, transaction(session):
        for diagram in diagrams:
            version, new = registry.deploy(session, diagram, deployed_by)
            state = "deployed as version" if new else "unchanged, still version"
            lines.append(f"{diagram.process_id}: {state} {version.id}")
    return lines


@click.command("deploy")
@click.argument(
    "folder", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False
)
@click.option("--by", "deployed_by", default="cli", help="Who is deploying (for the record).")
@with_appcontext
def deploy(folder, deployed_by):
    """Validate and deploy the diagrams in FOLDER (default: processes/)."""
    for line in deploy_folder(folder or current_app.config["PROCESSES_DIR"], deployed_by):
        click.echo(line)


@click.command("demo-data")
@with_appcontext
def demo_data():
    """Load demo users (password: demo), children and cases at several stages."""
    with _session() as session:
        summary = demo.load(session, services().workflow)
    click.echo(summary)


@click.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", required=True)
@click.option("--email", required=True)
@click.option(
    "--role", "role_keys", multiple=True, required=True, type=click.Choice(sorted(roles.ROLES))
)
@click.option("--team")
@click.password_option()
@with_appcontext
def create_user(username, display_name, email, role_keys, team, password):
    """Create a local account."""
    with _session() as session:
        try:
            with transaction(session):
                accounts.create_user(
                    session, username, display_name, email, list(role_keys), password, team
                )
        except EngineError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {username}.")


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def serve(host, port):
    """Serve the app for development (production: gunicorn, see the README)."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    if scheduling.start_in_app(app) is not None:
        click.echo("Timer sweep and mail sender running in this process.")
    click.echo(f"Serving on http://{host}:{port}")
    run_simple(host, port, app, threaded=True)


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Catch up once (timers, digest, mail) and exit.")
@with_appcontext
def scheduler(once):
    """Run the timer sweep, mail sender and digest in this process (see the README)."""
    worker = scheduling.build(current_app._get_current_object(), "standalone")
    if once:
        click.echo(json.dumps(worker.run_once()))
        return

    def stop(_signum, _frame):
        worker.shutdown()

    signal.signal(signal.SIGTERM, stop)
    click.echo(f"Scheduler {worker.owner} running; stop with Ctrl-C or SIGTERM.")
    try:
        worker.start(blocking=True)
    except (KeyboardInterrupt, SystemExit):
        worker.shutdown()


COMMANDS = (init_db, deploy, demo_data, create_user, serve, scheduler)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def _create_app():
    from . import create_app

    return create_app()


main = FlaskGroup(
    create_app=_create_app, add_default_commands=False, help="Child protection conference workflow."
)
for _command in COMMANDS:
    main.add_command(_command)
