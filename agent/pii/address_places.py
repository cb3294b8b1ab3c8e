"""Address parts written apart from their street: the town after (or before) a street, and the
streets of an intersection.

Clients describe a property or an accident in running text rather than as a postal block:
"das war in der Schillerstr. 44 in Augsburg", "la casa è in via Santa Lucia, numero 31, a Gubbio,
in provincia di Perugia", "op de kruising van de Erasmusweg en de Loosduinseweg in Den Haag",
"our holiday home, which is in Lahinch, on the Coast Road". The street and its town together locate
the client's home or the place of an incident, so each part is a LOCATION (the labelling rule of
``evaluation/data/pii/README.md``: "when other words come between its parts each part is its own
span"), while a town named on its own ("our London office", "flights to Paris") is not.

:func:`places_beside` runs at the end of :func:`agent.pii.address_joining.join_address_parts`:

- **intersections** (``_INTERSECTION``): two street names after an intersection word ("corner of",
  "intersection of", "junction of", de "Ecke"/"Kreuzung", fr "angle"/"carrefour"/"croisement",
  it "angolo"/"incrocio", es "esquina"/"cruce", nl "kruising"/"hoek"), each its own LOCATION:
  an intersection is how police reports and claim forms (for example the European Accident
  Statement, field 2 "Location") locate an accident when there is no house number;
- **the town after a street** (``_TOWN_AFTER``): a LOCATION that is a street (a street word or a
  house number) followed in the same clause by a locative preposition and a capitalised place name
  ("in", "at", "near", "à", "a", "en", "te", "bij", "bei", "près de", "vicino a", "in provincia
  di"), repeated so a region after the town is taken too ("a Gubbio, in provincia di Perugia");
- **the town before a street** (``_TOWN_BEFORE``): "in Lahinch, on the Coast Road";
- **a numbered road** after "on the", "auf der", "op de", "en la", "sull'" (``_ON_ROAD``), the town
  it passes ("near Witney") and its exit ("Ausfahrt Ulm-West", ``_EXIT``);
- **the town of the client's home** ("unser Haus in Uetikon am See", ``_HOME_IN``) and the town the
  client lives in ("ik woon … in Schiedam", ``_LIVES_IN``; not a country), also in mail written in
  lower case (``_lower_case_mail``);
- **a street "at the level of" which** an incident happened ("ter hoogte van de Legmeerdijk",
  ``_AT_LEVEL_OF``), and a farm or house name given as such ("Hofname „Lechnerhof“", ``_HOUSE_NAMED``)
  or in quotes after a numbered address ("… NSW 2360 ("Wattle Creek" on the gate)", ``_QUOTED_NAME_AFTER``);
- **a street named where an incident happened** (``_ON_STREET`` in a sentence with an incident word,
  ``_INCIDENT_WORDS``: "the accident happened on MG Road near Trinity Circle") and "at <street> and
  <street>" (``_AT_CROSSING``: "at broadway and w 96th st");
- **the town the client's post goes to** ("keine Post mehr nach Leipzig-Connewitz", ``_POST_TO``);
- **a town of GeoNames' gazetteer** beside a numbered address, last (:mod:`agent.pii.address_towns`);
- **a town given by its label word** ("der Ort Cuxhaven", "de plaats Kluisbergen", ``_TOWN_LABEL``)
  in a message that gives a street or a postcode.

A place name is one to four capitalised words (particles such as "de", "am", "sur", "op" between
them) that does not end in a stop word, holds no month, weekday or word of a set phrase
(``_NOT_PLACE``: "in Höhe von", "at Christmas") and is no German or Dutch abstract noun ("in
Ordnung", "in Zukunft": the suffixes of ``_NOT_PLACE_SUFFIX``). The English and French lexicons
are not asked: they hold many towns ("Flagstaff", "Salerno", "Reading", "Nice"), and beside a
street a capitalised word is a town far more often than a common noun.
"""

from __future__ import annotations

import re

from agent.pii.address_formats import (
    _STREET_WORD,  # a street word of any of the languages, as the address joiner uses it
    CAP,
    EN_STREETS,
    PREFIX_STREETS,
    SUFFIX_STREETS,
    L,
    U,
)
from agent.pii.address_growth import _new_span
from agent.pii.address_words import country_names

