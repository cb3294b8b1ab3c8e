"""Address parts written apart from their street (agent/pii/address_places.py): the town after or
before a street, the two streets of an intersection, a street named as the client's address without
a number; and a town named on its own, or a capitalised word of a set phrase after a street, stays
readable. Through the real Redactor (Presidio, spaCy, pyap2); every place and street is invented or
used as an example only."""

from __future__ import annotations

import pytest

from tests.redaction.test_address_parts import _locations, _redact

MASKED = [
    # the town after a street, joined by a locative preposition (de, it, nl, en, fr, es)
    ("Mein Auto wurde in der Schillerstr. 44 in Augsburg beschädigt, bitte melden.", ["Augsburg"]),
    ("Il sinistro è avvenuto davanti al civico c.so Vittorio Emanuele 101, a Salerno. Allego le foto.", ["Salerno"]),
    ("Het huis staat aan de Duinweg, nummer 88, in Koksijde, vlak bij de zee.", ["Koksijde"]),
    ("The house is on Juniper Street, number 412, in Flagstaff, just past the high school.", ["Flagstaff"]),
    ("La maison se trouve 14 rue des Tanneurs à Saint-Malo, merci de passer.", ["Saint-Malo"]),
    ("El golpe fue en la calle Mayor 12 en San Sebastián de los Reyes, ayer.", ["San Sebastián de los Reyes"]),
    # a region after the town: the rule is applied again from the town
    ("La casa è in via Santa Lucia, numero 31, a Gubbio, in provincia di Perugia. Il CAP è 06024.", ["Gubbio", "Perugia"]),
    # the town in the next sentence that says where the street lies
    ("De schade is aan de schuur op Hoofdweg 212a. Dat ligt in Nieuw-Beerta, niet verder.", ["Nieuw-Beerta"]),
    # the two streets of an intersection, and the town after them
    ("L'incidente è avvenuto all'angolo tra via Roma e via Mazzini a Lecce. L'altro conducente ha torto.", ["via Roma", "via Mazzini", "Lecce"]),
    ("De aanrijding was op de kruising van de Erasmusweg en de Loosduinseweg in Den Haag.", ["Erasmusweg", "Loosduinseweg", "Den Haag"]),
    ("The crash happened at the corner of Elm Street and 5th Avenue in Dayton on Friday.", ["Elm Street", "5th Avenue", "Dayton"]),
    ("Der Unfall war an der Kreuzung Goethestraße und Schillerstraße, niemand wurde verletzt.", ["Goethestraße", "Schillerstraße"]),
    # "at <street> and <street>", also in mail written in lower case
    ("The crash happened at Main and 5th Ave in Dayton.", ["Main", "5th Ave", "Dayton"]),
    ("hey so i got sideswiped at broadway and w 96th st this morning and the guy drove off. thanks for the help with all this", ["broadway", "w 96th st"]),
    # a street named where an incident happened
    ("Regarding my claim: the accident happened on MG Road near Trinity Circle when a car cut across.", ["MG Road", "Trinity Circle"]),
    ("Der Unfall ist gestern auf der Bahnhofstraße passiert, niemand wurde verletzt.", ["Bahnhofstraße"]),
    # the town before the street
    ("The flooding was at our holiday home, which is in Lahinch, on the Coast Road, past the golf club.", ["Lahinch", "Coast Road"]),
    # a street without a number named as the client's (old) address
    ("The form went to my old address on Kellogg Ave and I only got it by chance.", ["Kellogg Ave"]),
    # "also in <town>" after a street
    ("Bisher wohnten wir in der Gartenstraße 12a, ebenfalls in Regensburg.", ["Regensburg"]),
    # a directional before a numbered street in an intersection
    ("I was stopped at the corner of Wayne Ave and E 5th St in Dayton when it happened.", ["Wayne Ave", "E 5th St", "Dayton"]),
    # a numbered road, the town it passes and the exit (UK, DE, NL, ES, IT)
    ("My son had a collision on the A40 near Witney yesterday evening.", ["A40", "Witney"]),
    ("The truck hit me on I-95 near Fayetteville around noon.", ["I-95", "Fayetteville"]),
    ("Unfall auf der A8 bei Ulm, kurz vor der Ausfahrt Ulm-West, gestern Abend.", ["A8", "Ulm", "Ulm-West"]),
    ("Ik ben op de N201 bij Aalsmeer aangereden.", ["N201", "Aalsmeer"]),
    ("Tuvo un golpe en la A-7 a la altura de Marbella, sentido Málaga.", ["A-7", "Marbella"]),
    ("Ho avuto un incidente sull'A1 vicino a Barberino di Mugello ieri.", ["A1", "Barberino di Mugello"]),
    # the town of the client's home or property
    ("Ich bin bis März dort, weil unser Haus in Uetikon am See umgebaut wird.", ["Uetikon am See"]),
    ("La mia casa di Bergamo è in ristrutturazione.", ["Bergamo"]),
    # a street "at the level of" which an incident happened; a farm name given as such
    ("Ik stond bij het stoplicht ter hoogte van de Legmeerdijk toen het gebeurde.", ["Legmeerdijk"]),
    ("Hier die Adresse unseres Bauernhofs, Hofname „Lechnerhof“, wie besprochen.", ["Lechnerhof"]),
    # the town given by its label word in a message that gives a street or a postcode
    ("Wir haben ein Haus in der Lindenstr. 9 gekauft. Die Postleitzahl ist 27472, der Ort Cuxhaven.", ["Cuxhaven"]),
    ("We kochten een huis aan de Molensingel 8. De postcode is 9877 en de plaats Kluisbergen.", ["Kluisbergen"]),
    # the town the client lives in, also in mail written in lower case
    ("Wir wohnen seit Juni nicht mehr in Bad Tölz, bitte ändern.", ["Bad Tölz"]),
    ("hoi\n\nkunnen jullie mijn gegevens aanpassen want ik woon sinds oktober niet meer in schiedam. de polis blijft hetzelfde, dank je wel alvast\n\ngroetjes", ["schiedam"]),
    ("hallo,\n\nfür unsere ferienwohnung in zingst brauche ich ab januar eine neue gebäudeversicherung, die alte läuft aus.\n\ngruß", ["zingst"]),
    # a street without its number, named by a sure street word, beside the numbered address of the message
    ("mi sono trasferito in via dell'oceano pacifico 44 00144 roma non piu in viale marconi. grazie", ["viale marconi"]),
    ("Hola, vivo en Calle Mayor 5, 28013 Madrid. Antes vivía en calle de alcalá y no en la avenida.", ["calle de alcalá"]),
    # the town the client's post goes to, also in a text written in capitals
    ("BITTE ÄNDERN SIE MEINE ADRESSE AUF HAUPSTRASSE 108A, 04416 MARKKLEEBERG UND SCHICKEN SIE KEINE POST MEHR NACH LEIPZIG-CONNEWITZ.", ["HAUPSTRASSE 108A, 04416 MARKKLEEBERG", "LEIPZIG-CONNEWITZ"]),
    ("Please stop sending letters to Harrogate, I moved last spring.", ["Harrogate"]),
    # a house or farm name in quotes right after a numbered address
    ("Property is Lot 2, 1840 Gwydir Hwy, Inverell NSW 2360 (\"Wattle Creek\" on the gate). Two sheds were damaged.", ["Wattle Creek"]),
    ("We live at 12 Mill Lane, 'Rose Cottage', and the roof leaks.", ["Rose Cottage"]),
]


