"""What clients write is masked (issue 10): each test goes through the real Redactor (Presidio,
spaCy, pyap2) on text as it arrives, and checks the text that would go to the model."""

from __future__ import annotations

import re

import pytest

from agent.models import ItemContext, PlaceholderMap
from agent.redaction import placeholder_values, restore


def ctx(text: str, *, subject: str = "Question", name: str = "", email: str = "someone@client.example", crm=None) -> ItemContext:
    from agent.language import detect_language

    return ItemContext(subject=subject, sender_name=name, sender_email=email, latest_text=text, crm_fields=crm or {}, language=detect_language(text) or "und")


def redact(redactor, text: str, **kw):
    r = redactor.pseudonymise(ctx(text, **kw))
    return r.latest_text, r.placeholders


@pytest.mark.parametrize("address", ["name@client.internal", "ana.lucia@casa-moreno.internal", "x@y.local", "team@corp.lan", "it+ops@acme.corp", "bob@example.example"])
def test_an_email_on_any_suffix_is_one_email_placeholder(redactor, address):
    text, pm = redact(redactor, f"Please write to {address} from now on.")
    assert text == "Please write to <EMAIL_ADDRESS_1> from now on.", text
    assert pm.mapping["<EMAIL_ADDRESS_1>"] == address
    assert "URL" not in " ".join(pm.mapping)


@pytest.mark.parametrize("card", ["4111 1111 1111 1112", "5425-2334-3010-9903", "4970 1012 3456 7890", "378282246310006", "4000123456789012"])
def test_card_numbers_are_masked_with_or_without_a_valid_checksum(redactor, card):
    text, _ = redact(redactor, f"My card {card} was charged twice.")
    assert re.sub(r"\D", "", card) not in re.sub(r"\D", "", text), text
    assert "<CREDIT_CARD_1>" in text


@pytest.mark.parametrize(
    "sentence, number",
    [
        ("Please call me on 020 7946 0958 after five.", "020 7946 0958"),
        ("Sie erreichen mich unter 030 12345678 oder mobil.", "030 12345678"),
        ("Vous pouvez me joindre au 06 12 34 56 78 demain.", "06 12 34 56 78"),
        ("U kunt mij bellen op 06-12345678 vandaag nog.", "06-12345678"),
        ("Pueden llamarme al 912 345 678 por la tarde.", "912 345 678"),
        ("Potete chiamarmi al 347 123 4567 domani mattina.", "347 123 4567"),
        ("My husband is on +1 (312) 555-7720 most days.", "+1 (312) 555-7720"),
    ],
)
def test_phone_numbers_in_national_formats_are_masked(redactor, sentence, number):
    text, _ = redact(redactor, sentence)
    assert number not in text and re.sub(r"\D", "", number) not in re.sub(r"\D", "", text), text


@pytest.mark.parametrize(
    "sentence, date",
    [
        ("I was born on 14 March 1979 and need this confirmed.", "14 March 1979"),
        ("Mein Geburtsdatum ist der 12.05.1981, bitte korrigieren.", "12.05.1981"),
        ("Je suis née le 3 avril 1975 à Lyon et je voudrais un rendez-vous.", "3 avril 1975"),
        ("Mi fecha de nacimiento es 15/08/1972, gracias por revisarlo.", "15/08/1972"),
        ("Sono nato il 11/02/1977 e vorrei aggiornare i miei dati.", "11/02/1977"),
        ("Mijn geboortedatum is 18-03-1984, kunt u dat aanpassen?", "18-03-1984"),
    ],
)
def test_dates_of_birth_are_masked_in_six_languages(redactor, sentence, date):
    text, pm = redact(redactor, sentence)
    assert date not in text, text
    assert pm.mapping.get("<DATE_OF_BIRTH_1>") == date


