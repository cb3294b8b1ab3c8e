"""``main.py outlook check`` checks what poll and delivery really use (the Inbox delta, a
createReply carrying draftguard's extended property, the ``$filter`` on that property) and
leaves nothing behind in any folder: the probe draft is deleted permanently."""

from __future__ import annotations

from typer.testing import CliRunner

from tests.outlook.conftest import CLIENT_ID, MAILBOX, OTHER, TENANT
from tests.outlook.graph_fake import Fault
from tests.outlook.pipeline_kit import write_outlook_config


def snapshot(graph) -> dict[str, dict[str, tuple]]:
    """Every message of every mailbox: id → (folder, isRead, changeKey)."""
    return {a: {i: (m["parentFolderId"], m["isRead"], m["changeKey"]) for i, m in mb.messages.items()}
            for a, mb in graph.mailboxes.items()}


def check(graph, entra, tmp_path, boxes=(MAILBOX,)):
    import main

    cfg = write_outlook_config(tmp_path, graph_base=graph.base, authority_base=entra.base, tenant=TENANT,
                               client_id=CLIENT_ID, mailboxes=list(boxes))
    return CliRunner().invoke(main.app, ["--config", str(cfg), "outlook", "check"], env={"COLUMNS": "250"})


def test_check_uses_the_delivery_route_and_leaves_nothing_behind(graph, entra, tmp_path):
    graph.deliver(MAILBOX, subject="Opening hours", is_read=False)
    graph.deliver(MAILBOX, subject="Older", is_read=True)
    before = snapshot(graph)
    res = check(graph, entra, tmp_path)
    assert res.exit_code == 0, res.output
    assert snapshot(graph) == before  # no new item in any folder, nothing changed (read state included)
    delta = graph.requests_for("GET", f"/users/{MAILBOX}/mailFolders/Inbox/messages/delta")
    assert delta and delta[0].query["changeType"] == "created" and "odata.maxpagesize=1" in delta[0].headers["prefer"]
    (post,) = graph.requests_for("POST", "/createReply")
    probe_key = post.body["message"]["singleValueExtendedProperties"][0]["value"]
    lookups = [r for r in graph.requests_for("GET", f"/users/{MAILBOX}/messages")
               if "singleValueExtendedProperties/any(" in r.query.get("$filter", "") and probe_key in r.query["$filter"]]
    assert len(lookups) == 1
    assert len(graph.requests_for("POST", "/permanentDelete")) == 1
    assert not graph.requests_for("POST", "/mailFolders/Drafts/messages")
    assert not graph.requests_for("DELETE")
    assert not graph.requests_for("POST", "/createReplyAll")  # would mark the original read


def test_an_empty_inbox_is_checked_with_a_new_draft_that_is_purged(graph, entra, tmp_path):
    before = snapshot(graph)
    res = check(graph, entra, tmp_path)
    assert res.exit_code == 0, res.output
    assert snapshot(graph) == before
    assert len(graph.requests_for("POST", f"/users/{MAILBOX}/mailFolders/Drafts/messages")) == 1
    assert len(graph.requests_for("POST", "/permanentDelete")) == 1


def test_without_permanent_delete_the_probe_is_deleted_twice_out_of_sight(graph, entra, tmp_path):
    """Clouds without ``permanentDelete`` (US Gov, China): delete, then delete from Deleted Items."""
    graph.deliver(MAILBOX, subject="Opening hours")
    graph.faults.append(Fault("POST", r"/permanentDelete$", 400, code="BadRequest", times=5))
    before = snapshot(graph)
    res = check(graph, entra, tmp_path)
    assert res.exit_code == 0, res.output
    assert snapshot(graph) == before
    assert len(graph.requests_for("DELETE")) == 2


def test_a_mailbox_without_access_is_reported_and_nothing_is_written(graph, entra, tmp_path):
    entra.apps[CLIENT_ID].mailboxes = {MAILBOX}  # sales@ is outside the application access policy
    graph.deliver(MAILBOX, subject="x")
    before = snapshot(graph)
    res = check(graph, entra, tmp_path, boxes=(MAILBOX, OTHER))
    assert res.exit_code == 1, res.output
    assert "ErrorAccessDenied" in res.output
    assert snapshot(graph) == before
    assert not graph.requests_for("POST", f"/users/{OTHER}/")
