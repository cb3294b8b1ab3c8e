"""A local Microsoft Graph (mail) and a local Entra ID token endpoint, for tests and benchmarks.

Both serve HTTPS on 127.0.0.1 (random free ports) with a certificate from a ``trustme`` CA,
because msal refuses non-https authorities. They speak the wire protocol the real services
speak, as far as draftguard uses it:

Entra (``FakeEntra``), per tenant ``/{tenant}``:
* ``GET /{tenant}/v2.0/.well-known/openid-configuration`` (issuer, authorization, token and
  device authorization endpoints);
* ``POST /{tenant}/oauth2/v2.0/token`` form posts: ``client_credentials`` (client id +
  secret, scope ``https://graph.microsoft.com/.default``) → ``{token_type, expires_in,
  ext_expires_in, access_token}``; ``refresh_token`` and the device code grant
  (``urn:ietf:params:oauth:grant-type:device_code``, ``authorization_pending`` first) →
  also ``refresh_token``, ``id_token`` (JWT, iss = discovery issuer, aud = client id) and
  ``client_info`` (base64url ``{uid, utid}``); errors as ``{error, error_description}``
  (``invalid_client`` is a 401, the others 400);
* ``POST /{tenant}/oauth2/v2.0/devicecode`` → ``{user_code, device_code, verification_uri,
  expires_in, interval, message}``.

Graph (``FakeGraph``), ``/v1.0/users/{mailbox}/...``:
* Bearer tokens checked against the tokens Entra issued: unknown, expired or revoked →
  ``401 InvalidAuthenticationToken``; a mailbox outside the app's access policy →
  ``403 ErrorAccessDenied``;
* ``mailFolders/Inbox/messages/delta`` with ``changeType``, ``$select``,
  ``$filter=receivedDateTime ge …`` and ``Prefer: odata.maxpagesize``: pages with absolute
  ``@odata.nextLink`` (``$skiptoken``) and a final ``@odata.deltaLink`` (``$deltatoken``);
  later rounds return only new items (plus read-state change events and ``@removed``
  entries, which Graph sends whatever the filter); expired state → ``410 SyncStateNotFound``;
* ``messages`` and ``mailFolders/{f}/messages`` with ``$filter`` on ``conversationId``,
  ``receivedDateTime``/``sentDateTime ge``, or ``singleValueExtendedProperties/any(...)``,
  ``$select`` (unknown names → 400), ``$expand=singleValueExtendedProperties($filter=id eq
  …)``, ``$top`` + ``@odata.nextLink``; ``conversationId`` with ``$orderby`` → 400
  ``InefficientFilter``;
* ``messages/{id}`` GET / PATCH / DELETE (delete moves to Deleted Items; from Deleted Items to
  Recoverable Items), ``messages/{id}/permanentDelete`` (POST, no body, 204: Recoverable
  Items), ``mailFolders/{f}``;
* ``messages/{id}/createReply`` and ``createReplyAll`` (201, draft in Drafts, same
  conversation, ``comment`` *or* ``message.body``, both → 400; ``message`` writable fields
  incl. categories and single-value extended properties; createReplyAll marks the original
  read); ``mailFolders/Drafts/messages`` POST (new draft).

Faults are injected per method and path (status, ``Retry-After``, count; optionally after
the request took effect, as a gateway timeout can); ``Slow`` requests take effect only after
a delay, when a client with a shorter timeout has already given up. Every request is logged; in-flight
requests are counted per mailbox.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tests.servers.local_http import HttpAnswer, LocalJsonServer

GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default"

MESSAGE_PROPERTIES = {
    "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "receivedDateTime", "sentDateTime",
    "hasAttachments", "internetMessageId", "subject", "bodyPreview", "importance", "parentFolderId", "conversationId",
    "conversationIndex", "isDeliveryReceiptRequested", "isReadReceiptRequested", "isRead", "isDraft", "webLink",
    "inferenceClassification", "body", "uniqueBody", "sender", "from", "toRecipients", "ccRecipients", "bccRecipients",
    "replyTo", "flag", "internetMessageHeaders",
}
WRITABLE = {
    "subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "categories", "importance",
    "isRead", "flag", "from", "sender", "internetMessageHeaders", "isDeliveryReceiptRequested", "isReadReceiptRequested",
}
WELL_KNOWN = {"inbox": "inbox", "drafts": "drafts", "sentitems": "sentitems", "deleteditems": "deleteditems"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def graph_error(status: int, code: str, message: str) -> tuple[int, dict]:
    return status, {"error": {"code": code, "message": message, "innerError": {"date": iso(datetime.now(UTC)), "request-id": str(uuid.uuid4())}}}


# --------------------------------------------------------------------------------- server base
class _TlsServer(LocalJsonServer):
    """An HTTPS server on 127.0.0.1 (tests/servers/local_http.py) speaking Graph's JSON flavour;
    ``base`` is ``https://127.0.0.1:PORT/``."""

    methods = ("GET", "POST", "PATCH", "DELETE", "PUT")
    content_type = "application/json; odata.metadata=minimal; charset=utf-8"

    def __init__(self, ca):
        super().__init__(ca)
        self.base = f"{self.origin}/"

    def bug_body(self, exc: Exception) -> dict:
        return {"error": {"code": "FakeServerBug", "message": repr(exc)}}


