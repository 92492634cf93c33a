"""What the generator and the runner share: where the bench data lives and the settings it runs under.

The bench never touches the development database (var/connective.sqlite3): it has its own database and its own
VAR_DIR, so a run can be repeated, or the data thrown away, without disturbing anyone's work.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = PROJECT_DIR / "var" / "bench"
DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_VAR_DIR / 'bench.sqlite3'}"
DEFAULT_PRACTICES = 100_000


def bench_environment(*, database_url: str, var_dir: Path, port: int | None = None) -> dict[str, str]:
    """Production-like settings: no DEBUG, a real secret, the database task queue, whitenoise's manifest."""
    site = f"http://127.0.0.1:{port}" if port else "http://127.0.0.1"
    return {
        "DJANGO_SETTINGS_MODULE": "connective.settings",
        "DEBUG": "0",
        "TESTING": "0",
        # A new key each run: nothing the bench signs needs to outlive it.
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": site,
        "CSRF_TRUSTED_ORIGINS": site,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "EMAIL_URL": "console://",
        "TASK_BACKEND": "database",
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
    }


def setup_django(*, database_url: str, var_dir: Path) -> None:
    """Configure Django in this process for the bench database. Call once, before importing models."""
    os.environ.update(bench_environment(database_url=database_url, var_dir=var_dir))
    src = str(PROJECT_DIR / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    import django

    django.setup()


def sqlite_path(database_url: str) -> Path | None:
    """The file of a sqlite:/// URL, or None for another database."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        return None
    return Path(database_url[len(prefix) :])
