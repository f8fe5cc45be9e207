"""Fetch a web page for import without letting a URL reach into the desk's own network.

A URL typed by a checker is untrusted: it may name the cloud metadata service, an admin port on
localhost, or a host whose DNS answer changes between our check and our connect. So the fetcher
resolves the name itself, checks every address, connects to the checked address (keeping the
Host header and TLS SNI of the name), follows redirects by hand re-checking each hop, and bounds
time, size and decompressed size (DESIGN.md §5, §10).
"""
from __future__ import annotations

import codecs
import errno
import http.client
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from factdesk.errors import DomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressCheck = Callable[[IPAddress, int], "str | None"]
"""Given a resolved address and port, return why it is refused, or None to allow it."""

ALLOWED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
REDIRECTS = (301, 302, 303, 307, 308)
USER_AGENT = "Factdesk/0.1 (fact-checking desk; article import)"
ALLOW_SWITCH = "FACTDESK_ALLOW_PRIVATE_FETCH"
_CHUNK = 64 * 1024
log = logging.getLogger(__name__)


class FetchError(DomainError):
    """A URL the desk will not or could not fetch; the message says why, in plain words."""

    status = 422
    code = "fetch_failed"


@dataclass(frozen=True)
class Fetched:
    """A fetched page: the final URL after redirects, the decoded body and how it was decoded."""

    url: str
    status: int
    content_type: str
    body: bytes
    encoding: str
    text: str
    redirects: tuple[str, ...] = field(default=())
    # The answer's validators, for a conditional request next time (monitoring).
    etag: str | None = None
    last_modified: str | None = None
    retry_after: str | None = None


# --- address policy ---------------------------------------------------------------------------

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_V4_COMPAT = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, compatible, NAT64, 6to4, Teredo), if any."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip in _NAT64 or (ip in _V4_COMPAT and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    return None


def public_only(ip: IPAddress, port: int = 0) -> str | None:
    """The default policy: refuse anything that is not a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            reason = public_only(inner, port)
            if reason:
                return f"{reason} (written as {ip})"
    for flag, what in (
        ("is_unspecified", "an unspecified"),
        ("is_loopback", "a loopback"),
        ("is_link_local", "a link-local"),
        ("is_multicast", "a multicast"),
    ):
        if getattr(ip, flag):
            return f"{ip} is {what} address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return f"{ip} is a carrier-grade NAT address"
    if ip.is_reserved:
        return f"{ip} is a reserved address"
    if ip.is_private:
        return f"{ip} is a private address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def _allow_all(ip: IPAddress, port: int = 0) -> str | None:
    return None


# --- URL and resolution -----------------------------------------------------------------------

_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # the name as it goes into Host and SNI (IDNA, no brackets)
    port: int
    path: str  # path + query, percent-encoded


def _parse(url: str) -> _Target:
    """Split a URL into what a request needs, refusing schemes and forms we do not fetch."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchError(f"Refused: {url!r} is not a valid web address") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"Refused: only http and https URLs are fetched, not {scheme or 'a URL without a scheme'}")
    if not parts.hostname:
        raise FetchError(f"Refused: {url!r} has no host name")
    if parts.username is not None or parts.password is not None:
        raise FetchError("Refused: URLs with a user name or password are not fetched")
    try:
        host = parts.hostname.encode("idna").decode("ascii") if not parts.hostname.isascii() else parts.hostname
    except UnicodeError:
        raise FetchError(f"Refused: {parts.hostname!r} is not a valid host name") from None
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_PATH_SAFE + "?")
    if any(c in path for c in "\x00\r\n\t "):
        raise FetchError(f"Refused: {url!r} contains control characters")
    return _Target(scheme, host, port or (443 if scheme == "https" else 80), path)


# What a network failure means, for the person who typed the URL; the exception itself goes to the log.
_LOOKUP = {socket.EAI_NONAME: "no site by that name is known (check the address for typos)",
           socket.EAI_AGAIN: "looking the name up failed for now; try again in a minute",
           socket.EAI_NODATA: "no site by that name is known (check the address for typos)"}