def test_an_ordinary_date_is_not_a_date_of_birth(redactor):
    text, pm = redact(redactor, "Our meeting on 12 June 2026 at 10:00 works for us, thank you.")
    assert "12 June 2026" in text and not any(ph.startswith("<DATE_OF_BIRTH") for ph in pm.mapping)


@pytest.mark.parametrize(
    "address",
    [
        "1432 Maple Avenue, Springfield, IL 62704",
        "Flat 3, 27 Abbey Road, London NW8 9AY",
        "88 Rue Saint-Denis, Montréal, QC H2X 3K8",
        "Hauptstraße 12, 10115 Berlin",
        "14 rue de la République, 69002 Lyon",
        "Keizersgracht 123, 1015 CJ Amsterdam",
        "Calle Mayor 15, 28013 Madrid",
        "Via Garibaldi 21, 20121 Milano",
    ],
)
def test_a_postal_address_is_one_placeholder_and_restores_as_the_address(redactor, address):
    original = f"Please send the papers to {address}.\nThank you."
    text, pm = redact(redactor, original)
    assert text == "Please send the papers to <LOCATION_1>.\nThank you.", text
    restored, unknown = restore("We will post them to <LOCATION_1> this week.", pm)
    assert restored == f"We will post them to {address} this week." and unknown == []


def test_an_address_after_a_blank_line_is_masked_where_it_is(redactor):
    # pyap normalises whitespace before matching: its offsets are off by the blank line
    original = "Hello,\n\nOur offices are located at 6556 106 Rue Ettatawer Apt. 409\nSOUTH NEWDEGATE, WA 16469"
    text, pm = redact(redactor, original)
    assert "Ettatawer" not in text and "16469" not in text and "NEWDEGATE" not in text, text
    assert restore(text, pm)[0] == original


@pytest.mark.parametrize(
    "mail, name",
    [
        ("hi, marta here.\nmy card keeps getting declined.", None),
        ("Dear Dr. Anneliese Fontaine,\nthank you for the quick reply.", "Anneliese Fontaine"),
        ("Hallo Frau Schneider,\nvielen Dank für Ihre Antwort.", "Schneider"),
        ("Bonjour M. Dupont,\nmerci pour votre réponse.", "Dupont"),
        ("Thanks for the help.\nKind regards,\nharriet okonkwo-blake", "harriet okonkwo-blake"),
        ("Mit freundlichen Grüßen\nJürgen Weißmüller", "Jürgen Weißmüller"),
        ("My name is jae-won park and I have a question.", "jae-won park"),
        ("Je m'appelle jean-baptiste girard et je souhaite clôturer mon compte.", "jean-baptiste girard"),
        ("Gentile Sig.ra Ferraro,\ngrazie per la risposta.", "Ferraro"),
        ("Met vriendelijke groet,\nPieter van den Berg", "Pieter van den Berg"),
    ],
)
def test_names_lower_case_foreign_hyphenated_and_titled_are_masked(redactor, mail, name):
    text, pm = redact(redactor, mail)
    if name:
        assert name not in text, text
        assert name in pm.mapping.values()
    else:
        assert "marta" not in text, text


@pytest.mark.parametrize(
    "mail",
    [
        "Guten Tag, meine Abrechnung für März ist falsch. Bitte prüfen Sie die Buchung und melden Sie sich.",
        "Bonjour, pourriez-vous m'envoyer le relevé de février ? Je n'arrive pas à le télécharger.",
        "Vielen Dank für die Information zur Abrechnung. Die Kündigung ist damit erledigt.",
    ],
)
def test_german_and_french_business_words_are_not_names(redactor, mail):
    text, pm = redact(redactor, mail)
    assert not any(ph.startswith("<PERSON") for ph in pm.mapping), pm.mapping
    assert text == mail


def test_known_names_are_masked_in_any_case_and_word_order(redactor):
    r = redactor.pseudonymise(
        ctx("Account holder: Smith, John. JOHN SMITH signed; john called; J. Smith agreed.", name=""),
        known=[("PERSON", "John Smith")],
    )
    low = r.latest_text.lower()
    assert "john" not in low and "smith" not in low, r.latest_text