# A place name: capitalised words joined by a space or hyphen, with the particles of place names
# between them ("Den Haag", "Bergen op Zoom", "Saint-Malo", "Castel San Pietro", "Frankfurt am Main",
# "Stratford-upon-Avon", "San Donà di Piave", "Villeneuve-sur-Lot").
_PARTICLE = r"(?:am|an|ob|der|de|den|la|le|les|los|las|lès|sur|en|del|di|da|sul|sulla|im|bei|sous|upon|on|op|aan|ter|ten|van|y|i)"
# A word of it ends before a full stop unless it is an abbreviation of "Saint" ("St. Gallen", "Ste. Foy").
_PLACE_WORD = rf"(?:St\.|Ste\.|[{U}][{U}{L}'’]*)"
PLACE = rf"(?-i:{_PLACE_WORD}(?:(?:[ \t]|-)(?:{_PARTICLE}(?:[ \t]|-)){{0,2}}{_PLACE_WORD}){{0,3}})"
# Locative prepositions before a town, per language served (en, de, fr, it, es, nl).
_TO_TOWN = (
    r"in|at|near|outside|in[ \t]+the[ \t]+(?:town|village|city)[ \t]+of|bei|nahe|nähe[ \t]+von|in[ \t]+der[ \t]+nähe[ \t]+von|"
    r"à|a|ad|en|près[ \t]+de|dans[ \t]+la[ \t]+commune[ \t]+de|vicino[ \t]+a|presso|nel[ \t]+comune[ \t]+di|in[ \t]+provincia[ \t]+di|"
    r"provincia[ \t]+di|cerca[ \t]+de|te|bij|nabij|in[ \t]+de[ \t]+buurt[ \t]+van|gemeente|comune[ \t]+di|"
    # where on a road: "a la altura de", "à hauteur de", "ter hoogte van", "all'altezza di", "Höhe"
    r"a[ \t]+la[ \t]+altura[ \t]+de|à[ \t]+(?:la[ \t]+)?hauteur[ \t]+de|ter[ \t]+hoogte[ \t]+van|all['’]altezza[ \t]+di|(?:auf[ \t]+)?höhe|just[ \t]+outside"
)
# "Hermanstraße 12a, ebenfalls in <Augsburg>": an adverb of "also" between the street and its town.
_ALSO = r"(?:[ \t]*,?[ \t]*(?:ebenfalls|auch|also|too|aussi|également|anche|pure|también|ook|eveneens|tevens))"
# "Hoofdweg 212a. Dat ligt in <Nieuw-Beerta>", "…, which is in <Ennis>": a short clause that says where
# the street lies, in the next sentence at most.
_LIES = (
    r"(?:[.,;]?[ \t]+(?:(?:dat|dit|het|die|das|es|which|that|it|this|ce|cela|c'|che|que|lo[ \t]+que|esto)[ \t]*)?"
    r"(?:ligt|is|liegt|befindet[ \t]+sich|'s|est|se[ \t]+trouve|è|si[ \t]+trova|está|se[ \t]+encuentra|queda)"
    r"(?:[ \t]+(?:ook|auch|also|aussi|anche|también|gewoon|just))?)"
)
_TOWN_AFTER = re.compile(rf"(?:{_LIES}|{_ALSO}|[ \t]*,?)[ \t]*(?:{_TO_TOWN})[ \t]+(?P<t>{PLACE})(?![\w'’-])", re.IGNORECASE)
# In mail written in lower case the town after the street is lower case too ("ul. kwiatowa 17 m. 4 in <gdańsk>").
_TOWN_AFTER_LOWER = re.compile(rf"[ \t]*,?[ \t]*(?:in|near|à|en|te|bij|bei|w)[ \t]+(?P<t>[{L}][{L}'’]+(?:-[{L}][{L}'’]+)?)(?![\w'’-])")
# "in <Lahinch>, on the Coast Road", "a <Lecce>, in via Roma": a town, a comma, then the street's preposition.
_TOWN_BEFORE = re.compile(
    rf"(?<![\w])(?:in|à|a|en|te)[ \t]+(?P<t>{PLACE})[ \t]*,[ \t]*(?:on|at|in|auf|an|op|aan|sur|dans|en|in)(?:[ \t]+(?:the|der|die|dem|de|la|le|l'|het))?[ \t]*\Z",
    re.IGNORECASE,
)

