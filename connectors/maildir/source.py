"""The Maildir source: reads ``new/`` and ``cur/`` of a local Maildir, writes drafts to a Drafts Maildir.

Reading uses the stdlib :class:`mailbox.Maildir` (``create=False``). A message's
``external_id`` is its Maildir key: the unique part of the file name without the
``:2,<flags>`` info (https://cr.yp.to/proto/maildir.html), which stays the same when a
mail client moves the file from ``new/`` to ``cur/`` or changes its flags, so the
pipeline's (source, external_id) dedupe holds. The inbox is never modified.

Two things make a poll cost grow with new mail only and give one draft per mail
(:mod:`connectors.maildir.seen`): files already handed to the pipeline are not opened
again, and a file whose ``Message-ID`` this mailbox has already seen under another name
(an mbsync/offlineimap re-sync, the same mail delivered twice) gets the first file's
external id, so the pipeline treats it as the same item. Mail without a ``Message-ID``
keeps its own key.
"""

from __future__ import annotations

import logging
import mailbox
from collections.abc import Iterable, Iterator
from pathlib import Path

from agent.config import MaildirSourceConfig, Settings
from agent.errors import BadInputError, SourceError
from agent.models import DeliveryReceipt, InboundMessage, ReplyDraft
from agent.ports import BadItem, CursorStore, Source
from connectors.maildir.drafts import NAME_TAG, DraftsMaildir, build_reply, email_of
from connectors.maildir.parse import parse_message
from connectors.maildir.seen import MemorySeenIndex, SeenFile, SeenIndex, message_identity

log = logging.getLogger(__name__)

#: Files recorded in the seen index per transaction while a poll runs (and at its end).
SEEN_FLUSH_EVERY = 50


def _resolve(path: Path, base_dir: Path | None) -> Path:
    return path if path.is_absolute() or base_dir is None else (Path(base_dir) / path).resolve()


