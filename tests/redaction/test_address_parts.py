"""A postal address is masked whole, as one placeholder, with the parts that sit between or
around its street line and its town (agent/pii/addresses.py): a Spanish floor and door, a
French building letter or lieu-dit, a PO box, an Irish building name, street and Eircode, a
lower-case US town/state/ZIP. And what only looks like a part (a month and a year, an ordinal
in a sentence, a year before an address) stays readable. Every test goes through the real
Redactor (Presidio, spaCy, pyap2) on text as a client writes it; the addresses are invented."""

from __future__ import annotations

import pytest

from agent.models import ItemContext
from agent.redaction import restore


def _redact(redactor, text: str):
    from agent.language import detect_language

    item = ItemContext(subject="Question", sender_name="", sender_email="someone@client.example", latest_text=text, crm_fields={}, language=detect_language(text) or "und")
    r = redactor.pseudonymise(item)
    return r.latest_text, r.placeholders


def _locations(pm) -> dict[str, str]:
    return {ph: v for ph, v in pm.mapping.items() if ph.startswith("<LOCATION")}


WHOLE_ADDRESSES = [
    # es: floor and door between the street line and the postcode
    ("Por favor, envíen la factura a {}.", "Calle de Alcalá 118, 5º A, 28009 Madrid"),
    ("Mi nueva dirección es {} desde el lunes.", "Paseo de la Castellana 40, 7º 3ª, 28046 Madrid"),
    ("Domicilio: {}\nGracias.", "Avenida del Puerto 34, 1º dcha., 46023 Valencia"),
    ("Vivo en {} desde marzo.", "Calle Luna 7, bajo B, 29012 Málaga"),
    ("La nueva sede está en {}.", "C/ Doctor Fleming, 31, 4º izda., 28036 Madrid"),
    ("Scrivete a {}, grazie.", "Via dei Mille n. 14, 80121 Napoli"),
    # fr: a building letter before or after the street line; a lieu-dit line above the postcode
    ("Merci d'envoyer le colis à {}.", "Bâtiment D, 12 rue des Lilas, 33000 Bordeaux"),
    ("Nouvelle adresse : {}\nMerci.", "8 allée des Peupliers, Bât. B2, 44000 Nantes"),
    ("Voici ma nouvelle adresse :\n{}\nMerci d'avance.", "Lieu-dit La Croix Blanche\n46100 Figeac"),
    ("Voici ma nouvelle adresse :\n{}\nBonne journée", "Lieu-dit Le Moulin Neuf, 24250 Domme"),
    # PO boxes in six languages
    ("Graag alle post naar {} sturen.", "Postbus 5120, 2500 GC Den Haag"),
    ("Bitte an {} senden.", "Postfach 10 22 44, 50667 Köln"),
    ("Envoyez le courrier à {}.", "BP 318, 97200 Fort-de-France"),
    ("Mándenlo al {}.", "Apartado de Correos 4521, 03080 Alicante"),
    ("Inviate tutto alla {}.", "Casella Postale 77, 20121 Milano"),
    # it / at: staircase and door numbers
    ("Il mio indirizzo è {}.", "Via Garibaldi 21, Scala B, 10122 Torino"),
    ("Neue Anschrift: {}\nDanke.", "Hauptstraße 12, Stiege 2, Tür 14, 1010 Wien"),
    # ie: building name, street without a number, postal district and Eircode
    ("Our office is at {}.", "Unit 3, The Old Forge, Mill Road, Galway, H91 E2WN"),
    ("Send it to {} please.", "14 Harbour View, Kinsale Road, Cork, T12 K4PX"),
    # floors, units and a named residence above or after the street line (en, au, de, at, fr, ch)
    ("Please write to:\n{}\nThanks", "3rd Floor, Larchmere House\n27 Bridge Street\nAshford, Kent TN24 8PL"),
    ("Send the forms to\n{}\nCheers", "LEVEL 7, 45 WATTLE STREET\nADELAIDE SA 5000\nAUSTRALIA"),
    ("Neue Anschrift:\n{}\nViele Grüße", "Birkenweg 9b\n3. OG rechts\n01067 Dresden"),
    ("Bitte liefern an {}.", "Ahornstraße 4, Hinterhaus, 2. Stock, 80331 München"),
    ("Nouvelle adresse :\n{}\nCordialement", "RÉSIDENCE LES CHÊNES APPT 12\n9 RUE PASTEUR\n31000 TOULOUSE"),
    ("Merci d'écrire à :\n{}\nBonne journée", "Case postale 412\n1003 Lausanne"),
    ("Schadensort: {}\nDanke.", "Unterwald 14, 4861 Schörfling"),
    ("Notre bureau :\n{}\nCordialement", "Bâtiment F, escalier 3, 2e étage, porte gauche\n7 rue des Cordiers\n69002 Lyon"),
    ("Our site is at {}, in the hills.", "2210 Chemin des Érables, RR 3, Val-des-Monts, QC J8N 4A2"),
    ("We have moved to {} since spring.", "The Old Vicarage, Station Road, Great Dunham, Norfolk PE32 2LF"),
    ("Almacén: {}\nSaludos", "Polígono Industrial Las Vegas, nave 22\n41500 Alcalá de Guadaíra"),
    ("L'incidente è avvenuto in {}, la scorsa notte.", "Località Colle al Pino, 58100 Grosseto"),
    ("Vivo en el centro de {}, desde 2019.", "Huesca, CP 22002"),
    ("J'habite à {} depuis longtemps.", "Vaulx-en-Velin (69120)"),
    ("new address is {} thanks", "19 hudson st apt 5, hoboken nj 07030"),
    ("la casa está en {}. no tiene número", "carretera de la sierra s/n, 23400 úbeda, jaén"),
    # us: all lower case, the town/state/ZIP after the unit
    ("ship to {}", "412 maple avenue apt 9 portland or 97205"),
]


