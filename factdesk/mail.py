"""Mail (DESIGN.md §14): rendered inside the request, sent after its commit by the job queue.

`send()` renders the plain-text and HTML bodies from `templates/mail/<name>.txt|.html` and writes a
`mail.send` job to the outbox in the request's transaction, so a request that rolls back sends
nothing and a mail server that is down delays a message (retried with backoff) without losing it or
failing the request. Delivery is SMTP through Flask-Mailman (`MAIL_URL`). Without `MAIL_URL`, mail
is written to the log instead (development, tests that do not read mail); in production that is
said once at start, as a warning.
A job killed after the SMTP server took a message may send it again: at least once, never lost.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives
from flask_mailman.backends.base import BaseEmailBackend

from .extensions import mail
from .jobs import enqueue, job

class LogBackend(BaseEmailBackend):
    """Development without MAIL_URL: each message goes to the log, whole, links included."""

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            current_app.logger.info("mail (MAIL_URL is not set, so not sent) to %s: %s\n%s", ", ".join(message.to),
                     message.subject, message.body)
        return len(email_messages)


def init_app(app: Flask) -> None:
    if app.config.get("MAIL_URL"):
        app.config.update(app.config["MAIL_SMTP"], MAIL_BACKEND="smtp")
    else:  # development and tests (production refuses to start without MAIL_URL: config.py)
        app.config["MAIL_BACKEND"] = LogBackend
    mail.init_app(app)


def where_mail_goes(config) -> str:
    """One line for `make run` and the worker: where this desk's mail is delivered."""
    if config.get("MAIL_URL"):
        smtp = config["MAIL_SMTP"]
        return f"Mail goes over SMTP to {smtp['MAIL_SERVER']}:{smtp['MAIL_PORT']} from {config['MAIL_FROM']}."
    return ("Mail goes to the log (MAIL_URL is not set): the worker's output shows each message with its links.")


def absolute(endpoint: str, **values) -> str:
    """A link for a mail, built on PUBLIC_URL (never on a request's Host header), in a request or a job."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        raise RuntimeError("PUBLIC_URL is not set: links in mail need the address people open the desk at")
    public = urlsplit(base)
    adapter = current_app.url_map.bind(public.netloc, script_name=public.path or "/", url_scheme=public.scheme)
    return adapter.build(endpoint, values, force_external=True)


def send(to: str, subject: str, template: str, *, unsubscribe: str | None = None, **context) -> None:
    """Render the message now and queue it to go once the request's transaction commits."""
    context.update(subject=subject, unsubscribe=unsubscribe, desk_name=current_app.config["DESK_NAME"])
    # The templates alone, without the pages' context processors: a mail is written in jobs too.
    env = current_app.jinja_env
    text = env.get_template(f"mail/{template}.txt").render(context)
    html = env.get_template(f"mail/{template}.html").render(context)
    headers = {"List-Unsubscribe": f"<{unsubscribe}>"} if unsubscribe else {}
    enqueue("mail.send", to=to, subject=subject, text=text, html=html, headers=headers)


@job("mail.send", retries=8, retry_delay=30)
def deliver(to: str, subject: str, text: str, html: str, headers: dict | None = None) -> None:
    """Hand one message to the SMTP server; an error (server down, refused) makes the queue retry."""
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=current_app.config["MAIL_FROM"],
                                     to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)
