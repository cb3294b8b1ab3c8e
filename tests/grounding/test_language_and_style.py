"""Disclosures in the draft's language, tone presets and the readability target (issue 14)."""

from __future__ import annotations

from pathlib import Path

from agent.disclosure import add_required_disclosures
from agent.drafting_config import DraftStyle
from agent.models import KnowledgeSnippet, RedactedContext
from agent.template_drafter import TemplateDrafter
from rules.grounding_checks import GroundingFacts
from rules.policy import DEFAULT_PACK_PATH, load_policy_pack
from rules.readability import lix


def test_disclosures_are_added_in_the_drafts_language_where_the_pack_has_it(tmp_path):
    pack = load_policy_pack(DEFAULT_PACK_PATH)
    step = add_required_disclosures("Hola:\n\nGracias por su mensaje.\n\nAtentamente,", pack=pack, inbound_text="¿Debo invertir en un fondo de inversión? My portfolio", language="es")
    assert "Este correo electrónico no constituye asesoramiento de inversión." in step.text and step.untranslated == ()
    assert "does not constitute" not in step.text
    # A pack without the Spanish text: the English sentence, and the escalation finding.
    raw = Path(DEFAULT_PACK_PATH).read_text(encoding="utf-8").replace(' es = "Este correo electrónico no constituye asesoramiento de inversión.",', "")
    custom = tmp_path / "pack.toml"
    custom.write_text(raw, encoding="utf-8")
    pack2 = load_policy_pack(custom)
    step2 = add_required_disclosures("Hola:\n\nGracias.\n\nAtentamente,", pack=pack2, inbound_text="My investment portfolio", language="es")
    assert "This email does not constitute investment advice." in step2.text
    assert step2.untranslated == ("disclosures.not_investment_advice",)
    findings = pack2.grounding.check(step2.text, "es", GroundingFacts(untranslated_disclosures=step2.untranslated))
    assert [f.rule_id for f in findings] == ["grounding.disclosure_language"] and findings[0].severity.name == "high"


def test_tone_presets_change_the_template_drafters_greeting_sign_off_and_length():
    t = TemplateDrafter(organisation="Northwind", signature="Northwind Client Services")
    sn = [KnowledgeSnippet(id="KB-x#1", article_id="x", title="Transfer fees", text="An outgoing transfer costs £25.", score=5, language="en", relevance=1.0)]
    base = RedactedContext(subject="Fees", sender_name="Ann", latest_text="What are your transfer fees?", language="en", snippets=sn)
    formal = t.draft(base).reply
    friendly = t.draft(base.model_copy(update={"style": DraftStyle(tone="friendly")})).reply
    concise = t.draft(base.model_copy(update={"style": DraftStyle(tone="concise")})).reply
    assert formal.startswith("Dear Ann,") and "Kind regards," in formal
    assert friendly.startswith("Hello Ann,") and "Best wishes," in friendly
    assert len(concise.split()) < len(formal.split()) and "£25" in concise
    assert t.draft(base.model_copy(update={"snippets": [sn[0].model_copy(update={"relevance": 0.2})]})).citations == []  # below the threshold


def test_readability_is_measured_with_lix_offline_and_out_of_target_is_a_finding(monkeypatch):
    import nltk

    monkeypatch.setattr(nltk, "download", lambda *a, **k: (_ for _ in ()).throw(AssertionError("download attempted")))
    pack = load_policy_pack(DEFAULT_PACK_PATH)
    plain = "Thank you for your note. We got it. We will call you soon. " * 6
    dense = ("Notwithstanding contractual documentation considerations, administrative reconciliation procedures necessitate "
             "comprehensive verification, authorisation and documentation of extraordinary circumstances affecting beneficiaries " * 3)
    assert lix(plain) < 30 < 60 < lix(dense)
    style = DraftStyle(tone="formal", lix_max=45)
    assert [f for f in pack.grounding.check(plain, "en", GroundingFacts(style=style)) if f.rule_id == "grounding.readability"] == []
    hit = [f for f in pack.grounding.check(dense, "en", GroundingFacts(style=style)) if f.rule_id == "grounding.readability"]
    assert len(hit) == 1 and "LIX" in hit[0].message and hit[0].severity.name == "low"
    long_concise = pack.grounding.check("Word " * 150 + ".", "en", GroundingFacts(style=DraftStyle(tone="concise", lix_max=90, concise_max_words=120)))
    assert any("concise" in f.message for f in long_concise)