@pytest.mark.parametrize("template, address", WHOLE_ADDRESSES)
def test_an_address_with_its_floor_building_box_or_locality_is_one_placeholder(redactor, template, address):
    sentence = template.format(address)
    text, pm = _redact(redactor, sentence)
    assert text == template.format("<LOCATION_1>"), (text, pm.mapping)
    assert _locations(pm) == {"<LOCATION_1>": address}, pm.mapping
    restored, unknown = restore(text, pm)
    assert restored == sentence and not unknown


@pytest.mark.parametrize(
    "sentence, kept",
    [
        ("The contract ended on the 2nd of October 1987 and we never renewed it; she lives in the same house.", "October 1987"),
        ("Could you move the call to November 2026? We live with the old plan until then.", "November 2026"),
        ("El 2º trimestre fue mejor que el 1º, según el informe de la dirección.", "2º trimestre"),
        ("La résidence principale est en vente, le quartier est calme.", "résidence principale"),
        ("We need a place, 2 weeks from now would suit the whole team.", "place, 2 weeks"),
        ("We read the Top 10, 20 more tips follow in the newsletter.", "Top 10, 20"),
        ("The spare keys are in Box 12 on the shelf.", "Box 12"),
        ("The workshop is in room 3.07 on floor 5 of the main building.", "room 3.07 on floor 5"),
    ],
)
def test_a_date_or_an_ordinal_is_no_address_part(redactor, sentence, kept):
    text, pm = _redact(redactor, sentence)
    assert kept in text, (text, pm.mapping)
    assert not _locations(pm), pm.mapping


def test_a_year_earlier_in_the_sentence_is_not_the_house_number(redactor):
    """pyap's GB rules would take '2019 we moved to' as house number and street name."""
    text, pm = _redact(redactor, "In 2019 we moved to 9 Elm Close, Leeds LS6 2QT and have stayed since.")
    assert text == "In 2019 we moved to <LOCATION_1> and have stayed since.", (text, pm.mapping)
    assert _locations(pm) == {"<LOCATION_1>": "9 Elm Close, Leeds LS6 2QT"}


def test_a_birth_date_before_an_address_stays_a_date(redactor):
    text, pm = _redact(redactor, "Her date of birth is the 7th of June 1944. She now lives at 22 Orchard Way, Hexham NE46 3QA.")
    assert _locations(pm) == {"<LOCATION_1>": "22 Orchard Way, Hexham NE46 3QA"}, pm.mapping
    assert "June 1944" not in " ".join(_locations(pm).values())
    assert "1944" not in text, text  # masked as the date of birth it is


