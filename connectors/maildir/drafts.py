"""Build a reply draft as an RFC 5322 message and store it in a Drafts Maildir, idempotently.

The reply is threaded to the original per RFC 5322 §3.6.4 (``In-Reply-To`` = the
parent's ``Message-ID``; ``References`` = the parent's ``References`` (or, lacking those,
its ``In-Reply-To``) followed by the parent's ``Message-ID``), addressed per RFC 5322
§3.6.3 (``Reply-To`` if present, else ``From``), with a ``multipart/alternative`` body
(RFC 2046 §5.1.4: plain text first, HTML last) quoting the original below the draft.

Storage follows https://cr.yp.to/proto/maildir.html: the file is written and synced
in ``tmp/``, then linked into ``cur/`` (a message the user's own client put there,
already "seen") with the info suffix ``:2,D`` — experimental semantics ``2``, flag
``D`` = draft. Writing never overwrites: look-before-write finds an existing draft
carrying the same idempotency key and returns it instead.

Our file names carry the key and the thread: ``<time>.<safe key>.t<thread tag>.draftguard``
(the tag is 16 hex chars of sha256 of the thread's root Message-ID, the first id of the
draft's ``References``). Look-before-write and the thread look-up therefore work on the
folder listing alone; only files without our name marker (a person's own drafts, a draft a
client saved under a new name) are read, once per process, for their headers. Cost per
delivery: one listing of ``cur/`` and ``new/`` (names only) and a few small reads,
whatever the folder holds.

One AI draft per thread (as Outlook's connector does): after a draft is placed, our older
drafts in the same thread (their root is in the new original's ``References`` /
``In-Reply-To``) are removed when nobody edited them, i.e. the file still carries our
idempotency header and its text part still hashes to the ``X-Draftguard-Body-Sha256`` we
wrote. Edited drafts, drafts of other tools and drafts written before these headers existed
are left alone. The removed draft's text stays in the draftguard database (``drafts``).
"""

from __future__ import annotations

import errno
import hashlib
import html as html_lib
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import EmailPolicy
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

import nh3

from agent.errors import DeliveryError
from agent.formatting import text_to_html
from agent.headers import clean_msgid, clean_msgids, clean_text
from agent.models import Address, InboundMessage, ReplyDraft
from agent.reply import email_of, reply_recipients, reply_subject

#: Header that carries draftguard's idempotency key on every draft it writes.
IDEMPOTENCY_HEADER = "X-Draftguard-Idempotency-Key"
#: Header that carries the draftguard version that wrote the draft.
VERSION_HEADER = "X-Draftguard-Version"
#: Header that carries :func:`body_digest` of the text part we wrote (to tell an unedited draft).
BODY_HASH_HEADER = "X-Draftguard-Body-Sha256"
#: Maildir info for a draft: version-2 flags, ``D`` = draft (cr.yp.to/proto/maildir.html).
DRAFT_INFO = ":2,D"
#: Host part of our Maildir file names (``<time>.<key>.draftguard:2,D``).
NAME_TAG = "draftguard"

# Bytes of a file read to find its header block (the idempotency header is near the top).
_HEAD_READ_BYTES = 64 * 1024


class DraftPolicy(EmailPolicy):
    """``email.policy.default`` except that ``In-Reply-To`` and ``References`` are folded
    between message ids, the first id on the header line.

    The stdlib folder would move a long first id to a continuation line, which readers
    (the stdlib included) then return with a leading space (``" <id@host>"``). Lines stay
    under RFC 5322's 998-character limit (§2.1.1) since ids are short.
    """

    _ID_HEADERS = ("in-reply-to", "references")

    def fold(self, name: str, value: str) -> str:
        if name.lower() in self._ID_HEADERS:
            return f"{name}: " + f"{self.linesep} ".join(str(value).split()) + self.linesep
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() in self._ID_HEADERS:
            return self.fold(name, value).encode("ascii", "replace")
        return super().fold_binary(name, value)


#: The policy drafts are written with (LF line endings, as Maildir tools store them).
DRAFT_POLICY = DraftPolicy()