# --------------------------------------------------------------------------------- Entra
@dataclass
class IssuedToken:
    token: str
    client_id: str
    tenant: str
    expires_at: float
    user: str | None = None
    revoked: bool = False


@dataclass
class App:
    client_id: str
    secret: str | None  # None = public client
    tenant: str
    mailboxes: set[str] | None = None  # application access policy: None = every mailbox


class FakeEntra(_TlsServer):
    """Entra ID's v2.0 token endpoints for one or more registered apps."""

    def __init__(self, ca, *, access_token_seconds: int = 3599):
        super().__init__(ca)
        self.apps: dict[str, App] = {}
        self.tokens: dict[str, IssuedToken] = {}
        self.refresh_tokens: dict[str, tuple[str, str]] = {}  # rt -> (client_id, user)
        self.device_codes: dict[str, dict] = {}
        self.access_token_seconds = access_token_seconds
        self.requests: list[tuple[str, str, dict]] = []
        self.lock = threading.Lock()
        self.user = {"upn": "ann@contoso.example", "oid": str(uuid.uuid4()), "name": "Ann Lee"}

    def register(self, client_id: str, secret: str | None, tenant: str, mailboxes: set[str] | None = None) -> App:
        app = App(client_id, secret, tenant, mailboxes)
        self.apps[client_id] = app
        return app

    def issuer(self, tenant: str) -> str:
        return f"{self.base}{tenant}/v2.0"

    def valid(self, token: str) -> IssuedToken | None:
        t = self.tokens.get(token)
        if t is None or t.revoked or t.expires_at <= time.time():
            return None
        return t

    def revoke_all(self) -> None:
        """Make every issued access token invalid (what Graph sees once tokens expire)."""
        for t in self.tokens.values():
            t.revoked = True

    def count(self, grant: str | None = None) -> int:
        return sum(1 for m, p, f in self.requests if grant is None or f.get("grant_type") == grant)

    def _issue(self, app: App, user: str | None, expires_in: int | None = None) -> dict:
        secs = self.access_token_seconds if expires_in is None else expires_in
        tok = "eyJ0eXAi." + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[tok] = IssuedToken(tok, app.client_id, app.tenant, time.time() + secs, user)
        out = {"token_type": "Bearer", "expires_in": secs, "ext_expires_in": secs, "access_token": tok}
        if user is not None:
            rt = "rt." + secrets.token_urlsafe(24)
            self.refresh_tokens[rt] = (app.client_id, user)
            now = int(time.time())
            claims = {
                "iss": self.issuer(app.tenant), "aud": app.client_id, "sub": self.user["oid"], "oid": self.user["oid"],
                "tid": app.tenant, "preferred_username": user, "name": self.user["name"], "iat": now, "nbf": now,
                "exp": now + 3600, "ver": "2.0",
            }
            out.update(
                refresh_token=rt,
                scope="https://graph.microsoft.com/Mail.ReadWrite openid profile offline_access",
                id_token=f"{b64url(json.dumps({'typ': 'JWT', 'alg': 'RS256'}).encode())}.{b64url(json.dumps(claims).encode())}.c2ln",
                client_info=b64url(json.dumps({"uid": self.user["oid"], "utid": app.tenant}).encode()),
            )
        return out

    def handle(self, method, path, headers, body):
        parts = urlsplit(path)
        segs = [s for s in parts.path.split("/") if s]
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()} if body else {}
        self.requests.append((method, parts.path, form))
        if len(segs) < 2:
            raise HttpAnswer(404, {"error": "not_found"})
        tenant = segs[0]
        if method == "GET" and segs[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            base = f"{self.base}{tenant}"
            return 200, {
                "issuer": self.issuer(tenant),
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            }, {}
        if method == "POST" and segs[1:] == ["oauth2", "v2.0", "devicecode"]:
            app = self.apps.get(form.get("client_id", ""))
            if app is None or app.tenant != tenant:
                raise HttpAnswer(400, {"error": "unauthorized_client", "error_description": "AADSTS700016: Application not found"})
            code = secrets.token_urlsafe(16)
            user_code = secrets.token_hex(4).upper()
            self.device_codes[code] = {"client_id": app.client_id, "pending": 1, "scope": form.get("scope", "")}
            return 200, {
                "user_code": user_code, "device_code": code, "verification_uri": "https://microsoft.com/devicelogin",
                "expires_in": 900, "interval": 1,
                "message": f"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code {user_code} to authenticate.",
            }, {}
        if method == "POST" and segs[1:] == ["oauth2", "v2.0", "token"]:
            return self._token(tenant, form)
        raise HttpAnswer(404, {"error": "not_found"})

    def _token(self, tenant, form):
        grant = form.get("grant_type")
        app = self.apps.get(form.get("client_id", ""))
        if app is None or app.tenant != tenant:
            raise HttpAnswer(400, {"error": "unauthorized_client", "error_description": "AADSTS700016: Application with identifier was not found in the directory."})
        if grant == "client_credentials":
            if app.secret is None or form.get("client_secret") != app.secret:
                raise HttpAnswer(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
            if form.get("scope") != GRAPH_DEFAULT_SCOPE:
                raise HttpAnswer(400, {"error": "invalid_scope", "error_description": "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed."})
            return 200, self._issue(app, None), {}
        if grant == "refresh_token":
            rt = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if rt is None or rt[0] != app.client_id:
                raise HttpAnswer(400, {"error": "invalid_grant", "error_description": "AADSTS70000: The provided value for the refresh token is not valid."})
            return 200, self._issue(app, rt[1]), {}
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            dc = self.device_codes.get(form.get("device_code", ""))
            if dc is None:
                raise HttpAnswer(400, {"error": "expired_token", "error_description": "AADSTS70019: Verification code expired."})
            if dc["pending"] > 0:
                dc["pending"] -= 1
                raise HttpAnswer(400, {"error": "authorization_pending", "error_description": "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending."})
            self.device_codes.pop(form["device_code"])
            return 200, self._issue(app, self.user["upn"]), {}
        raise HttpAnswer(400, {"error": "unsupported_grant_type", "error_description": f"AADSTS70003: unsupported grant {grant}"})


# --------------------------------------------------------------------------------- Graph
@dataclass
class Fault:
    """Answer ``status`` (with ``retry_after``) to the next ``times`` requests matching
    ``method`` and ``path_re``. ``after`` = carry the request out first (gateway timeout)."""

    method: str
    path_re: str
    status: int
    times: int = 1
    retry_after: str | None = None
    code: str = "TooManyRequests"
    after: bool = False


@dataclass
class Slow:
    """Carry out the next ``times`` requests matching ``method`` and ``path_re`` only after
    ``seconds``: a client with a shorter timeout gives up, yet the request takes effect (as a
    slow Exchange backend does)."""

    method: str
    path_re: str
    seconds: float
    times: int = 1


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int = 0
    mailbox: str | None = None


@dataclass
class Mailbox:
    address: str
    folders: dict[str, str] = field(default_factory=dict)  # well-known -> folder id
    messages: dict[str, dict] = field(default_factory=dict)  # id -> message json (full)
    props: dict[str, list[dict]] = field(default_factory=dict)  # id -> extended properties
    log: list[tuple[int, str, str]] = field(default_factory=list)  # (seq, kind, id): created/updated/removed in Inbox
    recoverable: dict[str, dict] = field(default_factory=dict)  # Recoverable Items (purged): no folder a client shows


class FakeGraph(_TlsServer):
    """Microsoft Graph v1.0 mail endpoints over a few in-memory mailboxes."""

    def __init__(self, ca, entra: FakeEntra, *, default_page_size: int = 10):
        super().__init__(ca)
        self.entra = entra
        self.mailboxes: dict[str, Mailbox] = {}
        self.faults: list[Fault] = []
        self.slow: list[Slow] = []
        self.idle = threading.Condition()
        self.log: list[Logged] = []
        self.lock = threading.RLock()
        self.seq = 0
        self.rounds: dict[str, dict] = {}  # skip tokens
        self.delta_tokens: dict[str, dict] = {}
        self.default_page_size = default_page_size
        self.in_flight: dict[str, int] = defaultdict(int)
        self.max_in_flight: dict[str, int] = defaultdict(int)
        self.delay_seconds = 0.0
        self.omit_headers_in_delta = False
        self.clock = lambda: datetime.now(UTC)

    # ---- data -------------------------------------------------------------------
    def add_mailbox(self, address: str) -> Mailbox:
        mb = Mailbox(address.lower())
        for wk in WELL_KNOWN:
            mb.folders[wk] = "AAMkFolder" + b64url(f"{address}:{wk}".encode())
        self.mailboxes[mb.address] = mb
        return mb

    def new_id(self) -> str:
        return "AAkALg" + b64url(secrets.token_bytes(42))

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def deliver(
        self,
        mailbox: str,
        *,
        subject: str = "Question about my order",
        sender: tuple[str, str] = ("Jane Client", "jane@client.example"),
        to: list[tuple[str, str]] | None = None,
        cc: list[tuple[str, str]] | None = None,
        html: str | None = "<html><body><p>Hello,</p><p>where is my order 4711?</p><p>Jane</p></body></html>",
        text: str | None = None,
        received: datetime | None = None,
        conversation_id: str | None = None,
        reply_to_message: str | None = None,
        headers: list[tuple[str, str]] | None = None,
        is_read: bool = False,
        folder: str = "inbox",
        is_draft: bool = False,
        raw_overrides: dict | None = None,
    ) -> dict:
        """Put a message in a folder (Inbox by default) as Exchange would after delivery."""
        with self.lock:
            mb = self.mailboxes[mailbox.lower()]
            received = received or self.clock()
            mid = self.new_id()
            parent = mb.messages.get(reply_to_message) if reply_to_message else None
            if parent is not None:
                conversation_id = parent["conversationId"]
                index = base64.b64decode(parent["conversationIndex"]) + secrets.token_bytes(5)
            else:
                conversation_id = conversation_id or "AAQk" + b64url(secrets.token_bytes(30))
                index = secrets.token_bytes(22)
            imid = f"<{uuid.uuid4().hex}@client.example>"
            hdrs = [{"name": "Message-ID", "value": imid}, {"name": "From", "value": f"{sender[0]} <{sender[1]}>"}]
            if parent is not None:
                hdrs.append({"name": "In-Reply-To", "value": parent["internetMessageId"]})
                hdrs.append({"name": "References", "value": parent["internetMessageId"]})
            hdrs += [{"name": n, "value": v} for n, v in (headers or [])]
            content = html if html is not None else (text or "")
            ctype = "html" if html is not None else "text"
            msg = {
                "@odata.etag": f'W/"{b64url(secrets.token_bytes(12))}"',
                "id": mid,
                "createdDateTime": iso(received),
                "lastModifiedDateTime": iso(received),
                "changeKey": b64url(secrets.token_bytes(12)),
                "categories": [],
                "receivedDateTime": iso(received),
                "sentDateTime": iso(received - timedelta(seconds=2)),
                "hasAttachments": False,
                "internetMessageId": imid,
                "subject": subject,
                "bodyPreview": re.sub(r"<[^>]+>", " ", content)[:255],
                "importance": "normal",
                "parentFolderId": mb.folders[folder],
                "conversationId": conversation_id,
                "conversationIndex": base64.b64encode(index).decode(),
                "isDeliveryReceiptRequested": False,
                "isReadReceiptRequested": False,
                "isRead": is_read,
                "isDraft": is_draft,
                "webLink": f"https://outlook.office365.com/owa/?ItemID={quote(mid, safe='')}&exvsurl=1&viewmodel=ReadMessageItem",
                "inferenceClassification": "focused",
                "body": {"contentType": ctype, "content": content},
                "uniqueBody": {"contentType": ctype, "content": content},
                "sender": {"emailAddress": {"name": sender[0], "address": sender[1]}},
                "from": {"emailAddress": {"name": sender[0], "address": sender[1]}},
                "toRecipients": [{"emailAddress": {"name": n, "address": a}} for n, a in (to or [("Support", mailbox)])],
                "ccRecipients": [{"emailAddress": {"name": n, "address": a}} for n, a in (cc or [])],
                "bccRecipients": [],
                "replyTo": [],
                "flag": {"flagStatus": "notFlagged"},
                "internetMessageHeaders": hdrs,
            }
            if raw_overrides:
                for k, v in raw_overrides.items():
                    if v is _DELETE:
                        msg.pop(k, None)
                    else:
                        msg[k] = v
            mb.messages[mid] = msg
            if folder == "inbox":
                mb.log.append((self._next_seq(), "created", mid))
            return msg

    def send_from_mailbox(self, mailbox: str, *, in_reply_to: str, html: str, sent: datetime | None = None, props: list[dict] | None = None) -> dict:
        """A message the mailbox sent itself (in Sent Items), replying in a conversation."""
        with self.lock:
            mb = self.mailboxes[mailbox.lower()]
            parent = mb.messages[in_reply_to]
            msg = self.deliver(mailbox, subject="RE: " + parent["subject"], sender=("Support", mailbox), html=html,
                               received=sent or self.clock(), reply_to_message=in_reply_to, folder="sentitems", is_read=True)
            if props:
                mb.props[msg["id"]] = props
            return msg

    def send_draft(self, mailbox: str, draft_id: str, *, new_html: str | None = None) -> dict:
        """What Outlook does when a person presses Send on a draft: it leaves Drafts for Sent
        Items (immutable id kept), stops being a draft, keeps its extended properties."""
        with self.lock:
            mb = self.mailboxes[mailbox.lower()]
            d = mb.messages[draft_id]
            if new_html is not None:
                d["body"] = {"contentType": "html", "content": new_html}
                d["uniqueBody"] = {"contentType": "html", "content": new_html.split('<hr style="display:inline-block')[0]}
            now = self.clock()
            d.update(isDraft=False, parentFolderId=mb.folders["sentitems"], sentDateTime=iso(now), lastModifiedDateTime=iso(now),
                     changeKey=b64url(secrets.token_bytes(12)))
            return d

    def edit(self, mailbox: str, message_id: str, **changes) -> None:
        """A person edits a message (new changeKey)."""
        with self.lock:
            m = self.mailboxes[mailbox.lower()].messages[message_id]
            m.update(changes)
            m["changeKey"] = b64url(secrets.token_bytes(12))
            m["lastModifiedDateTime"] = iso(self.clock())

    def mark_read(self, mailbox: str, message_id: str, is_read: bool = True) -> None:
        """Read-state change: shows up in the next delta round as a change event."""
        with self.lock:
            mb = self.mailboxes[mailbox.lower()]
            mb.messages[message_id]["isRead"] = is_read
            mb.log.append((self._next_seq(), "updated", message_id))

    def remove(self, mailbox: str, message_id: str) -> None:
        with self.lock:
            mb = self.mailboxes[mailbox.lower()]
            mb.messages.pop(message_id, None)
            mb.log.append((self._next_seq(), "removed", message_id))

    def expire_delta_tokens(self) -> None:
        """Every outstanding delta/skip token becomes unknown (410 SyncStateNotFound)."""
        with self.lock:
            self.delta_tokens.clear()
            self.rounds.clear()

    def folder_messages(self, mailbox: str, folder: str) -> list[dict]:
        mb = self.mailboxes[mailbox.lower()]
        fid = mb.folders[folder]
        return [m for m in mb.messages.values() if m["parentFolderId"] == fid]

    def drafts(self, mailbox: str) -> list[dict]:
        return self.folder_messages(mailbox, "drafts")

    def props_of(self, mailbox: str, message_id: str) -> list[dict]:
        return self.mailboxes[mailbox.lower()].props.get(message_id, [])

    def requests_for(self, method: str | None = None, path_contains: str = "") -> list[Logged]:
        return [r for r in self.log if (method is None or r.method == method) and path_contains in r.path]

    # ---- HTTP -------------------------------------------------------------------
    def handle(self, method, path, headers, body):
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            raise HttpAnswer(*graph_error(400, "BadRequest", "Unable to read JSON request payload.")) from None
        entry = Logged(method, unquote(parts.path), query, {k.lower(): v for k, v in headers.items()}, payload)
        with self.lock:
            self.log.append(entry)
        segs: list[str] = []
        for s in unquote(parts.path).split("/"):
            m = re.match(r"^(\w+)\('([^']*)'\)$", s)  # OData key syntax: mailFolders('Inbox')
            segs += [m.group(1), m.group(2)] if m else ([s] if s else [])
        if segs[:1] != ["v1.0"] or len(segs) < 3 or segs[1] != "users":
            raise HttpAnswer(*graph_error(400, "BadRequest", f"Resource not found for the segment '{segs[1] if len(segs) > 1 else ''}'."))
        mailbox = segs[2].lower()
        entry.mailbox = mailbox
        try:
            self._auth(entry.headers, mailbox)
        except HttpAnswer as e:
            entry.status = e.status
            raise
        with self.lock:
            self.in_flight[mailbox] += 1
            self.max_in_flight[mailbox] = max(self.max_in_flight[mailbox], self.in_flight[mailbox])
        try:
            if self.delay_seconds:
                time.sleep(self.delay_seconds)
            slow = self._slow(method, parts.path)
            if slow is not None:
                time.sleep(slow.seconds)
            fault = self._fault(method, parts.path)
            if fault is not None and not fault.after:
                raise HttpAnswer(*self._fault_answer(fault))
            with self.lock:
                status, out, hdrs = self._route(method, mailbox, segs[3:], query, entry.headers, payload)
            if fault is not None and fault.after:
                raise HttpAnswer(*self._fault_answer(fault))
            entry.status = status
            return status, out, hdrs
        except HttpAnswer as e:
            entry.status = e.status
            raise
        finally:
            with self.lock:
                self.in_flight[mailbox] -= 1
            with self.idle:
                self.idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no request is being processed (slow ones included); False on timeout."""
        with self.idle:
            return self.idle.wait_for(lambda: not any(self.in_flight.values()), timeout)

    def _slow(self, method: str, path: str) -> Slow | None:
        with self.lock:
            for sl in self.slow:
                if sl.times > 0 and sl.method == method and re.search(sl.path_re, path):
                    sl.times -= 1
                    return sl
        return None

    def _fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.times > 0 and f.method == method and re.search(f.path_re, path):
                    f.times -= 1
                    return f
        return None

    def _fault_answer(self, f: Fault) -> tuple[int, dict, dict]:
        status, body = graph_error(f.status, f.code, "Application is over its MailboxConcurrency limit." if f.status == 429 else "The service is unavailable.")
        return status, body, ({"Retry-After": f.retry_after} if f.retry_after is not None else {})

    def _auth(self, headers: dict, mailbox: str):
        auth = headers.get("authorization", "")
        tok = self.entra.valid(auth[7:]) if auth.startswith("Bearer ") else None
        if tok is None:
            raise HttpAnswer(*graph_error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid."),
                            {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'})
        app = self.entra.apps.get(tok.client_id)
        if tok.user is None and app is not None and app.mailboxes is not None and mailbox not in app.mailboxes:
            raise HttpAnswer(*graph_error(403, "ErrorAccessDenied", "Access to OData is disabled: blocked by the application access policy."))
        if tok.user is not None and mailbox not in (tok.user.lower(), "me"):
            raise HttpAnswer(*graph_error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."))
        if mailbox not in self.mailboxes:
            raise HttpAnswer(*graph_error(404, "ErrorInvalidUser", f"The requested user '{mailbox}' is invalid."))
        return tok

    # ---- routing ------------------------------------------------------------------
    def _route(self, method, mailbox, segs, query, headers, payload):
        mb = self.mailboxes[mailbox]
        if segs[:1] == ["mailFolders"] and len(segs) >= 2:
            folder = self._folder_name(mb, segs[1])
            rest = segs[2:]
            if rest == [] and method == "GET":
                return 200, {"id": mb.folders[folder], "displayName": folder, "totalItemCount": len(self.folder_messages(mailbox, folder))}, {}
            if rest == ["messages", "delta"] and method == "GET":
                if folder != "inbox":
                    raise HttpAnswer(*graph_error(400, "BadRequest", "delta only tracked for Inbox in this fake"))
                return self._delta(mb, query, headers)
            if rest == ["messages"] and method == "GET":
                return self._list(mb, [m for m in mb.messages.values() if m["parentFolderId"] == mb.folders[folder]], query, f"mailFolders/{segs[1]}/messages")
            if rest == ["messages"] and method == "POST":
                return self._new_draft(mb, folder, payload or {})
            raise HttpAnswer(*graph_error(400, "BadRequest", "unsupported folder request"))
        if segs == ["messages"] and method == "GET":
            return self._list(mb, list(mb.messages.values()), query, "messages")
        if segs[:1] == ["messages"] and len(segs) >= 2:
            mid = segs[1]
            msg = mb.messages.get(mid)
            if msg is None:
                raise HttpAnswer(*graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store."))
            if len(segs) == 2:
                if method == "GET":
                    return 200, self._shape(mb, msg, query), {}
                if method == "PATCH":
                    return self._patch(mb, msg, payload or {})
                if method == "DELETE":
                    if msg["parentFolderId"] == mb.folders["deleteditems"]:
                        # deleting from Deleted Items moves the item to Recoverable Items (no client shows it)
                        mb.recoverable[mid] = mb.messages.pop(mid)
                        return 204, None, {}
                    msg["parentFolderId"] = mb.folders["deleteditems"]
                    msg["changeKey"] = b64url(secrets.token_bytes(12))
                    return 204, None, {}
            if len(segs) == 3 and segs[2] == "permanentDelete" and method == "POST":
                if payload:
                    raise HttpAnswer(*graph_error(400, "BadRequest", "permanentDelete takes no request body."))
                mb.recoverable[mid] = mb.messages.pop(mid)  # the Purges folder of the dumpster
                return 204, None, {}
            if len(segs) == 3 and segs[2] in ("createReply", "createReplyAll") and method == "POST":
                return self._create_reply(mb, msg, payload or {}, all_=segs[2] == "createReplyAll")
        raise HttpAnswer(*graph_error(400, "BadRequest", f"unsupported request {method} {'/'.join(segs)}"))

    def _folder_name(self, mb: Mailbox, seg: str) -> str:
        s = seg.lower()
        if s in WELL_KNOWN:
            return s
        for wk, fid in mb.folders.items():
            if fid == seg:
                return wk
        raise HttpAnswer(*graph_error(404, "ErrorInvalidIdMalformed", "Id is malformed."))

    # ---- shaping ------------------------------------------------------------------
    def _select(self, query) -> list[str] | None:
        sel = query.get("$select")
        if not sel:
            return None
        names = [s.strip() for s in sel.split(",") if s.strip()]
        for n in names:
            if n not in MESSAGE_PROPERTIES:
                raise HttpAnswer(*graph_error(400, "RequestBroker--ParseUri", f"Could not find a property named '{n}' on type 'microsoft.graph.message'."))
        return names

    _EXPAND = re.compile(r"^singleValueExtendedProperties\(\$filter=id eq '((?:[^']|'')*)'\)$", re.IGNORECASE)

    def _shape(self, mb: Mailbox, msg: dict, query) -> dict:
        names = self._select(query)
        default = [k for k in msg if k not in ("uniqueBody", "internetMessageHeaders")]
        keep = names if names is not None else default
        out = {"@odata.etag": msg.get("@odata.etag")}
        for k in ["id", *keep]:
            if k in msg:
                out[k] = msg[k]
        exp = query.get("$expand")
        if exp:
            m = self._EXPAND.match(exp)
            if not m:
                raise HttpAnswer(*graph_error(400, "BadRequest", f"Parsing OData Select and Expand failed: {exp}"))
            want = m.group(1).replace("''", "'").lower()
            props = [p for p in mb.props.get(msg["id"], []) if p["id"].lower() == want]
            if props:
                out["singleValueExtendedProperties"] = props
        return out

    # ---- $filter ------------------------------------------------------------------
    _F_CMP = re.compile(r"^(receivedDateTime|sentDateTime) (ge|gt) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)$")
    _F_CONV = re.compile(r"^conversationId eq '((?:[^']|'')*)'$")
    _F_PROP = re.compile(
        r"^singleValueExtendedProperties/any\((\w+): \1/id eq '((?:[^']|'')*)' and \1/value eq '((?:[^']|'')*)'\)$", re.IGNORECASE
    )

    def _filter(self, mb: Mailbox, expr: str | None, query):
        if not expr:
            return lambda m: True
        if (m := self._F_CMP.match(expr)):
            field_, op, value = m.groups()
            bound = datetime.fromisoformat(value.replace("Z", "+00:00"))

            def cmp(msg, f=field_, op=op, b=bound):
                v = msg.get(f)
                if not v:
                    return False
                try:
                    d = datetime.fromisoformat(v.replace("Z", "+00:00"))
                except ValueError:  # a deliberately broken fixture: let the client see it
                    return True
                return d >= b if op == "ge" else d > b

            return cmp
        if (m := self._F_CONV.match(expr)):
            if query.get("$orderby"):
                raise HttpAnswer(*graph_error(400, "InefficientFilter", "The restriction or sort order is too complex for this operation."))
            cid = m.group(1).replace("''", "'")
            return lambda msg: msg.get("conversationId") == cid
        if (m := self._F_PROP.match(expr)):
            pid, val = m.group(2).replace("''", "'").lower(), m.group(3).replace("''", "'")
            return lambda msg: any(p["id"].lower() == pid and p["value"] == val for p in mb.props.get(msg["id"], []))
        raise HttpAnswer(*graph_error(400, "BadRequest", f"Invalid filter clause: {expr}"))

    def _list(self, mb: Mailbox, candidates: list[dict], query, path: str):
        pred = self._filter(mb, query.get("$filter"), query)
        rows = [m for m in candidates if pred(m)]
        skip = 0
        if "$skiptoken" in query:
            state = self.rounds.pop(query["$skiptoken"], None)
            if state is None:
                raise HttpAnswer(*graph_error(400, "BadRequest", "skip token unknown"))
            rows, skip, query = state["rows"], state["skip"], state["query"]
        top = int(query.get("$top") or 10)
        page = rows[skip: skip + top]
        out: dict[str, Any] = {"@odata.context": f"{self.base}v1.0/$metadata#users('{mb.address}')/{path}", "value": [self._shape(mb, m, query) for m in page]}
        if skip + top < len(rows):
            tok = secrets.token_urlsafe(12)
            self.rounds[tok] = {"rows": rows, "skip": skip + top, "query": query}
            out["@odata.nextLink"] = f"{self.base}v1.0/users/{quote(mb.address)}/{path}?%24skiptoken={tok}"
        return 200, out, {}

    # ---- delta --------------------------------------------------------------------
    def _page_size(self, headers) -> int:
        m = re.search(r"odata\.maxpagesize=(\d+)", headers.get("prefer", ""))
        return int(m.group(1)) if m else self.default_page_size

    def _delta(self, mb: Mailbox, query, headers):
        url = f"{self.base}v1.0/users/{quote(mb.address)}/mailFolders('Inbox')/messages/delta"
        if "$skiptoken" in query:
            state = self.rounds.pop(query["$skiptoken"], None)
            if state is None:
                raise HttpAnswer(*graph_error(410, "SyncStateNotFound", "The sync state generation is not found; generation=7;[highest=9][9][8][7]."))
        elif "$deltatoken" in query:
            dt = self.delta_tokens.get(query["$deltatoken"])
            if dt is None:
                raise HttpAnswer(*graph_error(410, "SyncStateNotFound", "The sync state generation is not found; generation=3;[highest=9][9][8][7]."))
            entries = [(seq, kind, mid) for seq, kind, mid in mb.log if seq > dt["seq"]]
            state = {"entries": entries, "pos": 0, "seq": self.seq, "query": dt["query"]}
        else:
            pred = self._filter(mb, query.get("$filter"), query)
            self._select(query)
            if query.get("changeType") not in (None, "created", "updated", "deleted"):
                raise HttpAnswer(*graph_error(400, "BadRequest", "changeType must be created, updated or deleted"))
            inbox = mb.folders["inbox"]
            entries = [(seq, kind, mid) for seq, kind, mid in mb.log
                       if kind == "created" and mid in mb.messages and mb.messages[mid]["parentFolderId"] == inbox and pred(mb.messages[mid])]
            state = {"entries": entries, "pos": 0, "seq": self.seq, "query": {k: v for k, v in query.items() if k in ("$select", "$filter", "changeType")}}
        size = self._page_size(headers)
        q = state["query"]
        page_entries = state["entries"][state["pos"]: state["pos"] + size]
        value = []
        for _seq, kind, mid in page_entries:
            if kind == "removed" or mid not in mb.messages:
                value.append({"@odata.type": "#microsoft.graph.message", "id": mid, "@removed": {"reason": "deleted"}})
            elif kind == "updated":
                m = mb.messages[mid]
                value.append({"@odata.type": "#microsoft.graph.message", "@odata.etag": m["@odata.etag"], "id": mid, "isRead": m["isRead"], "parentFolderId": m["parentFolderId"]})
            else:
                item = {"@odata.type": "#microsoft.graph.message", **self._shape(mb, mb.messages[mid], q)}
                if self.omit_headers_in_delta:  # Graph leaves internetMessageHeaders out of some delta items
                    item.pop("internetMessageHeaders", None)
                value.append(item)
        state["pos"] += size
        out: dict[str, Any] = {"@odata.context": f"{self.base}v1.0/$metadata#Collection(message)", "value": value}
        if state["pos"] < len(state["entries"]):
            tok = secrets.token_urlsafe(16)
            self.rounds[tok] = state
            out["@odata.nextLink"] = f"{url}?%24skiptoken={tok}"
        else:
            tok = secrets.token_urlsafe(16)
            self.delta_tokens[tok] = {"seq": state["seq"], "query": q}
            out["@odata.deltaLink"] = f"{url}?%24deltatoken={tok}"
        return 200, out, {}

    # ---- writes -------------------------------------------------------------------
    def _apply_writable(self, mb: Mailbox, msg: dict, data: dict) -> None:
        for k, v in data.items():
            if k == "singleValueExtendedProperties":
                if not isinstance(v, list) or not all(isinstance(p, dict) and {"id", "value"} <= set(p) for p in v):
                    raise HttpAnswer(*graph_error(400, "BadRequest", "Invalid singleValueExtendedProperties"))
                existing = {p["id"].lower(): p for p in mb.props.get(msg["id"], [])}
                for p in v:
                    if not re.match(r"^String \{[0-9a-f-]{36}\} Name \w+$", p["id"], re.IGNORECASE):
                        raise HttpAnswer(*graph_error(400, "ErrorInvalidProperty", "The extended property id is not valid."))
                    existing[p["id"].lower()] = {"id": p["id"], "value": str(p["value"])}
                mb.props[msg["id"]] = list(existing.values())
            elif k in WRITABLE:
                msg[k] = v
            else:
                raise HttpAnswer(*graph_error(400, "ErrorInvalidPropertyUpdateSentMessage" if k in MESSAGE_PROPERTIES else "BadRequest", f"property {k} is read-only"))

    def _patch(self, mb: Mailbox, msg: dict, data: dict):
        if not msg["isDraft"] and set(data) - {"isRead", "categories", "flag", "importance", "inferenceClassification", "singleValueExtendedProperties"}:
            raise HttpAnswer(*graph_error(400, "ErrorInvalidPropertyUpdateSentMessage", "Update operation is invalid for property of a sent message."))
        self._apply_writable(mb, msg, data)
        msg["changeKey"] = b64url(secrets.token_bytes(12))
        msg["lastModifiedDateTime"] = iso(self.clock())
        return 200, self._shape(mb, msg, {}), {}

    def _new_draft(self, mb: Mailbox, folder: str, data: dict):
        now = self.clock()
        mid = self.new_id()
        msg = {
            "@odata.etag": f'W/"{b64url(secrets.token_bytes(12))}"', "id": mid, "createdDateTime": iso(now), "lastModifiedDateTime": iso(now),
            "changeKey": b64url(secrets.token_bytes(12)), "categories": [], "receivedDateTime": iso(now), "sentDateTime": iso(now),
            "hasAttachments": False, "internetMessageId": f"<{uuid.uuid4().hex}@contoso.example>", "subject": "", "importance": "normal",
            "parentFolderId": mb.folders[folder], "conversationId": "AAQk" + b64url(secrets.token_bytes(30)),
            "conversationIndex": base64.b64encode(secrets.token_bytes(22)).decode(), "isRead": True, "isDraft": True,
            "webLink": "https://outlook.office365.com/owa/?ItemID=" + quote(mid, safe=""), "body": {"contentType": "text", "content": ""},
            "uniqueBody": {"contentType": "text", "content": ""}, "sender": None, "from": None, "toRecipients": [], "ccRecipients": [],
            "bccRecipients": [], "replyTo": [], "flag": {"flagStatus": "notFlagged"}, "internetMessageHeaders": [],
        }
        mb.messages[mid] = msg
        self._apply_writable(mb, msg, {k: v for k, v in data.items() if k not in ("isDeliveryReceiptRequested", "isReadReceiptRequested")})
        return 201, self._shape(mb, msg, {}), {}

    def _create_reply(self, mb: Mailbox, orig: dict, data: dict, *, all_: bool):
        if orig.get("isDraft"):
            raise HttpAnswer(*graph_error(400, "ErrorInvalidOperation", "Cannot reply to a draft."))
        message = data.get("message") or {}
        comment = data.get("comment")
        if comment is not None and isinstance(message, dict) and "body" in message:
            raise HttpAnswer(*graph_error(400, "ErrorInvalidRequest", "Specify either a comment or the body property of the message parameter, not both."))
        now = self.clock()
        mid = self.new_id()
        sender = orig["from"]
        to = list(orig["replyTo"] or [sender])
        cc = []
        if all_:  # Graph (like Outlook's Reply All): To += original To, Cc = original Cc, never the mailbox
            seen = {mb.address} | {r["emailAddress"]["address"].lower() for r in to}
            for src, dst in ((orig["toRecipients"], to), (orig["ccRecipients"], cc)):
                for r in src:
                    a = r["emailAddress"]["address"].lower()
                    if a not in seen:
                        seen.add(a)
                        dst.append(r)
            orig["isRead"] = True  # what createReplyAll does to the original
        quoted = (
            '<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg"><b>From:</b> '
            f'{sender["emailAddress"]["name"]}<br><b>Subject:</b> {orig["subject"]}</div>{orig["body"]["content"]}'
        )
        body = {"contentType": "html", "content": f"<html><body>{comment or ''}{quoted}</body></html>"}
        draft = {
            "@odata.etag": f'W/"{b64url(secrets.token_bytes(12))}"', "id": mid, "createdDateTime": iso(now), "lastModifiedDateTime": iso(now),
            "changeKey": b64url(secrets.token_bytes(12)), "categories": [], "receivedDateTime": iso(now), "sentDateTime": iso(now),
            "hasAttachments": False, "internetMessageId": f"<{uuid.uuid4().hex}@contoso.example>", "subject": "RE: " + orig["subject"],
            "bodyPreview": "", "importance": "normal", "parentFolderId": mb.folders["drafts"], "conversationId": orig["conversationId"],
            "conversationIndex": base64.b64encode(base64.b64decode(orig["conversationIndex"]) + secrets.token_bytes(5)).decode(),
            "isDeliveryReceiptRequested": False, "isReadReceiptRequested": False, "isRead": True, "isDraft": True,
            "webLink": "https://outlook.office365.com/owa/?ItemID=" + quote(mid, safe=""), "inferenceClassification": "focused",
            "body": body, "uniqueBody": body, "sender": {"emailAddress": {"name": "Support", "address": mb.address}},
            "from": {"emailAddress": {"name": "Support", "address": mb.address}}, "toRecipients": to, "ccRecipients": cc,
            "bccRecipients": [], "replyTo": [], "flag": {"flagStatus": "notFlagged"}, "internetMessageHeaders": [],
        }
        mb.messages[mid] = draft
        if isinstance(message, dict) and message:
            self._apply_writable(mb, draft, message)
            if "body" in message:
                draft["uniqueBody"] = draft["body"]
        return 201, self._shape(mb, draft, {}), {}


_DELETE = object()
DELETE_FIELD = _DELETE

__all__ = ["FakeEntra", "FakeGraph", "Fault", "Slow", "DELETE_FIELD", "iso"]

if __name__ == "__main__":  # pragma: no cover - manual poking
    print(os.getpid())
