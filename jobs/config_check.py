"""``main.py config check``: validate a config file beyond what loading it checks.

:func:`check_config` loads the file (TOML syntax, every key: :func:`agent.config.load_config`)
and then checks, in this order, what only shows at run time otherwise: the routing expressions,
the policy pack, each ``[release]`` variant's prompt template and policy pack, that each Maildir
source is a Maildir, the ``[knowledge]`` folders, the installed spaCy model packages, the
redaction entities, the storage URL's driver, the ``[distributed]`` settings and
``[console.oidc]``. The first problem raises :class:`agent.errors.DraftguardError` whose message
starts with the file's path and names the key; nothing is connected to (no database, broker or
identity provider is reached).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from agent.config import Settings, load_config
from agent.errors import DraftguardError, StorageError


@dataclass(frozen=True)
class ConfigCheck:
    """A config file that passed :func:`check_config`: its ``path``, the number of routing rules
    and the policy pack's name and version."""

    path: Path
    routing_rules: int
    pack_name: str
    pack_version: str
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        """What ``config check`` prints: ``<path>: OK (<n> routing rules, policy pack <name> <version>)``,
        then one ``warning: …`` line per setting that is valid but weakens a guarantee."""
        head = f"{self.path}: OK ({self.routing_rules} routing rules, policy pack {self.pack_name} {self.pack_version})"
        return "\n".join([head, *(f"warning: {w}" for w in self.warnings)])


def _named(path: Path, exc: Exception, key: str | None = None) -> DraftguardError:
    """``exc`` as a DraftguardError prefixed with the file (and ``key``), as for every other key."""
    return DraftguardError(f"{path}: {key}: {exc}" if key else f"{path}: {exc}")


def _check_release(settings: Settings) -> None:
    """Each ``[release]`` variant's prompt template and (own) policy pack exist and load."""
    from agent.release.variants import definition_fingerprint
    from rules.policy import load_policy_pack

    for name in settings.release.names():
        definition_fingerprint(settings, name)
        vc = settings.release.variant(name)
        if vc.policy_pack is not None:
            load_policy_pack(settings.resolve(vc.policy_pack))


def _check_maildirs(path: Path, settings: Settings) -> None:
    """Each ``sources.maildir[i].path`` has ``cur/`` and ``new/``; else DraftguardError naming it."""
    for i, m in enumerate(settings.sources.maildir):
        box = settings.resolve(m.path)
        if not ((box / "cur").is_dir() and (box / "new").is_dir()):
            raise DraftguardError(f"{path}: sources.maildir[{i}].path: {box} is not a Maildir (needs cur/ and new/)")


def _check_nlp_models(path: Path, settings: Settings) -> None:
    """Every spaCy model package the redaction needs is installed (found, not loaded)."""
    for lang, package in settings.redaction.nlp_models().items():
        if importlib.util.find_spec(package) is None:
            key = "redaction.spacy_model" if lang == settings.redaction.language else f"redaction.models.{lang}"
            raise DraftguardError(f"{path}: {key}: package {package!r} is not installed")


def check_config(path: Path) -> ConfigCheck:
    """Validate the config file at ``path`` (see the module docstring).

    Returns a :class:`ConfigCheck` when every check passes. Raises
    :class:`agent.errors.DraftguardError` (message: the file, the key, the reason) at the first
    problem, including a file that does not exist or does not parse.
    """
    settings = load_config(path)
    # imported as each check comes (as before the move): a file that fails early loads less
    from rules.policy import load_policy_pack
    from rules.routing import Router

    try:
        Router(settings.routing)
    except DraftguardError as exc:
        raise _named(path, exc) from None
    pack = load_policy_pack(settings.policy_pack_path())
    _check_release(settings)
    _check_maildirs(path, settings)
    from kb.index import discover

    try:
        discover(settings.knowledge, settings.base_dir)  # a missing [knowledge] folder: named (knowledge.folders[i])
    except DraftguardError as exc:
        raise _named(path, exc) from None
    _check_nlp_models(path, settings)
    from agent.pii.catalogue import check_entities, left_out_core

    try:
        check_entities(settings.redaction)  # an entity no recogniser supports: refused, named
    except DraftguardError as exc:
        raise _named(path, exc) from None
    warnings = []
    if left := left_out_core(settings.redaction):
        warnings.append(
            f"redaction.entities leaves out {', '.join(left)}: values of these types are not masked; "
            f"the last check on model requests (redaction.outbound = {settings.redaction.outbound!r}) is then their only guard"
        )
    from storage.db import check_storage_url

    try:
        check_storage_url(settings.storage_url())  # a valid URL whose driver is installed
    except StorageError as exc:
        raise _named(path, exc, "storage.url") from None
    from jobs.worker import check_distributed

    try:
        check_distributed(settings)  # [distributed]: PostgreSQL, Redis limits, a broker
    except DraftguardError as exc:
        raise _named(path, exc) from None
    from console.auth.oidc import OidcSettings

    try:
        OidcSettings.from_config(settings.console.oidc)  # [console.oidc]: every key known, URLs https
    except DraftguardError as exc:
        raise _named(path, exc) from None
    return ConfigCheck(path, len(settings.routing.rules), pack.name, pack.version, tuple(warnings))