class MaildirSource(Source):
    """A :class:`agent.ports.Source` over one configured Maildir.

    Built by :func:`jobs.bootstrap.build_sources` as ``MaildirSource(config, settings)``:
    ``settings`` supplies ``limits.max_body_bytes``, ``organisation.own_addresses`` and
    ``base_dir``. Without ``settings`` the keyword arguments apply. ``config.path`` /
    ``config.drafts_path`` may be relative: they are resolved against ``base_dir`` (the
    config file's folder). ``own_addresses`` (lower-cased, always including
    ``config.from_address``) are kept out of the Cc of reply-all drafts; ``reply_all``
    mirrors the config. The pipeline reads both attributes.

    ``seen``: where the files already read are remembered (:mod:`connectors.maildir.seen`;
    :func:`jobs.bootstrap.build_sources` passes the database's index, the default is in
    memory). ``known_ids`` (optional) adds keys ``poll`` must not read again.
    """

    def __init__(
        self,
        config: MaildirSourceConfig,
        settings: Settings | None = None,
        *,
        max_body_bytes: int = 1_000_000,
        own_addresses: Iterable[str] = (),
        base_dir: Path | None = None,
        seen: SeenIndex | None = None,
    ):
        if settings is not None:
            max_body_bytes = settings.limits.max_body_bytes
            own_addresses = [*settings.organisation.own_addresses, *own_addresses]
            base_dir = settings.base_dir if base_dir is None else base_dir
        self.config = config
        self.name = f"maildir:{config.name}"
        self.path = _resolve(config.path, base_dir)
        self.drafts_path = _resolve(config.drafts_path, base_dir)
        self.max_body_bytes = max_body_bytes
        self.reply_all = config.reply_all
        own = [email_of(config.from_address), *(a.strip().lower() for a in own_addresses)]
        self.own_addresses = list(dict.fromkeys(a for a in own if a))
        self.known_ids: set[str] | None = None
        self.seen: SeenIndex = seen if seen is not None else MemorySeenIndex()
        self.drafts = DraftsMaildir(self.drafts_path, target=f"{self.name}/Drafts")

    def _open(self) -> mailbox.Maildir:
        if not self.path.is_dir():
            raise SourceError(self.name, f"Maildir folder not found: {self.path}")
        missing = [sub for sub in ("cur", "new") if not (self.path / sub).is_dir()]
        if missing:
            raise SourceError(
                self.name, f"not a Maildir (no {' and '.join(s + '/' for s in missing)}): {self.path}"
            )
        try:
            return mailbox.Maildir(self.path, factory=None, create=False)
        except (mailbox.NoSuchMailboxError, OSError) as exc:
            raise SourceError(self.name, f"cannot open Maildir {self.path}: {exc}") from exc

    def keys(self) -> list[str]:
        """All message keys in ``new/`` and ``cur/``, sorted (Maildir names start with the
        delivery time, so this is roughly arrival order). Raises :class:`SourceError`."""
        box = self._open()
        try:
            return sorted(box.keys())
        except OSError as exc:
            raise SourceError(self.name, f"cannot list Maildir {self.path}: {exc.strerror or exc}") from exc

    def _new_keys(self, box: mailbox.Maildir) -> list[str]:
        """Sorted keys of files not yet handed to the pipeline (and not our own drafts)."""
        try:
            keys = sorted(box.keys())
        except OSError as exc:
            raise SourceError(self.name, f"cannot list Maildir {self.path}: {exc.strerror or exc}") from exc
        known = self.seen.known_keys(self.name) | (self.known_ids or set())
        return [k for k in keys if k not in known and f".{NAME_TAG}" not in k]

    def estimate(self) -> int | None:
        """Number of files the next poll will read: a directory listing and one index query,
        no file is opened."""
        try:
            return len(self._new_keys(self._open()))
        except SourceError:
            return None

    def poll(self, cursors: CursorStore) -> Iterator[InboundMessage | BadItem]:
        """Yield each new file as :class:`InboundMessage`, or :class:`BadItem` with the problem.

        Maildir has no cursor (``cursors`` is unused). Only files never handed to the
        pipeline are read (the seen index), one at a time from a sorted key list, so memory
        does not grow with the folder. A file is recorded as seen once the pipeline asks for
        the next one (it has then recorded the item), in batches of :data:`SEEN_FLUSH_EVERY`;
        the file in flight when the caller stops is not, and is read again next time. A file
        whose Message-ID is already known in this mailbox (same sender and text:
        :func:`connectors.maildir.seen.message_identity`) is yielded with the first file's
        external id. A file that vanishes between listing and reading (moved by a mail
        client) is skipped; it is seen again on the next poll under the same key. Raises
        :class:`SourceError` when the folder is missing or not a Maildir.
        """
        box = self._open()
        self.drafts.invalidate()  # people may have changed the Drafts folder since the last poll
        done: list[SeenFile] = []
        this_poll: dict[str, str] = {}  # Message-ID digest -> external id, not yet recorded
        try:
            for key in self._new_keys(box):
                try:
                    raw = box.get_bytes(key)
                except (KeyError, FileNotFoundError):
                    log.info("maildir message vanished before reading", extra={"source": self.name, "key": key})
                    continue
                except OSError as exc:
                    yield BadItem(self.name, key, f"cannot read message file: {exc.strerror or exc}")
                    done.append(SeenFile(key, None, key))
                    continue
                try:
                    msg = parse_message(raw, source=self.name, external_id=key, max_body_bytes=self.max_body_bytes)
                except BadInputError as exc:
                    yield BadItem(self.name, key, exc.problem)
                    done.append(SeenFile(key, None, key))
                    continue
                digest = message_identity(msg)
                external_id = key
                if digest is not None:
                    external_id = this_poll.get(digest) or self.seen.external_id_for(self.name, digest) or key
                    this_poll.setdefault(digest, external_id)
                if external_id != key:
                    log.info(
                        "maildir message seen before under another file name",
                        extra={"source": self.name, "key": key, "external_id": external_id},
                    )
                    msg = msg.model_copy(update={"external_id": external_id})
                yield msg
                done.append(SeenFile(key, digest, external_id))
                if len(done) >= SEEN_FLUSH_EVERY:
                    self.seen.record(self.name, done)
                    done = []
        finally:
            if done:
                try:
                    self.seen.record(self.name, done)
                except Exception as exc:  # noqa: BLE001 - they are read again next time; the pipeline dedupes
                    # info, not warning: the storage error itself is what the run reports
                    log.info("could not record %d read files of %s: %s", len(done), self.name, exc)

    def fetch(self, external_id: str) -> InboundMessage:
        """Read one message again by its external id (to resume a delivery or deliver an approved draft).

        The file with that key, else another file of the same item (the same Message-ID
        under a new name after a re-sync). Raises :class:`SourceError` when the folder or
        every file of the item is gone, and :class:`BadInputError` when it no longer parses."""
        box = self._open()
        candidates = [external_id, *(k for k in self.seen.keys_for(self.name, external_id) if k != external_id)]
        for key in candidates:
            try:
                raw = box.get_bytes(key)
            except (KeyError, FileNotFoundError):
                continue
            except OSError as exc:
                raise SourceError(self.name, f"cannot read message {key!r}: {exc.strerror or exc}") from exc
            return parse_message(raw, source=self.name, external_id=external_id, max_body_bytes=self.max_body_bytes)
        raise SourceError(self.name, f"message {external_id!r} is no longer in {self.path}")

    def deliver(self, message: InboundMessage, draft: ReplyDraft) -> DeliveryReceipt:
        """Write the reply into the Drafts Maildir (flag D), once per ``draft.idempotency_key``.

        Returns ``DeliveryReceipt(target="maildir:<name>/Drafts", ref=<file name>, created=...)``;
        ``created`` is False when a draft with the same key was already there. Then, one AI
        draft per thread: our older drafts in the thread of ``message`` (its ``References`` /
        ``In-Reply-To``) are removed if nobody edited them, edited ones are kept
        (:meth:`DraftsMaildir.replace_older`; also on a repeated delivery, so a crash between
        the two steps is made good). Raises :class:`agent.errors.DeliveryError`.
        """
        reply = build_reply(
            message,
            draft,
            from_address=self.config.from_address,
            reply_all=self.config.reply_all,
            own_addresses=self.own_addresses,
        )
        stored = self.drafts.store(reply, draft.idempotency_key)  # looks before it writes
        thread = [*message.references, *([message.in_reply_to] if message.in_reply_to else [])]
        if thread:
            removed, kept = self.drafts.replace_older(thread, draft.idempotency_key)
            if removed or kept:
                log.info(
                    "older drafts in the thread: %d replaced, %d edited left alone",
                    removed,
                    kept,
                    extra={"source": self.name, "key": draft.idempotency_key},
                )
        return DeliveryReceipt(target=self.drafts.target, ref=stored.name, created=stored.created)
