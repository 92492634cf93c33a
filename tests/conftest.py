from __future__ import annotations

import asyncio
import email
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from connective.accounts.models import Role
from tests.factories import PracticeFactory, UserFactory


@pytest.fixture(autouse=True)
def _queued_email(settings: Any) -> None:
    # Django's test runner swaps in the in-memory backend; keep ours so every message goes through the queue,
    # delivered to the in-memory outbox unless a test asks for the real SMTP server.
    settings.EMAIL_BACKEND = "connective.core.mail.QueuedEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Rate limits and throttles count in the cache; each test starts with none spent. Facet tables are
    # per process: a rolled-back test must not leave one behind for the next.
    from django.core.cache import cache

    from connective.practices.selectors import forget_search_vocabulary
    from connective.search.facets import forget_facet_tables
    from connective.search.vectors import forget_vector_tables

    cache.clear()
    forget_facet_tables()
    forget_vector_tables()
    forget_search_vocabulary()
    yield
    cache.clear()
    forget_facet_tables()
    forget_vector_tables()
    forget_search_vocabulary()


@pytest.fixture(autouse=True)
def _wagtail_roots(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    # A transactional test (the end-to-end journeys) empties every table when it ends, Wagtail's root
    # collection included; the tests that follow on that worker need it to store images.
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not uses_db:
        return
    request.getfixturevalue("django_db_setup")
    from tests.factories import wagtail_roots

    with django_db_blocker.unblock():
        wagtail_roots()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request to /ar/... leaves Arabic active in the thread after it returns; each test starts in English.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def visitor() -> None:
    return None


@pytest.fixture
def member(db: Any) -> Any:
    return UserFactory(email="member@example.org", first_name="Mariam", last_name="Haddad")


@pytest.fixture
def author(db: Any) -> Any:
    return UserFactory(email="author@example.org", first_name="Amara", last_name="Okafor")


TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def _with_totp(user: Any) -> Any:
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, TOTP_SECRET)
    return user


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app would show now for `secret`."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


@pytest.fixture
def editor(db: Any) -> Any:
    from connective.accounts.services import user_set_role

    user = UserFactory(email="editor@example.org", first_name="Ed", last_name="Itor")
    return _with_totp(user_set_role(actor=None, user=user, role=Role.EDITOR))


@pytest.fixture
def staff(db: Any) -> Any:
    from connective.accounts.services import user_set_role

    user = UserFactory(email="staff@example.org", first_name="Sta", last_name="Ff")
    return _with_totp(user_set_role(actor=None, user=user, role=Role.STAFF))


@pytest.fixture
def published_practice(db: Any, author: Any) -> Any:
    contact = UserFactory(email="contact@example.org", first_name="Chidi", last_name="Nwosu")
    return PracticeFactory(author=author, contact=contact, title="Solar street lighting for safer streets")


@dataclass
class SMTPSink:
    """Messages received by a real SMTP server listening on localhost."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[Message]:
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


class _Handler:
    def __init__(self, sink: SMTPSink) -> None:
        self.sink = sink
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.sink.messages.append(email.message_from_bytes(envelope.original_content))
        await asyncio.sleep(0)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SMTPSink]:
    """A real SMTP server (aiosmtpd); the platform's e-mail goes to it over a socket."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = SMTPSink(host="127.0.0.1", port=port)
    controller = Controller(_Handler(sink), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield sink
    finally:
        controller.stop()


def message_text(message: Message) -> str:
    """The plain-text body of a received message."""
    if message.is_multipart():
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                return (
                    payload.decode(part.get_content_charset() or "utf-8")
                    if isinstance(payload, bytes)
                    else ""
                )
        return ""
    payload = message.get_payload(decode=True)
    return payload.decode(message.get_content_charset() or "utf-8") if isinstance(payload, bytes) else ""


def private_files_under(settings: Any, root: Any) -> None:
    """Keep the private storage (files of group posts and libraries) of this test in `root` itself, and the
    public MEDIA_ROOT in `root`/public, so that a test can tell where a file went."""
    settings.MEDIA_ROOT = root / "public"
    settings.PRIVATE_MEDIA_ROOT = root


@pytest.fixture
def words_only(settings: Any) -> None:
    """Search by words alone, as without the sentence encoder: for tests of what the words find (stems,
    compounds, fields hidden from the index), which results found by meaning would blur."""
    from connective.search.vectors import forget_vector_tables

    settings.SEMANTIC_ENCODER = "off"
    forget_vector_tables()
