"""The item page's text cutting: finding and risk spans become marked segments (overlaps keep
every label, bad spans are ignored, a moved excerpt is found again), and `serve` refuses
--local-login off loopback before binding anything."""

from __future__ import annotations

from console.views import Segment, find_spans, highlight, split_quoted


def test_highlight_segments_cover_the_text_once():
    text = "we will refund 500 EUR by Friday"
    segs = highlight(text, [(8, 22, "commitment.refund", "sev-high"), (15, 32, "promise.date", "sev-medium"), (40, 50, "out of range", ""), (5, 5, "empty", "")])
    assert "".join(s.text for s in segs) == text
    assert [s for s in segs if s.marks] == [
        Segment("refund ", ("commitment.refund",), "sev-high"),
        Segment("500 EUR", ("commitment.refund", "promise.date"), "sev-high"),
        Segment(" by Friday", ("promise.date",), "sev-medium"),
    ]
    assert highlight("plain", []) == [Segment("plain")] and highlight("", []) == []


def test_find_spans_trusts_offsets_only_when_the_excerpt_is_there():
    text = "Dear Ann,\n\nwe will refund 500 EUR."
    spans, missing = find_spans(text, [(0, 4, "refund 500 EUR", "moved", "c"), (0, 4, None, "no excerpt", "c"), (0, 4, "absent", "gone", "c")])
    at = text.index("refund 500 EUR")
    assert spans == [(at, at + 14, "moved", "c"), (0, 4, "no excerpt", "c")] and missing == ["gone"]


def test_split_quoted_keeps_the_history_apart():
    newest, quoted = split_quoted("Please refund me.\n\nOn Mon, 1 Dec 2026 at 09:00, Support <s@n.example> wrote:\n> earlier\n")
    assert newest == "Please refund me." and "earlier" in quoted and "earlier" not in newest
    assert split_quoted("Just one line") == ("Just one line", "")


def test_serve_refuses_local_login_off_loopback(tmp_path):
    from typer.testing import CliRunner

    import main
    from tests.e2e.helpers import write_config

    box = tmp_path / "box"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    cfg = write_config(tmp_path, mailbox=box)
    out = CliRunner().invoke(main.app, ["-c", str(cfg), "serve", "--local-login", "--host", "0.0.0.0"])
    assert out.exit_code == 2 and "loopback" in out.output