# An address grows from its postcode: the short lines above a postcode line (house and farm
# names, villages, an Irish county), the comma-separated parts before a postcode and town in a
# sentence, the unit, floor and door forms of a street line, and addresses in lower case.
POSTCODE_ANCHORED = [
    ("Please send it to:\n\n{}\n\nThanks", "Knockmore House\nKilcolgan\nCo. Galway\nH65 X2Y4"),
    ("The farm address for the policy is:\n\n{}\n\nThere is no house number.", "Higher Fold Farm\nMoor Lane\nBolton-by-Bowland\nLancashire\nBB7 4NP"),
    ("De schade is op ons bedrijf:\n{}\n\nMet vriendelijke groet", "Boerderij De Linde\nDorpsweg 7\n8161 AB Epe"),
    ("Our flat is {} and the leak came from above.", "2/1, 18 Clarence Drive, Glasgow G11 7JR"),
    ("El incendio fue en la finca: {}. Pueden llamarme.", "Cortijo Los Almendros, Ctra. de Almería km 12, 04200 Tabernas (Almería)"),
    ("The fence is at {} near the creek.", "Lot 12 Gully Road, Braidwood NSW 2622"),
    ("Mail goes to {} since we have no street delivery.", "HC 71 Box 44, Marfa, TX 79843"),
    ("Old: {}. New: 1870 Side Road 4, RR#2, Port Perry, ON L9L 1B2.", "RR#2, Port Perry ON L9L 1B2"),
    ("Yes it's {}. Ground floor, the meter is at the back.", "Apartment 4, Quay Court, Dock Road, Galway H91 F2W3"),
    ("La cantina è in {}. Il perito può venire sabato.", "fraz. Santa Maria 9, 12050 Treiso (CN)"),
    ("Adresse: {}. Eine Hausnummer gibt es nicht.", "Hof Unterberg, 3855 Brienz"),
    # unit, floor and door forms of a street line
    ("Neue Anschrift:\n{}\nDanke.", "Landstraßer Hauptstraße 5/Stiege 1/Top 9\n1030 Wien"),
    ("Meine Adresse lautet {} und nicht anders.", "Wiener Straße 14/2/7, 4020 Linz"),
    ("Per 1 mei is mijn adres {}. Graag aanpassen.", "Kerkstraat 88-3hoog, 1017 GC Amsterdam"),
    ("Het is {}. Toevoeging B dus.", "Dorpsweg 12-B, 7231 AA Warnsveld"),
    ("Ons appartement is {}, kunnen jullie langskomen?", "Veldstraat 7/0102, 9000 Gent"),
    ("Nouvelle adresse : {}. Merci.", "Rue de la Gare 12 bte 4, 5000 Namur, Belgique"),
    ("Mijn nieuwe adres is {}. Dank u.", "Lange Lozanastraat 9 bus 2, 2018 Antwerpen"),
    ("L'ADRESSE EXACTE EST :\n{}\nMERCI.", "RESIDENCE LE PARC, BAT C, APPT 12\n8 RUE DU MOULIN\n31400 TOULOUSE"),
    ("Merci d'envoyer le courrier à :\n\n{}\n\nCordialement,", "7 ter, rue des Lilas\nBât. B, 2e étage\n33000 Bordeaux"),
    ("La vivienda es:\n{}\nGracias", "Urb. El Mirador, portal 2, escalera A, 3º B\n28660 Boadilla del Monte (Madrid)"),
    # lower case
    ("pls post it to {} not the office. ta", "ivy cottage, mill lane, long compton, warks cv36 5jp"),
    ("we moved to {} last month so pls update", "22 hazel grove, naas, co kildare, w91 x2c3"),
    ("moving from {} to the new place next week", "7 birch hill rd, summit nj 07901"),
    ("mi direccion nueva es {} xfa cambiadla", "c/ major 23 bajo 1a 25001 lleida"),
    ("la nuova casa è in {} potete aggiornare?", "via roma 12 int 3 10121 torino"),
    ("j'habite maintenant au {} depuis mai, merci", "14 impasse des acacias 69003 lyon"),
    ("stuur het naar:\n{}\nbvd", "postbus 412\n6800 ak arnhem"),
]


@pytest.mark.parametrize("template, address", POSTCODE_ANCHORED)
def test_an_address_grows_from_its_postcode(redactor, template, address):
    sentence = template.format(address)
    text, pm = _redact(redactor, sentence)
    assert address not in text and address in _locations(pm).values(), (text, pm.mapping)
    restored, unknown = restore(text, pm)
    assert restored == sentence and not unknown


