"""Therapist pages for the account: the sign-in code step, two-factor set-up and removal,
and password reset by e-mail.

Each page calls the same service function as the JSON API (``hep.api.account``) and shows
its refusals on the form (422 with the field's message). Pages that show a secret (the QR
code, recovery codes, a reset link's form) are not cached, and the reset page sends no
Referer, so the token in its address stays in the browser.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from hep.errors import Conflict, Gone, Invalid, Unauthorized
from hep.extensions import limiter, password_reset_rate_limit, second_factor_limits
from hep.people import accounts, password_reset, two_factor
from hep.people.auth import require_role
from hep.schemas.accounts import ResetRequestIn
from hep.therapist.forms import flatten
from hep.therapist.views import bp, landing_page


def _private(body, status: int = 200, *, referrer: bool = True):
    """A response that no cache keeps (and, with ``referrer=False``, that sends no Referer)."""
    headers = {"Cache-Control": "no-store"}
    if not referrer:
        headers["Referrer-Policy"] = "no-referrer"
    return body, status, headers


@bp.route("/login/code", methods=["GET", "POST"])
@second_factor_limits(methods=["POST"])
def login_code():
    """The second sign-in step: a code from the authenticator app or a recovery code."""
    if accounts.pending_sign_in() is None:
        flash(_("Your sign-in has expired. Enter your email and password again."), "error")
        return redirect(url_for("therapist.login"))
    errors: dict = {}
    if request.method == "POST":
        try:
            user = accounts.verify_second_factor(request.form.get("code", ""))
        except Unauthorized as exc:
            flash(exc.detail, "error")
            return redirect(url_for("therapist.login"))
        except Invalid as exc:
            errors = exc.errors or {}
        else:
            return redirect(landing_page(user))
    return render_template("therapist/login_code.html", errors=errors), 422 if errors else 200


@bp.get("/account")
@require_role("therapist", "admin")
def account():
    return _account_page({})


def _account_page(errors: dict, status: int = 200):
    return render_template("therapist/account.html", status=two_factor.status(current_user), errors=errors), status


def _enrolling_user():
    """The user setting two-factor sign-in up, or None (then: back to the sign-in page)."""
    try:
        return accounts.enrolling_user()
    except Unauthorized:
        return None


@bp.route("/account/2fa/setup", methods=["GET", "POST"])
def two_factor_setup():
    """GET shows the set-up already started (or a button to start); POST starts a new one."""
    user = _enrolling_user()
    if user is None:
        return redirect(url_for("therapist.login", next=request.path))
    if two_factor.is_enabled(user):
        flash(_("Two-factor sign-in is already on."), "success")
        return redirect(url_for("therapist.account"))
    enrolment = two_factor.start_enrolment(user) if request.method == "POST" else two_factor.pending_enrolment(user)
    return _setup_page(enrolment, {})


def _setup_page(enrolment: dict | None, errors: dict, status: int = 200):
    page = render_template("therapist/two_factor_setup.html", enrolment=enrolment, errors=errors,
                           required=accounts.pending_sign_in() is not None)
    return _private(page, status)


@bp.post("/account/2fa/confirm")
@second_factor_limits()
def two_factor_confirm():
    """Switch two-factor sign-in on with a first code; shows the recovery codes once."""
    user = _enrolling_user()
    if user is None:
        return redirect(url_for("therapist.login"))
    try:
        user, codes = accounts.confirm_enrolment(request.form.get("code", ""))
    except Invalid as exc:
        return _setup_page(two_factor.pending_enrolment(user), exc.errors or {}, 422)
    except Conflict as exc:
        flash(exc.detail, "error")
        return redirect(url_for("therapist.two_factor_setup"))
    return _private(render_template("therapist/recovery_codes.html", codes=codes, next_url=landing_page(user)))


@bp.post("/account/2fa/disable")
@require_role("therapist", "admin")
@second_factor_limits()
def two_factor_disable():
    try:
        two_factor.disable(current_user, code=request.form.get("code", "").strip(), password=request.form.get("password", ""))
    except Invalid as exc:
        return _account_page(exc.errors or {}, 422)
    except Conflict as exc:
        flash(exc.detail, "error")
    else:
        flash(_("Two-factor sign-in is off."), "success")
    return redirect(url_for("therapist.account"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(password_reset_rate_limit, methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same for any address."""
    values, errors, sent = {"email": request.form.get("email", "").strip()}, {}, False
    if request.method == "POST":
        try:
            body = ResetRequestIn().load(values)
        except ValidationError as exc:
            errors = flatten(exc.messages)
        else:
            password_reset.request_reset(body["email"])
            sent = True
    page = render_template("therapist/forgot.html", values=values, errors=errors, sent=sent,
                           sent_message=password_reset.accepted_message())
    return page, 422 if errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(password_reset_rate_limit, methods=["POST"])
def reset_password(token: str):
    """The link in the reset e-mail. Opening it uses nothing; the form posts the new password."""
    errors: dict = {}
    try:
        if request.method == "POST":
            new, again = request.form.get("password", ""), request.form.get("password_again", "")
            if new != again:
                password_reset.usable(token)
                raise Invalid(errors={"password_again": [_("The two passwords are not the same.")]})
            password_reset.confirm_reset(token, new)
            flash(_("Your password is set. Sign in with it."), "success")
            return redirect(url_for("therapist.login"))
        password_reset.usable(token)
    except Gone as exc:
        return _private(render_template("therapist/reset.html", gone=exc.detail, errors={}), 410, referrer=False)
    except Invalid as exc:
        errors = exc.errors or {}
    return _private(render_template("therapist/reset.html", gone=None, errors=errors), 422 if errors else 200,
                    referrer=False)
