"""The review actions through the console are the CLI's operations (jobs/review.py) with the
signed-in identity as the audit actor: approve and edit+approve deliver to the Maildir Drafts
folder through the real pipeline, reject keeps its reason, two reviewers approving at once:
one wins."""

from __future__ import annotations

import email
import hashlib
import threading
from email import policy

from sqlalchemy import select

from storage import audit
from storage.models import AuditEvent, Draft, Item, ReviewTask
from tests.console.console_testkit import ALICE, client, csrf, post, seed, sign_in


def reviewed_events(services, item_id: int) -> list:
    with services.session_factory() as s:
        return s.execute(select(AuditEvent).where(AuditEvent.item_id == item_id, AuditEvent.event == "reviewed").order_by(AuditEvent.seq)).scalars().all()


def drafts(settings) -> list[email.message.EmailMessage]:
    folder = settings.sources.maildir[0].drafts_path
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for sub in ("new", "cur") for p in sorted((folder / sub).glob("*"))]


def body_of(msg) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def audit_verifies(services) -> None:
    with services.session_factory() as s:
        result = audit.verify(s)
    assert result.ok, result


def test_approve_delivers_the_draft_with_the_reviewer_as_actor(console_env):
    settings, app, services = console_env
    it = seed(services.session_factory, settings)
    alice = sign_in(client(app), ALICE)
    r = post(alice, f"/items/{it.item_id}/approve", page=f"/items/{it.item_id}")
    assert r.status_code == 303 and r.headers["location"] == f"/items/{it.item_id}?done=approve"
    out = drafts(settings)
    assert len(out) == 1 and "we will refund 500 EUR by Friday" in body_of(out[0])
    with services.session_factory() as s:
        assert s.get(Item, it.item_id).state == "drafted"
        task = s.get(ReviewTask, it.task_id)
        assert (task.status, task.reviewer) == ("approved", "Alice (local:Alice)")
    ev = reviewed_events(services, it.item_id)
    assert [e.data["action"] for e in ev] == ["approve"] and ev[0].actor == "Alice (local:Alice)"
    page = alice.get(r.headers["location"]).text
    assert "Approved: the draft was delivered." in page and "/approve" not in page.split("<h2>History</h2>")[0].split("Review</h2>")[-1]
    # a second approve is refused by state (409), nothing delivered twice
    assert post(alice, f"/items/{it.item_id}/approve", page=f"/items/{it.item_id}").status_code == 409
    assert len(drafts(settings)) == 1
    audit_verifies(services)


def test_edit_and_approve_delivers_the_edited_text(console_env):
    settings, app, services = console_env
    it = seed(services.session_factory, settings)
    alice = sign_in(client(app), ALICE)
    edited = "Dear Ann Lee,\r\n\r\nwe have passed your refund request to our billing team, who will reply by Friday.\r\n\r\nNorthwind Client Services"
    r = post(alice, f"/items/{it.item_id}/edit-approve", {"body": edited}, page=f"/items/{it.item_id}")
    assert r.status_code == 303, r.text[:400]
    out = drafts(settings)
    assert len(out) == 1
    delivered = body_of(out[0])
    assert "passed your refund request to our billing team" in delivered and "refund 500 EUR" not in delivered
    normalised = edited.replace("\r\n", "\n")
    with services.session_factory() as s:
        rows = s.execute(select(Draft).where(Draft.item_id == it.item_id).order_by(Draft.id)).scalars().all()
        assert [d.provider for d in rows] == ["template", "reviewer"]
        assert rows[0].body_text.startswith("Dear Ann Lee,\n\nwe will refund")  # the original is kept
        assert rows[1].body_text == normalised and rows[1].body_sha256 == hashlib.sha256(normalised.encode()).hexdigest()
    ev = reviewed_events(services, it.item_id)
    assert [e.data["action"] for e in ev] == ["edit", "approve"]
    edit = ev[0].data
    assert edit["edited_sha256"] == hashlib.sha256(normalised.encode()).hexdigest() and edit["original_sha256"] == rows[0].body_sha256
    assert 0 < edit["similarity"] < 1 and "billing team" not in str(edit)  # hashes, not text, in the chain
    assert ev[1].data["edited_draft_id"] == rows[1].id
    audit_verifies(services)


def test_edit_of_an_item_already_delivered_is_refused_not_reported_as_delivered(console_env):
    """The item was delivered by an approve that stopped before closing its review: the console
    must say the edited text was not delivered (409), not "your text was delivered"."""
    settings, app, services = console_env
    it = seed(services.session_factory, settings, state="drafted")
    alice = sign_in(client(app), ALICE)
    r = post(alice, f"/items/{it.item_id}/edit-approve", {"body": "Dear Ann Lee,\n\nmy corrected text.\n\nNorthwind"}, page=f"/items/{it.item_id}")
    assert r.status_code == 409 and "edited text was NOT delivered" in r.text and "your text was delivered" not in r.text
    assert drafts(settings) == []
    with services.session_factory() as s:
        assert s.get(ReviewTask, it.task_id).status == "open"
        assert len(s.execute(select(Draft).where(Draft.item_id == it.item_id)).scalars().all()) == 1
    assert reviewed_events(services, it.item_id) == []


