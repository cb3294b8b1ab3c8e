"""MaildirSource.poll: keys as external ids, BadItem for bad files, no crash, inbox untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from maildir_testkit import EXAMPLE_MAILBOX, MemoryCursors, build_mail, make_maildir

from agent.config import MaildirSourceConfig
from agent.errors import SourceError
from agent.models import InboundMessage
from agent.ports import BadItem
from connectors.maildir.source import MaildirSource


def snapshot(root: Path) -> dict[str, tuple[str, float]]:
    """Every file under ``root``: relative path → (sha256, mtime)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(root))] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
    return out


def fill(inbox: Path) -> None:
    (inbox / "new" / "1700000001.M1P1.host").write_bytes(build_mail(subject="first"))
    (inbox / "cur" / "1700000002.M2P1.host:2,S").write_bytes(
        build_mail(subject="second", message_id="<o2@c.example>")
    )
    (inbox / "new" / "1700000003.M3P1.host").write_bytes(
        bytes(range(256)).replace(b":", b".") * 16
    )  # garbage
    (inbox / "new" / "1700000004.M4P1.host").write_bytes(build_mail(subject="huge", text="y" * 1_200_000))


def test_poll_yields_messages_and_bad_items_without_crashing(inbox: Path, source_config: MaildirSourceConfig):
    fill(inbox)
    source = MaildirSource(source_config, max_body_bytes=1_000_000)
    assert source.name == "maildir:local"
    items = list(source.poll(MemoryCursors()))

    assert [i.external_id for i in items] == [
        "1700000001.M1P1.host",
        "1700000002.M2P1.host",  # key without the ":2,S" info
        "1700000003.M3P1.host",
        "1700000004.M4P1.host",
    ]
    good = [i for i in items if isinstance(i, InboundMessage)]
    bad = [i for i in items if isinstance(i, BadItem)]
    assert [m.subject for m in good] == ["first", "second"]
    assert all(m.source == "maildir:local" for m in good)
    assert [(b.source, b.external_id) for b in bad] == [
        ("maildir:local", "1700000003.M3P1.host"),
        ("maildir:local", "1700000004.M4P1.host"),
    ]
    assert "no sender address" in bad[0].error
    assert "body is 1.2 MB" in bad[1].error


def test_poll_never_modifies_the_inbox(inbox: Path, source_config):
    fill(inbox)
    before = snapshot(inbox)
    source = MaildirSource(source_config)
    list(source.poll(MemoryCursors()))
    list(source.poll(MemoryCursors()))
    assert snapshot(inbox) == before


def test_poll_is_repeatable_and_known_ids_are_not_read_again(inbox: Path, source_config):
    fill(inbox)
    source = MaildirSource(source_config)
    first = [i.external_id for i in source.poll(MemoryCursors())]
    assert [i.external_id for i in source.poll(MemoryCursors())] == []  # the seen index: nothing new
    fresh = MaildirSource(source_config)  # an empty index reads everything again; the pipeline dedupes
    assert [i.external_id for i in fresh.poll(MemoryCursors())] == first
    other = MaildirSource(source_config)
    other.known_ids = {"1700000001.M1P1.host", "1700000003.M3P1.host"}
    assert [i.external_id for i in other.poll(MemoryCursors())] == [
        "1700000002.M2P1.host",
        "1700000004.M4P1.host",
    ]


def test_flag_change_keeps_the_external_id(inbox: Path, source_config):
    (inbox / "new" / "1700000009.M9P1.host").write_bytes(build_mail())
    source = MaildirSource(source_config)
    (before,) = [i.external_id for i in source.poll(MemoryCursors())]
    (inbox / "new" / "1700000009.M9P1.host").rename(inbox / "cur" / "1700000009.M9P1.host:2,RS")
    assert list(source.poll(MemoryCursors())) == []  # same key: already seen, not read again
    (after,) = [i.external_id for i in MaildirSource(source_config).poll(MemoryCursors())]
    assert before == after == "1700000009.M9P1.host"


def test_own_drafts_in_the_same_folder_are_not_polled(inbox: Path, source_config):
    config = source_config.model_copy(update={"drafts_path": inbox})
    (inbox / "new" / "1700000001.M1P1.host").write_bytes(build_mail())
    source = MaildirSource(config)
    (msg,) = list(source.poll(MemoryCursors()))
    from agent.models import Address, ReplyDraft

    draft = ReplyDraft(
        idempotency_key="k-1", subject="", text="Hi", html="", to=[Address(email="a@b.example")]
    )
    assert source.deliver(msg, draft).created is True
    assert [i.external_id for i in MaildirSource(config).poll(MemoryCursors())] == ["1700000001.M1P1.host"]


def test_missing_folder_raises_source_error_naming_the_path(tmp_path: Path, source_config):
    missing = tmp_path / "nowhere"
    source = MaildirSource(source_config.model_copy(update={"path": missing}))
    with pytest.raises(SourceError) as exc:
        list(source.poll(MemoryCursors()))
    assert str(missing) in str(exc.value) and exc.value.source == "maildir:local"
    plain_dir = tmp_path / "plain"
    plain_dir.mkdir()
    with pytest.raises(SourceError, match="not a Maildir"):
        list(MaildirSource(source_config.model_copy(update={"path": plain_dir})).poll(MemoryCursors()))


