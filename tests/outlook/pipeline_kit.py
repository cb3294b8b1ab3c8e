"""A draftguard config whose only source is an Outlook mailbox on the local fakes."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BENIGN = (
    "<html><body><p>Hello,</p><p>could you tell me the opening hours of your Zurich office next week?"
    "</p><p>Thank you,<br>Jane</p></body></html>"
)


def write_outlook_config(tmp_path: Path, *, graph_base: str, authority_base: str, tenant: str, client_id: str,
                         mailboxes: list[str], db_url: str | None = None, extra: str = "") -> Path:
    """Write ``config.toml`` in ``tmp_path``: template drafter, default action draft, SQLite."""
    boxes = ", ".join(f'"{m}"' for m in mailboxes)
    text = f"""
[organisation]
name = "Contoso"
domains = ["contoso.example"]
allow_names = ["Contoso"]
signature = "Contoso Client Services"

[[sources.outlook]]
name = "m365"
tenant_id = "{tenant}"
client_id = "{client_id}"
client_secret_env = "DRAFTGUARD_GRAPH_CLIENT_SECRET"
mailboxes = [{boxes}]
graph_url = "{graph_base}"
authority_url = "{authority_base}"
retry_max_wait_seconds = 1
{extra}

[redaction]
score_threshold = 0.35

[policy]
pack = "{ROOT / 'rules' / 'policy_pack.toml'}"

[routing]
default_action = "draft"
default_group = "client-services"

[storage]
url = "{db_url or 'sqlite:///' + str(tmp_path / 'dg.db')}"
"""
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def no_raw_tags(html: str) -> bool:
    """True when no HTML tag shows up escaped as text (``&lt;p&gt;``) in a draft body."""
    import re

    return re.search(r"&lt;/?(p|ul|ol|li|a|b|i|br|div|span|strong|em|html|body)\b", html, re.IGNORECASE) is None