# A numbered road as the national road authorities number them: UK A/B/M roads (DfT), Irish N/R/M
# roads (TII), German A (Autobahn) and B (Bundesstraße), Dutch and Belgian A/N/R/E roads, French A/N/D
# (RN, RD), Spanish A-/AP-/N-/M-/C- (Ministerio de Transportes, "Catálogo de la Red de Carreteras"),
# Italian A/SS/SR/SP (ANAS), European E roads; US Interstates, US and state routes. Only after a
# preposition and its article ("on the A40", "auf der A8", "op de N201", "en la A-7", "sull'A1",
# "sur l'A6"; a US route also without: "on I-95"): "on A4 paper" is a paper size, "mit E10" a fuel.
ROAD = r"(?-i:(?:A|B|M|N|R|E|D|RN|RD|AP|SS|SR|SP|C)(?:-|[ \t])?\d{1,4}(?:[ \t]?\(M\))?(?![\w-]))"
US_ROAD = r"(?-i:(?:I-|US[ \t]|SR[ \t]|Route[ \t]|Highway[ \t]|Hwy[ \t]|Interstate[ \t])\d{1,4}(?![\w-]))"
_ON_ROAD = re.compile(
    rf"(?<![\w])(?:on|along|off|onto|auf|an|op|langs|en|por|sur|sulla|lungo|nella)[ \t]+(?:the|der|de|la|le|el)[ \t]+(?P<a>{ROAD})"
    rf"|(?<![\w])(?:sull|sur[ \t]+l|lungo[ \t]+l|nell)['’](?P<b>{ROAD})"
    rf"|(?<![\w])(?:on|along|off|onto)[ \t]+(?:the[ \t]+)?(?P<c>{US_ROAD})",
    re.IGNORECASE,
)
# A motorway exit or junction is named after its town ("kurz vor der Ausfahrt <Ulm-West>", "at junction
# <Witney>"): within the sentence of a road.
_EXIT = re.compile(
    rf"[^.!?\n]{{0,80}}?(?<![\w])(?:ausfahrt|anschlussstelle|abfahrt|exit|junction|afrit|sortie|uscita|casello[ \t]+di|salida)[ \t]+(?:(?:der|de|la|el|du|di|of|van)[ \t]+)?(?P<t>{PLACE})(?![\w'’-])",
    re.IGNORECASE,
)
# "unser Haus in <Uetikon am See>", "la mia casa di <Bergamo>", "een kot in <Leuven>", "our holiday home in
# <Lahinch>", "my old address in <Thessaloniki>", "our place in <braga>": the town of the client's home or
# property (the labelling rule of evaluation/data/pii).
_HOME_WORDS = (
    r"house|home|holiday[ \t]+home|cottage|flat|apartment|property|farm|haus|wohnung|ferienwohnung|ferienhaus|hof|"
    r"maison|appartement|résidence[ \t]+secondaire|gîte|casa|villa|appartamento|piso|finca|huis|woning|vakantiewoning|"
    r"vakantiehuis|kot|appartementje"
)
_HOME_IN = re.compile(
    rf"(?<![\w])(?:{_HOME_WORDS}|(?:old|new|previous|former|current)[ \t]+address|(?:our|my|their|his|her)[ \t]+place)[ \t]+(?:(?:is|ist|est|è|es|está|staat|ligt|liegt|steht)[ \t]+)?(?:in|at|near|di|à|en|te|bij|bei)[ \t]+(?P<t>{PLACE})(?![\w'’-])",
    re.IGNORECASE,
)
# "ik woon sinds oktober niet meer in <schiedam>", "we live in <Leeds>", "j'habite à <Lyon>": the town the
# client lives in, up to four words after the verb.
_LIVE = (
    r"live|lives|lived|living|wohne|wohnen|wohnt|wohnte|wohnten|woon|wonen|woont|woonde|woonden|habite|habitons|habitait|"
    r"vivo|vivimos|vive|vivía|abito|abitiamo|abita|abitavo|resido|reside|resides|residing"
)
# In mail written all in lower case ("hoi … in schiedam"), a place is lower-case words no lexicon knows.
# (a second word only after a hyphen or a particle: "capelle aan den ijssel", "stratford-upon-avon";
# "in whitby and my son" is one town)
# The generic last word of many suburb and town names ("harris park", "bondi beach", "box hill", "glen
# waverley" has none): the feature types of the gazetteers of Australia, New Zealand, the UK and the US.
_PLACE_SUFFIX = r"park|heights|hill|hills|beach|valley|creek|springs|island|point|bay|vale|grove|gardens|downs|green|heath|ridge|falls|harbour|harbor"
_LOWER_PLACE = rf"[{L}][{L}'’]+(?:(?:-|[ \t](?:{_PARTICLE}[ \t]){{1,2}})[{L}][{L}'’]+){{0,2}}(?:[ \t](?:{_PLACE_SUFFIX}))?"
_LIVES_BEFORE = rf"(?<![\w])(?:{_LIVE})(?:[ \t]+[\w'’]+){{0,4}}?[ \t]+(?:in|à|en|a|te)[ \t]+"
_LIVES_IN = re.compile(rf"{_LIVES_BEFORE}(?P<t>{PLACE})(?![\w'’-])", re.IGNORECASE)
# "I moved from <Kendall> in January", "we relocated to <Doral>": the client's former or new home town
# (a country is refused where the matches are used).
_MOVED = re.compile(
    rf"(?<![\w])(?:moved|relocated|emigrated|umgezogen|déménagé|trasferit[oaie]|verhuisd|mudado|mudamos)(?:[ \t]+(?:here|back|house|away|out))?"
    rf"[ \t]+(?:from|to|von|nach|de|à|da|a|van|naar)[ \t]+(?P<t>{PLACE})(?![\w'’-])",
    re.IGNORECASE,
)
# "new is Flat 12, …, Bangalore-560048, old was <Hyderabad>": the former home town named after the new address
_OLD_WAS = re.compile(
    rf"(?<![\w])(?:old|previous|former)(?:[ \t]+(?:address|one|home|place))?[ \t]+(?:was|is)[ \t]*:?[ \t]*(?P<t>{PLACE})(?![\w'’-])",
    re.IGNORECASE,
)
_LIVES_IN_LOWER = re.compile(rf"{_LIVES_BEFORE}(?P<t>{_LOWER_PLACE})(?![\w'’-])", re.IGNORECASE)
# A lower-case suburb with its generic last word after a home word, in any mail ("from my home in harris
# park", "our house in glen iris valley"): the suffix says it is a place.
_HOME_IN_SUFFIXED = re.compile(
    rf"(?<![\w])(?:{_HOME_WORDS})[ \t]+(?:in|at|near)[ \t]+(?!(?:the|a|an|my|our|your|their|his|her|this|that)[ \t])"
    rf"(?P<t>[{L}][{L}'’]+(?:[ \t][{L}][{L}'’]+)?[ \t](?:{_PLACE_SUFFIX}))(?![\w'’-])"
)
_HOME_IN_LOWER = re.compile(
    rf"(?<![\w])(?:{_HOME_WORDS}|(?:old|new|previous|former|current)[ \t]+address|(?:our|my|their|his|her)[ \t]+place)[ \t]+(?:in|at|near|di|à|en|te|bij|bei)[ \t]+(?P<t>{_LOWER_PLACE})(?![\w'’-])", re.IGNORECASE
)

