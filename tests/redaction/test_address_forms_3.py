"""Postal address forms of the third round (agent/pii/addresses.py), each masked whole: an Indian
address whose town and PIN NER found (the address grows from an NER span's postcode too), a
place name list after a Chilean street line and flat, an address in brackets, Flemish floors and
student rooms ("2de verdieping, kamer 14"), the Argentine and Chilean floor and flat ("piso 7
depto. C", "depto 84"), Colombian nomenclature ("Carrera 7 # 71-21"), US county roads and
numbered streets with a directional ("2145 RD 16 N", "E 5th St"), Mexican colonias with CDMX, lower-case
French localities before a postcode, NZ Post's rural delivery line ("RD 2"), a farm name above the road and town + postcode last. And
what only looks like one stays readable. Every test goes through the real Redactor; the
addresses are invented."""

from __future__ import annotations

import pytest

from agent.redaction import restore
from tests.redaction.test_recognisers import redact as _redact


def _locations(pm) -> list[str]:
    return [v for ph, v in pm.mapping.items() if ph.startswith("<LOCATION")]


WHOLE_ADDRESSES = [
    # in: NER takes "Koramangala, Bengaluru 560034"; the door number, building and cross before it join
    ("Kindly change my address from {} to the new one.", "Flat No. 118, Lake View Residency, 6th Cross, Koramangala, Bengaluru 560034"),
    ("The surveyor can come to my home: {}.", "No. 27, 3rd Main, 2nd Block, Rajajinagar, Bengaluru 560010"),
    # cl: street, number, flat, comuna, city, and the sentence goes on after a comma
    ("El departamento, ubicado en {}, tuvo una filtración.", "Av. Apoquindo 3200, depto 51, Las Condes, Santiago"),
    # ar: floor and flat letter after the street line, then the CPA and CABA
    ("manden la tarjeta a {}, porque me mudé.", "Av. Rivadavia 6120, piso 4 depto. B, C1406GLN CABA"),
    # an address in brackets: the town after the street line or box ends at the bracket
    ("Het oude adres ({}) klopt niet meer.", "Binnenweg 87b, Rotterdam"),
    ("The old one ({}) is closed.", "PO Box 412, Dargaville 0340"),
    # be: the floor with "2de" and a student room after the street line
    ("Mijn zoon woont in {}. Is zijn fiets verzekerd?", "Tiensestraat 141, 3de verdieping, kamer 8, 3000 Leuven"),
    # nz: a farm name, the road, the rural delivery line and town + postcode
    ("Our postal address is now:\n\n{}\n\nThanks", "Pukeatua Downs\n455 Waipu Gorge Road\nRD 4\nWaipu 0582"),
    # co: road type and number, "#" or "No." and the crossing road's number and distance, tower, flat, town
    ("Cambié mi dirección a {}. Gracias.", "Carrera 11 # 82-40, Torre C, Apto 701, Bogotá"),
    ("Vivo en la {}, desde mayo.", "Cra. 43A No. 7-50, Medellín"),
    # fr / be: the number sign after the comma
    ("Nous habitons {}, depuis 2019.", "rue des Tilleuls, n° 12"),
    # au: Australia Post's road type abbreviations
    ("Our new address is {}, please update.", "14 Wattlebird Cres"),
    # nl: a town whose name goes on after a particle, in lower case and capitalised
    ("mijn nieuwe adres is {} want ik ben verhuisd", "dorpsweg 8 2871 ab schoonhoven aan de lek"),
    ("adres: {}", "Molenstraat 12, 4611 AB Bergen op Zoom"),
    # fr: the postcode the street pattern took for a house number, then the town in lower case
    ("nouvelle adresse 9 rue jean jaures 31000 toulouse merci", "9 rue jean jaures 31000 toulouse"),
    # es: a farm, the road and its km, "s/n", postcode, town and province
    ("La finca es {}. Gracias.", "Cortijo El Olivar, Ctra. A-92 km 30, s/n, 41560 Estepa, Sevilla"),
    # it: an estate and a locality whose name joins its words with "a"
    ("il danno è all'agriturismo, {}. Grazie", "Podere La Quercia, loc. Borgo a Buggiano, 51011 Buggiano PT"),
    # us: a county road with its post-directional, in capitals; a numbered street with its pre-directional
    ("THE SHED IS AT {} AND HAS NO MAILBOX.", "4410 RD 22 S"),
    ("the crash was at {} this morning", "e 14th st"),
    ("It happened on {} near the park.", "W 3rd Ave"),
    # mx: a colonia with its city
    ("Fue en la {}. El otro conductor huyó.", "Col. Roma Norte, CDMX"),
    # fr: a lower-case locality tied to its postcode and town
    ("notre maison {} a été inondée", "lieu-dit les granges basses 24200 sarlat"),
    # fr: a named house with its article at the line start, a hamlet line, postcode and town (La Poste NF Z10-011)
    ("Merci d'écrire à :\n\nJeanne Perrin\n{}\n\nCordialement", "Le Mas des Oliviers, 12 chemin des Cigales\nHameau de Saint-Roch\n13210 Saint-Rémy-de-Provence"),
]


@pytest.mark.parametrize("template, address", WHOLE_ADDRESSES)
def test_an_address_in_a_third_round_form_is_masked_whole(redactor, template, address):
    sentence = template.format(address)
    text, pm = _redact(redactor, sentence)
    assert address not in text and address in _locations(pm), (text, pm.mapping)
    restored, unknown = restore(text, pm)
    assert restored == sentence and not unknown


@pytest.mark.parametrize(
    "sentence, kept",
    [
        ("I drove 300 Road 5 times last week.", "300 Road 5"),  # a road word alone is no county road
        ("la résidence pour 12000 euros est chère", "12000 euros"),  # no locality name, an amount
    ],
)
def test_what_only_looks_like_a_county_road_or_locality_stays(redactor, sentence, kept):
    text, pm = _redact(redactor, sentence)
    assert kept in text, (text, pm.mapping)


@pytest.mark.parametrize(
    "sentence, address, kept",
    [
        # a sentence in capitals goes on after the county road; the words before a lower-case locality are the sentence's
        ("THE FARM IS AT 880 CR 14 N AND GETS NO MAIL.", "880 CR 14 N", "AND GETS NO MAIL"),
        ("notre maison secondaire lieu-dit le moulin 46300 gourdon a brûlé", "lieu-dit le moulin 46300 gourdon", "maison secondaire"),
        # a year after a box and a comma is no town
        ("Our box, PO Box 61, 2019, was closed.", "PO Box 61", "2019"),
        # the sentence goes on in lower case after the comuna
        ("El depto es chico, pero Av. Italia 2250, depto 3, Providencia, es la dirección.", "Av. Italia 2250, depto 3, Providencia", "es la dirección"),
    ],
)
def test_a_third_round_address_ends_where_the_sentence_goes_on(redactor, sentence, address, kept):
    """The same check as test_address_forms_2's: the address is one placeholder, the words after it stay."""
    text, pm = _redact(redactor, sentence)
    assert address in _locations(pm), (text, pm.mapping)
    assert kept in text, (text, pm.mapping)