@pytest.mark.parametrize("text,values", MASKED, ids=[t[:40] for t, _ in MASKED])
def test_a_town_or_street_written_apart_from_its_address_is_masked(redactor, text, values):
    masked, pm = _redact(redactor, text)
    locations = " | ".join(_locations(pm).values())
    for v in values:
        assert v not in masked, (masked, pm.mapping)
        assert v in locations, (v, pm.mapping)


@pytest.mark.parametrize(
    "text", ["Do you have an office in Leeds? I would rather come in person.", "Wir fliegen am Montag nach Paris und sind ab Freitag zurück."]
)
def test_a_town_named_alone_is_no_address_part(text):
    """The rule adds places beside a street only: alone, a town is left to the NER (which may tag it)."""
    from agent.pii.address_places import places_beside

    assert places_beside(text, []) == []


READABLE = [
    # a capitalised word of a set phrase or a holiday after a street
    ("Die Miete für die Hauptstraße 5 in Höhe von 800 Euro ist bezahlt.", "Höhe"),
    ("We moved into 12 Elm Street at Christmas and love it.", "Christmas"),
    ("Die Wohnung in der Gartenstraße 3 ist in Ordnung, danke.", "Ordnung"),
    # a month after a street
    ("The lease on 4 Mill Lane ends in March, please note.", "March"),
    # a paper size, a fuel, a form: a road number only after "on the", "auf der" …
    ("Please print the form on A4 paper and sign section B2.", "A4"),
    ("Mein Auto fährt mit E10, die Police KFZ ist bezahlt.", "E10"),
    # a street named without an incident: a branch, a shop
    ("Our branch on High Street is closed on Mondays, please use the one in the centre.", "High Street"),
    # "at home and …": a lower-case word is no street outside lower-case mail
    ("I was at home and Elm Road was closed by the police all day.", "home"),
    # a town's label word without any address in the message
    ("Die Stadt Hamburg hat die Gebühren erhöht, stimmt das?", "Hamburg"),
    # a country one lives in, and lower-case words of a kind of place or used as verbs
    ("Ik woon tijdelijk in Spanje, stuur de post graag digitaal.", "Spanje"),
    ("we live in hope that the claim will be paid soon, thanks for checking on it, it has been weeks now honestly", "hope"),
    ("ik woon nu in de stad en wil mijn polis aanpassen, kunnen jullie mij daarbij helpen want het lukt online niet", "stad"),
    # words in quotes after an address that are no name
    ("We live at 12 Mill Lane, \"quite old\" as you know, and the roof leaks.", "quite old"),
    # a region of the world is no town
    ("We mail to Europe and Asia every week.", "Europe"),
    # a sure street word without an address in the message
    ("La filiale in viale Marconi è chiusa il sabato?", "viale Marconi"),
]


@pytest.mark.parametrize("text,word", READABLE, ids=[w for _, w in READABLE])
def test_a_town_named_alone_or_a_set_phrase_after_a_street_stays_readable(redactor, text, word):
    masked, pm = _redact(redactor, text)
    assert word in masked, (masked, pm.mapping)


def test_a_dutch_given_name_on_no_list_is_a_person_before_its_surname_particles(redactor):
    masked, pm = _redact(redactor, "De aannemer, Kees van 't Hof, heeft de offerte gestuurd.")
    assert "Kees" not in masked and "Hof" not in masked, masked
    assert "Kees van 't Hof" in pm.mapping.values(), pm.mapping


@pytest.mark.parametrize("text", ["De Raad van State heeft beslist.", "Het Huis van de Toekomst opent in mei.", "De Vereniging van de Eigenaars vergadert."])
def test_a_body_named_with_van_is_no_person(redactor, text):
    masked, pm = _redact(redactor, text)
    assert not [v for ph, v in pm.mapping.items() if ph.startswith("<PERSON")], pm.mapping