@pytest.mark.parametrize(
    "sentence, kept",
    [
        # the firm's branch or office named after its street
        ("Is the Church Lane branch open on Sundays? I work all week.", "Church Lane"),
        ("Can I see someone at your Queen Street office next week?", "Queen Street"),
        ("L'agence de la rue des Carmes ne répond plus au téléphone.", "rue des Carmes"),
        # a product or an offer: a capitalised name, a number and a noun
        ("Is the Flat 30 offer still open to new customers?", "Flat 30"),
        ("Can the Turbo Box 500 router be sent to my home?", "Box 500"),
        ("De brieven komen nu in bus 1 terecht, zegt de postbode.", "bus 1"),
        # a lower-case code without a street before it
        ("The error code on the screen reads ab1 2cd after every restart.", "ab1 2cd"),
    ],
)
def test_a_branch_a_product_or_a_code_is_no_address(redactor, sentence, kept):
    text, pm = _redact(redactor, sentence)
    assert kept in text, (text, pm.mapping)
    assert not _locations(pm), pm.mapping


@pytest.mark.parametrize(
    "text_, address, kept",
    [
        # a name line, a cue line, a sentence line end the block above a postcode line
        ("Kind regards\nSiobhan Kelly\nBallyvaughan\nCo. Clare\nV94 X2K3", "Ballyvaughan\nCo. Clare\nV94 X2K3", "Kind regards"),
        ("Policy HH-4471902:\nThe Old Barn\nLyonshall\nHerefordshire\nHR5 3JP", "The Old Barn\nLyonshall\nHerefordshire\nHR5 3JP", "Policy"),
        ("I would like the post to go to the new place.\nGrange Cottage\nKington HR5 3AA", "Grange Cottage\nKington HR5 3AA", "new place"),
        # a sentence before the parts of an address in running text
        ("Send it to PO Box 71, Braidwood NSW 2622 instead.", "PO Box 71, Braidwood NSW 2622", "Send it to"),
        ("Send it to 123 Main St., Apt. 4B, Springfield, IL 62704-1234.", "123 Main St., Apt. 4B, Springfield, IL 62704-1234", "Send it to"),
        # a German preposition before a street that names itself is the sentence's ("In der Halde 3" is a street)
        ("Wir wohnen seit März in der Goethestraße 12, 86150 Augsburg.", "Goethestraße 12, 86150 Augsburg", "in der"),
        ("Ich wohne jetzt in der Rue de la Paix 12 in Paris.", "Rue de la Paix 12", "in der"),
        ("Vivo en Calle Sol 9, 2º A, 29012 Málaga desde marzo.", "Calle Sol 9, 2º A, 29012 Málaga", "Vivo en"),
        ("We bought it in 2019, 12 Elm Road, Leeds LS6 2QT is the address.", "12 Elm Road, Leeds LS6 2QT", "2019"),
        ("Invoice 2291, 12 High Street, Leeds LS1 1AA", "12 High Street, Leeds LS1 1AA", "Invoice 2291"),
        ("Total: 45.00 EUR, Hauptstraße 5, 10115 Berlin", "Hauptstraße 5, 10115 Berlin", "EUR"),
        # a line of common words or a job title above the postcode line is no village or house name
        ("Meeting Notes\nQ3 Budget\n10115 Berlin", "10115 Berlin", "Q3 Budget"),
        ("Jane Doe\nSenior Manager\nAcme Ltd\n1 Main St\nLondon SW1A 1AA", "Acme Ltd\n1 Main St\nLondon SW1A 1AA", "Senior Manager"),
    ],
)
def test_the_growth_stops_at_a_name_a_cue_or_a_sentence(redactor, text_, address, kept):
    text, pm = _redact(redactor, text_)
    assert address in _locations(pm).values(), (text, pm.mapping)
    assert kept in text, (text, pm.mapping)


@pytest.mark.parametrize(
    "text, address",
    [
        ("Neue Adresse: Mariahilfer Straße 123/2/14, 1060 Wien, Österreich. Danke!", "Mariahilfer Straße 123/2/14, 1060 Wien, Österreich"),
        ("Neue Adresse: Bahnhofstrasse 5, 9000 St. Gallen", "Bahnhofstrasse 5, 9000 St. Gallen"),
    ],
)
def test_a_full_stop_ends_the_address_unless_it_ends_an_abbreviation(redactor, text, address):
    assert [text[s.start : s.end] for s in redactor.detect(text) if s.entity == "LOCATION"] == [address]
