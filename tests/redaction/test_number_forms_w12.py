"""Identifiers in the forms of the w12 tuning set (web forms, chat transcripts, voicemail notes,
hurried mail from many countries): a reference with letters or parts after its label, a date
of birth with a two-digit year or an ordinal word, one answered on the line after the question,
a signature's bare phone number, and a transcript's role labels that are no names
(agent/pii/number_recognisers.py, agent/pii/cues.py, agent/pii/name_context.py). Every test
goes through the real Redactor; the values are invented."""

from __future__ import annotations

import pytest

from tests.redaction.test_recognisers import redact as _redact


def _values(pm, entity: str) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith(f"<{entity}_")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("calling about my transfer reference KT 55120 please call me back", "KT 55120"),
        ("Policy no.: 67890/12/31/004411\nMobile: on file", "67890/12/31/004411"),
        ("I am the nominee on his fixed deposit TD/0913/22876. Please tell me", "TD/0913/22876"),
        ("the police reference is W 3318 4720 and my policy is GAD 55190284 thanks", "W 3318 4720"),
        ("the police reference is W 3318 4720 and my policy is GAD 55190284 thanks", "GAD 55190284"),
        ("Customer ref: NWB-CA-55102/4 (web form)", "NWB-CA-55102/4"),
        ("my contract number TFSA/ON/31-7720 was renewed", "TFSA/ON/31-7720"),
        ("my aadhaar is 5512 9034 7781 in case kyc is needed", "5512 9034 7781"),
        ("his cnic 42101-5532198-7 is on file", "42101-5532198-7"),
    ],
)
def test_a_labelled_reference_is_masked_with_its_letters_and_parts(redactor, text, value):
    out, pm = _redact(redactor, text)
    assert value not in out and value in _values(pm, "ACCOUNT_NUMBER"), (out, pm.mapping)


@pytest.mark.parametrize(
    "text",
    [
        "the brochure (ref. HOS-2026/4) says the cover is limited",
        "my claim 25000 was rejected last week",
        "the contract from 12/03/2024 is attached",
    ],
)
def test_a_document_code_an_amount_or_a_date_after_a_label_stays(redactor, text):
    out, pm = _redact(redactor, text)
    assert not _values(pm, "ACCOUNT_NUMBER"), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("pls change my number. dob 4th feb 83. cust no on file", "4th feb 83"),
        ("My father, born on the twenty-third of March 1949, cannot sign.", "twenty-third of March 1949"),
        ("born Oct 9th '71 in Cork", "Oct 9th '71"),
        ("i was born mar the 3rd 1979 in Daegu", "mar the 3rd 1979"),
        ("DOB: 21-VII-1990, place of birth Manila", "21-VII-1990"),
        ("Agent: Can I take your full name and date of birth please?\nVisitor: Maryam Qureshi 14/11/1988\n", "14/11/1988"),
    ],
)
def test_a_date_of_birth_in_short_spoken_and_chat_forms(redactor, text, value):
    out, pm = _redact(redactor, text)
    assert value not in out and value in _values(pm, "DATE_OF_BIRTH"), (out, pm.mapping)


def test_a_date_answering_another_question_is_no_date_of_birth(redactor):
    out, pm = _redact(redactor, "What was the date of the accident?\nIt was 12/03/2024 near the school.")
    assert "12/03/2024" in out and not _values(pm, "DATE_OF_BIRTH"), (out, pm.mapping)


def test_a_signatures_bare_number_is_a_phone_in_any_numbering_plan(redactor):
    out, pm = _redact(redactor, "Please set up the standing order.\n\nTan Mei Ling\n8123 4471\n")
    assert "8123 4471" not in out and "8123 4471" in _values(pm, "PHONE_NUMBER"), (out, pm.mapping)


@pytest.mark.parametrize("text", ["Thanks for your help.\n\n12.03.2024\n", "Regards,\nthe claims team\n\n1 250 000\n"])
def test_a_date_or_an_amount_alone_at_the_end_is_no_phone(redactor, text):
    out, pm = _redact(redactor, text)
    assert not _values(pm, "PHONE_NUMBER"), (out, pm.mapping)


def test_a_transcripts_role_labels_are_no_names(redactor):
    text = "[10:02] Visitor: hi i need to update my address\n[10:02] Agent (Priya): Hi, happy to help.\n[10:03] Visitor: thanks\n"
    out, pm = _redact(redactor, text)
    assert "Visitor" in out and "Agent" in out and "Priya" in _values(pm, "PERSON"), (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Driver licence no. 4R86R39EC8QZ issued to the client, born 12/28/1951.", "4R86R39EC8QZ"),
        ("My passport number is X12-34567Z and it expires soon.", "X12-34567Z"),
        ("Mein Führerschein hat die Nummer B072RRE2I55.", "B072RRE2I55"),
    ],
)
def test_a_document_number_after_its_name_in_any_shape(redactor, text, value):
    out, pm = _redact(redactor, text)
    assert value not in out, (out, pm.mapping)


def test_a_licence_fee_is_no_document_number(redactor):
    out, pm = _redact(redactor, "The licence fee is 45 pounds and the passport office opens at 9.")
    assert "45" in out and not pm.mapping, (out, pm.mapping)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("My SSN last four are 6621 if you need them.", "6621"),
        ("the last 4 of my social: 6621", "6621"),
        ("Kindly update my KYC. My PAN is BXKPV4821L and my mobile number is below.", "BXKPV4821L"),
        ("The other driver, a Mr Lionel Sherwood, gave me his registration KX19 RFD.", "KX19 RFD"),
        ("Mein Kennzeichen ist M-AB 1234.", "M-AB 1234"),
    ],
)
def test_a_partial_ssn_a_pan_and_a_vehicle_registration(redactor, text, value):
    """The new-user trial of 2026-12-07 (seventh session) found these three in prompts."""
    out, pm = _redact(redactor, text)
    assert value not in out, (out, pm.mapping)


def test_a_completed_registration_and_a_four_digit_amount_stay(redactor):
    out, pm = _redact(redactor, "Your registration is complete. The last four payments were 1200 each.")
    assert "complete" in out and "1200" in out, (out, pm.mapping)
