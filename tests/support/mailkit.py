"""A real SMTP server for the mail tests (aiosmtpd, on 127.0.0.1), and the desk set to send to it.

The tests read the mail it received: headers, plain-text and HTML bodies, and the links in them.
"""
from __future__ import annotations

import email
import email.policy
import re
import threading
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller

from tests.support.live import free_port

LINK = re.compile(r"https?://[^\s<>\"]+")


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address.lower() in m["X-Envelope-To"].lower()]

    def only(self, address: str) -> email.message.EmailMessage:
        found = self.to(address)
        assert len(found) == 1, f"{len(found)} messages to {address}: {[m['Subject'] for m in self.messages]}"
        return found[0]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def links_in(message) -> list[str]:
    return LINK.findall(text_of(message))


def path_of(link: str) -> str:
    """The desk path of an absolute link in a mail (the test client talks to the app directly)."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


@contextmanager
def smtp_server(port: int | None = None):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def mail_port():
    return free_port()


@pytest.fixture
def inbox(mail_port):
    with smtp_server(mail_port) as (received, _):
        yield received


@pytest.fixture
def app_settings(mail_port):
    """The desk sends to the test's SMTP server; links in mail are built on PUBLIC_URL."""
    return {"MAIL_URL": f"smtp://127.0.0.1:{mail_port}", "MAIL_FROM": "Desk <desk@desk.test>",
            "PUBLIC_URL": "http://localhost"}