def test_crm_contact_fields_are_masked_wherever_they_appear(redactor):
    r = redactor.pseudonymise(
        ctx("Please ask okafor to call back; the parcel goes to Lindenallee 4a as before.", crm={"Contact.Name": "Chidi Okafor", "MailingStreet": "Lindenallee 4a"})
    )
    assert "okafor" not in r.latest_text.lower() and "Lindenallee" not in r.latest_text, r.latest_text
    assert "Chidi Okafor" not in r.crm_fields["Contact.Name"]


def test_every_placeholder_names_its_detector_never_the_value(redactor):
    r = redactor.pseudonymise(ctx("Card 4111 1111 1111 1112, write to ana@casa.internal.", name="Maria Gonzalez"), known=[("PERSON", "Maria Gonzalez")])
    det = r.placeholders.detectors
    assert set(det) == set(r.placeholders.mapping)
    assert det["<CREDIT_CARD_1>"] == "CardLikeRecognizer" and det["<EMAIL_ADDRESS_1>"] == "EmailAnyDomainRecognizer"
    assert not any(v in d for d in det.values() for v in r.placeholders.mapping.values())


def test_restore_reads_the_forms_a_model_writes_for_a_placeholder():
    pm = PlaceholderMap(mapping={"<PERSON_1>": "Maria Gonzalez", "<LOCATION_1>": "Hauptstraße 12, 10115 Berlin"})
    text, unknown = restore("Dear [PERSON_1], we will write to {LOCATION_1} and <person_1> and &lt;LOCATION 1&gt;; <PERSON_2>.", pm)
    assert text == "Dear Maria Gonzalez, we will write to Hauptstraße 12, 10115 Berlin and Maria Gonzalez and Hauptstraße 12, 10115 Berlin; <PERSON_2>."
    assert unknown == ["<PERSON_2>"]


def test_placeholder_values_lists_values_digit_forms_and_name_parts():
    pm = PlaceholderMap(mapping={"<PERSON_1>": "Maria Gonzalez", "<CREDIT_CARD_1>": "4111 1111 1111 1112"})
    values = placeholder_values(pm)
    assert {"Maria Gonzalez", "Gonzalez, Maria", "Gonzalez", "4111 1111 1111 1112", "4111111111111112"} <= set(values)
    assert values == sorted(values, key=len, reverse=True)


def test_unsupported_entity_is_refused_at_start_naming_it():
    from agent.config import OrganisationConfig, RedactionConfig
    from agent.errors import ConfigError
    from agent.redaction import Redactor

    with pytest.raises(ConfigError, match="redaction.entities: .*'FR_NIR'"):
        Redactor(RedactionConfig(entities=["PERSON", "FR_NIR"]), OrganisationConfig())


def test_custom_patterns_mask_the_firms_own_identifiers():
    from agent.config import CustomPatternConfig, OrganisationConfig, RedactionConfig
    from agent.redaction import Redactor

    cfg = RedactionConfig(
        languages=["en"],
        custom_patterns=[CustomPatternConfig(name="policy", regex=r"\bNW-\d{3}-[A-Z]{2}\b", entity="POLICY_NUMBER")],
        entities=[*RedactionConfig().entities, "POLICY_NUMBER"],
    )
    r = Redactor(cfg, OrganisationConfig()).pseudonymise(ctx("About policy NW-123-AB please."))
    assert r.latest_text == "About policy <POLICY_NUMBER_1> please."
    assert r.placeholders.detectors["<POLICY_NUMBER_1>"] == "Custom:policy"