def test_empty_edit_is_refused_and_nothing_changes(console_env):
    settings, app, services = console_env
    it = seed(services.session_factory, settings)
    alice = sign_in(client(app), ALICE)
    r = post(alice, f"/items/{it.item_id}/edit-approve", {"body": "   \n "}, page=f"/items/{it.item_id}")
    assert r.status_code == 409 and "edited draft is empty" in r.text
    assert drafts(settings) == [] and reviewed_events(services, it.item_id) == []


def test_reject_keeps_the_reason(console_env):
    settings, app, services = console_env
    it = seed(services.session_factory, settings)
    alice = sign_in(client(app), ALICE)
    r = post(alice, f"/items/{it.item_id}/reject", {"reason": "Promises a refund we cannot give"}, page=f"/items/{it.item_id}")
    assert r.status_code == 303
    with services.session_factory() as s:
        assert s.get(Item, it.item_id).state == "rejected"
        assert s.get(ReviewTask, it.task_id).reason == "Promises a refund we cannot give"
    ev = reviewed_events(services, it.item_id)
    assert ev[-1].data["action"] == "reject" and "reason_sha256" in ev[-1].data and drafts(settings) == []


def test_two_reviewers_approving_at_once_one_wins(console_env):
    one_winner(*console_env)


def test_two_reviewers_approving_at_once_one_wins_on_postgresql(tmp_path):
    from tests.conftest import new_pg_database
    from tests.console.console_testkit import make_app, settings_for

    with new_pg_database("dg_console") as url:
        settings = settings_for(tmp_path, storage_url=url)
        app, services = make_app(settings)
        try:
            one_winner(settings, app, services)
        finally:
            services.close()


def one_winner(settings, app, services) -> None:
    """Approve and edit+approve posted at the same moment by two signed-in reviewers: exactly one
    is delivered (its text), the other answers 409; one approve in the chain."""
    it = seed(services.session_factory, settings)
    clients = [sign_in(client(app), ALICE) for _ in range(2)]
    tokens = [csrf(c, f"/items/{it.item_id}") for c in clients]
    forms = [("approve", {}), ("edit-approve", {"body": "Dear Ann Lee,\n\nthe second reviewer's text.\n\nNorthwind"})]
    barrier = threading.Barrier(2)
    results: list[int] = [0, 0]

    def go(i: int) -> None:
        action, data = forms[i]
        barrier.wait()
        results[i] = clients[i].post(f"/items/{it.item_id}/{action}", data={"csrf_token": tokens[i], **data}, follow_redirects=False).status_code

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [303, 409], results
    out = drafts(settings)
    assert len(out) == 1
    winner = results.index(303)
    assert ("second reviewer's text" in body_of(out[0])) == (winner == 1)
    ev = reviewed_events(services, it.item_id)
    assert [e.data["action"] for e in ev][-1] == "approve" and len([e for e in ev if e.data["action"] == "approve"]) == 1
    audit_verifies(services)


def test_cli_approve_with_an_edited_file_is_the_same_operation(console_env, tmp_path):
    """`main.py review approve ITEM --edited FILE` (the CLI's side of edit and approve)."""
    from typer.testing import CliRunner

    import main

    settings, app, services = console_env
    it = seed(services.session_factory, settings)
    cfg = tmp_path / "cli.toml"
    box, drafts_dir = settings.sources.maildir[0].path, settings.sources.maildir[0].drafts_path
    cfg.write_text(
        f'[[sources.maildir]]\nname = "local"\npath = "{box}"\ndrafts_path = "{drafts_dir}"\nfrom_address = "support@northwind.example"\n\n'
        f'[storage]\nurl = "{settings.storage.url}"\n\n[[reviewer_groups]]\nname = "billing"\n\n[[reviewer_groups]]\nname = "compliance"\n'
    )
    text = tmp_path / "edited.txt"
    text.write_text("Dear Ann Lee,\n\nour billing team will answer you by Friday.\n\nNorthwind", encoding="utf-8")
    out = CliRunner().invoke(main.app, ["-c", str(cfg), "review", "approve", str(it.item_id), "--reviewer", "Cli Reviewer", "--edited", str(text)])
    assert out.exit_code == 0, out.output
    assert "our billing team will answer you by Friday" in body_of(drafts(settings)[0])
    assert [e.data["action"] for e in reviewed_events(services, it.item_id)] == ["edit", "approve"]
