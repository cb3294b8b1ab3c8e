"""The ``[release]`` config section: variants of prompt, model, drafter and policy pack with a
traffic share each, and the automatic stop margins (docs/release.md).

Example::

    [release]
    salt = "2026-12"              # variant set salt: change it to re-deal every conversation
    default = "baseline"          # the default until a `variants promote` says otherwise

    [[release.variants]]
    name = "baseline"             # nothing overridden: [model] and [policy] as configured

    [[release.variants]]
    name = "reply-v2"
    share = 0.1                   # 10 % of conversations (a canary)
    prompt_template = "reply/v2"
    model = "gpt-4o-mini"

Each variant owns a fixed slice of the hash range (its ``share``, in config order), so promoting
or stopping one never moves a conversation between two other variants. The default variant gets
its own slice and everything no other slice covers; a stopped variant's slice goes to the default.
The shares of all variants together are at most 1. Without ``[[release.variants]]`` every item gets the implicit
variant ``default`` (the plain ``[model]``/``[policy]`` settings).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

VARIANT_NAME = r"^[a-z0-9][a-z0-9._-]{0,62}$"
IMPLICIT = "default"  #: the variant name of a config without [[release.variants]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VariantConfig(_Strict):
    """One variant. Every override is optional; unset keys take ``[model]`` / ``[policy]``.

    ``share`` (0..1): the fraction of conversations it gets while it is not the default.
    ``prompt_template``: a prompt id such as ``reply/v2`` (agent/prompt_templates).
    ``model`` / ``temperature``: the model name and temperature on the ``[model]`` endpoint.
    ``drafter``: ``model`` (the endpoint; the template drafter when none is configured) or
    ``template`` (the template drafter only, no model request for the draft).
    ``policy_pack``: a policy pack file (relative to the config's folder)."""

    name: str = Field(pattern=VARIANT_NAME)
    share: float = Field(default=0.0, ge=0.0, le=1.0)
    prompt_template: str | None = Field(default=None, pattern=r"^[a-z0-9_-]+/v\d+$")
    model: str | None = Field(default=None, min_length=1, max_length=200)
    temperature: float | None = Field(default=None, ge=0, le=2)
    drafter: Literal["model", "template"] = "model"
    policy_pack: Path | None = None
    description: str = ""


class AutoStopConfig(_Strict):
    """Automatic stop (docs/release.md): a non-default variant with at least ``min_items``
    drafts whose rate exceeds the default's by more than the margin (absolute, in rate units:
    0.05 = 5 percentage points) is stopped and audited. The rates: escalation (the draft's
    decision escalates), fallback (the template drafter stood in for the model), findings (the
    draft has at least one policy finding above ``info``). A margin of 1 or more never stops
    (a rate difference is at most 1); None (from code) switches the check off."""

    enabled: bool = True
    min_items: int = Field(default=50, ge=1)
    escalation_margin: float | None = Field(default=0.10, ge=0)
    fallback_margin: float | None = Field(default=0.10, ge=0)
    findings_margin: float | None = Field(default=0.10, ge=0)


class ReleaseConfig(_Strict):
    """``[release]``: the variant set (``salt``, ``default``, ``variants``) and ``auto_stop``.

    ``state_refresh_seconds``: how long a process keeps the promotion state it read from the
    database (default 5 s) before reading it again, so a promote reaches a running service."""

    salt: str = Field(default="draftguard", min_length=1, max_length=100)
    default: str | None = None
    variants: list[VariantConfig] = Field(default_factory=list)
    auto_stop: AutoStopConfig = Field(default_factory=AutoStopConfig)
    state_refresh_seconds: float = Field(default=5.0, ge=0)

    @field_validator("variants")
    @classmethod
    def _unique(cls, v: list[VariantConfig]) -> list[VariantConfig]:
        seen: set[str] = set()
        for x in v:
            if x.name in seen:
                raise ValueError(f"duplicate variant name {x.name!r}")
            seen.add(x.name)
        return v

    @model_validator(mode="after")
    def _default_known(self) -> ReleaseConfig:
        names = [v.name for v in self.variants]
        if self.default is not None and names and self.default not in names:
            raise ValueError(f"release.default {self.default!r} is not one of [[release.variants]] ({', '.join(names)})")
        total = sum(v.share for v in self.variants)
        if total > 1.0 + 1e-9:
            raise ValueError(f"the variants' shares add up to {total:g}, more than 1 (each share is a fixed slice of the conversations)")
        return self

    def default_name(self) -> str:
        """The config's default variant: ``default``, else the first variant, else ``default``."""
        if self.default:
            return self.default
        return self.variants[0].name if self.variants else IMPLICIT

    def names(self) -> list[str]:
        """Variant names in config order (``["default"]`` without variants)."""
        return [v.name for v in self.variants] or [IMPLICIT]

    def variant(self, name: str) -> VariantConfig:
        """The variant called ``name``; KeyError naming the known ones."""
        for v in self.variants:
            if v.name == name:
                return v
        if not self.variants and name == IMPLICIT:
            return VariantConfig(name=IMPLICIT)
        raise KeyError(f"no variant {name!r} in [release] (known: {', '.join(self.names())})")
