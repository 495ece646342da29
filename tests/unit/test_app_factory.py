"""The app factory, configuration and instance secrets."""
from __future__ import annotations

import stat

import pytest

from hep import create_app
from hep.config import ConfigError


def test_first_run_writes_owner_only_secrets(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "QUEUE_URL": "immediate"})
    for name in ("secret_key", "vapid_private.pem"):
        path = tmp_path / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    again = create_app({"INSTANCE_PATH": str(tmp_path), "QUEUE_URL": "immediate"})
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'hep.db'}"


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("HEP_INVITE_TTL_DAYS", "3")
    monkeypatch.setenv("HEP_SECRET_KEY", "x" * 40)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "QUEUE_URL": "immediate"})
    assert app.config["INVITE_TTL_DAYS"] == 3 and app.config["SECRET_KEY"] == "x" * 40


@pytest.mark.parametrize("secret", [None, "short"])
def test_production_refuses_a_missing_or_weak_secret(tmp_path, secret):
    config = {"INSTANCE_PATH": str(tmp_path), "ENV": "production", "QUEUE_URL": "immediate"}
    if secret:
        config["SECRET_KEY"] = secret
    with pytest.raises(ConfigError):
        create_app(config)
    assert not (tmp_path / "secret_key").exists()


def test_healthz_and_openapi(app):
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/auth/login", "/api/v1/today", "/api/v1/completions", "/api/v1/checkins",
                 "/api/v1/patients/{patient_id}/program"):
        assert path in spec["paths"], path
    body = spec["components"]["schemas"]["CompletionIn"]
    assert {"id", "prescription_id", "performed_at", "pain_during"} <= set(body["properties"])