def test_a_bad_custom_pattern_is_a_config_error_naming_the_key(tmp_path):
    from agent.config import load_config
    from agent.errors import ConfigError

    p = tmp_path / "c.toml"
    p.write_text('[[redaction.custom_patterns]]\nname = "x"\nregex = "([a-z"\nentity = "X_ID"\n')
    with pytest.raises(ConfigError, match=r"redaction\.custom_patterns.*regex"):
        load_config(p)


@pytest.mark.parametrize(
    ("subject", "body", "names"),
    [
        ("Project Aurora Team Meeting", "Dear Team, We will be holding a team meeting for Project Aurora next Wednesday. Regards, Olivia.", {"Olivia"}),
        ("Customer Satisfaction Survey Results", "Hi Jordan,  The results of our customer survey are in.  Regards, Laura Adams Customer Experience Manager, Service Ltd.", {"Jordan", "Laura Adams"}),
        ("Project Aurora Client Onboarding", "All, We have developed a client onboarding plan for Project Aurora. Regards, Alex.", {"Alex"}),
    ],
)
def test_ordinary_words_next_to_a_name_are_not_masked_and_a_reply_using_them_passes_the_last_check(redactor, subject, body, names):
    """A Title-Case subject and a sign-off: the name is masked, the ordinary words a detector
    took along with it ("Team Meeting", "Customer", "a client onboarding") are not, and a model
    reply that uses those words is no leak (LLMail benign mails escalated as outbound_pii_blocked)."""
    from agent.outbound_guard import OutboundGuard

    r = redactor.pseudonymise(ctx(body, subject=subject), seed_texts=[subject, body])
    values = set(r.placeholders.mapping.values())
    assert names <= values, values
    assert not {v for v in values if v.lower() in {"team", "customer", "design", "meeting", "client", "a client onboarding"}}, values
    assert not any(w in r.latest_text for w in names)
    reply = f"Thank you for the update on the team meeting, the customer survey and the client onboarding plan for {r.subject}."
    assert OutboundGuard().scan(reply + "\n" + r.latest_text, r.placeholders) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('"I\'m glad to hear that," says Hauta-aho.', "Hauta-aho"),
        ("Zoolander is a film directed by Joakim Westgård and starring Westgård", "Westgård"),
        ("The shows on Isaac Lodge Street were important.", "Isaac Lodge Street"),
    ],
)
def test_a_name_is_masked_whole_and_wherever_it_appears_again(redactor, text, name):
    masked = redactor.detect(text)
    covered = [False] * len(text)
    for s in masked:
        covered[s.start : s.end] = [True] * (s.end - s.start)
    at = text.rindex(name)
    assert all(covered[at : at + len(name)]), [(s.value, s.entity) for s in masked]


@pytest.mark.parametrize(
    ("mail", "name"),
    [
        ("Date: 1970-09-29\nName: Sieuwerd Heuver\nPhone: 0496 46 46 70", "Sieuwerd Heuver"),
        ("name:    hyuuma t. maida\naddress: unit 4526 box 0671", "hyuuma t. maida"),
        ("Kontoinhaber: Müller, Hans\nBitte um Rückruf.", "Müller, Hans"),
        ("> From: Jane Doe <jane.doe@client.example>\n> Sent: Monday", "Jane Doe"),
        ("She was born in 1964. Her maiden name is Key.", "Key"),
        ("I'd like to join accounts with ms. Quinzia please", "Quinzia"),
        ("Einojuhani Pyysalo\nBus driver\nE-mail: EinojuhaniPyysalo@gustr.example", "Einojuhani Pyysalo"),
    ],
)
def test_names_after_field_labels_name_phrases_lower_case_titles_and_in_an_email_address_are_masked(redactor, mail, name):
    text, pm = redact(redactor, mail)
    assert name not in text, text
    assert all(part not in text for part in name.replace(",", "").split() if len(part) > 2), text