_SOCKET = {errno.ECONNREFUSED: "nothing answers there (the connection was refused)",
           errno.ECONNRESET: "the site closed the connection",
           errno.EHOSTUNREACH: "the site cannot be reached from here",
           errno.ENETUNREACH: "the site cannot be reached from here",
           errno.ETIMEDOUT: "the site did not answer in time"}
_STATUS = {401: "the site asks for a login", 403: "the site refuses to show the page to the desk",
           404: "there is no page at this address", 410: "the page has been removed",
           429: "the site asks the desk to slow down; try again later"}


def in_plain_words(exc: BaseException) -> str:
    """What a failed connection means, without the errno or the library's wording."""
    log.info("fetch failed: %r", exc)
    if isinstance(exc, socket.gaierror):
        return _LOOKUP.get(exc.errno, "the name could not be looked up")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its certificate could not be checked ({exc.verify_message or 'not trusted'})"
    if isinstance(exc, ssl.SSLError):
        return "the secure connection failed (the site's encryption did not work with the desk's)"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "the site did not answer in time"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the site closed the connection before the page arrived"
    if isinstance(exc, (http.client.HTTPException, ValueError)):
        return "its answer was not a readable web page"
    if isinstance(exc, OSError) and exc.errno in _SOCKET:
        return _SOCKET[exc.errno]
    return "the connection failed"


def status_in_plain_words(status: int, reason: str) -> str:
    """An HTTP error status with what it means for an import."""
    meaning = _STATUS.get(status) or ("the site has a problem of its own; try again later" if status >= 500 else "")
    said = f"The page answered {status} {reason}".rstrip()
    return f"{said}: {meaning}" if meaning else said


def _resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses the name resolves to, in resolver order.

    getaddrinfo also reads numeric forms a URL parser would not (``2130706433``, ``0x7f000001``,
    ``0177.0.0.1``) exactly as the connecting socket would, so checking its answers checks those too.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError:
        raise FetchError(f"Could not find the site “{host}”: that is not a valid site name") from None
    except socket.gaierror as exc:
        raise FetchError(f"Could not find the site “{host}”: {in_plain_words(exc)}") from None
    seen: list[IPAddress] = []
    for family, _type, _proto, _canon, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if ip not in seen:
            seen.append(ip)
    if not seen:
        raise FetchError(f"Could not find the site “{host}”: its name leads to no address")
    return seen


# --- one request ------------------------------------------------------------------------------


class _Deadline:
    """The whole fetch's wall-clock budget; reads get the remaining time, and a watchdog closes
    the socket at the deadline so a slow drip of bytes cannot outlast it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise FetchError(f"Gave up: the page took longer than {self.seconds:g} seconds")
        return left

    def expired(self) -> bool:
        return time.monotonic() >= self.end


def _connect(target: _Target, addresses: list[IPAddress], deadline: _Deadline) -> socket.socket:
    """Open a socket to one of the already checked addresses; TLS verifies the URL's host name."""
    last: Exception | None = None
    for ip in addresses:
        try:
            sock = socket.create_connection((str(ip), target.port), timeout=deadline.remaining())
        except FetchError:
            raise
        except OSError as exc:
            last = exc
            continue
        if target.scheme == "https":
            try:
                ctx = ssl.create_default_context()
                sock = ctx.wrap_socket(sock, server_hostname=target.host)
            except (ssl.SSLError, OSError) as exc:
                sock.close()
                raise FetchError(f"Could not make a secure connection to {target.host}: "
                                 f"{in_plain_words(exc)}") from None
        return sock
    if deadline.expired():
        deadline.remaining()
    raise FetchError(f"Could not connect to {target.host}: {in_plain_words(last) if last else 'no address to try'}")