# The name of a street in an intersection: a street word before or after capitalised words, or
# capitalised words alone ("corner of Main and Elm"), or an ordinal ("5th Ave", "Fifth Avenue").
_ARTICLE = r"(?:the|la|le|l'|de|del|della|di|du|des|der|het)"
_STREET_AFTER_NAME = rf"(?:{EN_STREETS}|{PREFIX_STREETS})"
_NAMED = rf"(?-i:(?:[NSEW]\.?[ \t]+)?(?:\d{{1,3}}(?:st|nd|rd|th)|{CAP})(?:[ \t]+(?-i:{CAP})){{0,3}})"  # "E 5th St": a directional
_STREET_NAME = (
    rf"(?:(?:{PREFIX_STREETS})[ \t]+(?:(?:{_ARTICLE})[ \t]+)?{_NAMED}"  # "via Roma", "rue de la Paix", "calle Mayor"
    rf"|(?-i:[{U}][{U}{L}-]*)(?:{SUFFIX_STREETS})"  # "Erasmusweg", "Schillerstraße"
    rf"|{_NAMED}(?:[ \t]+(?:{_STREET_AFTER_NAME})(?![\w]))?)"  # "Elm Street", "5th Ave", "Main"
)
_STREET = rf"(?:(?:{_ARTICLE})[ \t]+)?(?P<GROUP>{_STREET_NAME})"
# A street named by its street word only (no bare capitalised words): "Legmeerdijk", "boulevard Carnot", "Elm Street".
_STREET_WORD_NAME = (
    rf"(?:(?:{PREFIX_STREETS})[ \t]+(?:(?:{_ARTICLE})[ \t]+)?{_NAMED}|(?-i:[{U}][{U}{L}-]*)(?:{SUFFIX_STREETS})|{_NAMED}[ \t]+(?:{EN_STREETS})\.?)"
)
_CROSSING_WORD = (
    r"corner[ \t]+of|intersection[ \t]+of|junction[ \t]+of|crossroads[ \t]+of|"
    r"ecke|kreuzung|einmündung|"
    r"angle[ \t]+(?:de|du|des)|l'angle[ \t]+(?:de|du|des)|carrefour[ \t]+(?:de|du|des|entre)|croisement[ \t]+(?:de|du|des|entre)|"
    r"angolo[ \t]+(?:tra|fra|di|con)|all'angolo[ \t]+(?:tra|fra|di|con)|incrocio[ \t]+(?:tra|fra|di|con)|"
    r"esquina[ \t]+(?:de|entre)|cruce[ \t]+(?:de|entre)|"
    r"kruising[ \t]+(?:van)?|hoek[ \t]+(?:van)?"
)
# "my old address on <Kellogg Ave>", "unsere alte Adresse in der <Gartenstraße>": a street without a
# number named as the client's address.
_ADDRESS_WORD = r"address|adresse|anschrift|wohnung|indirizzo|casa|dirección|domicilio|adres|woning|house|home|flat|apartment|appartement|maison"
_ADDRESS_ON = re.compile(
    rf"(?<![\w])(?:{_ADDRESS_WORD})[ \t]+(?:(?:is|was|ist|war|est|était|è|era|es)[ \t]+)?(?:on|at|in|an|auf|im|in[ \t]+der|am|à|dans|en|a|op|aan)[ \t]+"
    rf"(?:(?:{_ARTICLE})[ \t]+)?(?P<a>{_STREET_WORD_NAME})(?![\w])",
    re.IGNORECASE,
)
# "non più in <viale marconi>", "me mudé de <calle alcalá>": in a message that gives a numbered address, a
# street without its number after a preposition, named by a street word that is no word of a sentence
# (not "via", "corso", "rue", "place"), in any case: the client's earlier or other address.
_SURE_STREET_WORDS = r"viale|vicolo|piazzale|lungomare|lungotevere|calle|avenida|paseo|boulevard|chaussée|laan|straat|gracht"
_SURE_STREET_IN = re.compile(
    rf"(?<![\w])(?:in|da|dal|dalla|nel|nella|en|de|desde|à|dans[ \t]+la|in[ \t]+de|op[ \t]+de|aan[ \t]+de)[ \t]+"
    rf"(?P<a>(?:{_SURE_STREET_WORDS})[ \t]+(?:(?:{_ARTICLE})[ \t]+)?[{U}{L}][{L}'’-]+(?:[ \t]+[{U}{L}][{L}'’-]+)?)(?![\w])",
    re.IGNORECASE,
)
# A house or farm name in quotes right after a numbered address ("1840 Gwydir Hwy, Inverell NSW 2360
# (<"Wattle Creek"> on the gate)", "12 Mill Lane, 'Rose Cottage'"): the building name of Royal Mail's PAF
# and Australia Post's rural addresses, written where the client adds it.
_QUOTED_NAME_AFTER = re.compile(rf"[ \t]*[,(]?[ \t]*[\"“‘„«'](?P<t>{PLACE})[\"”’“»']")
# "schicken Sie keine Post mehr nach <Leipzig-Connewitz>", "stop sending letters to <Harrogate>", "envoyez le
# courrier à <Vevey>": the town the client's post goes to is where they live (a part of their address).
_POST_TO = re.compile(
    rf"(?<![\w])(?:post|mail|letters?|statements?|briefe?|postsendungen|courriers?|lettres?|correo|cartas?|posta|lettere|brieven|correspondentie)"
    rf"(?:[ \t]+[\w'’]+){{0,3}}?[ \t]+(?:nach|to|naar|à|a|en|in)[ \t]+(?P<t>{PLACE})(?![\w'’-])",
    re.IGNORECASE,
)
# "bij het stoplicht ter hoogte van de <Legmeerdijk>", "auf Höhe der <Lindenallee>", "à hauteur du <boulevard
# Carnot>", "a la altura de la <calle Alcalá>": "at the level of" locates an incident on a street precisely;
# the street is named by a street word (a bare capitalised word after these phrases may be a shop or a sign).
_AT_LEVEL_OF = re.compile(
    rf"(?<![\w])(?:ter[ \t]+hoogte[ \t]+van|(?:auf[ \t]+)?höhe|à[ \t]+(?:la[ \t]+)?hauteur|a[ \t]+la[ \t]+altura|all['’]altezza|at[ \t]+the[ \t]+junction[ \t]+with|just[ \t]+off)"
    rf"(?:[ \t]+(?:de|der|des|du|di|del|de[ \t]+la|of))?(?:[ \t]+(?:{_ARTICLE}))?[ \t]*(?P<a>{_STREET_WORD_NAME})(?![\w])",
    re.IGNORECASE,
)
# A farm or house name given as such ("Hofname „Lechnerhof“", "house name: Rose Cottage"): it stands for
# the address in rural post (Royal Mail PAF "building name"; Austrian and Bavarian "Hofname").
_HOUSE_NAMED = re.compile(
    rf"(?<![\w])(?:hofname|hausname|house[ \t]+name|farm[ \t]+name|property[ \t]+name|nom[ \t]+de[ \t]+la[ \t]+(?:ferme|propriété|maison)|"
    rf"naam[ \t]+van[ \t]+de[ \t]+(?:boerderij|woning)|nome[ \t]+del[ \t]+(?:podere|casale)|nombre[ \t]+de[ \t]+la[ \t]+finca)[ \t]*:?[ \t]*[„\"“‚«'’]?[ \t]*(?P<t>{PLACE})",
    re.IGNORECASE,
)
# "Die Postleitzahl ist 69653, der Ort <Cuxhaven>", "de postcode is 9877 en de plaats <Kluisbergen>": the
# town given by its label word, in a message that gives a street or a postcode (an address in parts).
_TOWN_LABEL = re.compile(
    r"(?<![\w])(?:(?:der|de|la|el|il|the)[ \t]+)?(?:ort|wohnort|stadt|gemeinde|plaats|woonplaats|gemeente|ville|commune|localité|"
    r"città|comune|località|ciudad|localidad|municipio|población|town|city|suburb)"
    rf"[ \t]*(?::|[ \t](?:is|ist|est|è|es|lautet))?[ \t]+(?P<t>{PLACE})(?![\w'’-])",
    re.IGNORECASE,
)
# A street named where an incident happened, in a sentence that says so ("the accident happened on MG Road
# near Trinity Circle", "der Unfall war auf der Bahnhofstraße", "l'incidente è avvenuto in via Verdi"):
# the place of an accident or a loss is part of the claim, as the European Accident Statement's field 2
# ("Location") and every insurer's claim form ask for it. Only streets named by a street word.
_INCIDENT_WORDS = frozenset(
    "accident collision crash crashed happened incident hit rear-ended sideswiped knocked fell slipped stolen "
    "smashed broke broken robbed theft burgled mugged vandalised vandalized damaged dented scratched keyed "
    "unfall zusammenstoß passiert gestohlen aanrijding ongeluk ongeval gebeurd gestolen sinistre volé "
    "incidente sinistro tamponato rubato accidente choque siniestro robado".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
_ON_STREET = re.compile(
    rf"(?<![\w])(?:on|at|near|along|auf|an|in|op|bij|aan|sur|près[ \t]+de|dans|su|sulla|nella|vicino[ \t]+a|en|cerca[ \t]+de|por)"
    rf"(?:[ \t]+(?:the|der|die|dem|de|het|la|le|l'|el|il|lo))?[ \t]+(?P<a>{_STREET_WORD_NAME})(?![\w])",
    re.IGNORECASE,
)
# "at Main and 5th Ave", "at broadway and w 96th st": "at" + a street name + "and" + a street with its street
# word is an intersection too (US usage); in lower-case mail both names may be lower case.
_AT_CROSSING = re.compile(
    rf"(?<![\w])at[ \t]+(?P<a>{_NAMED}|[{L}]{{3,}})[ \t]+(?:and|&)[ \t]+(?P<b>(?:[NSEWnsew]\.?[ \t]+)?(?:\d{{1,3}}(?:st|nd|rd|th)|{CAP}|[{L}]{{3,}})(?:[ \t]+(?:{CAP}|[{L}]{{3,}}))?[ \t]+(?i:{EN_STREETS})\.?)(?![\w])",
)
# Lower-case mail: "near main st and kingsway in burnaby", "at king rd and queen st": a street with its
# street word, "and", another street (with its street word or a compound on "-way"/"-road"/"-street"), and
# the town after "in" (an intersection as police reports and claims forms give an accident's place).
_LOWER_CROSSING = re.compile(
    rf"(?<![\w])(?:at|near|on|by)[ \t]+(?P<a>[{L}]{{3,}}(?:[ \t][{L}]{{3,}})?[ \t]+(?:{EN_STREETS})\.?)[ \t]+(?:and|&)[ \t]+"
    rf"(?P<b>[{L}]{{3,}}(?:way|road|street)|[{L}]{{3,}}(?:[ \t][{L}]{{3,}})?[ \t]+(?:{EN_STREETS})\.?)(?![\w])"
    rf"(?:[ \t]+in[ \t]+(?P<c>[{L}][{L}'’]+(?:[ \t][{L}][{L}'’]+)?))?",
    re.IGNORECASE,
)
_INTERSECTION = re.compile(
    rf"(?<![\w])(?:{_CROSSING_WORD})[ \t]+{_STREET.replace('GROUP', 'a')}[ \t]*(?:and|&|/|und|et|e|ed|y|con|en|with)[ \t]*{_STREET.replace('GROUP', 'b')}",
    re.IGNORECASE,
)
_MONTHS_DAYS = frozenset(
    "january february march april may june july august september october november december monday tuesday wednesday "
    "thursday friday saturday sunday januar februar märz april mai juni juli august oktober dezember montag dienstag "
    "mittwoch donnerstag freitag samstag sonntag janvier février mars avril juin juillet août septembre octobre novembre "
    "décembre lundi mardi mercredi jeudi vendredi samedi dimanche gennaio febbraio marzo aprile maggio giugno luglio "
    "agosto settembre ottobre dicembre lunedì martedì mercoledì giovedì venerdì sabato domenica enero febrero marzo abril "
    "mayo junio julio agosto septiembre octubre noviembre diciembre lunes martes miércoles jueves viernes sábado domingo "
    "januari februari maart mei augustus maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split()
)
# German (and Dutch) nouns are capitalised; abstract nouns after "in" ("in Ordnung", "in Zukunft",
# "in Rechnung", "in Bearbeitung") are no place: the suffixes that form abstract nouns in German
# (Duden, "Wortbildung": -ung, -heit, -keit, -schaft, -tion, -tät, -nis, -tum) and Dutch (-heid, -ing).
_NOT_PLACE_SUFFIX = re.compile(r"(?:ung|heit|keit|schaft|tion|tät|nis|tum|heid|ing|ismus)$", re.IGNORECASE)
# Capitalised words that follow "in"/"at"/"à" in running text without naming a place: German nouns of
# set phrases ("in Höhe von", "in Kopie", "in Raten", "in Kraft", "in Anspruch", "in Anlage"), holidays
# ("at Christmas", "à Noël") and a few English/French nouns clients capitalise ("in Cash", "in Person").
_NOT_PLACE = frozenset(
    "höhe kopie raten kraft anspruch anlage auftrag zukunft frage absprache rücksprache kürze ruhe eile betrieb form "
    "teilen summe euro eur usd gbp chf cash person total christmas easter xmas noël noel pâques natale pasqua navidad "
    "pascua kerst kerstmis pasen weihnachten ostern".split()
)


_KIND_OF_PLACE = frozenset("town city village country countryside suburbs stadt dorf land ville village campagne città paese campagna ciudad pueblo campo stad dorp buitenland".split())


def _place_ok(value: str, abstract_suffix: bool = True) -> bool:
    """True when ``value`` (a :data:`PLACE` match) can be a town: see the module docstring. With
    ``abstract_suffix`` false a last word on "-ing" or "-ung" is no objection (a town of the gazetteer:
    "Eferding", "Straubing")."""
    from agent.pii.names import WORLD_REGIONS
    from agent.pii.words import stop_words

    words = [w for w in re.split(r"[ \t-]+", value) if w]
    last = words[-1].casefold()
    if value.casefold() in WORLD_REGIONS:
        return False  # "we mail to Europe", "we live in Asia": a region of the world, no town
    if len(words) == 1 and last in stop_words() or any(w.casefold() in _MONTHS_DAYS or w.casefold() in _NOT_PLACE for w in words) or abstract_suffix and _NOT_PLACE_SUFFIX.search(last):
        return False
    if len(words) == 1 and value.isupper() and len(value) <= 3:
        return False  # "at ABC": an acronym, no town
    if value.islower():
        # lower-case mail ("in zingst", "in schiedam"): the lexicons hold towns too ("leeds", "schiedam"), so a
        # word is refused only when English uses it as a verb or adjective ("in fear", "in hope", "in rent")
        # or it names a kind of place ("in town", "in der stadt")
        from agent.pii.words import english_parts_of_speech

        if len(words) > 1 and re.fullmatch(_PLACE_SUFFIX, words[-1]):
            words = words[:-1]  # "harris park": the suburb's generic last word may be a verb of English
        return not any(english_parts_of_speech(w) & {"verb", "adj", "adv"} or w in _KIND_OF_PLACE for w in words)
    return True


# the first letter of a sentence: the text's, a line's, or after a full stop, "!" or "?"
_SENTENCE_START = re.compile(r"(?:\A|\n|[.!?][ \t]+)[ \t>*•-]*(?P<c>[^\W\d_])")


def _lower_case_mail(text: str) -> bool:
    """True for mail written in lower case: under 1 % of its letters are capitals, or every sentence
    (three at least) starts in lower case ("kia ora, we bought a cottage at 9 Wiltshire St … we still own
    the flat in dunedin": a writer who capitalises no sentence writes a town as it comes, though the
    street names copied from a letter have capitals), codes such as an IBAN or a postcode ("DE87 3704 …",
    "2903 LR") and lines that are only a greeting or a sign-off left out."""
    from agent.pii.name_context import _greeting_or_signoff_line

    line = _greeting_or_signoff_line()  # "Hello," and "Kind regards" of a template around a lower-case body do not count
    kept = "\n".join(x for x in text.split("\n") if not line.fullmatch(x))
    words = [w for w in _WORD.findall(kept) if not (w.isupper() and len(w) <= 3)]  # codes: "DE87", "LR", "NY"
    letters = sum(map(len, words))
    if letters < 40:
        return False
    if sum(1 for w in words if not w.islower() for c in w if c.isupper()) < letters / 100:
        return True
    starts = [m.group("c") for m in _SENTENCE_START.finditer(kept.strip())]
    return len(starts) >= 3 and all(c.islower() for c in starts)


def _is_street(s) -> bool:
    return s.entity == "LOCATION" and (any(c.isdigit() for c in s.value) or bool(_STREET_WORD.search(s.value)))


def _free(spans: list, lo: int, hi: int) -> bool:
    """True when no span overlaps ``[lo, hi)`` except names and places lying inside it ("via <Roma>": the
    street's name taken for a person; "Long <Melford>": a part of the town's name), which the caller drops."""
    return not any(x.start < hi and lo < x.end and not _inside(x, lo, hi) for x in spans)


def _inside(x, lo: int, hi: int) -> bool:
    """A name, or a place that is no street, lying inside ``[lo, hi)`` and shorter than it."""
    if x.entity == "PERSON":
        return lo <= x.start and x.end <= hi
    return x.entity == "LOCATION" and lo <= x.start and x.end <= hi and x.end - x.start < hi - lo and not _is_street(x)


def _add(out: list, span) -> list:
    return [x for x in out if not (x.start < span.end and span.start < x.end)] + [span]


def places_beside(text: str, spans: list) -> list:
    """``spans`` (non-overlapping ``agent.redaction.PiiSpan`` in reading order) with a LOCATION span
    added for each intersection street and each town written beside a street (module docstring),
    where no other span is. Pure function of ``text`` and ``spans``; idempotent."""
    out = list(spans)
    for m in _INTERSECTION.finditer(text):
        # a street pattern may have taken a piece of the intersection ("the corner of Wayne Ave and E"): replaced
        out = [x for x in out if not (x.entity == "LOCATION" and m.start() - 6 <= x.start and x.end <= m.end() and x.start < m.end())]
        for g in ("a", "b"):
            lo, hi = m.span(g)
            if _free(out, lo, hi) and text[lo:hi].casefold() not in _MONTHS_DAYS:
                out = _add(out, _place(text, lo, hi))
    incidents = [m.start() for m in _WORD.finditer(text) if m.group().casefold() in _INCIDENT_WORDS]  # most mail names none
    for sentence in re.finditer(r"[^.!?\n]+", text) if incidents else ():
        if not any(sentence.start() <= i < sentence.end() for i in incidents):
            continue
        for m in _ON_STREET.finditer(text, sentence.start(), sentence.end()):
            lo, hi = m.span("a")
            if _free(out, lo, hi) and hi <= sentence.end():
                out = _add(out, _place(text, lo, hi))
    lower = _lower_case_mail(text)
    for m in _AT_CROSSING.finditer(text):
        a, b = m.group("a"), m.group("b")
        if (a.islower() or b.islower()) and not lower or a.casefold() in _MONTHS_DAYS or a.casefold() in _NOT_PLACE:
            continue  # lower-case names only in mail written in lower case ("at home and …" is no street)
        for g in ("a", "b"):
            lo, hi = m.span(g)
            if _free(out, lo, hi):
                out = _add(out, _place(text, lo, hi))
    if lower:
        for m in _LOWER_CROSSING.finditer(text):
            if any(_stop(w) for w in m.group("a").split()[:-1] + m.group("b").split()[:1]):
                continue  # "at the st …", "near main st and then …": a sentence's words
            groups = ["a", "b"] + (["c"] if m.group("c") and not _stop(m.group("c").split()[0]) and _place_ok(m.group("c")) else [])
            for g in groups:
                lo, hi = m.span(g)
                if _free(out, lo, hi):
                    out = _add(out, _place(text, lo, hi))
    towns = [_HOME_IN, _LIVES_IN, _MOVED, _HOME_IN_SUFFIXED] + ([_HOME_IN_LOWER, _LIVES_IN_LOWER] if lower else [])
    if any(x.entity == "LOCATION" and any(c.isdigit() for c in x.value) for x in out):
        towns += [_TOWN_LABEL, _OLD_WAS]  # (the former town only beside a new address: "my old one was Broken" is a word)
        for m in _SURE_STREET_IN.finditer(text):
            lo, hi = m.span("a")
            words = text[lo:hi].split()
            if len(words) > 2 and _stop(words[-1]):
                hi = lo + len(" ".join(words[:-1]))  # "in viale marconi non": the name ends before a stop word
            if not _stop(text[lo:hi].split()[-1]) and _free(out, lo, hi):
                out = _add(out, _place(text, lo, hi))
    for rx, group in [(_ADDRESS_ON, "a"), (_AT_LEVEL_OF, "a"), (_HOUSE_NAMED, "t"), (_POST_TO, "t")] + [(rx, "t") for rx in towns]:
        for m in rx.finditer(text):
            lo, hi = m.span(group)
            if _free(out, lo, hi) and (group == "a" or _place_ok(m.group(group)) and m.group(group).casefold() not in country_names()):
                out = _add(out, _place(text, lo, hi))
    for s in [x for x in out if x.entity == "LOCATION" and any(c.isdigit() for c in x.value)]:
        m = _QUOTED_NAME_AFTER.match(text, s.end)
        if m and _free(out, *m.span("t")) and _place_ok(m.group("t")):
            out = _add(out, _place(text, *m.span("t")))
    for m in _ON_ROAD.finditer(text):
        lo, hi = next(m.span(g) for g in ("a", "b", "c") if m.group(g))
        if _free(out, lo, hi):
            out = _add(out, _place(text, lo, hi))
        e = _EXIT.match(text, hi)
        if e and _free(out, *e.span("t")) and _place_ok(e.group("t")):
            out = _add(out, _place(text, *e.span("t")))
    if any(x.entity == "LOCATION" and any(c.isdigit() for c in x.value) for x in out):
        from agent.pii.address_towns import towns_of_gazetteer

        out = towns_of_gazetteer(text, out, lower)  # last: the rules above know their streets and towns better
    out.sort(key=lambda x: x.start)
    grown = True
    while grown:
        grown = False
        for s in [x for x in out if _is_street(x) or x.recogniser == "AddressPlaces"]:
            m = _TOWN_AFTER.match(text, s.end) or (_TOWN_AFTER_LOWER.match(text, s.end) if lower and _is_street(s) else None)
            if m and _free(out, *m.span("t")) and _place_ok(m.group("t")):
                out = _add(out, _place(text, *m.span("t")))
                grown = True
            if not _is_street(s):
                continue
            b = _TOWN_BEFORE.search(text, max(0, s.start - 60), s.start)
            if b and _free(out, *b.span("t")) and _place_ok(b.group("t")):
                out = _add(out, _place(text, *b.span("t")))
                grown = True
        out.sort(key=lambda x: x.start)
    return out


def _stop(word: str) -> bool:
    from agent.pii.words import stop_words

    return word.casefold() in stop_words()


def _place(text: str, lo: int, hi: int):
    span = _new_span(text, lo, hi)
    return type(span)(span.entity, lo, hi, span.value, span.score, "AddressPlaces")
