"""A real SMTP server on loopback for the mail tests: aiosmtpd's Controller on 127.0.0.1 and a
free port, keeping every message it accepts (parsed) and every login it was offered."""

from __future__ import annotations

import contextlib
import email
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Mailbox:
    """The SMTP handler: accepts every message and keeps it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


class Logins:
    """Accepts exactly one user and password, and remembers every attempt's outcome."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()
        self.attempts: list[bool] = []

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (self.user, self.password)
        self.attempts.append(ok)
        return AuthResult(success=ok, handled=False)


class _LoopbackController(Controller):
    """aiosmtpd's Controller on port 0: the port the kernel chose is read before the first connection."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextlib.contextmanager
def smtp_server(logins: Logins | None = None) -> Iterator[tuple[int, Mailbox]]:
    """Serve SMTP on 127.0.0.1; yields (port, mailbox). With `logins`, AUTH is offered (over plain
    SMTP, as this is loopback; aiosmtpd warns about that, so tests filter its UserWarning) and
    required before mail is accepted."""
    mailbox = Mailbox()
    extra = {"authenticator": logins, "auth_required": True, "auth_require_tls": False} if logins else {}
    controller = _LoopbackController(mailbox, hostname="127.0.0.1", port=0, **extra)
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port bound but not listening: a connection to it is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def text_body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def attachments(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()}
