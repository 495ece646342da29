"""The ``hep`` command: demo, serve, db upgrade|seed|schema-sql, create-therapist, ...

Every command runs inside an app built by ``create_app`` from the environment.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext


def _create_app() -> Flask:
    from hep import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """hep: home exercise programs for sciatica and low back pain."""


def register(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(create_therapist)
    app.cli.add_command(reset_2fa)
    app.cli.add_command(serve)
    app.cli.add_command(demo)
    app.cli.add_command(send_reminders)
    app.cli.add_command(send_alert_notices)
    app.cli.add_command(refresh_alerts)
    app.cli.add_command(backup)
    app.cli.add_command(restore)


@click.group("db")
def db_group() -> None:
    """Database schema and seed data."""


@db_group.command("upgrade")
@click.option("--to", "target", type=int, default=None, help="Stop at this version.")
@with_appcontext
def db_upgrade(target: int | None) -> None:
    """Apply the missing schema migrations."""
    from hep import migrations
    from hep.db import db

    applied = migrations.upgrade(db.obj, target)
    for migration in applied:
        click.echo(f"applied {migration.version:04d} {migration.name}")
    click.echo(f"schema version {migrations.current_version(db.obj)}")


@db_group.command("seed")
@with_appcontext
def db_seed() -> None:
    """Load the shipped exercise library and education cards (safe to repeat)."""
    from hep.library.seed import seed_library

    click.echo(str(seed_library()))


@db_group.command("schema-sql")
@click.argument("models", nargs=-1, required=True)
@click.option("--dialect", type=click.Choice(["sqlite", "postgresql"]), default="sqlite")
def db_schema_sql(models: tuple[str, ...], dialect: str) -> None:
    """Print the CREATE statements for MODELS, to start a new migration file."""
    import peewee as pw

    import hep.models as all_models
    from hep.migrations import schema_sql

    database = pw.SqliteDatabase(":memory:") if dialect == "sqlite" else pw.PostgresqlDatabase("x")
    click.echo(schema_sql([getattr(all_models, name) for name in models], database), nl=False)


@click.command("create-therapist")
@click.argument("email")
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--name", default=None, help="Display name (default: from the email).")
@click.option("--clinic", "clinic_name", default="My clinic", help="Clinic to create or join.")
@click.option("--admin", is_flag=True, help="Make the account an admin (new or existing).")
@with_appcontext
def create_therapist(email: str, password: str, name: str | None, clinic_name: str, admin: bool) -> None:
    """Create a therapist or admin account (or reset the password of an existing one)."""
    from hep.people.accounts import AccountError, create_or_update_therapist

    try:
        user, created = create_or_update_therapist(email, password, name, clinic_name, admin=admin)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{'created' if created else 'updated'} {user.role} {user.email} (clinic: {user.clinic.name})")


@click.command("reset-2fa")
@click.argument("email")
@with_appcontext
def reset_2fa(email: str) -> None:
    """Turn off the two-factor sign-in of a therapist or admin who lost their phone and their
    recovery codes (they sign in with the password and may set it up again)."""
    from hep.models import User
    from hep.people import two_factor

    user = User.by_email(email)
    if user is None or user.role == "patient":
        raise click.ClickException(f"no therapist or admin with the email {email}")
    removed = two_factor.reset(user)
    click.echo(f"two-factor sign-in {'turned off' if removed else 'was not on'} for {user.email}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--no-consumer", is_flag=True, help="Do not run the queue consumer in-process.")
@with_appcontext
def serve(host: str, port: int, threads: int, no_consumer: bool) -> None:
    """Serve this instance (with the embedded reminder consumer unless told otherwise)."""
    from hep.server import run

    run(current_app._get_current_object(), host, port, threads,
        consumer=not no_consumer and current_app.config["EMBEDDED_CONSUMER"])


@click.command("send-reminders")
@click.option("--at", "at", default=None, metavar="ISO-8601",
              help="Send what is due at this instant (default: now), e.g. 2025-03-09T13:00:00Z.")
@click.option("--lookback", default=15, show_default=True, type=click.IntRange(1, 24 * 60),
              help="Minutes back from the instant in which a slot still counts as due.")
@with_appcontext
def send_reminders(at: str | None, lookback: int) -> None:
    """Send every reminder due at an instant; prints "due N, sent S, pruned P, failed F"."""
    from datetime import timedelta

    from hep.push.reminders import parse_instant, send_due
    from hep.timeutil import utcnow

    try:
        now = parse_instant(at) if at else utcnow()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--at") from None
    report = send_due(now, lookback=timedelta(minutes=lookback))
    if report.retrying or report.skipped_done:
        click.echo(f"retrying {report.retrying}, skipped (day done) {report.skipped_done}")
    click.echo(report.line())


@click.command("demo")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the demo data and exit.")
@with_appcontext
def demo(port: int, no_serve: bool) -> None:
    """Create and seed a demo instance, print how to sign in, and serve it on 127.0.0.1."""
    from hep.demo import prepare
    from hep.server import run

    app = current_app._get_current_object()
    base = app.config.get("BASE_URL") or f"http://127.0.0.1:{port}"
    app.config["BASE_URL"] = base
    credentials = prepare(base)
    click.echo(f"Therapist: {credentials.email} / {credentials.password}")
    click.echo(f"Patient: {credentials.join_url}")
    sys.stdout.flush()
    if not no_serve:
        run(app, "127.0.0.1", port, 8, consumer=app.config["EMBEDDED_CONSUMER"])


@click.command("send-alert-notices")
@click.option("--at", "at", default=None, metavar="ISO-8601",
              help="Send what is due at this instant (default: now), e.g. 2025-03-09T13:00:00Z.")
@with_appcontext
def send_alert_notices(at: str | None) -> None:
    """Send the alert notices that are due (retries, second rounds); prints the counts."""
    from hep.push.alert_notices import send_due_notices
    from hep.push.reminders import parse_instant
    from hep.timeutil import utcnow

    try:
        now = parse_instant(at) if at else utcnow()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--at") from None
    click.echo(send_due_notices(now).line())


@click.command("refresh-alerts")
@with_appcontext
def refresh_alerts() -> None:
    """Store the alerts the clinical rules find now for every patient (the periodic task runs
    this every 15 minutes); prints how many were raised."""
    from hep.care.summary import refresh_all_alerts

    click.echo(f"raised {refresh_all_alerts()}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(path: Path) -> None:
    """Back up the database to PATH (mode 0600), safe while hep runs: SQLite's online backup,
    or pg_dump --format=custom of hep's schema on PostgreSQL."""
    from hep.db import db
    from hep.exports import backup as backups

    try:
        report = backups.backup(db.obj, path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for line in report.lines:
        click.echo(line)


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data.")
@with_appcontext
def restore(path: Path, force: bool) -> None:
    """Restore the database from a backup made by `hep backup` (stop hep first). Refuses a
    database that holds data unless --force; checks the result and prints rows per table."""
    from hep.db import db
    from hep.exports import backup as backups

    try:
        report = backups.restore(db.obj, path, force=force)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for line in report.lines:
        click.echo(line)
    if not report.ok:
        raise click.ClickException("the restored database failed its checks (see above)")


if __name__ == "__main__":  # python -m hep.cli
    main()