class _Decoder:
    """Undo gzip/deflate while capping the decoded size, so a small bomb cannot fill memory."""

    def __init__(self, encoding: str, cap: int):
        self.encoding = encoding
        self.cap = cap
        self.size = 0
        self.parts: list[bytes] = []
        self._z = self._new()
        self._first = True

    def _new(self):
        if self.encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self.encoding == "deflate":
            return zlib.decompressobj(zlib.MAX_WBITS)
        return None

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.cap:
            raise FetchError(f"Refused: the page is larger than {self.cap:,} bytes once decompressed")
        self.parts.append(data)

    def feed(self, data: bytes) -> None:
        if self._z is None:
            self._keep(data)
            return
        while data:
            try:
                out = self._z.decompress(data, self.cap - self.size + 1)
            except zlib.error:
                if self._first and self.encoding == "deflate":
                    # Some servers send raw deflate without the zlib wrapper.
                    self._z, self._first = zlib.decompressobj(-zlib.MAX_WBITS), False
                    continue
                raise FetchError("The page's compressed body is corrupt") from None
            self._first = False
            self._keep(out)
            if self._z.eof and self._z.unused_data:
                data = self._z.unused_data  # another gzip member follows
                self._z = self._new()
            else:
                data = self._z.unconsumed_tail

    def body(self) -> bytes:
        if self._z is not None:
            self._keep(self._z.flush())
        return b"".join(self.parts)


def _media_type(header: str) -> tuple[str, str | None]:
    """('text/html', 'utf-8') from a Content-Type header value."""
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("'\"") or None
    return media.strip().lower(), charset


@dataclass
class _Response:
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes = b""


def _request(target: _Target, addresses: list[IPAddress], deadline: _Deadline, max_bytes: int,
             read_body: Callable[[int, http.client.HTTPMessage], bool], accept: str,
             extra_headers: dict[str, str]) -> _Response:
    """One GET against a pinned address; reads the body only when read_body(status, headers) says so."""
    sock = _connect(target, addresses, deadline)
    watchdog = threading.Timer(max(deadline.end - time.monotonic(), 0), _shut, (sock,))
    watchdog.daemon = True
    watchdog.start()
    # The HTTPS class only so the Host header omits the default port; the socket is already wrapped.
    kind = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    conn = kind(target.host, target.port, timeout=deadline.remaining())
    conn.sock = sock  # pinned: http.client only connects by itself when it has no socket
    try:
        conn.putrequest("GET", target.path, skip_accept_encoding=True)
        conn.putheader("User-Agent", USER_AGENT)
        conn.putheader("Accept", accept)
        conn.putheader("Accept-Encoding", "gzip, deflate")
        for name, value in extra_headers.items():
            conn.putheader(name, value)
        conn.putheader("Connection", "close")
        conn.endheaders()
        sock.settimeout(deadline.remaining())
        resp = conn.getresponse()
        result = _Response(resp.status, resp.reason, resp.headers)
        if not read_body(resp.status, resp.headers):
            return result
        length = resp.headers.get("Content-Length")
        if length and length.strip().isdigit() and int(length) > max_bytes:
            raise FetchError(f"Refused: the page is {int(length):,} bytes, more than the limit of {max_bytes:,}")
        coding = (resp.headers.get("Content-Encoding") or "identity").strip().lower()
        if coding not in ("identity", "gzip", "x-gzip", "deflate"):
            raise FetchError(f"Refused: the page uses a content encoding the desk does not read ({coding})")
        decoder = _Decoder(coding, max_bytes)
        wire = 0
        while True:
            sock.settimeout(deadline.remaining())
            chunk = resp.read1(_CHUNK)
            deadline.remaining()
            if not chunk:
                break
            wire += len(chunk)
            if wire > max_bytes:
                raise FetchError(f"Refused: the page is larger than the limit of {max_bytes:,} bytes")
            decoder.feed(chunk)
        result.body = decoder.body()
        return result
    except FetchError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if deadline.expired():
            deadline.remaining()
        raise FetchError(f"Could not read the page from {target.host}: {in_plain_words(exc)}") from None
    finally:
        watchdog.cancel()
        conn.close()
        sock.close()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