def _header_addresses(addrs: list[Address]) -> list[HeaderAddress] | str:
    try:
        return [HeaderAddress(display_name=a.name, addr_spec=a.email) for a in addrs]
    except (ValueError, IndexError):  # an addr-spec the header model refuses: use the formatter
        return ", ".join(formataddr((a.name, a.email)) for a in addrs)


def _plain_sender(a: Address) -> str:
    return f"{a.name} <{a.email}>" if a.name else a.email


def _attribution(original: InboundMessage) -> str:
    who = _plain_sender(original.sender)
    if original.received_at:
        return f"On {format_datetime(original.received_at)}, {who} wrote:"
    return f"{who} wrote:"


def quote_text(text: str) -> str:
    """Quote each line with ``"> "`` (``">"`` before already-quoted lines and empty lines)."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(">" + ("" if (not ln or ln.startswith(">")) else " ") + ln for ln in lines)


def sanitise_html(fragment: str, *, allow_images: bool = False) -> str:
    """Clean HTML with ``nh3`` (ammonia): scripts, styles, event handlers, forms and the document
    head are removed. Remote images are dropped unless ``allow_images`` (tracking pixels)."""
    tags = set(nh3.ALLOWED_TAGS) if allow_images else set(nh3.ALLOWED_TAGS) - {"img"}
    return nh3.clean(fragment, tags=tags, clean_content_tags={"script", "style", "head", "title"})


def draftguard_version() -> str:
    """The installed draftguard version, else the one in ``pyproject.toml``, else ``"0+unknown"``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("draftguard")
    except PackageNotFoundError:
        pass
    try:
        import tomllib

        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        return str(tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"])
    except Exception:  # noqa: BLE001
        return "0+unknown"


def build_reply(
    original: InboundMessage,
    draft: ReplyDraft,
    *,
    from_address: str,
    reply_all: bool = False,
    own_addresses: Iterable[str] = (),
    now: datetime | None = None,
) -> EmailMessage:
    """The reply as an :class:`EmailMessage` (``email.policy.default``), ready to write.

    Addressing: ``draft.to``/``draft.cc`` when the pipeline set them (it applies the same
    rule), else computed from the original by :func:`reply_recipients` (``draft.cc`` added).
    The subject is ``draft.subject`` or the original's, normalised by :func:`reply_subject`.
    Both parts are quoted-printable UTF-8, so the file is 7-bit clean. ``now`` (aware)
    sets the Date header; default: the current local time.
    """
    if draft.to:  # the pipeline already chose the recipients
        to, cc = list(draft.to), list(draft.cc)
    else:
        own = [email_of(from_address), *own_addresses]
        to, cc = reply_recipients(original, own_addresses=own, reply_all=reply_all, extra_cc=draft.cc)
    domain = email_of(from_address).rpartition("@")[2] or "draftguard.invalid"

    msg = EmailMessage(policy=policy.default)
    msg["From"] = from_address
    msg["To"] = _header_addresses(to)
    if cc:
        msg["Cc"] = _header_addresses(cc)
    # Client-controlled values are normalised again before they become our headers: no
    # controls, NUL, zero-width or bidi characters (agent/headers.py).
    msg["Subject"] = reply_subject(clean_text(draft.subject or original.subject))
    msg["Date"] = format_datetime(now or datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(domain=domain)
    parent = clean_msgid(original.internet_message_id)
    if parent:
        msg["In-Reply-To"] = parent
        chain = clean_msgids(original.references or [original.in_reply_to])
        msg["References"] = " ".join([*(r for r in chain if r != parent), parent])
    msg[IDEMPOTENCY_HEADER] = draft.idempotency_key
    msg[VERSION_HEADER] = draftguard_version()

    reply_text = draft.text.replace("\r\n", "\n").strip("\n")
    attribution = _attribution(original)
    text = f"{reply_text}\n\n{attribution}\n{quote_text(original.text_body)}\n"
    msg[BODY_HASH_HEADER] = body_digest(text)
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")

    reply_html = sanitise_html(draft.html) if draft.html.strip() else text_to_html(reply_text)
    if original.html_body:
        quoted = sanitise_html(original.html_body)
    else:
        quoted = html_lib.escape(original.text_body).replace("\n", "<br>\n")
    html_doc = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n'
        f"<div>{reply_html}</div>\n"
        f"<p>{html_lib.escape(attribution)}</p>\n"
        '<blockquote type="cite" style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">\n'
        f"{quoted}\n</blockquote>\n</body></html>\n"
    )
    msg.add_alternative(html_doc, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in msg.iter_parts():  # the stdlib copies MIME-Version into sub-parts; it belongs on top only
        del part["MIME-Version"]
    return msg


def body_digest(text: str) -> str:
    """sha256 (hex) of a draft's text part, insensitive to how a client re-encodes it:
    LF line ends, trailing spaces of each line and blank lines at either end ignored."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    norm = "\n".join(ln.rstrip() for ln in lines).strip("\n")
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def thread_tag(message_id: str) -> str:
    """The thread marker in our file names: ``t`` + 16 hex chars of sha256 of a Message-ID."""
    return "t" + hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def thread_root(message: EmailMessage) -> str | None:
    """The root Message-ID of a reply we built: the first id of ``References`` (else ``In-Reply-To``)."""
    for name in ("References", "In-Reply-To"):
        value = message.get(name)
        if value:
            ids = str(value).split()
            if ids:
                return ids[0]
    return None


def safe_key(key: str) -> str:
    """The idempotency key as it appears in a Maildir file name: ``[A-Za-z0-9_-]`` only
    (``.``, ``:`` and ``/`` have meaning in Maildir names), hashed when longer than 100."""
    s = re.sub(r"[^A-Za-z0-9_-]", "_", key)
    return s if 0 < len(s) <= 100 else hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def _same_key(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


@dataclass(frozen=True)
class StoredDraft:
    """Result of :meth:`DraftsMaildir.store`: the file name (in ``cur/`` or ``new/``), whether we wrote it."""

    name: str
    created: bool


#: Our file names: ``<time>.<safe key>[.t<thread tag>].draftguard`` then whatever a tool adds
#: (mbsync's ``,U=<uid>``, the ``:2,<flags>`` info).
_OUR_NAME = re.compile(r"^\d+\.(?P<key>[A-Za-z0-9_-]{1,100})\.(?:(?P<tag>t[0-9a-f]{16})\.)?" + re.escape(NAME_TAG) + r"(?:[,:]|$)")


@dataclass
class _Listing:
    """What the folder held at the last look: file name → (sub, safe key or None, tag or None),
    the names in ``cur/`` and ``new/``, and maps from safe key and tag to names. Files without
    our marker have ``None`` keys here; their idempotency header is in
    :attr:`DraftsMaildir._foreign`."""

    files: dict[str, tuple[str, str | None, str | None]] = field(default_factory=dict)
    subs: dict[str, set[str]] = field(default_factory=lambda: {"cur": set(), "new": set()})
    by_key: dict[str, set[str]] = field(default_factory=dict)
    by_tag: dict[str, set[str]] = field(default_factory=dict)
    foreign: set[str] = field(default_factory=set)  # names without our marker

    def add(self, name: str, sub: str) -> None:
        m = _OUR_NAME.match(name)
        key, tag = (m.group("key"), m.group("tag")) if m else (None, None)
        self.files[name] = (sub, key, tag)
        self.subs[sub].add(name)
        if key:
            self.by_key.setdefault(key, set()).add(name)
        else:
            self.foreign.add(name)
        if tag:
            self.by_tag.setdefault(tag, set()).add(name)

    def remove(self, name: str) -> None:
        sub, key, tag = self.files.pop(name, ("", None, None))
        self.subs.get(sub, set()).discard(name)
        self.foreign.discard(name)
        if key:
            self.by_key.get(key, set()).discard(name)
        if tag:
            self.by_tag.get(tag, set()).discard(name)

    def move(self, name: str, sub: str) -> None:
        old, key, tag = self.files[name]
        self.subs[old].discard(name)
        self.subs[sub].add(name)
        self.files[name] = (sub, key, tag)


class DraftsMaildir:
    """A Drafts Maildir folder (``cur/``, ``new/``, ``tmp/``), created on first write.

    ``target`` names it in errors (``"maildir:local/Drafts"``). Raises
    :class:`DeliveryError` when the folder cannot be created or written (transient for
    ENOSPC, EIO, EAGAIN, EBUSY).

    Keeps what it learnt about the folder between calls (names parsed once, headers of
    files without our name marker read once): a Maildir file never changes content under
    its name (clients write a new file), so a name is enough to know a file again. The
    folder is listed on the first look after :meth:`invalidate` (the source calls it at the
    start of each poll), not on every delivery; our own writes and removals update the
    listing as they happen, and a named file found missing makes the next look list again.
    So a delivery costs the same whatever the folder holds. ``reads`` counts file reads and
    ``listings`` folder listings (measures of the cost, used by tests and benchmarks).
    """

    def __init__(self, path: Path, *, target: str):
        self.path = Path(path)
        self.target = target
        self._listing = _Listing()
        self._foreign: dict[str, str | None] = {}  # name without our marker -> its idempotency header
        self._fresh = False  # the listing reflects the folder since the last invalidate()
        self.reads = 0
        self.listings = 0

    def _error(self, what: str, exc: OSError) -> DeliveryError:
        transient = exc.errno in {errno.ENOSPC, errno.EIO, errno.EAGAIN, errno.EBUSY}
        return DeliveryError(self.target, f"{what} {self.path}: {exc.strerror or exc}", transient=transient)

    def ensure(self) -> None:
        """Create the folder with ``cur/``, ``new/``, ``tmp/`` (mode 0700) if missing."""
        try:
            for sub in ("cur", "new", "tmp"):
                (self.path / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise self._error("cannot create Drafts Maildir", exc) from exc

    def invalidate(self) -> None:
        """Changes by others may have happened (a new poll began): list the folder on the next look."""
        self._fresh = False

    def _look(self, *, force: bool = False) -> _Listing:
        """The listing, brought up to date when it is not fresh (or ``force``): one ``listdir``
        of ``cur/`` and ``new/``; only names not seen before are parsed (set operations on
        the rest). Raises :class:`DeliveryError` when the folder cannot be listed."""
        if self._fresh and not force:
            return self._listing
        self.listings += 1
        names: dict[str, set[str]] = {}
        try:
            for sub in ("cur", "new"):
                try:
                    names[sub] = set(os.listdir(self.path / sub))
                except FileNotFoundError:
                    names[sub] = set()
        except OSError as exc:
            raise self._error("cannot list Drafts Maildir", exc) from exc
        lst = self._listing
        current = names["cur"] | names["new"]
        for gone in lst.files.keys() - current:
            lst.remove(gone)
            self._foreign.pop(gone, None)
        for name in lst.subs["new"] & names["cur"]:  # delivered to cur/ under the same name
            lst.move(name, "cur")
        for name in (lst.subs["cur"] & names["new"]) - names["cur"]:
            lst.move(name, "new")
        for name in current - lst.files.keys():
            if not name.startswith("."):
                lst.add(name, "cur" if name in names["cur"] else "new")
        self._fresh = True
        return lst

    def _path(self, name: str) -> Path:
        return self.path / self._listing.files[name][0] / name

    def _headers(self, path: Path) -> Message | None:
        """The header block of a stored message (only the first 64 kB are read), or None."""
        self.reads += 1
        try:
            with open(path, "rb") as fh:
                head = fh.read(_HEAD_READ_BYTES)
        except OSError:
            return None
        head = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
        return BytesHeaderParser(policy=policy.default).parsebytes(head + b"\n\n")

    def header_key(self, path: Path) -> str | None:
        """The idempotency header of a stored message, reading only its header block."""
        headers = self._headers(path)
        value = headers.get(IDEMPOTENCY_HEADER) if headers is not None else None
        return str(value) if value is not None else None

    def find(self, key: str) -> str | None:
        """File name of an existing message with this idempotency key, or None.

        First the files named with the key (``.<safe key>.``), confirmed by their header;
        then files without our name marker (a client renamed a draft it saved), whose
        headers are read once per process."""
        lst = self._look()
        named = sorted(lst.by_key.get(safe_key(key), ()))
        if any(not self._path(n).exists() for n in named):  # renamed or removed by someone: look again
            lst = self._look(force=True)
            named = sorted(lst.by_key.get(safe_key(key), ()))
        for name in named:
            value = self.header_key(self._path(name))
            if value is not None and _same_key(value, key):
                return name
        for name in sorted(lst.foreign):
            if name not in self._foreign:
                self._foreign[name] = self.header_key(self._path(name))
            value = self._foreign[name]
            if value is not None and _same_key(value, key):
                return name
        return None

    def _unedited(self, path: Path) -> bool:
        """True when the file still carries our idempotency header and its text part still
        hashes to the ``X-Draftguard-Body-Sha256`` we wrote (read in full: drafts are small)."""
        self.reads += 1
        try:
            msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        except Exception:  # noqa: BLE001 - unreadable or odd: treat as edited
            return False
        wrote, key = msg.get(BODY_HASH_HEADER), msg.get(IDEMPOTENCY_HEADER)
        if not wrote or not key:
            return False
        try:
            part = msg.get_body(preferencelist=("plain",))
            text = part.get_content() if part is not None else None
        except Exception:  # noqa: BLE001
            return False
        return isinstance(text, str) and body_digest(text) == str(wrote).strip()

    def replace_older(self, thread_ids: Iterable[str], keep_key: str) -> tuple[int, int]:
        """Remove our unedited drafts in the thread of ``thread_ids`` (the new original's
        ``References`` and ``In-Reply-To``), except the one for ``keep_key``; edited ones are
        left alone. Returns ``(removed, kept)``. Raises :class:`DeliveryError` when a file
        cannot be removed for another reason than being gone already."""
        lst = self._look()
        keep = safe_key(keep_key)
        names: set[str] = set()
        for mid in thread_ids:
            names |= lst.by_tag.get(thread_tag(mid), set())
        removed = kept = 0
        for name in sorted(names):
            if lst.files[name][1] == keep:
                continue
            path = self._path(name)
            if not path.exists():  # gone (sent, deleted, saved under a new name): nothing to replace
                lst.remove(name)
                self._fresh = False
                continue
            if not self._unedited(path):
                kept += 1
                continue
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise self._error(f"cannot remove superseded draft {name} from", exc) from exc
            lst.remove(name)
            removed += 1
        if removed:
            self._sync_dir(self.path / "cur")
        return removed, kept

    def store(self, message: EmailMessage, key: str) -> StoredDraft:
        """Write ``message`` unless a message with ``key`` exists (look before write).

        The file goes to ``tmp/<time>.<safe key>.t<thread tag>.draftguard`` (no tag when the
        reply has no ``References``/``In-Reply-To``), is fsynced, then linked to
        ``cur/<same name>:2,D`` and unlinked from ``tmp/`` (rename where hard links are
        not supported). Line endings are LF, as Maildir tools store them.
        """
        existing = self.find(key)
        if existing:
            return StoredDraft(existing, created=False)
        self.ensure()
        data = message.as_bytes(policy=DRAFT_POLICY)
        root = thread_root(message)
        tag = f"{thread_tag(root)}." if root else ""
        base = f"{int(time.time())}.{safe_key(key)}.{tag}{NAME_TAG}"
        tmp = self.path / "tmp" / base
        final_name = base + DRAFT_INFO
        final = self.path / "cur" / final_name
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:  # another writer this second, or a crash left it: retry later
            raise DeliveryError(self.target, f"tmp/{base} already exists", transient=True) from exc
        except OSError as exc:
            raise self._error("cannot write draft into", exc) from exc
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, final)  # never replaces an existing file
                os.unlink(tmp)
            except (AttributeError, PermissionError, NotImplementedError):
                os.rename(tmp, final)
        except FileExistsError as exc:
            tmp.unlink(missing_ok=True)
            raise DeliveryError(self.target, f"cur/{final_name} already exists", transient=True) from exc
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise self._error("cannot write draft into", exc) from exc
        self._sync_dir(self.path / "cur")
        self._listing.add(final_name, "cur")
        return StoredDraft(final_name, created=True)

    @staticmethod
    def _sync_dir(path: Path) -> None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


__all__ = [
    "BODY_HASH_HEADER",
    "DRAFT_INFO",
    "DRAFT_POLICY",
    "IDEMPOTENCY_HEADER",
    "VERSION_HEADER",
    "DraftsMaildir",
    "StoredDraft",
    "body_digest",
    "build_reply",
    "quote_text",
    "reply_recipients",
    "reply_subject",
    "safe_key",
    "sanitise_html",
    "thread_tag",
]
