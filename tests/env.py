"""Loaded as a pytest plugin (-p tests.env) so the environment is set before Django reads its settings."""

import os

os.environ.setdefault("TESTING", "1")
os.environ.setdefault("TASK_BACKEND", "immediate")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("AXES_ENABLED", "0")
os.environ["VAR_DIR"] = os.environ.get("TEST_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test"))