# --- decoding ---------------------------------------------------------------------------------

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE
)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_body(body: bytes, http_charset: str | None) -> tuple[str, str]:
    """Text and the encoding used: the HTTP charset, else a BOM or <meta> charset, else UTF-8."""
    encoding = _codec(http_charset)
    if encoding is None:
        for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE,
                                                                                            "utf-16")):
            if body.startswith(bom):
                encoding = name
                break
    if encoding is None:
        match = _META_CHARSET.search(body[:8192])
        encoding = _codec(match.group(1).decode("ascii")) if match else None
        if encoding in ("utf-16", "utf-16-le", "utf-16-be"):
            encoding = "utf-8"  # a meta tag read as ASCII cannot be in UTF-16; the browser rule
    encoding = encoding or "utf-8"
    return body.decode(encoding, errors="replace"), encoding


# --- the fetch --------------------------------------------------------------------------------


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = 10.0,
    max_bytes: int = 5 * 1024 * 1024,
    max_redirects: int = 5,
    check_address: AddressCheck | None = None,
    types: tuple[str, ...] = ALLOWED_TYPES,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """Fetch a page for import, or raise FetchError saying why not.

    ``check_address`` replaces the address policy (default: public addresses only, or anything
    when ``allow_private``); it sees every resolved address of every hop, before any connect.
    ``types`` are the media types accepted (a feed reader accepts XML too). With ``etag`` or
    ``last_modified`` the request is conditional: an unchanged page answers with status 304 and no body.
    """
    check = check_address or (_allow_all if allow_private else public_only)
    deadline = _Deadline(timeout)
    hops: list[str] = []
    current = url
    while True:
        target = _parse(current)
        addresses = _resolve(target.host, target.port)
        for ip in addresses:
            reason = check(ip, target.port)
            if reason:
                via = f" (reached by a redirect from {hops[-1]})" if hops else ""
                raise FetchError(
                    f"Refused: {reason}{via}; the desk fetches only pages on the public internet "
                    f"(the setting {ALLOW_SWITCH} lets it fetch private addresses)"
                )

        def wants_body(status: int, headers: http.client.HTTPMessage) -> bool:
            if status in REDIRECTS and headers.get("Location"):
                return False
            if status >= 300:
                return False
            media, _ = _media_type(headers.get("Content-Type") or "")
            if media and media not in types:
                raise FetchError(
                    f"Refused: the page is {media}, not a web page or text "
                    f"(accepted: {', '.join(types)})"
                )
            return True

        conditional = {name: value for name, value in (("If-None-Match", etag), ("If-Modified-Since", last_modified))
                       if value}
        response = _request(target, addresses, deadline, max_bytes, wants_body,
                            ",".join(types[:1] + tuple(f"{t};q=0.9" for t in types[1:])), conditional)
        if response.status in REDIRECTS and response.headers.get("Location"):
            if len(hops) >= max_redirects:
                raise FetchError(f"Gave up: more than {max_redirects} redirects, starting at {url}")
            hops.append(current)
            current = urljoin(current, response.headers["Location"].strip())
            continue
        validators = {"etag": response.headers.get("ETag"), "last_modified": response.headers.get("Last-Modified"),
                      "retry_after": response.headers.get("Retry-After")}
        if response.status == 304 and conditional:
            return Fetched(url=current, status=304, content_type="", body=b"", encoding="utf-8", text="",
                           redirects=tuple(hops), **validators)
        if response.status >= 300:
            raise FetchError(status_in_plain_words(response.status, response.reason))
        media, charset = _media_type(response.headers.get("Content-Type") or "")
        text, encoding = decode_body(response.body, charset)
        return Fetched(
            url=current,
            status=response.status,
            content_type=media,
            body=response.body,
            encoding=encoding,
            text=text,
            redirects=tuple(hops),
            **validators,
        )
