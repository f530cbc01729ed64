"""Refuse request text that no database column can hold, before any view reads it.

PostgreSQL text cannot contain NUL, and neither database driver can encode a lone UTF-16
surrogate (JSON allows "\\ud800"). Either would reach a query as a server error; a person
or a client sending it gets a clear 400 instead, and nothing is read or saved. A view that
validates every value it reads (a task's form, which then names the field at fault and keeps
the person's answers) is marked `checks_own_text` and is left to do so.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, abort, current_app, request

from engine.platform.storable import storable

MESSAGE = "The request contains characters that cannot be stored (a NUL or an unpaired surrogate)."


def checks_own_text(view):
    """Mark a view that validates each value it reads, so it can name the field at fault."""
    view.checks_own_text = True
    return view


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _sent_text() -> Iterator[str]:
    yield request.path
    for key, value in request.args.items(multi=True):
        yield key
        yield value
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:  # no form fields or uploads: werkzeug parses neither from JSON
            yield from _strings(request.get_json(silent=True))
            return
        for key, value in request.form.items(multi=True):
            yield key
            yield value
        for upload in request.files.values():
            yield upload.filename or ""


def refuse_unstorable() -> None:
    """The guard itself, for a marked view's paths that store what was sent as it is.

    Every piece is asked about at once, joined by a line break: a NUL or a lone surrogate
    is one in the whole text exactly when it is one in a piece (Python never pairs two
    surrogates that end up side by side, and the break keeps them apart besides)."""
    if not storable("\n".join(_sent_text())):
        abort(400, MESSAGE)


def _guard() -> None:
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "checks_own_text", False) and storable(request.path):
        return
    refuse_unstorable()


def init_app(app: Flask) -> None:
    app.before_request(_guard)
