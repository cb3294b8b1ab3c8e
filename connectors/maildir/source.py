"""The Maildir source: reads ``new/`` and ``cur/`` of a local Maildir, writes drafts to a Drafts Maildir.

Reading uses the stdlib :class:`mailbox.Maildir` (``create=False``). A message's
``external_id`` is its Maildir key: the unique part of the file name without the
``:2,<flags>`` info (https://cr.yp.to/proto/maildir.html), which stays the same when a
mail client moves the file from ``new/`` to ``cur/`` or changes its flags, so the
pipeline's (source, external_id) dedupe holds. The inbox is never modified.
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

log = logging.getLogger(__name__)


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

    ``known_ids``: the pipeline may set it to the external ids it already holds; ``poll``
    then does not read those files again. Left ``None``, every message is yielded and
    the pipeline deduplicates.
    """

    def __init__(
        self,
        config: MaildirSourceConfig,
        settings: Settings | None = None,
        *,
        max_body_bytes: int = 1_000_000,
        own_addresses: Iterable[str] = (),
        base_dir: Path | None = None,
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

    def estimate(self) -> int | None:
        """Number of messages in the folder (a directory listing, no file is read)."""
        try:
            return len(self.keys())
        except SourceError:
            return None

    def poll(self, cursors: CursorStore) -> Iterator[InboundMessage | BadItem]:
        """Yield each message as :class:`InboundMessage`, or :class:`BadItem` with the problem.

        Maildir has no cursor (``cursors`` is unused). Files are read one at a time from
        a sorted key list, so memory does not grow with the folder. A file that vanishes
        between listing and reading (moved by a mail client) is skipped; it is seen again
        on the next poll under the same key. Raises :class:`SourceError` when the folder
        is missing or not a Maildir.
        """
        box = self._open()
        known = self.known_ids or set()
        try:
            keys = sorted(box.keys())
        except OSError as exc:
            raise SourceError(self.name, f"cannot list Maildir {self.path}: {exc.strerror or exc}") from exc
        for key in keys:
            if key in known or key.endswith(f".{NAME_TAG}"):
                continue
            try:
                raw = box.get_bytes(key)
            except (KeyError, FileNotFoundError):
                log.info("maildir message vanished before reading", extra={"source": self.name, "key": key})
                continue
            except OSError as exc:
                yield BadItem(self.name, key, f"cannot read message file: {exc.strerror or exc}")
                continue
            try:
                yield parse_message(
                    raw, source=self.name, external_id=key, max_body_bytes=self.max_body_bytes
                )
            except BadInputError as exc:
                yield BadItem(self.name, key, exc.problem)

    def fetch(self, external_id: str) -> InboundMessage:
        """Read one message again by its Maildir key (to resume a delivery or deliver an approved draft).

        Raises :class:`SourceError` when the folder or the message is gone, and
        :class:`BadInputError` when it no longer parses."""
        box = self._open()
        try:
            raw = box.get_bytes(external_id)
        except (KeyError, FileNotFoundError) as exc:
            raise SourceError(self.name, f"message {external_id!r} is no longer in {self.path}") from exc
        except OSError as exc:
            raise SourceError(
                self.name, f"cannot read message {external_id!r}: {exc.strerror or exc}"
            ) from exc
        return parse_message(
            raw, source=self.name, external_id=external_id, max_body_bytes=self.max_body_bytes
        )

    def deliver(self, message: InboundMessage, draft: ReplyDraft) -> DeliveryReceipt:
        """Write the reply into the Drafts Maildir (flag D), once per ``draft.idempotency_key``.

        Returns ``DeliveryReceipt(target="maildir:<name>/Drafts", ref=<file name>, created=...)``;
        ``created`` is False when a draft with the same key was already there. Raises
        :class:`agent.errors.DeliveryError`.
        """
        reply = build_reply(
            message,
            draft,
            from_address=self.config.from_address,
            reply_all=self.config.reply_all,
            own_addresses=self.own_addresses,
        )
        stored = self.drafts.store(reply, draft.idempotency_key)  # looks before it writes
        return DeliveryReceipt(target=self.drafts.target, ref=stored.name, created=stored.created)
