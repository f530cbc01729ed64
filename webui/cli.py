"""The `cpc` command: set up the database, deploy diagrams, demo data, users, serve."""

from __future__ import annotations

import json
import signal
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from engine.access import accounts, roles, tokens
from engine.diagrams import form_versions, registry
from engine.platform import backup, schema
from engine.platform.db import transaction
from engine.platform.errors import EngineError, InvalidDiagram

from . import memory, scheduling
from .extensions import services


def _session():
    return services().sessions()


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the database or migrate it to the latest schema."""
    schema.upgrade(services().db_engine)
    click.echo(f"Database at schema {schema.current_revision(services().db_engine)}.")


@click.group("db")
def db_group():
    """The database: migrate, check the schema, back up and restore."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade():
    """Migrate the schema to this release's newest revision (alembic upgrade head)."""
    engine = services().db_engine
    before = schema.current_revision(engine)
    schema.upgrade(engine)
    after = schema.current_revision(engine)
    if before == after:
        click.echo(f"Database already at schema {after}.")
    else:
        click.echo(f"Database migrated from schema {before or 'none'} to {after}.")


@db_group.command("current")
@with_appcontext
def db_current():
    """Show the schema revision; exit 1 when the database is behind this release."""
    current, head = schema.current_revision(services().db_engine), schema.head_revision()
    if current != head:
        raise click.ClickException(
            f"Database at schema {current or 'none'}; this release needs {head}: "
            "run cpc db upgrade."
        )
    click.echo(f"Database at schema {current}, as this release needs.")


@db_group.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def db_backup(file):
    """Write a full backup of the database to FILE (pg_dump, or SQLite's backup API)."""
    try:
        backup.backup(_database_url(), file)
    except backup.BackupFailed as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up to {file} ({file.stat().st_size:,} bytes).")


@db_group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.confirmation_option(
    prompt="This replaces everything in the database with the backup. Have you stopped "
    "the app and the scheduler?"
)
@with_appcontext
def db_restore(file):
    """Replace the database with the backup in FILE; stop the app and scheduler first."""
    services().db_engine.dispose()
    try:
        backup.restore(_database_url(), file)
    except backup.BackupFailed as exc:
        raise click.ClickException(str(exc)) from exc
    revision = schema.current_revision(services().db_engine)
    click.echo(f"Restored from {file}; database at schema {revision}.")
    if revision != schema.head_revision():
        click.echo("The backup is from an older release: run cpc db upgrade before starting.")


def _database_url() -> str:
    """The database the app uses (DATABASE_URL, or the default SQLite file)."""
    return services().db_engine.url.render_as_string(hide_password=False)


def deploy_folder(folder: Path, deployed_by: str = "cli") -> list[str]:
    """Validate every diagram in the folder first; deploy them only if all are valid.

    The forms they use are the shipped files in `forms/` (a form changed in the browser is
    replaced by its file, as a diagram is), each a new form version when it changed.
    """
    files = sorted(folder.glob("*.bpmn"))
    if not files:
        raise click.ClickException(f"No .bpmn files in {folder}.")
    diagrams, problems = [], []
    with _session() as session:
        source = form_versions.FormSource(session, files_first=True)
        for path in files:
            try:
                diagrams.append(registry.parse(path.read_bytes(), path.name, source))
            except InvalidDiagram as exc:
                problems += [f"{path.name}: {p}" for p in exc.problems]
        if problems:
            raise click.ClickException("Nothing deployed.\n  " + "\n  ".join(problems))
        lines = []
        with transaction(session):
            for diagram in diagrams:
                version, new = registry.deploy(session, diagram, deployed_by, forms_source=source)
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
        from webui import demo  # the demo's data and its sample files: only this command

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


@click.command("create-service-account")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="What system uses it.")
@click.option("--email", required=True, help="Who to contact about it.")
@click.option(
    "--role", "role_keys", multiple=True, required=True, type=click.Choice(sorted(roles.ROLES))
)
@click.option("--team")
@with_appcontext
def create_service_account(username, display_name, email, role_keys, team):
    """Create an account for a system calling the API (no password: it uses API tokens)."""
    with _session() as session:
        try:
            with transaction(session):
                accounts.create_user(
                    session,
                    username,
                    display_name,
                    email,
                    list(role_keys),
                    team=team,
                    service_account=True,
                )
        except EngineError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Created service account {username}. Make it a token: cpc token create {username}")


@click.group("token")
def token():
    """API tokens of service accounts: create, list, revoke."""


@token.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for (shown in lists).")
@click.option("--by", "created_by", default="cli", help="Who is making it (for the record).")
@click.option(
    "--expires-in-days",
    "days",
    type=click.IntRange(1, 3650),
    help="Refused after this many days (default: until revoked).",
)
@with_appcontext
def token_create(username, name, created_by, days):
    """Make a token for the service account USERNAME; the secret is shown only now."""
    now = services().workflow.clock.now()
    expires_at = now + timedelta(days=days) if days else None
    with _session() as session:
        try:
            made, secret = tokens.create(session, username, name, created_by, now, expires_at)
        except EngineError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Token {made.id} for {username} ({name}). Keep it secret; it is not shown again:")
    click.echo(secret)


@token.command("list")
@click.option("--user", "username", help="Only this account's tokens.")
@with_appcontext
def token_list(username):
    """Every token: id, account, name, prefix, created, last used, revoked."""
    from engine.models.people import user_by_username
    from engine.models.tokens import tokens_of

    with _session() as session:
        user_id = None
        if username:
            user = user_by_username(session, username)
            if user is None:
                raise click.ClickException(f"There is no user called “{username}”.")
            user_id = user.id
        for row in tokens_of(session, user_id):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            if row.expires_at and not row.revoked_at:
                state += f", expires {row.expires_at:%Y-%m-%d}"
            used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
            click.echo(
                f"{row.id}\t{row.user.username}\t{row.name}\t{row.prefix}…\t"
                f"created {row.created_at:%Y-%m-%d}\tlast used {used}\t{state}"
            )


@token.command("revoke")
@click.argument("token_id", type=int)
@click.option("--by", "revoked_by", default="cli", help="Who is revoking it (for the record).")
@with_appcontext
def token_revoke(token_id, revoked_by):
    """Revoke token TOKEN_ID at once: the next request with it is refused."""
    with _session() as session:
        try:
            tokens.revoke(session, token_id, revoked_by, services().workflow.clock.now())
        except EngineError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Token {token_id} revoked.")


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
    memory.freeze_what_is_loaded()  # as a web worker does, before its sweeps begin

    def stop(_signum, _frame):
        worker.shutdown()

    signal.signal(signal.SIGTERM, stop)
    click.echo(f"Scheduler {worker.owner} running; stop with Ctrl-C or SIGTERM.")
    try:
        worker.start(blocking=True)
    except (KeyboardInterrupt, SystemExit):
        worker.shutdown()


COMMANDS = (
    init_db,
    db_group,
    deploy,
    demo_data,
    create_user,
    create_service_account,
    token,
    serve,
    scheduler,
)


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