def test_relative_paths_resolve_against_base_dir(tmp_path: Path):
    make_maildir(tmp_path / "mail" / "Inbox")
    (tmp_path / "mail" / "Inbox" / "new" / "1.M1.h").write_bytes(build_mail())
    config = MaildirSourceConfig(
        name="rel",
        path=Path("mail/Inbox"),
        drafts_path=Path("var/Drafts"),
        from_address="s@northwind.example",
    )
    source = MaildirSource(config, base_dir=tmp_path)
    assert source.path == tmp_path / "mail" / "Inbox" and source.drafts_path == tmp_path / "var" / "Drafts"
    assert [i.external_id for i in source.poll(MemoryCursors())] == ["1.M1.h"]


def test_example_mailbox_polls_every_file_into_exactly_one_item(tmp_path: Path):
    assert (EXAMPLE_MAILBOX / "new").is_dir(), "examples/mailbox missing"
    files = [
        p for sub in ("new", "cur") for p in (EXAMPLE_MAILBOX / sub).iterdir() if not p.name.startswith(".")
    ]
    before = snapshot(EXAMPLE_MAILBOX)
    config = MaildirSourceConfig(
        path=EXAMPLE_MAILBOX, drafts_path=tmp_path / "Drafts", from_address="s@n.example"
    )
    items = list(MaildirSource(config).poll(MemoryCursors()))
    assert len(items) == len(files)
    ids = [i.external_id for i in items]
    assert len(set(ids)) == len(ids)
    assert {p.name.split(":2,")[0] for p in files} == set(ids)
    bad = [i for i in items if isinstance(i, BadItem)]
    assert all(b.error for b in bad)
    assert len(bad) < len(items) // 4
    assert snapshot(EXAMPLE_MAILBOX) == before


def test_fetch_rereads_one_message_by_key(inbox: Path, source_config):
    fill(inbox)
    source = MaildirSource(source_config)
    msg = source.fetch("1700000002.M2P1.host")
    assert msg.subject == "second" and msg.external_id == "1700000002.M2P1.host"
    with pytest.raises(SourceError, match="no longer in"):
        source.fetch("1799999999.M0P0.gone")


def test_built_from_settings_like_bootstrap(tmp_path: Path):
    from agent.config import Settings

    make_maildir(tmp_path / "Inbox")
    (tmp_path / "Inbox" / "new" / "1.M1.h").write_bytes(build_mail(text="z" * 5000))
    settings = Settings.model_validate(
        {
            "base_dir": str(tmp_path),
            "organisation": {"own_addresses": ["Help@Northwind.example"]},
            "limits": {"max_body_bytes": 2048},
            "sources": {
                "maildir": [
                    {
                        "name": "box",
                        "path": "Inbox",
                        "drafts_path": "Drafts",
                        "from_address": "Support <support@northwind.example>",
                        "reply_all": True,
                    }
                ]
            },
        }
    )
    source = MaildirSource(settings.sources.maildir[0], settings)
    assert source.name == "maildir:box" and source.reply_all is True
    assert source.path == tmp_path / "Inbox" and source.drafts_path == tmp_path / "Drafts"
    assert source.own_addresses == ["support@northwind.example", "help@northwind.example"]
    (bad,) = list(source.poll(MemoryCursors()))
    assert isinstance(bad, BadItem) and "limit 2.0 kB" in bad.error


def test_resynced_copy_joins_the_first_item_but_a_reused_message_id_with_other_text_does_not(inbox: Path, source_config):
    source = MaildirSource(source_config)
    (inbox / "new" / "1700000001.M1P1.host").write_bytes(build_mail(message_id="<same@c.example>"))
    (first,) = list(source.poll(MemoryCursors()))
    # mbsync re-sync: same bytes plus a trace header, under a new name with a UID
    (inbox / "cur" / "1700000900.R1.laptop,U=3:2,S").write_bytes(
        b"X-TUID: abcdEFGH1234\n" + (inbox / "new" / "1700000001.M1P1.host").read_bytes()
    )
    (inbox / "new" / "1700000001.M1P1.host").unlink()
    # a web form script that puts one constant Message-ID on every mail
    (inbox / "new" / "1700000950.M9P1.host").write_bytes(
        build_mail(message_id="<same@c.example>", text="A different question altogether.")
    )
    again = list(source.poll(MemoryCursors()))
    assert [(m.external_id, m.subject) for m in again] == [
        ("1700000001.M1P1.host", first.subject),  # the copy: the first file's item
        ("1700000950.M9P1.host", first.subject),  # other text: its own item
    ]
    assert source.fetch("1700000001.M1P1.host").internet_message_id == "<same@c.example>"  # read from the copy
    assert list(source.poll(MemoryCursors())) == []