@pytest.mark.parametrize("mail", ["Q: can I pay later?\nA: Yes you can.", "Attention: urgent matter\nplease call.", "To: all staff\nCc: Support Team"])
def test_labels_followed_by_ordinary_words_mask_nothing(redactor, mail):
    text, pm = redact(redactor, mail)
    assert not any(ph.startswith("<PERSON") for ph in pm.mapping), pm.mapping


@pytest.mark.parametrize(
    "iban",
    ["de89 3704 0044 0532 0130 00", "DE 89 370400440532013000", "AT61-1904-3002-3457-3201", "gb82 west 1234 5698 7654 32", "NL02 ABNA 0123 4567 89"],
)
def test_ibans_in_any_case_and_grouping_are_masked(redactor, iban):
    text, pm = redact(redactor, f"Please refund to {iban} please, thanks.")
    assert iban not in text and not re.search(r"\d{4}", text), text
    assert text.endswith(" please, thanks."), text


def test_an_iban_shaped_string_of_the_wrong_length_in_lower_case_is_not_an_iban(redactor):
    text, pm = redact(redactor, "the code ab12 cdef ghij klmn opqr is on the box")
    assert not any(ph.startswith("<IBAN") for ph in pm.mapping), pm.mapping


@pytest.mark.parametrize(
    "address",
    [
        "255 hersnapvej 18, københavn k",  # house number before the street, lower-case town after it
        "30866 Ránargata 87 Apt. 652, Tallinn, Estonia 02151",  # towns and country to the end of the line
        "2046 50 Point Walter Road Suite 067, Chomutice u Horic v Podkrkonoší, Czech Republic 33156",
        "06111 Μεγάλη Άμμος 198 Apt. 822 ΠΑΦΟΣ PA",  # Greek letters
        "772 ul. Narewska 94\n> Apt. 478\n> Poznań\n> Poland 35403",  # quoted block, Polish street word
        "Fuglie 41 Popović Dam\n Suite 860\n UPPLANDS VÄSBY\n Sweden 56687",  # a street named after a person
        "PSC 6477, Box 2981\nAPO AE 83700",  # US military
        "Rosewood Cottage, 4 Church Lane, Little Chalfont, Amersham HP7 9QR",  # a house name
    ],
)
def test_an_address_block_in_national_formats_is_one_placeholder(redactor, address):
    original = f"Hello, I moved: my new address is {address}.\nThanks."
    text, pm = redact(redactor, original)
    assert text == "Hello, I moved: my new address is <LOCATION_1>.\nThanks.", (text, pm.mapping)


def test_a_postcode_line_the_sentence_goes_on_after_ends_the_address(redactor):
    text, pm = redact(redactor, "Please update the billing address with 4241 Steinfelden 73\nSAVONLINNA\n, SV\n 77233 for this card.")
    assert text == "Please update the billing address with <LOCATION_1> for this card.", (text, pm.mapping)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Looking to support our office in ARENDAL 4844 in its mission.", "ARENDAL 4844"),
        ("??? marke\n??? belgium 97466", "belgium 97466"),
        ("Looking to support Connotate in Costamezzana 43015 in its mission.", "Costamezzana 43015"),
    ],
)
def test_a_postcode_after_its_town_or_country_is_masked(redactor, text, value):
    masked, _ = redact(redactor, text)
    assert value not in masked and not re.search(r"\d{4}", masked), masked


@pytest.mark.parametrize("text", ["Invoice 43015 and Windows 2000, Order 12345, ISO 9001, since March 2019.", "We met in PORVOO 2021 and in Berlin 2019."])
def test_numbers_after_ordinary_words_and_years_are_no_postcodes(redactor, text):
    _, pm = redact(redactor, text)
    assert not any(ph.startswith("<LOCATION") and any(c.isdigit() for c in v) for ph, v in pm.mapping.items()), pm.mapping


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Vsevolod is very reliable. You can always depend on him.", "Vsevolod"),  # unknown word, a noun to the tagger
        ("Mourik began writing as a teenager, publishing her first story in 1992.", "Mourik"),
        ("I'm so jealous! said Gladys to Logan", "Logan"),  # a listed name the tagger calls a verb
        ("The name in the account is wrong, please change it to Bekbolat Musliyevich", "Bekbolat Musliyevich"),
    ],
)
def test_unknown_capitalised_words_in_english_sentences_are_masked_as_names(redactor, text, name):
    masked, _ = redact(redactor, text)
    assert name not in masked, masked


