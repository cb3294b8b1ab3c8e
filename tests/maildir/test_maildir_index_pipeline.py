"""Maildir through the real source, storage and pipeline: one draft per mail (8.5), one AI draft
per thread (8.6), and polls and deliveries that cost O(new mail) (8.3).

Each "run" is a fresh runtime from ``jobs.bootstrap`` on the same config, database and folders,
as a new ``main.py run --once`` process would be (the Presidio redactor is shared to save time)."""

from __future__ import annotations

import shutil
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from maildir_testkit import build_mail, make_maildir

import connectors.maildir.source as maildir_source
from agent.config import load_config
from connectors.maildir.drafts import BODY_HASH_HEADER, IDEMPOTENCY_HEADER, thread_tag
from jobs.bootstrap import bootstrap
from tests.e2e.helpers import write_config
from tests.unit.fakes import FakeNotifier


class Runs:
    """Runs ``run --once`` equivalents on one config; counts files the source parses."""

    def __init__(self, tmp_path: Path, box: Path, monkeypatch: pytest.MonkeyPatch):
        self.config = write_config(tmp_path, mailbox=box)
        self.drafts = tmp_path / "Drafts"
        self.redactor = None
        self.parsed: list[str] = []
        real = maildir_source.parse_message

        def counting(raw, *, source, external_id, max_body_bytes):
            self.parsed.append(external_id)
            return real(raw, source=source, external_id=external_id, max_body_bytes=max_body_bytes)

        monkeypatch.setattr(maildir_source, "parse_message", counting)
        self.last = None

    def run(self) -> dict[str, int]:
        self.parsed.clear()
        rt = bootstrap(load_config(self.config), notifier=FakeNotifier())
        if self.redactor is not None:
            rt.pipeline._redactor = self.redactor
        try:
            summary = rt.pipeline.run_source(rt.sources[0])
            self.redactor = rt.pipeline._redactor or self.redactor
            self.last = rt.sources[0]
            with rt.session_factory() as s:
                from sqlalchemy import func, select

                from storage.models import Item

                self.items = dict(s.execute(select(Item.external_id, Item.state)).all())
                self.item_count = s.execute(select(func.count()).select_from(Item)).scalar()
        finally:
            rt.close()
        return dict(summary.counts)

    def draft_files(self) -> list[Path]:
        return sorted(p for sub in ("cur", "new") if (self.drafts / sub).is_dir() for p in (self.drafts / sub).iterdir())

    def replying_to(self) -> list[str]:
        return sorted(str(read(p)["In-Reply-To"]) for p in self.draft_files())


def read(path: Path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


# Plain questions that every routing rule of config.example.toml lets through to a draft.
def question(mid: str | None, *, subject: str = "Opening hours") -> bytes:
    return build_mail(message_id=mid, subject=subject, text="Hello,\n\ncould you tell me your opening hours next week?\n\nThanks,\nAnn")


def follow_up(mid: str, parent: str) -> bytes:
    return build_mail(
        message_id=mid,
        subject="Re: Opening hours",
        text="Thanks. Could you also tell me whether you are open on Saturday?\n\nAnn",
        headers={"In-Reply-To": parent, "References": parent},
    )


@pytest.fixture
def box(tmp_path: Path) -> Path:
    return make_maildir(tmp_path / "box")


def test_same_mail_under_another_file_name_gives_no_second_draft(tmp_path, box, monkeypatch):
    runs = Runs(tmp_path, box, monkeypatch)
    first = box / "new" / "1700000001.M1P1.host"
    first.write_bytes(question("<m1@client.example>"))
    assert runs.run() == {"drafted": 1}
    assert len(runs.draft_files()) == 1

    # mbsync re-sync: the file gets a new name (and a UID); the mail is also delivered twice
    resynced = box / "cur" / "1700009999.R1.laptop,U=7:2,S"
    first.rename(resynced)
    shutil.copyfile(resynced, box / "new" / "1700010000.M5P1.host")
    # a mail without Message-ID delivered twice keeps one item per file (nothing to match on)
    bare = question(None, subject="Opening hours in May")
    (box / "new" / "1700020000.M6P1.host").write_bytes(bare)
    (box / "new" / "1700020001.M7P1.host").write_bytes(bare)
    counts = runs.run()
    assert counts.get("duplicate") == 2, counts
    assert runs.item_count == 3  # m1 once, the bare mail twice
    assert set(runs.items) == {"1700000001.M1P1.host", "1700020000.M6P1.host", "1700020001.M7P1.host"}
    assert runs.replying_to().count("<m1@client.example>") == 1

    # the first item can still be read again (resume, review approve) from its new file name
    msg = runs.last.fetch("1700000001.M1P1.host")
    assert msg.internet_message_id == "<m1@client.example>" and msg.external_id == "1700000001.M1P1.host"


def test_follow_up_replaces_the_unedited_older_draft_and_keeps_an_edited_one(tmp_path, box, monkeypatch):
    runs = Runs(tmp_path, box, monkeypatch)
    (box / "new" / "1700000001.M1P1.host").write_bytes(question("<m1@client.example>"))
    (box / "new" / "1700000002.M2P1.host").write_bytes(question("<m3@client.example>", subject="Opening hours in June"))
    assert runs.run() == {"drafted": 2}
    (d1,) = [p for p in runs.draft_files() if str(read(p)["In-Reply-To"]) == "<m1@client.example>"]
    (d3,) = [p for p in runs.draft_files() if str(read(p)["In-Reply-To"]) == "<m3@client.example>"]
    assert thread_tag("<m1@client.example>") in d1.name and read(d1)[BODY_HASH_HEADER]

    # a person edits the draft of thread m3 (in place: same file, our headers kept)
    raw = d3.read_bytes()
    head, _, body = raw.partition(b"\n\n")
    d3.write_bytes(head + b"\n\n" + body.replace(b"Kind regards", b"Best wishes, edited by Bob", 1))
    assert read(d3)[IDEMPOTENCY_HEADER] and d3.read_bytes() != raw

    (box / "new" / "1700000003.M3P1.host").write_bytes(follow_up("<m2@client.example>", "<m1@client.example>"))
    (box / "new" / "1700000004.M4P1.host").write_bytes(follow_up("<m4@client.example>", "<m3@client.example>"))
    assert runs.run() == {"drafted": 2}
    assert not d1.exists()  # unedited older draft of thread m1 replaced
    assert d3.exists()  # edited draft of thread m3 left alone
    assert runs.replying_to() == ["<m2@client.example>", "<m3@client.example>", "<m4@client.example>"]


def test_second_poll_opens_no_seen_file_and_delivery_reads_do_not_grow_with_the_drafts_folder(tmp_path, box, monkeypatch):
    runs = Runs(tmp_path, box, monkeypatch)
    for i in range(4):
        (box / "new" / f"170000000{i}.M{i}P1.host").write_bytes(question(f"<q{i}@client.example>", subject=f"Opening hours, week {i}"))
    runs.run()
    assert sorted(runs.parsed) == [f"170000000{i}.M{i}P1.host" for i in range(4)]

    assert runs.run() == {}  # nothing new: no file opened, nothing counted again
    assert runs.parsed == []

    # a big Drafts folder: 300 of our drafts (named with their key) and 20 of a person's own
    cur = runs.drafts / "cur"
    for i in range(300):
        (cur / f"1600000000.dg-{i:032x}.t{i:016x}.draftguard:2,D").write_bytes(
            f"From: s@northwind.example\n{IDEMPOTENCY_HEADER}: dg-{i:032x}\n\nold draft {i}\n".encode()
        )
    for i in range(20):
        (cur / f"1600000000.M{i}P9.laptop:2,DS").write_bytes(f"From: me@northwind.example\nSubject: note {i}\n\nmine\n".encode())
    for i in range(4, 7):
        (box / "new" / f"170000000{i}.M{i}P1.host").write_bytes(question(f"<q{i}@client.example>", subject=f"Opening hours, week {i}"))
    assert runs.run() == {"drafted": 3}
    assert sorted(runs.parsed) == [f"170000000{i}.M{i}P1.host" for i in range(4, 7)]
    # the person's 20 drafts are read once; our 300 are known by name and never opened
    assert runs.last.drafts.reads <= 20 + 3, runs.last.drafts.reads
    assert runs.last.drafts.listings == 1  # the folder is listed once per poll, not per delivery
