"""Who is signed in: :class:`Identity`, and the mapping from an identity provider's groups and
app roles to draftguard's reviewer groups and console roles (``[console] groups`` / ``auditors``).

Roles: ``reviewer`` (acts on the items of its reviewer groups) and ``auditor`` (reads any
item, acts on none). A person may hold both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from console.config import ConsoleConfig

REVIEWER = "reviewer"
AUDITOR = "auditor"
ROLES = (REVIEWER, AUDITOR)


@dataclass(frozen=True)
class Identity:
    """A signed-in person.

    ``subject``: the provider's stable id (OIDC ``sub``/``oid``; ``local:<name>`` for
    ``--local-login``); ``name``: display name, the actor recorded in the audit chain;
    ``groups``: draftguard reviewer group names (already mapped); ``roles``: subset of
    :data:`ROLES`; ``provider``: ``"local"``, ``"entra"``, ``"oidc"``..."""

    subject: str
    name: str
    email: str | None
    groups: tuple[str, ...]
    roles: tuple[str, ...]
    provider: str

    @property
    def is_reviewer(self) -> bool:
        return REVIEWER in self.roles and bool(self.groups)

    @property
    def is_auditor(self) -> bool:
        return AUDITOR in self.roles

    def actor(self) -> str:
        """The audit actor: ``name <email>`` when there is an e-mail, else ``name (subject)``;
        at most 200 characters (``jobs/review.py`` MAX_ACTOR)."""
        who = f"{self.name} <{self.email}>" if self.email else f"{self.name} ({self.subject})"
        return who[:200]

    def to_dict(self) -> dict:
        """JSON-safe form for the session cookie."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Identity:
        """Inverse of :meth:`to_dict`; raises ``KeyError``/``TypeError`` on a malformed dict."""
        return cls(
            subject=str(data["subject"]),
            name=str(data["name"]),
            email=None if data.get("email") is None else str(data["email"]),
            groups=tuple(str(g) for g in data["groups"]),
            roles=tuple(str(r) for r in data["roles"] if r in ROLES),
            provider=str(data["provider"]),
        )


def map_claims(cfg: ConsoleConfig, idp_groups: Iterable[str], idp_roles: Iterable[str] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The reviewer groups and console roles of a person whose token carries ``idp_groups``
    (group object ids or names) and ``idp_roles`` (app-role values).

    A reviewer group is granted when any of its ``[console] groups`` entries is among the
    person's groups or roles; ``auditor`` when any ``[console] auditors`` entry is. Returns
    ``(groups, roles)``, both sorted; ``((), ())`` means no access."""
    have = {str(g) for g in idp_groups} | {str(r) for r in idp_roles}
    groups = tuple(sorted(name for name, ids in cfg.groups.items() if have.intersection(ids)))
    roles: list[str] = []
    if groups:
        roles.append(REVIEWER)
    if have.intersection(cfg.auditors):
        roles.append(AUDITOR)
    return groups, tuple(sorted(roles))