@pytest.mark.parametrize(
    "text",
    [
        "We moved the MockService tests to JavaScript and TikTok last week.",
        "Project Aurora Client Onboarding",
        "PRESS RELEASE: the new office opens on Monday.",
    ],
)
def test_product_names_title_case_lines_and_capitals_are_not_names(redactor, text):
    _, pm = redact(redactor, text)
    assert set(pm.mapping.values()) <= {"Aurora"}, pm.mapping  # a listed first name alone may be one


def test_a_czech_street_after_its_preposition_is_an_address(redactor):
    masked, pm = redact(redactor, "The bus station is on Pod Floriánem 1677, near the park.")
    assert "Floriánem" not in masked and "1677" not in masked and list(pm.mapping.values()) == ["Pod Floriánem 1677"], pm.mapping


def test_a_name_after_a_sign_off_inside_a_line_and_a_lower_case_postcode_after_its_word_are_masked(redactor):
    text, pm = redact(redactor, "Thanks for the help. Regards, Vsevolod Petrov.\nMy postcode is sw1a 1aa, the other one k1a 0b1 postcode.")
    assert "Vsevolod" not in text and "sw1a" not in text, text


def test_joining_address_parts_gives_the_same_spans_however_often_it_runs(redactor):
    """An address extended over its town line now reaches the country line after a blank line:
    one placeholder at once, not only when the spans are resolved a second time."""
    from agent.redaction import resolve

    text = "I live at 20789 Allika 46\n Suite 501\n Riisa\n\n Estonia 62488\nThanks"
    once = resolve(text, redactor.analyze(text))
    assert [s.value for s in once if s.entity == "LOCATION"] == ["20789 Allika 46\n Suite 501\n Riisa\n\n Estonia 62488"]
    assert resolve(text, once) == once


def test_a_date_on_its_own_line_is_no_address_and_a_digit_run_glued_to_a_word_is_masked(redactor):
    """Both reached the last check before: '07 Feb 2022' became a LOCATION whose digits the check
    then found in 'Feb 07 2022'; '1131423339The' kept a 10-digit identifier the check refuses."""
    from agent.outbound_guard import OutboundGuard

    body = "Invoice date:\n07 Feb 2022\nTax id: INC; 1131423339The Mercury Team\ncharged on Feb 07  2022, 1500000 EUR."
    r = redactor.pseudonymise(ctx(body), seed_texts=[body])
    assert "1131423339" not in r.latest_text and "07 Feb 2022" in r.latest_text, r.latest_text
    assert not any(ph.startswith("<LOCATION") for ph in r.placeholders.mapping), r.placeholders.mapping
    assert OutboundGuard().scan(r.latest_text, r.placeholders) == []


def test_a_known_names_particles_and_a_role_names_words_are_not_masked_alone(redactor):
    """The risk set's mails from "Tim van Leeuwen" and "Service Facturation" were refused by the
    last check when the draft wrote "van" (Dutch "of") or "service"."""
    body = "Wanneer wordt het jaaroverzicht van 2025 verstuurd? Groeten, Tim"
    r = redactor.pseudonymise(ctx(body, name="Tim van Leeuwen"), seed_texts=[body], known=[("PERSON", "Tim van Leeuwen")])
    assert "jaaroverzicht van 2025" in r.latest_text and "Tim" not in r.latest_text, r.latest_text
    body = "Merci de nous indiquer la date. Le service de facturation vous remercie. Merci."
    r = redactor.pseudonymise(ctx(body, name="Service Facturation"), seed_texts=[body], known=[("PERSON", "Service Facturation")])
    assert r.latest_text == body, (r.latest_text, r.placeholders.mapping)


