"""Loading the signed-in user, and the decorator that demands one."""

from __future__ import annotations

import functools

from flask import g, redirect, request, session, url_for

from engine.models.people import User

from ..extensions import db


def load_user() -> None:
    g.user = None
    user_id = session.get("user_id")
    if user_id is not None:
        user = db().get(User, user_id)
        if user is not None and user.active:
            g.user = user
        else:
            session.clear()


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            if request.blueprint == "api":
                return {"error": "Sign in first."}, 401
            return redirect(url_for("auth.sign_in", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped
