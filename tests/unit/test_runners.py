"""The runners with in-memory fakes of the ports (real SQLite, real Presidio): conversation lanes,
the threaded runner's overlap, order, stop and failure behaviour (agent/runners/)."""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import select

from agent.config import Settings
from agent.drafting import Drafter
from agent.errors import StorageFullError
from agent.flow import ItemRun
from agent.pipeline import Pipeline
from agent.runners import InlineRunner, ThreadedRunner
from agent.runners.lanes import Lanes
from agent.template_drafter import TemplateDrafter
from rules.policy import load_policy_pack
from rules.routing import Router
from storage import audit
from storage.db import open_database
from storage.models import Item
from storage.repository import SqlCursorStore
from tests.unit.fakes import FakeModel, FakeNotifier, FakeSource, message

WORDS = ("amber", "cedar", "maple", "river", "willow", "copper")


class TimedModel(FakeModel):
    """A model that takes ``seconds`` per draft and records (conversation word, start, end) of
    every request; the word is the first of :data:`WORDS` in the prompt."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.calls: list[tuple[str, float, float]] = []
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    def complete(self, prompt):
        word = next(w for w in WORDS if w in prompt.user)
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        start = time.monotonic()
        time.sleep(self.seconds)
        end = time.monotonic()
        with self._lock:
            self.in_flight -= 1
            self.calls.append((word, start, end))
        return super().complete(prompt)


def _pipeline(tmp_path, redactor, model, concurrency, *, redactor_factory=None):
    settings = Settings.model_validate(
        {
            "organisation": {"name": "Northwind Advisory", "domains": ["northwind.example"], "signature": "Northwind Client Services"},
            "limits": {"retry_initial_seconds": 0, "retry_max_seconds": 0, "concurrency": concurrency},
            "base_dir": str(tmp_path),
        }
    )
    _, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    p = Pipeline(
        settings,
        sf,
        redactor_factory=redactor_factory or (lambda: redactor),
        drafter=Drafter(model, TemplateDrafter(organisation="Northwind Advisory", signature="Northwind Client Services")),
        policy=load_policy_pack("rules/policy_pack.toml"),
        router=Router(settings.routing),
        notifier=FakeNotifier(),
        cursors=SqlCursorStore(sf),
        sleep=lambda s: None,
    )
    return p, sf


def _conversation(word: str, n: int, start: int) -> list:
    """``n`` messages of one conversation (replies reference the first), external ids from ``start``."""
    root = f"<{word}-0@client.example>"
    out = []
    for k in range(n):
        extra = {"references": [root], "in_reply_to": root} if k else {}
        out.append(
            message(f"m{start + k:02d}", text=f"Hello, a question about the {word} account, note {k}. Could you send the statement?", **extra).model_copy(
                update={"internet_message_id": f"<{word}-{k}@client.example>"}
            )
        )
    return out


def _states(sf) -> dict[str, str]:
    with sf() as s:
        return dict(s.execute(select(Item.external_id, Item.state)).all())


def test_concurrency_setting_picks_the_runner(tmp_path, redactor):
    assert isinstance(_pipeline(tmp_path / "a", redactor, None, 1)[0].runner, InlineRunner)
    runner = _pipeline(tmp_path / "b", redactor, None, 8)[0].runner
    assert isinstance(runner, ThreadedRunner) and runner.concurrency == 8


def test_lanes_run_one_item_per_conversation_in_arrival_order():
    lanes = Lanes()

    def run(item_id: int, thread: str) -> ItemRun:
        msg = message(f"m{item_id}").model_copy(update={"conversation_id": thread})
        return ItemRun(source=None, msg=msg, item_id=item_id, correlation_id=str(item_id))

    a1, b1, a2, a3, a2_again = run(1, "A"), run(2, "B"), run(3, "A"), run(4, "A"), run(3, "B")
    assert lanes.enter(a1) is a1 and lanes.enter(b1) is b1  # two conversations start at once
    assert lanes.enter(a2) is None and lanes.enter(a3) is None  # A is busy: they wait, in order
    assert lanes.enter(a2_again) is None  # item 3 is in lane A already: its second run waits there, not in B
    assert lanes.leave(b1) is None  # B is idle now
    assert lanes.leave(a1) is a2 and lanes.leave(a2) is a3 and lanes.leave(a3) is a2_again and lanes.leave(a2_again) is None
    assert len(lanes) == 0


def test_threaded_run_overlaps_conversations_and_keeps_each_one_in_order(tmp_path, redactor):
    model = TimedModel(0.4)
    p, sf = _pipeline(tmp_path, redactor, model, 6)
    msgs = []
    for i, word in enumerate(WORDS[:4]):
        msgs += _conversation(word, 3, 10 * i)
    # arrival order interleaves the conversations: amber-0, cedar-0, ..., amber-1, ...
    arrival = [msgs[c * 3 + k] for k in range(3) for c in range(4)]
    seen: list[str] = []
    summary = p.run_source(FakeSource(arrival), on_item=seen.append)
    assert summary.counts["drafted"] == 12 and seen.count("drafted") == 12
    assert set(_states(sf).values()) == {"drafted"}
    assert model.max_in_flight >= 2  # items of different conversations were at the model together
    for word in WORDS[:4]:
        calls = sorted((c for c in model.calls if c[0] == word), key=lambda c: c[1])
        assert len(calls) == 3
        for before, after in zip(calls, calls[1:], strict=False):
            assert before[2] <= after[1], f"two messages of the {word} conversation overlapped at the model"
    # each conversation's drafts were made in arrival order (their prompts name the note number)
    order = {}
    for prompt in model.prompts:
        word = next(w for w in WORDS if w in prompt.user)
        order.setdefault(word, []).append(re.search(r"account, note (\d)", prompt.user).group(1))
    assert all(notes == ["0", "1", "2"] for notes in order.values()), order
    with sf() as s:
        assert audit.verify(s).ok


def test_a_stop_asked_by_on_item_lets_the_items_in_progress_finish_and_leaves_the_rest_new(tmp_path, redactor):
    model = TimedModel(0.3)
    p, sf = _pipeline(tmp_path, redactor, model, 2)
    msgs = [message(f"m{i:02d}", text=f"Hello, a question about the {WORDS[i % 6]} account. Could you send it?") for i in range(12)]

    class Stop(Exception):
        pass

    def on_item(outcome: str) -> None:
        raise Stop()  # the service's shutdown check: stop after what is in progress

    with pytest.raises(Stop):
        p.run_source(FakeSource(msgs), on_item=on_item)
    states = _states(sf)
    assert len(states) < 12 or "new" in states.values()  # the poll stopped early or items were left unstarted
    assert set(states.values()) <= {"drafted", "new"}  # nothing left half-done: finished, or never started
    assert "drafted" in states.values()
    # the next run finishes the rest, each item once
    summary = p.run_source(FakeSource(msgs))
    assert set(_states(sf).values()) == {"drafted"} and len(_states(sf)) == 12
    assert summary.counts["drafted"] + sum(1 for s in states.values() if s == "drafted") == 12
    with sf() as s:
        assert audit.verify(s).ok


def test_a_storage_failure_in_one_item_stops_the_run_in_the_polling_thread(tmp_path, redactor):
    class FullOnFourth:
        """The redactor, except that the fourth item meets a full disk."""

        def __init__(self) -> None:
            self.calls = 0
            self._lock = threading.Lock()

        def __getattr__(self, name):
            return getattr(redactor, name)

        def pseudonymise(self, ctx, **kw):
            with self._lock:
                self.calls += 1
                n = self.calls
            if n == 4:
                raise StorageFullError("storage sqlite:///dg.db is full (database or disk full)")
            return redactor.pseudonymise(ctx, **kw)

    full = FullOnFourth()
    p, sf = _pipeline(tmp_path, redactor, TimedModel(0.05), 3, redactor_factory=lambda: full)
    msgs = [message(f"m{i:02d}", text=f"Hello, a question about the {WORDS[i % 6]} account. Could you send it?") for i in range(10)]
    with pytest.raises(StorageFullError):
        p.run_source(FakeSource(msgs))
    states = _states(sf)
    assert "quarantined" not in states.values()  # not the item's fault: never quarantined
    assert list(states.values()).count("processing") == 1  # the item that met it: retried next run
    assert set(states.values()) <= {"drafted", "processing", "new"}