# ------------------------------------------------------------ gaps closed on 2026-12-06 (train/dev misses)
def test_a_short_text_the_language_classifier_is_unsure_of_is_analysed_in_the_default_language(redactor):
    # py3langid: Latin at 0.14; among the six configured, Italian at 0.45: English NER and tagger run.
    assert redactor.language_for("Timotea lives on Via dei Fiorentini 17 street.") == "en"
    assert redactor.language_for("Bitte überweisen Sie den Betrag bis Freitag auf mein Konto.") == "de"
    text, pm = redact(redactor, "Ottavia lives on Via dei Serragli 12 street.")
    assert "Ottavia" not in text and "Serragli" not in text, text


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("ilse kleist lives at 12 nørrevej 4, aarhus c", "ilse kleist"),
        ("Hjalmar Brandt moved to Oslo in 2019 and works for a shipping firm.", "Hjalmar Brandt"),
        ("Marthe wohnt in der Lindenstraße 4.", "Marthe"),
    ],
)
def test_a_name_before_lives_at_or_moved_to_is_masked_whatever_its_case(redactor, sentence, name):
    text, _ = redact(redactor, sentence)
    assert name.split()[0] not in text and name.split()[-1] not in text, text


def test_ordinary_words_before_lives_at_are_no_name(redactor):
    text, pm = redact(redactor, "Production moved to a new site and support lives on in the old office.")
    assert not [p for p in pm.mapping if p.startswith("<PERSON_")], (text, pm.mapping)


def test_a_noun_capitalised_alone_inside_a_sentence_is_a_name(redactor):
    text, _ = redact(redactor, "Why is Glyceria always so late with the forms?")
    assert "Glyceria" not in text, text
    text, pm = redact(redactor, "She studied law at the University of Tromsø and writes for the Review.")
    assert "University" in text and not [v for v in pm.mapping.values() if v in ("University", "Review")], text
    text, pm = redact(redactor, "Please forward the signed form to Compliance before Friday.")
    assert "Compliance" in text and not pm.mapping, text


@pytest.mark.parametrize(
    "block, parts",
    [
        ("4127 rua da boa vista 3 suite 210\nκαλαμαρι∆α\n, tk\n greece (hellenic) 55133", ["rua da boa vista", "suite 210", "55133", "greece"]),
        ("Send it to 88 old quarry lane apt. 7\nbury st edmunds\n, sfk\n united kingdom 40213", ["old quarry lane", "apt. 7", "40213"]),
    ],
)
def test_a_lower_case_street_line_with_its_unit_and_the_lines_after_it_are_one_address(redactor, block, parts):
    text, pm = redact(redactor, block)
    assert [p for p in parts if p in text] == [], text
    assert len([p for p in pm.mapping if p.startswith("<LOCATION_")]) == 1, pm.mapping


def test_a_unit_word_after_an_amount_is_no_street_line(redactor):
    text, _ = redact(redactor, "I paid 300 dollars for the suite upgrade last week.")
    assert "300 dollars" in text, text


@pytest.mark.parametrize(
    "text, value",
    [
        ("come by whenever\n\nSarah Wesner@ENRON\n12/12/2000 01:31 PM", "Sarah Wesner@ENRON"),  # Lotus Notes: the name stays masked
        ("write to admin@intranet please", "admin@intranet"),
        ("statement 0@0", "0@0"),
    ],
)
def test_an_address_without_a_dot_in_its_domain_is_an_address(redactor, text, value):
    """RFC 5322 does not ask for a dot in the domain: a dotless address is masked, and a name
    before it is not dropped as a part of it."""
    assert value in [text[s.start : s.end] for s in redactor.detect(text)]
