from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "TESTING": "0",
    "SECRET_KEY": "x" * 30 + "-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "cities.example.org",
    "SITE_URL": "https://cities.example.org",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.org:587",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    ignored = {"TESTING", "DEBUG", "SECRET_KEY", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    clean.update(env)
    clean.setdefault("VAR_DIR", str(ROOT / "var" / "settings-test"))
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_reports_nothing() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("DATABASE_URL", "mysql://root@localhost/db", "only SQLite and PostgreSQL are supported"),
        ("DATABASE_URL", "nonsense", "DATABASE_URL='nonsense' cannot be read"),
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 50 characters"),
        ("EMAIL_URL", "pigeon://coop", "EMAIL_URL scheme 'pigeon' is not supported"),
        ("TASK_BACKEND", "celery", "TASK_BACKEND='celery' is not supported"),
        ("MEDIA_STORAGE", "s3", "MEDIA_STORAGE=s3 needs S3_BUCKET"),
        ("SEARCH_BACKEND", "elastic", "SEARCH_BACKEND='elastic' is not supported"),
        ("REDIS_URL", "http://localhost:6379", "REDIS_URL='http://localhost:6379' must start with redis://"),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS is empty"),
        ("API_GROUP_WRITE_RATE", "lots", "API_GROUP_WRITE_RATE='lots' is not a rate"),
        ("GROUP_ATTACHMENT_MAX_BYTES", "12", "GROUP_ATTACHMENT_MAX_BYTES"),
    ],
)
def test_settings_with_a_wrong_value_stop_start_up_with_a_clear_message(
    variable: str, value: str, message: str
) -> None:
    result = run_manage("check", env={**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_settings_without_secret_key_in_production_refuse_to_start() -> None:
    env = dict(PRODUCTION)
    env["SECRET_KEY"] = ""
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
