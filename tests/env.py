"""Loaded as a pytest plugin (-p tests.env) so the environment is set before Django reads its settings."""

import os

os.environ.setdefault("TESTING", "1")
os.environ.setdefault("TASK_BACKEND", "immediate")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("AXES_ENABLED", "0")
os.environ["VAR_DIR"] = os.environ.get(
    "TEST_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test")
)

# Each xdist worker gets its own Redis database, so one worker clearing its cache never touches another's.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
if os.environ.get("REDIS_URL"):
    _base = (
        os.environ["REDIS_URL"].rsplit("/", 1)[0]
        if os.environ["REDIS_URL"].count("/") > 2
        else os.environ["REDIS_URL"]
    )
    os.environ["REDIS_URL"] = f"{_base.rstrip('/')}/{10 + int(_worker.removeprefix('gw') or 0)}"
