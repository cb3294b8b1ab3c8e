"""Postal addresses as LOCATION: pyap2 for US, Canadian and UK addresses, patterns for EU lines.

- :class:`PyapAddressRecognizer` wraps ``pyap2`` (MIT, a maintained fork of pyap; regex-based,
  no model) as a Presidio recogniser. pyap scans slowly on long texts, so it only runs on the
  lines around an anchor (a US ZIP after a state code, a Canadian or UK postcode, or a house
  number before a street word) and the results are mapped back to the text.
- :func:`eu_address_recogniser`: street + house number lines in German, Dutch and Nordic
  (suffix words: ``Hauptstraße 12``, ``Keizersgracht 123``, ``Søndergade 52``) and French,
  Spanish and Italian (prefix words: ``14 rue de la République``, ``Calle Mayor 15``,
  ``Via Garibaldi 21``), postcode + town (``10115 Berlin``, ``1015 CJ Amsterdam``), UK and
  Canadian postcodes, US ``City, ST 12345``, and the unit lines of an address block
  (``Apt. 656``, ``Suite 501``, ``PO Box 4410``, ``Postfach 12 34``).

Scores: a street line with a house number 0.6; a postcode + town 0.5 (4-digit postcodes only
at the start of a line or after a comma or street line, so years such as "2021 Norwegian"
are not addresses). :func:`join_address_parts` then joins the parts of one address into one
placeholder, so the draft restores a whole address, and grows each address from its postcode
(:func:`_grow_from_postcodes`): the short lines above a postcode line (house, farm and village
names, an Irish county: "Rathmore House / Ballynoe / Fermoy / Co. Cork / P61 YK20"), the
comma-separated parts before a postcode and town in a sentence ("Finca El Romeral, Ctra. de
Ronda km 4, 29400 Ronda"), and lower-case addresses anchored by a postcode, an Eircode, a county
or a state + ZIP with a street, house or unit before it ("rose cottage, church lane, little
wittenham, oxon ox14 4ra"). A street name NER found next to a word for the firm's branch ("our
Baker Street office") and a product name with a number ("the Flat 20 offer") are no address.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from agent.pii.patterns import GroupPattern, GroupPatternRecognizer
from agent.pii.street_types import AU_ROAD_TYPES, MX_VIALIDADES, USPS_SUFFIXES
from agent.pii.words import is_ordinary_word

U = "A-ZÀ-ÖØ-ÞĀ-ŽΑ-ΩΆ-ΏА-ЯЁ"  # upper-case letters (Latin-1, Latin Extended-A, Greek, Cyrillic)
L = "a-zß-öø-ÿā-žα-ωά-ώа-яё"
WORD = rf"[{U}{L}][{U}{L}'’.-]*"
CAP = rf"[{U}][{U}{L}'’.-]*"
# A house number with its additions: a letter ("12A", "12 b"), a second and third number of an
# Austrian or Spanish house/stair/door ("27/3/11", "12-14"), a letter or floor after a hyphen
# (nl "12-A", "88-2hoog"), "bis"/"ter"/"quater" written apart or joined ("12 bis", be/fr
# "12bis"), or a Dutch toevoeging (``NL_ADDITION``).
# Dutch house-number additions (BAG, Kadaster: huisnummer + huisletter + huisnummertoevoeging of up
# to four characters; PostNL writes them after the number): the floor in Roman numerals ("8-III",
# "8 II"), "hs"/"huis" (ground floor), "bg"/"bel" (beletage), "boven"/"bov", "zw"/"zwart"
# (souterrain, Amsterdam), and for a houseboat "t/o" (tegenover) and "a/b" (aan boord).
NL_ADDITION = r"(?:-(?-i:I{1,3}|IV)|[ \t](?-i:II|III|IV)|[ \t-](?i:hs|huis|bg|bel|boven|bov|zw|zwart|t/o|a/b))(?![\w/])"
HOUSE = (
    r"\d{1,5}(?:\s?[a-zA-Z](?!/[a-zA-Z]))?(?:\s?[-/]\s?\d{1,5}[a-zA-Z]?){0,2}"  # a letter is no half of "t/o"
    rf"(?:-(?:\d[ \t]?(?:hoog|hg)|[a-zA-Z])(?![\w])|[ \t]?(?:bis|ter|quater)(?![\w])|{NL_ADDITION})?"
)

SUFFIX_STREETS = (
    # de / at / ch
    # ("strase": the common misspelling of "straße" when the ß is typed as one s, "hauptstrase 5")
    "straße|strasse|strase|str\\.|weg|gasse|allee|platz|damm|ufer|kai|chaussee|steig|pfad|graben|"
    # nl / be ("kaai": the Flemish quay in bpost's street names, "Vlaamsekaai", "Jordaenskaai")
    "straat|laan|plein|gracht|kade|kaai|singel|dijk|steeg|dreef|"
    # nordic
    "gade|vej|vænget|vägen|gatan|veien|gata|katu|stræti|gata"
)
# German street names that begin with a preposition ("Am Markt", "In der Halde", "Zur Linde")
DE_PREPOSITION_STREETS = "am|an der|auf dem|auf der|im|in der|zum|zur|hinter der"
PREFIX_STREETS = (
    # fr
    "rue|avenue|av\\.|bd|boulevard|place|chemin|allée|impasse|quai|cours|route|square|passage|faubourg|rond-point|"
    # be (bpost, the Brussels streets: "chaussée de Louvain", nl "steenweg")
    "chaussée|chée|"
    # es
    "calle|c/|avenida|avda\\.|paseo|plaza|pza\\.|camino|carretera|ctra\\.|ronda|travesía|glorieta|gran vía|vía|rambla|"
    # it
    "via|viale|piazza|piazzale|corso|largo|vicolo|strada|lungomare|lungotevere|contrada|"
    # it, more of ISTAT's DUG (denominazione urbanistica generica) list, as Poste Italiane's street
    # file writes them ("Borgo Fabrizia 47", "Rotonda Giosuè 553", "Stretto Lodovico 41", "Traversa Manzoni 3")
    "borgo|borgata|calata|campiello|canale|circonvallazione|discesa|fondamenta|lungolago|lungarno|piazzetta|"
    "rampa|rotonda|salita|scalinata|stradone|stretto|traversa|vico|vicoletto|"
    # it, abbreviated (Poste Italiane / ISTAT street types, DUG): corso, viale, piazza, piazzale, largo, vicolo
    "c\\.so|v\\.le|p\\.zza|p\\.za|p\\.le|l\\.go|v\\.lo|"
    # pt (CTT Correios de Portugal and Correios do Brasil street types): not a served language, but
    # Portuguese and Brazilian addresses reach an English mailbox ("Travessa de Batista, 18", "Av do Mestre de Aviz, 37")
    "rua|travessa|tv\\.|praça|praceta|alameda|estrada|rodovia|quadra|calçada|ladeira|viela|estação|urbanização|av|"
    # de / nl prefixed forms
    f"{DE_PREPOSITION_STREETS}|"
    # pl (ulica, aleja), cz / sk (náměstí, třída)
    "ul\\.|al\\.|ulica|aleja|nám\\.|náměstí|tř\\.|třída"
)
# Street suffixes that also end ordinary words ("Bahnhof", "Kanzlei", "iPad", "Ehering"): German "-ring",
# and BAG street-name suffixes ("-boulevard", "-lei" (Antwerp), "-hof", "-baan", "-pad"). A street with
# one is taken only where its address goes on or ends (``_AMBIGUOUS_END``): "Milahof 42\n",
# "Sven-Scheiber-Ring 60 in Bad Leonfelden", "Frankrijklei 70, 2000 Antwerpen"; not "Bahnhof 3 Stunden".
AMBIGUOUS_SUFFIX_STREETS = "ring|boulevard|lei|hof|baan|pad"
# The name before a suffix street word: one capitalised word before the word the street word ends
# ("Jan Steenstraat", "Bad Homburger Weg"), or a Dutch or Flemish street named after a person with a
# title and particles ("Burgemeester van Heemstralaan", "Pieter de Hoochstraat"); the title in any
# case as NEN 5825 abbreviates it for the BAG's short street names ("Burg. van Heemstralaan",
# "burg. van heemstralaan", "Dr. Kuyperstraat", "Prof. Lorentzlaan", "Mr. Visserplein").
NL_STREET_TITLES = r"burg|dr|prof|mr|ds|jhr|kon|past|weth|gen|st|pres|ir"
SUFFIX_STREET_NAME = (
    rf"(?:(?:(?-i:{CAP})|(?i:{NL_STREET_TITLES})\.)[ \t](?:(?i:van|de|der|den|ter|ten)[ \t]+){{1,2}}|(?-i:{CAP})[ -]|(?i:{NL_STREET_TITLES})\.[ \t]?)?(?-i:[{U}{L}-]*)"
)
# Street words written as a word after the name: Hungarian, Czech/Slovak, Baltic, Finnish ("Hegyalja út 98").
AFTER_STREETS = "út|utca|u\\.|körút|tér|ulice|iela|gatve|tie|katu|kuja"
EN_STREETS = (
    "street|st\\.?|road|rd\\.?|avenue|ave\\.?|lane|ln\\.?|drive|dr\\.?|boulevard|blvd\\.?|court|ct\\.?|place|pl\\.?|"
    "terrace|way|close|crescent|gardens|square|sq\\.?|hill|row|parkway|pkwy|highway|hwy|mews|grove|park|walk|green|"
    # UK / IE street words of estates and waterfronts: "14 Harbour View", "3 Castle Rise", "2 Merchants Quay"
    "view|rise|heights|quay|wharf|"
    # US street suffixes of USPS Publication 28, Appendix C1, with their standard abbreviations: "1290 Sandpiper Cir"
    "circle|cir|trail|trl|loop|alley|aly|cove|cv|crossing|xing|pike|ridge|rdg|hollow|holw|knoll|knls|landing|lndg|"
    "terr|ter|expressway|expy|freeway|fwy|turnpike|tpke|plaza|plz|commons|cmns|"
    # Australian and NZ road types with the abbreviations of AS/NZS 4819 (rural and urban addressing), Australia Post's
    # usage: "6 Banksia Cres", "14 Marine Pde", "3 Lakeside Cct", "9 Ocean Esp", "21 Hill Tce"
    "cres|parade|pde|circuit|cct|esplanade|esp|tce|crt"
)
_LINE_PREFIX = r"[ \t>?*•·|]*"  # quote marks, bullets, table bars, the "?" a lost bullet becomes
# UK / IE house names that stand for a house number ("Rosewood Cottage, 4 Church Lane"); the names of NZ and Australian
# farms and stations written as the first line of a rural address (NZ Post, rural addressing: "Pukeatua Downs / 455 … Road / RD 4").
HOUSE_NAMES = r"Downs|Homestead|Orchard|Vineyard|Cottage|House|Farm|Farmhouse|Lodge|Manor|Barn|Mill|Villa|Mansions|Court|Hall|Grange|Croft|Cottages|Bungalow|Rectory|Vicarage|Parsonage|Chapel|Stables|Forge"
UNIT = r"(?:apt|apartment|suite|ste|unit|flat|floor|fl|room|rm|bldg|building|p\.?\s?o\.?\s?box|psc|cmr|postfach|bp|apartado|bus|boîte|wohnung|whg|app|étage|piso|puerta|scala|interno|int)\.?\s?#?\s?\d{1,6}[a-zA-Z]?"
# A post-office box in the languages served: "PO Box 4410", "P.O. Box 12", "Postbus 1234" (nl),
# "Postfach 12 34 56" (de, digits in pairs), "Postboks 88" (da/no), "BP 123" / "B.P. 45" / "Boîte
# postale 7" / "Case postale 88" (fr, Swiss), "Apartado de Correos 123" / "Apdo. 55" (es), "Casella Postale 9" (it). A box
# number is the delivery point of the address: the box without its number is no address.
PO_BOX = (
    r"(?:p\.?[ \t]?o\.?[ \t]?box|post[ \t]office[ \t]box|postbus|postfach|postboks|postbox|postilokero|boîte[ \t]postale|case[ \t]postale|b\.[ \t]?p\.|bp|"
    r"apartado(?:[ \t]de[ \t]correos)?|apdo\.|casilla(?:[ \t]de[ \t]correos?)?|casella[ \t]postale|cas\.[ \t]?post\.)"
    r"[ \t]?(?:n[º°o.]\.?[ \t]?|nr\.?[ \t]?|#[ \t]?)?\d{1,6}(?:[ \t]\d{2}(?![\w])){0,3}"
)
# "sin número" (es): a Spanish street line of a house without a number ("Camino Viejo s/n"); never prose.
NO_NUMBER = r"s/n|s\.n\.|sin[ \t]número"
# The sign before a house number: "Calle Mayor nº 5", "Via Roma n. 10", "C/ Alcalá, núm. 45".
NUMBER_SIGN = r"(?:n\.?[º°]\.?|n\.|núm\.|num\.|nr\.)"
# Spanish floor and door written after the house number ("Calle Mayor 5, 3º B", "4º 2ª",
# "2º izq.", "4º izda.", "1.º dcha.", "bajo A", "ático"): the ordinal sign (º/ª/°) marks a floor, so it is
# only taken after a street line, never alone ("2º trimestre" is no address).
ES_FLOOR = (
    r"(?:\d{1,2}\.?[ \t]?[ºª°](?:[ \t]?(?:(?-i:[A-Z])|\d{1,2}[ \t]?[ºª°]?|izq(?:uierda|da)?\.?|izda\.?|dcha\.?|dch\.?|drcha\.?|der(?:echa)?\.?|centro|ctro\.?|"
    r"int(?:erior)?\.?|ext(?:erior)?\.?|(?:pta|puerta)\.?[ \t]?\d{1,2})(?![\w]))?|"
    r"(?:bajo|bj\.|entlo\.|entresuelo|ático|atico|principal|pral\.)(?:[ \t]?(?:(?-i:[A-Z])|\d{1,2}[ºªa]?|izq(?:da)?\.?|izda\.?|dcha\.?)(?![\w]))?)"
)
# Building, staircase, entrance or door of a block, named by a letter or a number: "Bât. C",
# "Bâtiment B2", "Escalier 3", "Entrée A" (fr), "Portal 2", "Escalera B", "Bloque 4" (es),
# "Scala B", "Sc. C" (it), "Stiege 2", "Tür 14", "Top 7" (at), "Block C", "Wing B"; the letter in
# lower case in a lower-case address ("v.le monza 233 sc. c 20126 milano").
BUILDING = (
    r"(?:bât(?:iment)?\.?|bat(?:iment)?\.?|immeuble|imm\.|escalier|esc\.?|entrée|bloc|bloque|portal|escalera|edificio|edif\.|"
    r"scala|sc\.|palazzina|pal\.|stiege|stg\.|tür|top|aufgang|gebäude|haus|block|wing|tower|torre)"
    r"[ \t]?(?:n[º°o.]\.?[ \t]?)?(?-i:[A-Z]{1,2}\d?|\d{1,3}[A-Z]?|[a-z])(?![\w])"
)
# A floor, a door or a part of the house, written before or after the street line of an address
# (never alone: "Level 3 support", "porte droite" in a sentence are no address): "2nd Floor",
# "Ground Floor", "Level 3", "Apt 12" (en, au), "2. OG links", "3. Stock", "EG rechts",
# "Hinterhaus" (de / at), "3e étage", "porte droite", "Appt 47" (fr), "4° piano", "piano terra" (it),
# "2e verdieping" (nl), "bus 0.2" (be: bpost's box number, often floor.unit), "RR 1" (ca), "nave 14",
# "pta 12" (es: Correos' abbreviation of puerta).
FLOOR = (
    r"(?:\d{1,2}(?:st|nd|rd|th)[ \t]+floor|ground[ \t]+floor|(?:floor|level|lvl)[ \t]+\d{1,2}|"
    r"\d{1,2}\.[ \t]?(?:og|obergeschoss|stock|etage|ug|dg)(?:[ \t]+(?:links|rechts|mitte|li\.|re\.))?|"
    r"(?:eg|hochparterre|parterre|dachgeschoss)(?:[ \t]+(?:links|rechts|mitte))?|hinterhaus|vorderhaus|seitenflügel|gartenhaus|"
    r"\d{1,2}(?:e|er|ère|ème|eme|è)[ \t]+[ée]tage|rez-de-chaussée|porte[ \t]+(?:droite|gauche|\d{1,3})|appt?\.?[ \t]?\d{1,4}|"
    r"\d{1,2}[°º][ \t]+piano|piano[ \t]+(?:\d{1,2}|terra|terreno|rialzato)|pianterreno|seminterrato|(?:primo|secondo|terzo|quarto|quinto|ultimo)[ \t]+piano|"
    # nl: the floor as Dutch addresses write it after the house number ("201 3 hoog", "14 2-hoog achter")
    r"\d{1,2}(?:e)?[ \t-]?hoog(?:[ \t]+(?:achter|voor))?|"
    # nl / be: the floor with its ordinal written "2e", "2de", "1ste", "8ste" (Taalunie: ordinals), a student room ("kamer 14",
    # a "kot" in Leuven or Gent: bpost writes the room after the floor)
    r"\d{1,2}(?:e|de|ste)[ \t]+verdieping|kamer[ \t]+\d{1,4}[a-z]?|(?:bte|boîte|bus)\.?[ \t]?\d{1,4}(?:\.\d{1,3})?[a-z]?|pta\.?[ \t]?\d{1,3}[a-z]?|"
    # a Canadian rural route or suburban service ("RR 1", "SS 3"), a Spanish industrial unit ("nave 14")
    r"(?-i:RR|SS)[ \t]?#?[ \t]?\d{1,3}|nave[ \t]+\d{1,3}|"
    # NZ Post: a rural delivery number on its own line after the road ("1280 Mangakahia Road / RD 2 / Whangarei 0172")
    r"(?-i:RD)[ \t]?\d{1,2}|"
    # Latin America: the floor and flat after the street line, "piso 7", "depto. C", "dpto 84", "departamento 3B"
    # (Correo Argentino, Correos de Chile: calle, número, piso, departamento), and Colombian "Apto 1203" / "Apto. 502"
    r"piso[ \t]+\d{1,2}|(?:depto|dpto|departamento|apto|apt)\.?[ \t]?(?:\d{1,4}[a-z]?|(?-i:[A-Z]))(?![\w]))"
)
# Words that name a rural locality or an estate in place of a street (the French "lieu-dit",
# the hamlet, housing estate or industrial zone; Spanish "urbanización", "polígono"; Italian
# "località", "frazione"): with a capitalised name they stand where the street line would be. La
# Poste's address line 3 (NF Z10-011) abbreviates "résidence" as "rés." ("Rés. les Tilleuls").
LOCALITY = (
    r"(?:lieu[- ]dit|lieudit|hameau|lotissement|r[ée]sidence|r[ée]s\.|finca|cortijo|masía|caserío|cascina|podere|tenuta|boerderij|domaine|quartier|zone[ \t]industrielle|zone[ \t]artisanale|"
    r"urbanización|urb\.|polígono(?:[ \t]industrial)?|pol\.[ \t]ind\.|barrio|località|loc\.|frazione|fraz\.|borgata)"
)
# Irish Eircode: a routing key (a letter of A C-F H K N P R T V-Y and two digits, or D6W) and a
# unique identifier of four letters of that set or digits ("D02 X285", "A65 F4E2").
EIRCODE = r"(?-i:(?:[AC-FHKNPRTV-Y]\d{2}|D6W)[ \t]?[0-9AC-FHKNPRTV-Y]{4})"
# Royal Mail PAF sub-building names of Edinburgh tenements: the floor (a number, "G" ground, "P" principal,
# "B" basement) + "F" + the flat on that floor: "2F1", "GF2", "PF1".
FLAT_POSITION = r"(?-i:(?:\d{1,2}|[GPB])F\d{1,2})"
# India Post PIN: six digits, the first 1-9 (postal region), written after the town, often after a
# hyphen ("Bengaluru - 560102", "Mumbai 400001").
IN_PIN = r"[1-9]\d{2}[ \t]?\d{3}"
# Correo Argentino CPA (Código Postal Argentino): a province letter (no I, O), the old 4-digit code and
# 3 letters of the block face ("C1425DKA"); the short form without them is common ("C1425 Buenos Aires").
AR_CPA = r"(?-i:[A-HJ-NP-Z]\d{4}(?:[A-Z]{3})?)"
# Colombian road types (nomenclatura urbana) with their usual abbreviations: calle, carrera, diagonal, transversal,
# avenida calle / avenida carrera (AC, AK), circular, autopista.
CO_ROADS = r"calle|cl\.?|cll\.?|carrera|cra\.?|kra\.?|kr\.?|cr\.?|diagonal|dg\.?|transversal|tv\.?|trans\.?|ak|ac|circular|autopista"
STREET_UNIT = r"(?:apt|apartment|suite|ste|unit|flat)\.?\s?#?\s?\d{1,6}[a-zA-Z]?"  # the units a street line ends with
US_STATES = "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
CA_PROVINCES = "AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT"
AU_STATES = "NSW|VIC|QLD|SA|WA|TAS|NT|ACT"
# The conventional abbreviations of the 32 Mexican states (as banks, SAT forms and Correos de México's
# senders write them after the town; "Q. ROO" with its stop and space).
MX_STATES = "AGS|BC|BCS|CAMP|COAH|COL|CHIS|CHIH|CDMX|DF|DGO|GTO|GRO|HGO|JAL|MEX|EDOMEX|MICH|MOR|NAY|NL|OAX|PUE|QRO|Q\\. ?ROO|QROO|SLP|SIN|SON|TAB|TAMPS|TLAX|VER|YUC|ZAC"
# The 32 counties of Ireland, written "Co. Cork", "Co Galway", "County Mayo" in an Irish address.
IRISH_COUNTIES = (
    "Antrim|Armagh|Carlow|Cavan|Clare|Cork|Derry|Donegal|Down|Dublin|Fermanagh|Galway|Kerry|Kildare|Kilkenny|Laois|Leitrim|Limerick|"
    "Londonderry|Longford|Louth|Mayo|Meath|Monaghan|Offaly|Roscommon|Sligo|Tipperary|Tyrone|Waterford|Westmeath|Wexford|Wicklow"
)
COUNTY = rf"(?i:(?:co\.?|county)[ \t]+(?:{IRISH_COUNTIES}))(?![\w])"
UK_POSTCODE = r"(?-i:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})"
UK_POSTCODE_ANY_CASE = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[ABCEGHJ-NPRSTVXY]\d[A-Z]\s?\d[A-Z]\d"  # after a postcode word: "sw1a 1aa", "k1a 0b1"
# The 121 postcode areas of Royal Mail's PAF (and the Crown Dependencies' GY, JE, IM); the inward code's
# letters leave out C, I, K, M, O and V (Royal Mail, "Postcode format"). With the area checked, a postcode
# written in lower case ("sw1a 1aa", "ls6 2ab") is one even without a postcode word before it.
UK_AREAS = (
    "AB|AL|BA|BB|BD|BH|BL|BN|BR|BS|BT|CA|CB|CF|CH|CM|CO|CR|CT|CV|CW|DA|DD|DE|DG|DH|DL|DN|DT|DY|EC|EH|EN|EX|FK|FY|GL|GU|GY|HA|"
    "HD|HG|HP|HR|HS|HU|HX|IG|IM|IP|IV|JE|KA|KT|KW|KY|LA|LD|LE|LL|LN|LS|LU|ME|MK|ML|NE|NG|NN|NP|NR|NW|OL|OX|PA|PE|PH|PL|PO|PR|"
    "RG|RH|RM|SA|SE|SG|SK|SL|SM|SN|SO|SP|SR|SS|ST|SW|SY|TA|TD|TF|TN|TQ|TR|TS|TW|UB|WA|WC|WD|WF|WN|WR|WS|WV|YO|ZE|B|E|G|L|M|N|S|W"
)
UK_POSTCODE_AREA_ANY_CASE = rf"(?i:(?:{UK_AREAS})\d[A-Z\d]?[ \t]?(?!(?-i:\d(?:st|nd|rd|th))(?![\w]))\d[ABD-HJLNP-UW-Z]{{2}})"  # not "s1 1st floor"
CA_POSTCODE = r"(?-i:[ABCEGHJ-NPRSTVXY]\d[A-Z]\s?\d[A-Z]\d)"
# A town of up to four capitalised words, with the particles of place names between them ("Frankfurt am
# Main", "Capelle aan den IJssel", "Bergen op Zoom" (CBS woonplaatsen), "Aeschi b. Spiez", "Neustadt a. d. Weinstraße": Swiss Post and Deutsche Post write "bei", "an
# der", "in", "ob" abbreviated as "b.", "a.", "a. d.", "i.", "o."). A full stop after three lower-case
# letters or after two capitals (a canton or state code: "Seltisberg BL. Merci") ends the sentence, not
# the town.
TOWN = rf"{CAP}(?:(?<![{L}]{{3}}\.)(?<![{U}]{{2}}\.)[ \t-](?:(?:am|an|der|de|la|le|los|las|el|sur|en|del|di|im|bei|sous|upon|on|aan[ \t]de[nr]?|aan|op|bij|b\.|a\.|a\.[ \t]?d\.|i\.|o\.)\s)?{CAP}){{0,3}}"
ARTICLES = r"de la|de l'|de los|de las|del|de|des|du|d'|l'|la|le|les|di|dei|della|delle|alle|al|alla|allo|ai|sul|sulla|van|von|der|den"
# Capitalised words that come before a number and are not street names ("Invoice 2291", "Windows 10").
NOT_STREET = {
    "invoice", "order", "ticket", "case", "room", "page", "chapter", "version", "windows", "office", "step", "item", "number",
    "nr", "no", "nº", "ref", "reference", "account", "policy", "contract", "customer", "client", "section", "article", "table",
    "figure", "question", "point", "level", "floor", "gate", "terminal", "flight", "train", "bus", "line", "year", "week", "day",
    "rechnung", "auftrag", "kunde", "konto", "vertrag", "seite", "kapitel", "facture", "commande", "compte", "contrat",
    "factura", "pedido", "cuenta", "fattura", "ordine", "conto", "contratto", "factuur", "bestelling", "rekening", "the", "my", "our",
    "i", "we", "you", "it", "this", "that", "is", "are", "was", "were", "can", "could", "will", "would", "does", "did", "has", "have", "on", "in", "at", "by", "for", "from", "to", "of", "and", "or", "with", "about",
    # prepositions of time before a date ("Per 1 mei", "Ab 3 Mai", "Since 12 May")
    "per", "vanaf", "sinds", "tot", "ab", "seit", "bis", "dès", "depuis", "desde", "hasta", "dal", "fino", "since", "until", "till", "before", "after",
    # the label of a phone number in a signature ("Tél. 05 …", "Tel. 030 …", "Mob 07 …")
    "tel", "tél", "télé", "phone", "ph", "mob", "mobile", "fax", "telefon", "telefono", "teléfono", "tfno", "handy", "gsm", "tlf",
}  # fmt: skip
NOT_TOWN = {"euro", "eur", "usd", "rupees", "rs", "inr", "lakh", "lakhs", "crore", "stück", "mal", "jahre", "years", "ans", "años", "anni", "jaar", "uhr"}


def _not_money(value: str) -> bool:
    words = value.split()
    return len(words) > 1 and words[-1].lower().strip(".,") not in NOT_TOWN


# Street words that are no word of a sentence in any of the six languages ("vicolo", "calle", not "via"
# (by way of), "corso" (course), "largo", "place", "avenue"): in lower case too, a comma may stand between
# the street's name and its number ("vicolo barzini, 9", "calle mayor, 5"), as Correos and Poste Italiane write it.
_COMMA_SURE_PREFIX_WORDS = {"viale", "vicolo", "piazza", "piazzale", "calle", "rue", "avenida", "paseo", "plaza", "quai", "chemin", "allée", "carrer", "avinguda", "v.le", "p.zza", "p.za", "p.le", "v.lo", "c/"}  # fmt: skip
_SURE_PREFIX_WORDS = {"via", "calle", "rue", "avenue", "viale", "vicolo", "piazzale", "corso", "piazza", "plaza", "avenida", "paseo", "boulevard", "place", "quai", "chemin", "allée", "largo", "ul.", "al.", "ulica", "aleja", "c/", "carrer", "avda.", "avinguda", "v.le", "p.zza", "p.za", "p.le", "l.go", "v.lo"}  # fmt: skip


def _numbered(value: str) -> bool:
    """True when an address part carries a house number: a digit, or the Spanish "s/n" (no number)."""
    return any(c.isdigit() for c in value) or bool(re.search(rf"(?i:{NO_NUMBER})", value))


def _prefix_street_ok(value: str) -> bool:
    """A street word + name + number line is kept when it is capitalised ("Rambla Nova 12") or
    starts with an unambiguous street word in any case ("calle mayor 5"), or ends with "s/n"
    in any case ("camino de los olivos s/n"). A comma between name
    and number ("Calle Mayor, 5", "Via Roma, 10": usual in Spain and Italy) only in a
    capitalised line: "place, 2 weeks" is a sentence; or with the number sign after the comma
    ("rue de la Station, n° 7": La Poste and bpost write "n°" before a house number)."""
    first = value.split()[0]
    if re.search(r",[ \t]*\d{5}\Z", value):
        return False  # "5 rue des roses, 69100": the postcode after the street, not its house number
    signed = bool(re.search(rf",[ \t]*{NUMBER_SIGN}[ \t]?\d", value, re.IGNORECASE)) or first.casefold() in _COMMA_SURE_PREFIX_WORDS
    if "," in value and first.islower() and not signed or len(value.split()) < 3:  # a street word, a name and a number
        return False
    if first.lower() == "c.so":  # corso: also a course ("il c.so di formazione costa 300 euro"); a street with a capitalised name
        return _numbered(value) and value.split()[1][:1].isupper()
    if _numbered(value) and re.match(rf"\S+[ \t]+(?:{ARTICLES})[ \t]*(?-i:[{U}])", value, re.IGNORECASE):
        return True  # a lower-case street word before its article and a capitalised name ("chaussée de Waterloo 1120")
    return _numbered(value) and not first.islower() or first.lower() in _SURE_PREFIX_WORDS or bool(re.search(rf"(?i:{NO_NUMBER})$", value))


# A German street prefix that is also a preposition, written in lower case before a street that
# names itself ("in der Goethestraße 12", "am Boulevard Haussmann 5"): the sentence's preposition, not
# part of the street ("In der Halde 3", "am Markt 5" are streets and stay whole).
_PREPOSITION_BEFORE_STREET = (
    rf"(?:{DE_PREPOSITION_STREETS})\s+(?:[{U}][{L}-]*(?i:{SUFFIX_STREETS}|{AMBIGUOUS_SUFFIX_STREETS})\b|(?i:{PREFIX_STREETS})\s)"
)


def _street_before_postcode_ok(value: str) -> bool:
    """A street line of any case whose house number a postcode and town follow ("im gässli 3, 4410
    liestal"): the postcode's digits after the house number tie it to an address. The name has a
    word and none is a stop word, cue or month ("am Montag 3, ...", "im Jahr 2021, ..."), the
    number is no year, the town no stop word, unit or (in lower case) English word ("... 1000 people")."""
    toks = value.replace(",", " ").split()
    i = next(k for k, w in enumerate(toks) if w[:1].isdigit())
    if any(_STREET_WORD.search(w) for w in toks[1:i]):
        return False  # "an der Dorfstrasse 12": the preposition of the sentence, the street word is in the name
    name = [w for w in toks[1:i] if w.casefold() not in _NAME_PARTICLES | {"dem", "dei", "degli", "della", "delle"}]
    town = toks[-1]
    if not name or re.fullmatch(r"(?:19|20)\d{2}", toks[i]) or not _town_word(town) or town.islower() and is_ordinary_word(town, english_only=True):
        return False
    from agent.pii.words import stop_words

    return all(w.casefold() not in stop_words() | NOT_STREET | _MONTH_WORDS for w in name)


def _indian_town_pin_ok(value: str) -> bool:
    """A town before an India Post PIN: no cue word, month or stop word first ("Order 560102"), no
    unit of an amount last ("Rupees 560102", "Rs. 250000")."""
    words = re.findall(r"[^\W\d_][\w'’.-]*", value)
    return _town_word(words[0]) and _town_word(words[-1]) and words[0].lower().strip(".") not in NOT_STREET | _MONTH_WORDS


def _lower_locality_ok(value: str) -> bool:
    """A lower-case locality name before its postcode: each word an article or no stop word
    ("lieu-dit la croix blanche 46300 gourdon"; not "résidence pour 12000 euros"), the town no stop word."""
    from agent.pii.words import stop_words

    words = value.split()
    name, town = words[1:-2], words[-1]
    ok = all(w in _NAME_PARTICLES or w.casefold() not in stop_words() for w in name)
    return ok and any(w not in _NAME_PARTICLES for w in name) and _town_word(town)


# English street types that, written in lower case after a number and a name, are no sentence's noun.
_LOWER_SURE_STREETS = "street|st|road|rd|avenue|ave|lane|ln|crescent|cres|boulevard|blvd|gardens|mews"
# Words that after a number make a measure or a count, not a street's name ("3 lane road", "2 mile lane").
_COUNTED_WORDS = frozenset(
    "lane lanes mile miles km minute minutes min mins hour hours hr hrs day days week weeks month months year years "
    "bed beds bedroom bedrooms storey story door doors car cars way ways times x".split()
)


def _lower_street_name_ok(value: str) -> bool:
    """A lower-case street line ("4 crown road"): the words of its name are no stop words and the
    first is no word a number counts ("3 lane road", "5 minutes walk")."""
    from agent.pii.words import stop_words

    words = value.replace(",", " ").split()
    if len(words) > 2 and words[1].isdigit():
        words = words[1:]  # "3318 17 roy port": a building number before the house number (presidio's layout)
    town = words[-1] if not re.fullmatch(rf"(?:{_LOWER_NATIONAL_TYPES})", words[-1]) else None
    name = words[1:-2] if town else words[1:-1]
    if not name or name[0].casefold() in _COUNTED_WORDS or any(w.casefold() in stop_words() for w in name):
        return False
    if town and not _lower_town_word(town):
        return value[: value.rfind(town)].rstrip(" ,")  # "4 crown road, tomorrow": the street without the word after it
    return True


def _lower_town_word(word: str) -> bool:
    """A lower-case word after a lower-case street line that may be its town ("… crown st halifax which"):
    no stop word, sign-off or month, and in the English lexicon only as a noun (a town: "leeds") or not
    at all ("hebden"); not "thanks", "tomorrow", "please", "today"."""
    from agent.pii.words import english_parts_of_speech, stop_words

    f = word.casefold()
    if f in stop_words() or f in _closing_words() or f in _MONTH_WORDS or f in _TIME_WORDS:
        return False
    return english_parts_of_speech(f) <= {"noun"}


_TIME_WORDS = frozenset("today tomorrow yesterday tonight morning afternoon evening night week weekend asap thanks cheers".split())


# A street name of one to three words (lower-case street types and particles between capitalised words:
# "Jezuitski trg", "Trg mladih", "Veliki štradon") and a house number with its letter or slash ("2c/1", "4b").
_NAME_NUMBER = rf"{CAP}(?:[ \t]+(?:{CAP}|[{L}]{{2,7}})){{0,2}}[ \t]+(?!0)\d{{1,4}}[a-z]?(?:/\d{{1,3}}[a-z]?)?"


def _name_number_ok(value: str) -> bool:
    """A name and a house number after "on"/"at"/"in" ("Žinkovská 885", "Trg mladih 4b"): no word of the name
    is an ordinary word of the lexicons (not "Channel 4", "Platform 9", "Level 3"), a stop word, a cue word or a
    month, and a 4-digit number is no year."""
    from agent.pii.words import stop_words

    *name, number = value.split()
    if re.fullmatch(r"(?:19|20)\d{2}", number):
        return False
    words = [w for part in name for w in part.split("-")]
    return bool(words) and all(
        w.casefold() not in NOT_STREET and w.casefold() not in _MONTH_WORDS and w.casefold() not in stop_words()
        and (w.islower() or not is_ordinary_word(w))
        for w in words
    ) and not all(w.islower() for w in words)


def _town_code_ok(value: str) -> bool:
    """A town and its postcode after "in"/"at" ("Matile-près-Uldry 4433", "Onderdendam 9143ZD"): the
    town's words are no ordinary words, cue words or months, and the code is no year (1900-2099)."""
    *town, code = value.split()
    if re.fullmatch(r"(?:19|20)\d{2}", code):
        return False
    return all(
        w.casefold() not in NOT_STREET and w.casefold() not in _MONTH_WORDS and not is_ordinary_word(w)
        for part in town for w in part.split("-") if len(w) > 2 and w.casefold() not in _NAME_PARTICLES | {"près", "lès", "lez"}
    )


# Prepositions that begin no street name written with a street suffix ("auf Hauptstrasse" is the sentence's).
_SENTENCE_PREPOSITION = r"(?i:auf|nach|bei|in|im|an|zu|zur|zum|von|vom|aus|the|at|to|on|op|naar|bij|en|à)"


def _town_until_stop(value: str) -> bool | str:
    """A postcode and its town (``_not_money``), the town ending before a stop word: in a text written in
    capitals the sentence goes on in capitals ("04416 MARKKLEEBERG <UND SCHICKEN SIE>")."""
    from agent.pii.words import stop_words

    if not _not_money(value):
        return False
    words = value.split()
    for k, w in enumerate(words[2:], start=2):
        if w.casefold() in stop_words() and w.casefold() not in _NAME_PARTICLES:
            return " ".join(words[:k])
    return True


def _not_date_or_cue(value: str) -> bool:
    """False for a capitalised word + number that is no street: a cue word ("Invoice 2291") or a
    month and a day or year ("November 1940", "March 12"): a date is never a street line."""
    words = value.split()
    if any(w.islower() and w not in _NAME_PARTICLES and w in _ENGLISH_FUNCTION_WORDS for w in words[1:-1]):
        return False  # "Send it to 123 Main St.": a sentence before the number, not a street name
    return words[0].lower().strip(".") not in NOT_STREET and words[-2].lower().strip(".,") not in _MONTH_WORDS


# English pronouns, prepositions and auxiliaries that no street name holds in lower case between
# capitalised words ("Send it to 123", "Call me at 5"); the particles of street names are allowed.
_ENGLISH_FUNCTION_WORDS = frozenset(
    "it to me us him her them you we i my our your his its their is are was be at for with from by of this that as so if".split()
)


# The verbs of living that introduce an address in a sentence (es, it, pt, nl, de, fr, en).
_LIVE_VERBS = r"(?i:vivo|vivimos|abito|abitiamo|woon|wonen|wohne|wohnen|habite|habitons|live|living)"


# after a street with an ambiguous suffix: a comma, the line's end, a full stop, a postcode, or a town after "in"
_AMBIGUOUS_END = rf"(?=[ \t]*(?:[,;)\n]|$|\.(?:\s|$)|\d{{4}}|(?:in|te|à|en|bei|bij)[ \t]+[{U}]))"


def _case_forms(words) -> str:
    """A regex alternation of ``words`` as written and in capitals ("Flats|FLATS"), longest first."""
    forms = {f for w in words for f in (w, w.upper())}
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


# The street types of USPS Publication 28 (C1) and AS/NZS 4819 that EN_STREETS does not hold, and
# INEGI's kinds of road (agent/pii/street_types.py): used only after a house number and a capitalised
# name, where an address line ends, so that "Key", "Light" or "Union" in a sentence stay words.
_EN_KNOWN = {w.casefold() for w in re.findall(r"[a-z]+", EN_STREETS)}
_NATIONAL_TYPES = _case_forms(w for w in USPS_SUFFIXES + AU_ROAD_TYPES if w.casefold() not in _EN_KNOWN)
_MX_TYPES = _case_forms(MX_VIALIDADES)
# a house number (Australian "unit/number" too: "792/318"), one to three capitalised words, the type
_LOWER_NATIONAL_TYPES = "|".join(sorted({re.escape(w.casefold()) for w in USPS_SUFFIXES + AU_ROAD_TYPES} | set(_LOWER_SURE_STREETS.split("|")), key=len, reverse=True))
_NATIONAL_STREET = rf"\d{{1,5}}[a-zA-Z]?(?:/\d{{1,5}}[a-zA-Z]?)?,?[ \t]+(?:{CAP}[ \t]+){{1,3}}(?:{_NATIONAL_TYPES})"


def eu_address_recogniser(language: str) -> GroupPatternRecognizer:
    """Street lines, postcodes + towns and unit lines of EU, UK, US and Canadian addresses."""
    f = re.IGNORECASE
    patterns = [
        # (not a preposition of the sentence before it, written in capitals: "ADRESSE AUF HAUPSTRASSE 108A")
        GroupPattern("street suffix + number", re.compile(rf"(?<![\w-])(?!{_SENTENCE_PREPOSITION}[ \t])(?P<v>{SUFFIX_STREET_NAME}(?:{SUFFIX_STREETS})\s+{HOUSE})(?![\w])", f), 0.6),
        GroupPattern(
            "ambiguous street suffix + number, where the address goes on",
            re.compile(rf"(?<![\w-])(?P<v>(?-i:[{U}][{U}{L}-]{{2,}})(?:{AMBIGUOUS_SUFFIX_STREETS})[ \t]+{HOUSE}){_AMBIGUOUS_END}", f),
            0.55,
        ),
        GroupPattern(
            "street prefix + name + number",
            re.compile(
                rf"(?<![\w-])(?!{_PREPOSITION_BEFORE_STREET})(?P<v>(?:{PREFIX_STREETS})\s+(?:(?:de|del|de la|dei|della|delle|des|du|di|d'|van|von|der|den)\s+)*"
                rf"(?:(?:{WORD}\s+){{0,4}}?|(?:{WORD}\s+){{0,3}}?{WORD},[ \t]*)(?:(?:{NUMBER_SIGN}[ \t]?)?{HOUSE}|{NO_NUMBER}))(?![\w])",
                f,
            ),
            0.6,
            validate=_prefix_street_ok,
        ),
        GroupPattern(  # "im Gässli 3, 4411 Seltisberg", "im gässli 3, 4410 liestal", "am anger 5 99084 erfurt": a street word in lower case in a sentence
            # (a preposition before a street word is the sentence's: "in der <chemin des vignes 4, 1009 pully>", a Swiss French street in German text)
            "lower-case prefix street + number + postcode and town",
            re.compile(
                rf"(?<![\w-])(?P<v>(?:{PREFIX_STREETS})[ \t]+(?!(?:{PREFIX_STREETS})[ \t])(?:{WORD}[ \t]+){{1,3}}?{HOUSE},?[ \t]+(?:[A-Z]{{1,2}}-)?\d{{4,5}}[ \t]+[^\W\d_][\w'’-]*)(?![\w])", f
            ),
            0.6,
            validate=_street_before_postcode_ok,
        ),
        GroupPattern(
            "number + prefix street",
            re.compile(rf"(?<![\w-])(?P<v>\d{{1,5}}[ \t]?(?:bis|ter|[a-z])?,?[ \t]+(?:{PREFIX_STREETS})[ \t]+(?:(?:{ARTICLES})[ \t]*)*{WORD}(?:[ \t]+(?:(?:{ARTICLES})[ \t]*)*{CAP}){{0,3}})(?![\w])", f),
            0.6,
        ),
        GroupPattern(  # "Carrera 7 # 71-21", "Calle 10 # 43D-25", "Cra. 15 No. 93-60", "Av. Calle 26 # 59-51 Sur"
            # Colombia's urban nomenclature (placa domiciliaria, the address form of 4-72, the national post): the road type and
            # number, then "#" or "No." and the crossing road's number, a hyphen and the distance from the corner in metres
            "co road + number # crossing-distance",
            re.compile(
                rf"(?<![\w-])(?P<v>(?:(?:avenida|av\.?)[ \t]+)?(?:{CO_ROADS})[ \t]+\d{{1,3}}[ \t]?(?-i:[A-Z])?(?:[ \t]?bis)?(?:[ \t]?(?-i:[A-Z]))?(?:[ \t]+(?:sur|este))?"
                rf"[ \t]*(?:#|no\.?|n[º°]\.?)[ \t]*\d{{1,3}}[ \t]?(?-i:[A-Z])?(?:[ \t]?bis)?[ \t]*-[ \t]*\d{{1,3}}(?:[ \t]+(?:sur|este))?)(?![\w])",
                f,
            ),
            0.6,
        ),
        GroupPattern(  # "2145 RD 16 N", "4410 County Road 12", "318 CR 205", "77 State Route 9 W"
            # USPS Publication 28, 2.3 (highway-style and county-road addresses): house number, road type, road number, post-directional
            "us county or state road + number",
            re.compile(
                r"(?<![\w-])(?P<v>\d{1,6}[ \t]+(?:(?i:county[ \t]+(?:road|rd)|state[ \t]+(?:road|route|highway|hwy)|us[ \t]+(?:highway|hwy|route))|(?-i:CR|RD|Rd|SR|FM))"
                r"[ \t]+\d{1,4}[A-Z]?(?:[ \t]+(?-i:N|S|E|W|NE|NW|SE|SW)(?![\w]))?)(?![\w])"
            ),
            0.6,
        ),
        GroupPattern(  # "E 5th St", "w 96th st", "N. 3rd Ave": a numbered street with its pre-directional (USPS Publication 28, 2.2)
            "us directional numbered street",
            re.compile(
                r"(?<![\w-])(?P<v>(?:[NSEW]\.?|north|south|east|west)[ \t]+\d{1,3}(?:st|nd|rd|th)[ \t]+(?:street|st|avenue|ave|place|pl|road|rd|drive|dr|boulevard|blvd|terrace|ter|court|ct|lane|ln|way)\.?)(?![\w])",
                f,
            ),
            0.6,
        ),
        GroupPattern(  # "Col. Nápoles, CDMX", "colonia del valle, cdmx": a Mexican colonia with its city or state (Correos de México)
            "mx colonia + city",
            re.compile(
                rf"(?<![\w-])(?P<v>(?:col\.|colonia|fracc\.|fraccionamiento)[ \t]+(?:(?:{ARTICLES})[ \t]+)*{WORD}(?:[ \t]+(?:(?:{ARTICLES})[ \t]+)*{WORD}){{0,3}}"
                rf"[ \t]*,[ \t]*(?:cdmx|cd\.[ \t]?mx\.?|ciudad[ \t]de[ \t]méxico|edomex|{AR_MX_REGIONS}))(?![\w])",
                f,
            ),
            0.65,  # above a name list's match on a colonia named after a place or person ("Col. Roma Norte", "Col. Benito Juárez")
        ),
        GroupPattern(  # "lieu-dit la croix blanche 46300 gourdon", "loc. case sparse 52100 arezzo": a locality in lower case tied by its postcode
            "lower-case locality + postcode + town",
            re.compile(rf"(?<![\w-])(?P<v>(?:{LOCALITY})[ \t]+(?:[{L}][{L}'’-]*[ \t]+){{1,4}}\d{{5}}[ \t]+[{L}][{L}'’-]+)(?![\w])"),
            0.5,
            validate=_lower_locality_ok,
        ),
        GroupPattern(
            "number + english street",
            # an Australian unit before the house number ("792/318 Angelica Road": Australia Post's unit/number)
            re.compile(rf"(?<![\w/-])(?P<v>(?:\d{{4,5}}[ \t]+)?(?:\d{{1,5}}[a-zA-Z]?/)?\d{{1,5}}[a-zA-Z]?,?\s+(?:{CAP}\s+){{1,4}}(?i:{EN_STREETS}))(?![\w])"),
            0.6,
        ),
        GroupPattern(
            # lower-case mail: "i live at 4 crown road now", "old one was 4 crown st halifax", "change my address to
            # 12 oak road leeds": a house number after "at/to/is/was/from", one to three words and a street type
            # that is no noun of a sentence after a number (not "drive", "walk", "way", "close", "park")
            "lower-case number + english street after a cue",
            re.compile(
                rf"(?<![\w])(?i:at|to|is|was|from|now)[ \t]+(?P<v>\d{{1,4}}[a-z]?[ \t]+(?:[{L}][{L}'’-]+[ \t]+){{1,3}}"
                rf"(?:{_LOWER_SURE_STREETS})(?:,?[ \t]+[{L}]{{3,}}(?=[ \t]*(?:[,.;!?\n]|$)|[ \t]+(?:which|where|and|but|since|until|before|please|pls)\b))?)(?![\w])"
            ),
            0.55,
            validate=_lower_street_name_ok,
        ),
        GroupPattern(
            # after an unmistakable address cue, in lower case any street type of the national lists:
            # "stéphane lives at 3318 17 roy port, williamsfurt", "his address: 48626 289 kerr forks"
            "address cue + lower-case street of a national list",
            re.compile(
                rf"(?<![\w])(?i:address(?:[ \t]+is)?[ \t]*:|address[ \t]+is|lives?[ \t]+at|living[ \t]+at|resides?[ \t]+at|moved[ \t]+to|moving[ \t]+to)[ \t]+"
                rf"(?P<v>(?:\d{{1,5}}[ \t]+)?\d{{1,5}}[a-z]?[ \t]+(?:[{L}][{L}'’-]+[ \t]+){{1,3}}(?:{_LOWER_NATIONAL_TYPES})"
                rf"(?:,?[ \t]+[{L}]{{3,}}(?=[ \t]*(?:[,.;!?\n]|$)|[ \t]+(?:which|where|and|but|since|until|before|please|pls)\b))?)(?![\w])"
            ),
            0.55,
            validate=_lower_street_name_ok,
        ),
        GroupPattern(  # "5286 Vasquez Flats, …", "34 Gregory Centre\nSouth Markbury": a USPS or AS/NZS 4819 type that EN_STREETS leaves out
            "number + street type of a national list",
            re.compile(rf"(?<![\w-])(?P<v>{_NATIONAL_STREET})(?=[ \t]*(?:,|\n|$))"),  # where the line ends
            0.55,
        ),
        GroupPattern(  # "our rental property at 5 Dean Isle on Sunday", "a house on 12 Heron Pass": after "at"/"on", also mid-sentence
            "at + number + street type of a national list",
            re.compile(rf"(?<=(?i:at|on)[ \t])(?P<v>{_NATIONAL_STREET})(?![\w])"),
            0.55,
        ),
        GroupPattern(  # "Periférico Botello 722", "Cerrada Hidalgo 455": INEGI's kind of road before the name, then the number
            "Mexican road type + name + number",
            re.compile(rf"(?<![\w-])(?P<v>(?:{_MX_TYPES})[ \t]+(?:{CAP}[ \t]+){{1,3}}\d{{1,5}}[A-Z]?)(?![\w])"),
            0.6,
        ),
        GroupPattern(  # "Baker Street, number 12", "Duinweg, nummer 8", "via Roma, numero 5": the house number with its word, as prose writes it
            "street + number word + number",
            re.compile(
                rf"(?<![\w-])(?P<v>(?:(?-i:{CAP}[ \t]+){{1,3}}(?i:{EN_STREETS})|{SUFFIX_STREET_NAME}(?i:{SUFFIX_STREETS})|(?i:{PREFIX_STREETS})[ \t]+(?:(?i:{ARTICLES})[ \t]+)*(?-i:{CAP})(?:[ \t]+(?-i:{CAP})){{0,2}})"
                rf",?[ \t]+(?i:number|nummer|huisnummer|hausnummer|numero|número|numéro)[ \t]+{HOUSE})(?![\w])"
            ),
            0.6,
            needs=re.compile(r"[ \t](?i:number|nummer|huisnummer|hausnummer|numero|número|numéro)[ \t]+\d"),  # the number word, its house number
        ),
        GroupPattern(
            "street corner",
            re.compile(rf"(?P<v>(?i:(?:the[ \t]+)?corner[ \t]+of)[ \t]+(?:[\w.'’-]+[ \t]+){{1,5}}?(?i:and|&)[ \t]+(?:[{L}]{{1,4}}[ \t]+)?{CAP}(?:[ \t]+{CAP}){{0,2}})"),
            0.6,
        ),
        GroupPattern(
            "name + house number near an address word",
            # (no verb of living first: "Vivo en <Güemes 4150>", "Woon <Dorpsweg 3>": the cue is no part of the street)
            # (a house number has no leading zero and no phone groups after it: "Call us on 0161 496 0712")
            re.compile(rf"(?<![\w-])(?!{_LIVE_VERBS}[ \t])(?P<v>(?-i:{CAP}(?:[ \t]+(?:{CAP}|[{L}]{{2,4}})){{0,2}})[ \t]+(?!0)\d{{1,4}}[a-z]?(?:[/-]\d{{1,4}}(?![/-]?\d))?)(?![\w]|[.,]\d|[ \t]+\d{{2,4}}[ \t.-]\d{{3,4}}(?!\w))"),
            0.2,
            validate=_not_date_or_cue,
        ),
        GroupPattern(  # "Oberndorf 27, 5113 St. Georgen": a village without streets numbers its houses (at, ch, de, it)
            "village + house number before a postcode",
            re.compile(rf"(?<![\w-])(?P<v>(?-i:{CAP}(?:[ \t]+{CAP})?)[ \t]+\d{{1,4}}[a-z]?)(?=,[ \t]*(?:[A-Z]{{1,2}}-)?\d{{4,5}}[ \t]+(?-i:{CAP}))"),
            0.5,
            validate=_not_date_or_cue,
        ),
        GroupPattern(  # "Villeurbanne (69100)", "Saint-Denis (93200)": French towns are written with the postcode in brackets
            "town + postcode in brackets",
            re.compile(rf"(?<![\w-])(?P<v>(?-i:{CAP}(?:[ \t-](?:(?:sur|sous|en|le|la|les|de)[ \t-])?{CAP}){{0,3}})[ \t]+\(\d{{5}}\))"),
            0.5,
            validate=lambda v: v.split()[0].lower().strip(".") not in NOT_STREET,
        ),
        GroupPattern(  # "Zaragoza, CP 50001", "Sevilla, C.P. 41001", "Ravensburg, PLZ 88212", "Salerno, CAP 84121": a town and its postcode after the postcode's word
            "town + cp postcode",
            re.compile(rf"(?<![\w-])(?P<v>(?-i:{CAP}(?:[ \t]{CAP}){{0,2}}),?[ \t]+(?-i:CP|C\.P\.|PLZ|CAP)[ \t]*\d{{4,5}})(?![\w])"),
            0.5,
            validate=lambda v: v.split()[0].lower().strip(".,") not in NOT_STREET,
        ),
        GroupPattern(  # "room 2.14" is a room number with a decimal point; "floor 4" in lower case inside a sentence is no address line
            "unit line",
            re.compile(rf"(?<![\w])(?P<v>{UNIT})(?![\w]|[.,]\d)", f),
            0.5,
            validate=lambda v: not (v[0].islower() and re.match(r"(?:floor|fl|room|rm|building|bldg|bus)\b", v)),  # "in bus 1" (nl): after a street line only
        ),
        GroupPattern("po box", re.compile(rf"(?<![\w])(?P<v>{PO_BOX})(?![\w])", f), 0.5),
        GroupPattern(  # "Bât. C, 45 avenue des Acacias": a building letter before the street line it belongs to
            "building before a street line",
            re.compile(rf"(?<![\w])(?P<v>{BUILDING})(?=[ \t]*,?[ \t]*\n?[ \t>]*\d{{1,5}}[ \t]?(?:bis|ter|[a-z])?,?[ \t]+(?:{PREFIX_STREETS}|(?-i:{CAP}))(?![\w]))", f),
            0.5,
        ),
        GroupPattern(  # "Lieu-dit Les Granges", "loc. Case Sparse 4" (a house number of the locality) + a postcode line or a comma and a postcode
            "locality before a postcode",
            re.compile(rf"(?<![\w-])(?P<v>{LOCALITY}[ \t]+(?:(?:{ARTICLES})[ \t]*)*(?-i:{CAP})(?:[ \t-]+(?:(?:{ARTICLES})[ \t]*)*(?-i:{CAP})){{0,3}}(?:[ \t]+{HOUSE})?(?:,[ \t]*{FLOOR})?)(?=[ \t]*(?:,[ \t]*|\n[ \t>]*)(?:[A-Z]{{1,2}}-)?\d{{4,5}}[ \t]+(?-i:{CAP}))", f),
            0.5,
        ),
        GroupPattern("eircode", re.compile(rf"(?<![\w])(?P<v>{EIRCODE})(?![\w])"), 0.5, validate=lambda v: any(c.isalpha() for c in v[3:])),
        GroupPattern(  # "5670 r josé a madeira 1 suite 696", "4817 old mill road apt. 3": any case, any street word
            "house number + street + unit",
            re.compile(rf"(?<![\w.,/-])(?P<v>\d{{1,5}}[a-zA-Z]?[ \t]+(?:(?:[^\W\d_][\w'’.-]*|\d{{1,3}}(?:st|nd|rd|th))[ \t]+){{1,6}}(?:\d{{1,5}}[a-zA-Z]?,?[ \t]+)?{STREET_UNIT})(?![\w])", f),
            0.6,
        ),
        GroupPattern(  # "2F1, 9 Marchmont Crescent": an Edinburgh tenement flat (floor 2, flat 1; "GF2" ground, "PF1" principal floor)
            "flat position before a street line",
            re.compile(rf"(?<![\w-])(?P<v>{FLAT_POSITION})(?=,?[ \t]+\d{{1,5}}[a-zA-Z]?[ \t]+(?-i:{CAP}))"),
            0.5,
        ),
        GroupPattern(  # "HSR Layout Sector 2, Bengaluru - 560102", "Jayanagar 4th Block, Bangalore 560011"
            "in town + pin",
            re.compile(rf"(?:(?<=,)|(?<=,[ \t])|(?m:^))[ \t]*(?P<v>{TOWN}[ \t]*[-–]?[ \t]*{IN_PIN})(?![\w]|[.,]\d)"),
            0.5,
            validate=_indian_town_pin_ok,
        ),
        GroupPattern(  # "C1425 Buenos Aires", "S2000ABC Rosario": Correo Argentino's CPA, a province letter, 4 digits, 3 letters of the block face
            "ar cpa + town",
            re.compile(rf"(?<![\w-])(?P<v>{AR_CPA}[ \t]+{TOWN})"),
            0.55,
            validate=_not_money,
        ),
        GroupPattern(
            "house name before a street line",
            re.compile(rf"(?<![\w-])(?P<v>(?-i:{CAP}(?:[ \t]{CAP})?)[ \t]+(?-i:{HOUSE_NAMES}))(?=,?\s+(?:{HOUSE}[ \t]+{CAP}|{UNIT}|(?-i:{CAP}[ \t]+){{1,2}}(?i:{EN_STREETS}),))"),
            0.5,
        ),
        GroupPattern("postcode 5 + town", re.compile(rf"(?<![\w-])(?P<v>(?:[A-Z]{{1,2}}-)?\d{{5}}[ \t]+{TOWN}(?:[ \t]+\d{{1,4}}[a-z]?(?![\w]|[.,]\d))?)"), 0.5, validate=_town_until_stop),
        GroupPattern(
            "postcode 4 + town at line start or after comma",
            re.compile(rf"(?:^|(?<=,\s)|(?<=,)|(?<=\n)[>\s]*)(?P<v>(?:[A-Z]{{1,2}}-)?\d{{4}}(?:\s?(?-i:[A-Z]{{2}}))?[ \t]+{TOWN}(?:[ \t]+\d{{1,4}}[a-z]?(?![\w]|[.,]\d))?)", re.MULTILINE),
            0.5,
            validate=_not_money,
        ),
        GroupPattern("nl postcode + town", re.compile(rf"(?<![\w-])(?P<v>\d{{4}}\s?(?-i:[A-Z]{{2}})\s+{TOWN})"), 0.6),
        GroupPattern("uk postcode", re.compile(rf"(?<![\w])(?P<v>{UK_POSTCODE})(?![\w])"), 0.5),
        GroupPattern("uk postcode in any case, area checked", re.compile(rf"(?<![\w])(?P<v>{UK_POSTCODE_AREA_ANY_CASE})(?![\w])"), 0.5),
        GroupPattern("ca postcode", re.compile(rf"(?<![\w])(?P<v>{CA_POSTCODE})(?![\w])"), 0.5),
        GroupPattern(  # "San Ana de la Montaña, HGO 93645", "Vieja Guinea, PUE 14735": Correos de México's town, state and código postal
            "mx town, state cp",
            re.compile(rf"(?P<v>{TOWN},?\s+(?-i:{MX_STATES})\s+\d{{5}}(?:-\d{{4}})?)(?![\w-])"),
            0.6,
        ),
        GroupPattern("us city, state zip", re.compile(rf"(?P<v>{TOWN},?\s+(?-i:{US_STATES}|{CA_PROVINCES})\s+(?:\d{{5}}(?:-\d{{4}})?|{CA_POSTCODE}))"), 0.6),
        GroupPattern(
            "preposition street + number",  # Czech / Slovak / Slovene: "Pod Floriánem 1677", "Na Příkopě 12", "U Nemocnice 2"
            # (a one-letter preposition before a name in capitals is no street: the Dutch "U SCHRIJFT STEEDS 140")
            re.compile(rf"(?<![\w-])(?P<v>(?:Pod|Nad|Na|Za|Před|Pri|Při|(?:U|V|K)(?=[ \t]+[{U}][{L}]))[ \t]+{CAP}(?:[ \t]+{CAP})?[ \t]+{HOUSE})(?![\w])"),
            0.5,
        ),
        GroupPattern("street word after the name + number", re.compile(rf"(?<![\w-])(?P<v>{WORD}[ \t]+(?:{AFTER_STREETS})[ \t]*{HOUSE}\.?)(?![\w])", f), 0.6),
        GroupPattern(
            "house number + name + number line",
            re.compile(rf"(?m)^{_LINE_PREFIX}(?P<v>\d{{1,5}}[ \t]+{CAP}(?:[ \t-]{CAP}){{0,2}}[ \t]+\d{{1,5}}[a-zA-Z]?)[ \t]*$"),
            0.5,
            validate=lambda v: v.split()[1].lower().strip(".") not in NOT_STREET | _MONTH_WORDS,  # "07 Feb 2022" is a date
        ),
        GroupPattern(  # "Bungendore NSW 2621", "ADELAIDE SA 5000": an Australian town, state and postcode
            "au town, state postcode",
            re.compile(rf"(?<![\w-])(?P<v>{TOWN},?[ \t]+(?-i:{AU_STATES}),?[ \t]+\d{{4}})(?![\w])"),  # "Hobart, TAS, 7000": commas as many write them
            0.6,
            validate=lambda v: v.split()[0].lower().strip(".,") not in NOT_STREET,
        ),
        GroupPattern("irish county", re.compile(rf"(?<![\w])(?P<v>{COUNTY})"), 0.5),
        GroupPattern(  # "HC 65 Box 210", "RR 2 Box 15", "RR#3, Uxbridge": a US highway contract or rural route box, a Canadian rural route
            "rural route",
            re.compile(r"(?<![\w])(?P<v>(?-i:HC|HCR|RR|R\.R\.)[ \t]?#?[ \t]?\d{1,3}(?:,?[ \t]+(?i:box)[ \t]+\d{1,5}|(?=,[ \t]*[A-Z])))(?![\w])"),
            0.55,
        ),
        GroupPattern("us military address", re.compile(r"(?<![\w])(?P<v>(?i:APO|FPO|DPO)[ \t]+(?i:AA|AE|AP)[ \t]+\d{5}(?:-\d{4})?)(?![\w])"), 0.7),
        GroupPattern("us military unit", re.compile(r"(?<![\w])(?P<v>(?i:PSC|CMR|Unit)[ \t]+\d{1,5},?[ \t]+(?i:Box)[ \t]+\d{1,5})(?![\w])"), 0.6),
        GroupPattern(  # the ship of an FPO address (USPS Pub. 28, 225: "USS Johnson / FPO AP 96543"; USNS, USNV, USCGC)
            "ship",
            re.compile(rf"(?<![\w])(?P<v>(?:USNS|USNV|USS|USCGC|HMS|HMCS)[ \t]+(?:(?:le|la|de|van|von|du|di|da|del|mc|st\.?)[ \t]+)?{CAP}(?:[ \t]+{CAP})?)(?=[ \t]*\n[ \t>]*(?i:FPO|APO))"),
            0.6,
        ),
        GroupPattern(
            # "The bus station is on Žinkovská 885", "enter on Trg mladih 4b St.", "the corner of Kožarska 1b/7 St.":
            # a street of Central European form (a name, maybe with its lower-case type: Croatian "trg", Slovene
            # "cesta", then the number with a letter or a slash) after "on"/"at"/"in", where the clause ends or
            # "St."/"street" follows; after "of"/"to" only before "St."/"street"
            "on + name + house number",
            re.compile(rf"(?<![\w])(?i:on|at|in)[ \t]+(?P<v>{_NAME_NUMBER})(?=[ \t]*(?:[.,;!?)]\s|[.,;!?)]?$|\n)|[ \t]+(?i:st\.|street\b|and\b))"),
            0.5,
            validate=_name_number_ok,
        ),
        GroupPattern(
            "of + name + house number + street",
            re.compile(rf"(?<![\w])(?i:of|to)[ \t]+(?P<v>{_NAME_NUMBER})(?=[ \t]+(?i:st\.|street\b))"),
            0.5,
            validate=_name_number_ok,
        ),
        GroupPattern(  # "Κέρκυρα ΤΚ 142 37", "Τ.Κ. 546 21": ELTA's postcode (ddd dd) after its abbreviation Τ.Κ. (ταχυδρομικός κώδικας)
            "greek postcode",
            re.compile(r"(?<![\w])(?P<v>(?:[Α-ΩΆ-Ώ][α-ωά-ώΑ-ΩΆ-Ώ]+[ \t,]+)?(?:Τ\.?[ \t]?Κ\.?)[ \t]*\d{3}[ \t]?\d{2})(?![\w])"),
            0.6,
        ),
        GroupPattern(  # "support das Neves in Matile-près-Uldry 4433", "in Onderdendam 9143ZD": a town and its postcode after a locative preposition
            "in + town + postcode",
            # (not before a counted noun: "in London 3000 people came")
            re.compile(
                rf"(?<![\w])(?i:in|at|from|near|to)[ \t]+(?P<v>{TOWN}[ \t]+(?:\d{{4}}(?:[ \t]?(?-i:[A-Z]{{2}}))?|\d{{5}}))(?![\w-])"
                rf"(?![ \t]+(?!(?:in|and|or|for|to|at|on|with|is|was|but|which|where|the|a|an|as|since|until)\b)[{L}])"
            ),
            0.5,
            validate=_town_code_ok,
        ),
        GroupPattern("country + postcode", re.compile(rf"(?m)(?<=\n)[>\s]*(?P<v>{CAP}(?:[ \t]{CAP})?[ \t]\d{{4,5}})[ \t]*$"), 0.5),
        GroupPattern(
            # "postcode is 9686 PG" (PostNL: 4 digits and 2 letters), "code postal ne change pas : 74000" (a few words and a colon)
            "postcode after its word",
            re.compile(rf"(?i:\b(?:zip|zip code|zipcode|post ?code|postal code|plz|postleitzahl|code postal|cp|cap|c\.p\.|código postal|codice postale))\b(?:[^\w\n]{{0,4}}(?:is|ist|est|es|è|is)?|(?:[ \t]+[^\W\d_]+){{1,4}}[ \t]*:)[ \t:]*(?P<v>\d{{4}}[ \t]?(?-i:[A-Z]{{2}})|(?-i:[A-Z]{{1,2}})-\d{{4,5}}|\d{{3,5}}(?:[ -]\d{{2,4}})?|(?i:{UK_POSTCODE_ANY_CASE})|{CA_POSTCODE})(?![\w])"),
            0.6,
        ),
    ]
    context = ["address", "adresse", "anschrift", "dirección", "domicilio", "indirizzo", "adres", "wohnhaft", "live", "lives", "moved", "woon", "vivo", "habite"]
    context += ["suite", "apt", "apartment", "unit", "flat", "floor", "wohnung", "appartement", "piso", "interno"]  # the unit line of an address block
    return GroupPatternRecognizer("EuAddressRecognizer", "LOCATION", patterns, language, context=context)


@lru_cache(maxsize=1)
def country_names() -> frozenset[str]:
    """Country names, case-folded, in English, German, French, Spanish, Italian and Dutch (the
    address providers of Faker, already a dependency for the name lists)."""
    import importlib

    names: set[str] = set()
    for locale in ("en", "en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"):
        try:
            provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
        except (ImportError, AttributeError):
            continue
        names.update(" ".join(c.split()).casefold() for c in getattr(provider, "countries", ()) if len(c) >= 4)
    return frozenset(names)


_POSTCODE = re.compile(r"(?<![\w.,/-])(?:\d{4,5}|\d{3} \d{2}|\d{2}-\d{3})(?![\w/-]|[.,]\d)")
_QUALIFIER = re.compile(r"[ \t]*\([^()\n]{1,25}\)[ \t]*$")
_WORDS_BEFORE = re.compile(rf"((?:[{U}{L}][\w'’.-]*[ \t]+){{0,3}}[{U}{L}][\w'’.-]*)[ \t]*,?[ \t]*$")
_MONTH_WORDS = frozenset(
    "january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec "
    "januar februar märz mai juni juli oktober dezember janvier février mars avril juin juillet août septembre octobre novembre décembre "
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre gennaio febbraio aprile maggio giugno luglio "
    "settembre ottobre dicembre januari februari maart mei augustus".split()
)


class PostcodeTownRecognizer(EntityRecognizer):
    """LOCATION for a postcode after its country or town on the same line: ``Sweden 67626``,
    ``belgium 97466``, ``Czech Republic 33156`` (a country name of :func:`country_names`, any case,
    0.6); ``ARENDAL 4844``, ``ÖVERTURINGEN 840 24`` (a town in capitals, 0.5; a 4-digit year is
    no postcode); ``Costamezzana 43015`` (a capitalised town that is no English word, a 5-digit
    or ``ddd dd`` postcode, 0.45)."""

    def __init__(self, language: str):
        super().__init__(supported_entities=["LOCATION"], name="PostcodeTownRecognizer", supported_language=language)

    def load(self) -> None:  # noqa: D102
        country_names()

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """LOCATION results for each postcode after a country or town (see the class docstring)."""
        countries = country_names()
        out: list[RecognizerResult] = []
        for m in _POSTCODE.finditer(text):
            code = m.group(0)
            line_start = text.rfind("\n", 0, m.start()) + 1
            before = m.start()  # a qualifier in brackets between country and code: "cyprus (greek) 26933"
            paren = _QUALIFIER.search(text, line_start, before)
            if paren:
                before = paren.start()
            w = _WORDS_BEFORE.search(text, max(line_start, before - 60), before)
            if not w:
                continue
            words = w.group(1).split()
            found = None
            for k in range(len(words)):  # the longest country name ending right before the code
                if " ".join(words[k:]).casefold().strip(",") in countries:
                    found = (k, 0.6, "country + postcode")
                    break
            last = words[-1].strip(",.")
            year = len(code) == 4 and 1900 <= int(code) <= 2099
            if found is None and len(last) >= 4 and last.isupper() and last.isalpha() and not year and not is_ordinary_word(last):
                k = len(words) - 2 if len(words) >= 2 and words[-2].isupper() and words[-2].isalpha() and len(words[-2]) >= 2 else len(words) - 1
                found = (k, 0.5, "town in capitals + postcode")
            if (
                found is None
                and (len(code) == 5 or " " in code)
                and last[:1].isupper()
                and not last.isupper()
                and last.casefold() not in NOT_STREET
                and last.casefold() not in _MONTH_WORDS
                and not is_ordinary_word(last)
            ):
                found = (len(words) - 1, 0.45, "town + postcode")
            if found is None:
                continue
            k, score, rule = found
            start = w.start(1) + w.group(1).index(words[k]) if k else w.start(1)
            out.append(
                RecognizerResult(
                    "LOCATION",
                    start,
                    m.end(),
                    score,
                    analysis_explanation=AnalysisExplanation(recognizer=self.name, original_score=score, pattern_name=rule),
                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id},
                )
            )
        return out


# Anchors and the pyap country to try for each: a US state + ZIP, a Canadian postcode or
# province + postcode, a UK postcode, or a house number before an English street word (all three).
_ANCHORS = (
    (re.compile(rf"\b(?-i:{US_STATES})\s+\d{{5}}(?:-\d{{4}})?\b"), ("US",)),
    (re.compile(rf"{CA_POSTCODE}|\b(?-i:{CA_PROVINCES})\s+{CA_POSTCODE}"), ("CA",)),
    (re.compile(rf"(?<![\w]){UK_POSTCODE}(?![\w])"), ("GB",)),
    (re.compile(rf"\b\d{{1,5}}[a-zA-Z]?,?\s+(?:[A-Z][\w'.-]*\s+){{1,4}}(?i:{EN_STREETS})(?![\w])"), ("US", "CA", "GB")),
)


_IBAN_LIKE = re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{4}")
_INNER_HOUSE_NUMBER = re.compile(rf"(?<![\w.,/-])\d{{1,5}}[a-zA-Z]?,?[ \t]+(?-i:[{U}])")
_LOWER_WORD = re.compile(rf"(?<![\w])[{L}]{{2,}}(?![\w])")


def _sentence_before_street(value: str) -> int:
    """Where the address in pyap's ``value`` starts: pyap's GB street name takes any words, so
    a number earlier in the sentence becomes the house number ("1931 and lives at 9 Elm Close,
    Leeds LS6 2QT": a year; "45 pounds to 9 Elm Close"). When a later house number before a
    capitalised word follows two or more lower-case words, the address starts at that number
    (offset into ``value``); else 0. One lower-case word is kept ("12 and 14 High Street")."""
    start = 0
    for m in _INNER_HOUSE_NUMBER.finditer(value, 1):
        if len(_LOWER_WORD.findall(value, start, m.start())) >= 2:
            start = m.start()
    return start


_LOWER_WORDS = re.compile(rf"(?<![\w])[{L}]{{2,}}(?![\w])")


def _sentence_lines_before(value: str) -> int:
    """Where the address in pyap's multi-line ``value`` starts: after the last line in it that is
    a sentence (three or more lower-case words, ending with sentence punctuation: "… to the new
    place.\nGrange Cottage\nKington HR5 3AA"); else 0."""
    end, pos = 0, 0
    for line in value.split("\n")[:-1]:
        pos += len(line) + 1
        if line.rstrip()[-1:] in (".", "!", "?", ":") and len(_LOWER_WORDS.findall(line)) >= 3:
            end = pos
    return end


def _locate(window: str, value: str, near: int) -> tuple[int, int] | None:
    """Where pyap's ``value`` is in ``window``: pyap normalises whitespace before matching, so
    its offsets can be off; the value is searched (any whitespace between its words) from a
    little before ``near``. None when it is not there."""
    words = value.split()
    if not words:
        return None
    rx = re.compile(r"\s+".join(re.escape(w) for w in words))
    m = rx.search(window, max(0, near - 20)) or rx.search(window)
    return m.span() if m else None


def _merged_windows(spans: dict[str, list[tuple[int, int]]]) -> list[tuple[str, tuple[int, int]]]:
    """``(country, (start, end))`` with each country's overlapping windows joined: pyap then scans
    each character once per country instead of once per window holding it (windows are whole
    lines, so a joined window still starts and ends at a line edge; same results on the
    evaluation texts and the benchmark's messages, about a quarter less time)."""
    out = []
    for country in sorted(spans):
        joined: list[list[int]] = []
        for lo, hi in sorted(spans[country]):
            if joined and lo <= joined[-1][1]:
                joined[-1][1] = max(joined[-1][1], hi)
            else:
                joined.append([lo, hi])
        out += [(country, (lo, hi)) for lo, hi in joined]
    return out


class PyapAddressRecognizer(EntityRecognizer):
    """pyap2 address detection for US, CA and GB, run only on the lines around an anchor."""

    COUNTRIES = ("US", "CA", "GB")
    SCORE = 0.7

    def __init__(self, language: str, countries: tuple[str, ...] = COUNTRIES):
        self.countries = countries
        super().__init__(supported_entities=["LOCATION"], name="PyapAddressRecognizer", supported_language=language)

    def load(self) -> None:  # noqa: D102
        import pyap  # noqa: F401 - fail at start, not on the first message

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """LOCATION results for each address pyap finds in a window around an anchor."""
        from agent.pii import pyap_rules  # pyap.parse with its rules compiled once per process

        out: list[RecognizerResult] = []
        seen: set[tuple[int, int]] = set()
        spans: dict[str, list[tuple[int, int]]] = {}  # country -> windows around its anchors
        for rx, countries in _ANCHORS:
            for m in rx.finditer(text):
                lo = max(0, text.rfind("\n", 0, max(0, m.start() - 120)) + 1)
                hi = text.find("\n", min(len(text), m.end() + 60))
                hi = len(text) if hi < 0 else hi
                for c in countries:
                    if c in self.countries:
                        spans.setdefault(c, []).append((lo, hi))
        for country, (lo, hi) in _merged_windows(spans):
            window = text[lo:hi]
            for addr in pyap_rules.parse(window, country):
                found = _locate(window, addr.full_address, addr.match_start)
                if found is None:
                    continue
                a, b = lo + found[0], lo + found[1]
                a += _sentence_before_street(text[a:b])
                a += _sentence_lines_before(text[a:b])
                cut = b < len(text) and text[b].isalnum() and text[b - 1].isalnum()  # ends inside a token: "… account GB46BA|RC2000…" is an IBAN
                if (a, b) in seen or b <= a or cut or _IBAN_LIKE.search(text[a:b]) or not any(c.isdigit() for c in text[a:b]):
                    continue
                seen.add((a, b))
                out.append(
                    RecognizerResult(
                        "LOCATION",
                        a,
                        b,
                        self.SCORE,
                        analysis_explanation=AnalysisExplanation(recognizer=self.name, original_score=self.SCORE, pattern_name=f"pyap {country}"),
                        recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id},
                    )
                )
        return out


# ---------------------------------------------------------------- one address, one placeholder
# Characters that may start a line of an address block: quote marks, bullets, table bars and the
# "?" a lost bullet character becomes.
_PREFIX = r"[ \t>?*•·|]"
_GAP = re.compile(r"[\s,>?*•·|]*")
# (a full stop right after the house number is the Hungarian way of writing it, "Kecskeméti út 7."; a region
# name may hold a spaced hyphen, as Slovenia's statistical regions are written: "Grosuplje Notranjsko - kraška 2320")
_TRAILING_LINE = re.compile(
    rf"(?:[ \t,]|(?<=\d)\.)*\n{_PREFIX}*[ \t,]*(?P<line>(?:[^\W\d_][\w'’-]*\.?(?:[ \t]-(?=[ \t]))?[ \t]?){{1,4}}(?:[ \t]*,?[ \t]*(?:[A-Z]{{1,3}}[ \t]+)?\d{{4,5}})?|\d{{4,5}}"
    # a postcode + town line in any case ("3500 ac utrecht", "4410 liestal", Poste Italiane's "18035 Dolceacqua (IM)")
    rf"|(?P<pc>(?:[A-Z]{{1,2}}-)?\d{{4,5}}(?:[ \t]?[a-zA-Z]{{2}}(?=[ \t]))?),?[ \t]+[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’.-]*){{0,2}}(?:[ \t]+\([A-Za-z]{{2}}\))?)(?:[ \t,.]|(?<=\d)[?!])*(?=\n|$)"
    rf"|[ \t,]*\n{_PREFIX}*[ \t,]*(?P<code>\d{{5}}|\d{{3}} \d{{2}})(?=[ \t]+[^\W\d_])"  # a postcode line the sentence goes on after
)
# A town line with its region or state written out and the postcode last, the way the UPU's S42
# templates put them for many countries ("Brežice, Jugovzhodna Slovenija 64989", "Josh Ville, Mayo
# 24351", "Přerov, Hlavní město Praha 22337"); the postcode at the line's end ties it to the address
# above, so a question mark may close it ("… Oddø, Midtjylland 38236?").
_TOWN_REGION_CODE_LINE = re.compile(
    rf"[ \t,]*\n{_PREFIX}*[ \t,]*(?P<line>(?:[^\W\d_][\w'’-]*\.?[ \t]){{0,3}}[^\W\d_][\w'’-]*[ \t]*,[ \t]*(?:[^\W\d_][\w'’.-]*[ \t]+){{1,3}}\d{{4,5}})[ \t.?!]*(?=\n|$)"
)
# A word of a town line: a letter, then letters, digits or symbols ("φλαμου∆ι": a mathematical
# delta standing for the Greek letter), never sentence punctuation.
_ADDRESS_LINE = re.compile(rf"{_PREFIX}*[\s]*[^\W\d_][^\s,;:!?@()]*(?:[^\S\n]+[^\s,;:!?@()]+){{0,3}}[^\S\n]*,?")
_LEADING_NUMBER = re.compile(r"(?<![\w.,:/+-])\d{1,5}[a-zA-Z]?[ \t]+$")
_TAIL_PARTICLES = r"u|v|nad|pod|na|de|di|del|della|la|le|am|an|der|im|sur|sous|en|on|upon|by|bei|ob|près|lès"
_TAIL_WORD = (
    rf"(?:[{U}][{L}]{{0,2}}\.(?=[ \t]*[{U}{L}])|[{U}](?:[{U}{L}'’-]|\.(?=[{U}{L}]))*|\([^)\n]{{1,25}}\)|{UK_POSTCODE}|{CA_POSTCODE}|\d{{3,5}}(?:[ -]\d{{2,4}})?|(?:{_TAIL_PARTICLES})(?=[ \t]))"
)
# (an address written in brackets ends at the closing bracket: "the old one (PO Box 311, Kaikohe 0440) is closed")
_TAIL_END = r"(?=[ \t]*[.?!;]?[ \t]*(?:\n|$)|[ \t]*[.?!][ \t]+\S|[ \t]*\))"
# (capitalised place words may also end where the sentence goes on in lower case with a preposition or
# conjunction: "… Suite 340 Port Scott New York for this card")
_TAIL = re.compile(rf"(?:[ \t]*,?[ \t]*{_TAIL_WORD}){{1,10}}{_TAIL_END}")
_TAIL_BEFORE_CLAUSE = re.compile(rf"(?:[ \t]*,?[ \t]*{_TAIL_WORD}){{1,10}}(?=[ \t]+(?:for|to|as|so|please|because|since|with|from|which|that|until)[ \t])")
# Comma-separated place names after a street line that a comma and the sentence in lower case follow: "ubicado en
# Av. Providencia 1650, depto 84, <Providencia, Santiago>, tuvo una filtración" (Correos de Chile: street, number,
# flat, comuna, city); each item after its comma, the last ending in a letter ("PO Box 88, 2021, was closed" is a year).
_TAIL_LISTED = re.compile(rf"(?:[ \t]*,[ \t]*{_TAIL_WORD}(?:[ \t]+{_TAIL_WORD}){{0,3}}){{1,3}}(?<=[^\W\d_])(?=,[ \t]+[{L}])")  # a full stop ends a word only after an abbreviation ("St. Gallen", not "Österreich. Danke")
# (a word's full stop only inside it, "st.louis": "…, jaén. no tiene número" ends the address at "jaén")
_TAIL_LOWER = re.compile(rf"(?:[ \t]*,?[ \t]*(?:[{L}](?:[{L}'’-]|\.(?=[{L}]))*|\d{{3,5}})){{1,6}}{_TAIL_END}")
NER = "SpacyRecognizer"
# Floors, units, buildings and a named residence written above or before the street line, each
# ending with a comma or a line break ("2nd Floor, ", "LEVEL 3, ", "Bâtiment C, escalier 2, 3e
# étage, porte droite\n", "RÉSIDENCE LES PINS APPT 47\n"): part of the address they precede.
# (the locality's name also in lower case here, where the item is bounded by a line start, comma or
# colon and by the street line: "rés. les tilleuls, bât 4 esc B, 3 allée des peupliers")
_BEFORE_NAME = rf"(?:(?-i:{CAP})|(?-i:[{L}][{L}'’-]+))"
_BEFORE_ITEM = (
    rf"(?:{FLOOR}|{BUILDING}(?:[ \t]+{BUILDING})*|{UNIT}|{LOCALITY}[ \t]+(?:(?:{ARTICLES})[ \t]*)*{_BEFORE_NAME}(?:[ \t]+{_BEFORE_NAME}){{0,2}}"
    rf"(?:[ \t]*,?[ \t]*(?:{FLOOR}|{UNIT}))?)"
)
_LOCALITY_WORD_BEFORE = re.compile(rf"[ \t>]*(?P<w>{LOCALITY})[ \t]+(?:(?:{ARTICLES})[ \t]+)*", re.IGNORECASE)  # "Résidence Les <Mimosas, …>"
_SUBUNIT_BEFORE = re.compile(rf"(?:^|(?<=[\n,:])|(?<=[\n>:][ \t]))[ \t>]*(?:{_BEFORE_ITEM}(?:[ \t]*,[ \t]*|[ \t]*\n[ \t>]*))+\Z", re.IGNORECASE)
# A floor, door or building after a street line ("Calle Mayor 5, 3º B", "45 avenue des Acacias,
# Bât. C", "Via Roma 3, Scala B"), taken only where a list item ends (comma, line end, full stop).
# Austrian addresses chain them with slashes ("Rennweg 12/Stiege 2/Top 14"), German ones with a
# space ("Hinterhaus 1. Stock"); in a lower-case line the postcode may follow without a comma
# ("c/ sant joan 12 bajo 2a 08012 barcelona", "v.le monza 233 sc. c 20126 milano").
_SUBUNIT_AFTER = re.compile(
    rf"(?:[ \t]*,?[ \t]*|[ \t]*\n[ \t>]*|/)(?:{ES_FLOOR}|{BUILDING}|{FLOOR})"
    rf"(?=/|[ \t]*(?:[,;\n]|$|\.[ \t]*(?:\n|$|[{U}]))|[ \t]+\d{{4,5}}[ \t]+[^\W\d_]|[ \t]+(?:{ES_FLOOR}|{BUILDING}|{FLOOR})(?![\w]))",
    re.IGNORECASE,
)
# A postcode and a town after a street line in any case ("8 impasse des lilas 44300 nantes", "via
# dei mille 7 int 4 20129 milano", "kerkstraat 12 bis, 5611 gh eindhoven"): the town is one word,
# or two after a particle ("la roche", "san sebastián"); the postcode's digits tie it to the street.
_POSTCODE_TOWN_NEXT = re.compile(
    r"[ \t]*,?[ \t]*(?:\d{5},?|\d{4}(?:[ \t]?[a-zA-Z]{2}(?=[ \t]))?)[ \t]+(?P<town>(?:(?:la|le|les|el|san|sant|santa|saint|st\.?|den)[ \t]+)?[^\W\d_][\w'’-]*)"
)
# A place name that goes on after a particle ("Capelle aan den IJssel", "Bergen op Zoom", "Alphen aan den Rijn": the CBS
# list of Dutch woonplaatsen; "Frankfurt am Main", "Weil am Rhein"; "Boulogne sur Mer" written apart), here after the
# town word a postcode came before; Dutch "en" (and) and English "on" are no particles here.
_TOWN_PARTICLE_GOES_ON = re.compile(r"[ \t]+(?:aan|op|bij|am|an[ \t]+der|sur|sous|upon)[ \t]+(?:(?:de|den|der|het|la|le|les)[ \t]+)?(?P<w>[^\W\d_][\w'’-]*)", re.IGNORECASE)
_ANY_CASE_CODE = r"(?:[ac-fhknprtv-y]\d{2}|d6w)[ \t]?[0-9ac-fhknprtv-y]{4}|[a-z]{1,2}\d[a-z\d]?[ \t]?\d[a-z]{2}"  # an Eircode, a UK postcode (with re.I)
_ENDS_WITH_POSTCODE_TOWN = re.compile(
    rf"(?:(?<![\w])(?:\d{{5}},?|\d{{4,5}}(?:[ \t]?[a-zA-Z]{{2}})?)[ \t]+[^\W\d_][\w'’-]*(?i:{_TOWN_PARTICLE_GOES_ON.pattern})?|(?<![\w])(?i:{_ANY_CASE_CODE}|(?:{US_STATES})[ \t]+\d{{5}}))$"
)
# An Eircode or a UK postcode in any case right after a town or county ("co wicklow, a98 k7w3").
_POSTCODE_NEXT = re.compile(
    r"[ \t]*,?[ \t]*(?i:(?:[ac-fhknprtv-y]\d{2}|d6w)[ \t]?[0-9ac-fhknprtv-y]{4}|[a-z]{1,2}\d[a-z\d]?[ \t]\d[a-z]{2})(?![\w])"
)
# A US state code (any case) and a ZIP ending a lower-case tail: "seattle wa 98101".
# A lower-case town, state code and ZIP right after a street or unit: "… apt 2, jersey city nj 07304 please".
_STATE_ZIP_NEXT = re.compile(rf"[ \t]*,?[ \t]*(?:[{L}]+[ \t]+){{0,3}}(?i:\b(?:{US_STATES}))[ \t]+\d{{5}}(?:-\d{{4}})?(?![\w])")
_STATE_ZIP_END = re.compile(rf"(?i:\b(?:{US_STATES}))[ \t]+\d{{5}}(?:-\d{{4}})?[ \t.]*$")
# A Mexican colonia (Correos de México: the settlement line after the street, "Col." or
# "Fracc." for a fraccionamiento) after the street line: "Av. Juárez 14, Col. Centro", "calle pino 3, col. del valle".
_COLONIA_AFTER = re.compile(r"[ \t]*,[ \t]*(?i:col\.|colonia|fracc\.|fraccionamiento)[ \t]+(?:[^\W\d_][\w'’.-]*)(?:[ \t]+[^\W\d_][\w'’.-]*){0,4}(?=[ \t]*[,\n])")
# The rest of a town of two or three words written after its postcode up to the comma before its region
# ("01710 alvaro <obregon>, cdmx", "5000 san miguel <de tucumán>, tucumán").
_TOWN_GOES_ON = re.compile(r"(?:[ \t]+[^\W\d_][\w'’-]*){1,2}(?=[ \t]*,)")
# The region after the street line or the postcode and town: Argentina's autonomous city (CABA,
# Correo Argentino) and Mexico City (CDMX, Correos de México) in any case after any street line; a
# province or state of Argentina or Mexico (INDEC, INEGI) after a postcode and town ("2000 Rosario, Santa Fe").
AR_MX_REGIONS = (
    "Buenos Aires|Catamarca|Chaco|Chubut|Córdoba|Corrientes|Entre Ríos|Formosa|Jujuy|La Pampa|La Rioja|Mendoza|Misiones|Neuquén|Río Negro|Salta|"
    "San Juan|San Luis|Santa Cruz|Santa Fe|Santiago del Estero|Tierra del Fuego|Tucumán|"
    "Aguascalientes|Baja California(?: Sur)?|Campeche|Chiapas|Chihuahua|Coahuila|Colima|Durango|Estado de México|Guanajuato|Guerrero|Hidalgo|Jalisco|"
    "Michoacán|Morelos|Nayarit|Nuevo León|Oaxaca|Puebla|Querétaro|Quintana Roo|San Luis Potosí|Sinaloa|Sonora|Tabasco|Tamaulipas|Tlaxcala|Veracruz|Yucatán|Zacatecas"
)
# Correos: the province after the postcode and town, after a comma or in brackets ("45300 Ocaña, Toledo",
# "03710 Calpe (Alicante)"), in any case; the 50 provinces of INE's list, with their common Spanish names.
ES_PROVINCES = (
    "Álava|Araba|Albacete|Alicante|Alacant|Almería|Asturias|Ávila|Badajoz|Baleares|Illes Balears|Barcelona|Burgos|Cáceres|Cádiz|Cantabria|"
    "Castellón|Castelló|Ciudad Real|Córdoba|Cuenca|Girona|Gerona|Granada|Guadalajara|Gipuzkoa|Guipúzcoa|Huelva|Huesca|Jaén|A Coruña|La Coruña|"
    "La Rioja|Las Palmas|León|Lleida|Lérida|Lugo|Madrid|Málaga|Murcia|Navarra|Ourense|Orense|Palencia|Pontevedra|Salamanca|"
    "Santa Cruz de Tenerife|Segovia|Sevilla|Soria|Tarragona|Teruel|Toledo|Valencia|València|Valladolid|Bizkaia|Vizcaya|Zamora|Zaragoza"
)
_ES_PROVINCE_NEXT = re.compile(rf"[ \t]*(?:,[ \t]*(?:{ES_PROVINCES})|\((?:{ES_PROVINCES})\))(?![\w])", re.IGNORECASE)
_CITY_CODE_NEXT = re.compile(r"[ \t]*,[ \t]*(?i:caba|c\.a\.b\.a\.|cdmx|cd\.[ \t]?mx\.?|edomex)(?![\w])")
_REGION_NEXT = re.compile(rf"[ \t]*,[ \t]*(?:{AR_MX_REGIONS})(?![\w])")
# Poste Italiane: the province's code also without brackets after the town ("00042 Anzio RM", in a
# lower-case line "00042 anzio rm"); only the codes of the ISTAT list of the 107 provinces, and only where
# the clause ends after it (a comma, full stop, line end), so a word the sentence goes on with is never taken.
IT_PROVINCES = (
    "AG|AL|AN|AO|AP|AQ|AR|AT|AV|BA|BG|BI|BL|BN|BO|BR|BS|BT|BZ|CA|CB|CE|CH|CL|CN|CO|CR|CS|CT|CZ|EN|FC|FE|FG|FI|FM|FR|GE|GO|GR|"
    "IM|IS|KR|LC|LE|LI|LO|LT|LU|MB|MC|ME|MI|MN|MO|MS|MT|NA|NO|NU|OR|PA|PC|PD|PE|PG|PI|PN|PO|PR|PT|PU|PV|PZ|RA|RC|RE|RG|RI|RM|"
    "RN|RO|SA|SI|SO|SP|SR|SS|SU|SV|TA|TE|TN|TO|TP|TR|TS|TV|UD|VA|VB|VC|VE|VI|VR|VT|VV"
)
# Poste Italiane: the province's two-letter code in brackets after the postcode and town ("53037 San Gimignano (SI)");
# in brackets any two capitals, in lower case ("20032 ospitaletto (mi)") only a code of the ISTAT list.
_PROVINCE_CODE_NEXT = re.compile(rf"[ \t]*\((?:(?-i:[A-Z]{{2}})|(?-i:{IT_PROVINCES.lower()}))\)(?![\w])")
_PROVINCE_BARE_NEXT = re.compile(rf"[ \t]+(?:(?-i:{IT_PROVINCES})|(?-i:{IT_PROVINCES.lower()}))(?=[ \t]*(?:[,;]|[.!?]?[ \t]*(?:\n|$)|[.!?][ \t]))")
# An Irish postal district after a Dublin street line (An Post: "Dublin 1" to "Dublin 24", "Dublin 6W"):
# "6 Clonard Grove, Dublin 16".
_DUBLIN_DISTRICT_NEXT = re.compile(r"[ \t]*,[ \t]*(?i:dublin)[ \t]+(?:[1-9]|1\d|2[0-4]|6w)(?![\w])")
# The number word before a house number ("No. 6 Clonard Grove", "no 14 Main Street"), an English usage
# of Irish and British addresses.
_NUMBER_WORD_BEFORE = re.compile(r"(?<![\w])(?i:no\.?|nr\.?|number)[ \t]+\Z")
# A street line that ends with a house number and a 5-digit postcode ("hauptstrase 23 72070"), and the
# town word after it (Deutsche Post, La Poste, Poste Italiane, Correos: postcode + town).
_STREET_POSTCODE_END = re.compile(r"[^\W\d_][ \t]+\d{1,4}[a-zA-Z]?,?[ \t]+\d{5}\Z")
# A house number, a prefix street word and its name, and a 5-digit number the street pattern took for the house number:
# the postcode (La Poste, Correos, Poste Italiane write number, street, postcode, town: "14 rue paul bert 33000 bordeaux").
_NUMBER_PREFIX_STREET_POSTCODE = re.compile(rf"\d{{1,5}}[a-zA-Z]{{0,3}},?[ \t]+(?:{PREFIX_STREETS})[ \t]+[^\d\n]*[^\W\d_][ \t]+\d{{5}}", re.IGNORECASE)
_TOWN_AFTER_POSTCODE = re.compile(r"[ \t]+(?P<town>[^\W\d_][\w'’-]*)")
# The article of a named house or estate that starts its address line, with the name's first words (La Poste NF Z10-011
# line 3, "Le Clos Fleuri", "Le Mas des Oliviers";
# "El Mirador", "Il Poggio", "De Hoeve"), which NER left out of its span.
_ARTICLE_LINE_START = re.compile(rf"[ \t>]*(?P<a>(?-i:Le|La|Les|El|Il|Lo|De|Het))(?:[ \t]+(?:(?-i:{CAP})|des|de|du|del|della|di|d'))" + r"{0,3}[ \t]+")
# The article of a UK or Irish house name ("The Old Forge", "THE GRANGE"; Royal Mail's premises name).
_THE_BEFORE = re.compile(r"(?<![\w])(?-i:The|THE)[ \t]+\Z")
# A German floor after a building ("Hinterhaus 2. OG rechts"), whose number the street line took.
_TRAILING_FLOOR_NUMBER = re.compile(r"[ \t]\d{1,2}\Z")
_POSTCODE_AND_TOWN = re.compile(r"(?<![\w-])\d{4,5},?[ \t]+[^\W\d_]")
# South African Post Office: the 4-digit postcode last, after the suburb and town and a comma ("PO Box
# 7731, Rivonia, 2128"); a year (1950-2039) after a comma is no postcode unless the line ends there.
_SA_CODE_NEXT = re.compile(
    rf"(?:[ \t]*,[ \t]*{TOWN}){{0,2}}[ \t]*,[ \t]*(?!19[5-9]\d|20[0-3]\d)\d{{4}}(?=[ \t]*(?:[,;]|[.!?]?[ \t]*(?:\n|$)|[.!?][ \t]))"
)
# A German street named after a place with the adjective in -er, written apart ("Hernalser Hauptstraße",
# "Mariahilfer Straße", Duden § 36), here in lower case: the adjective before a street word.
_ADJECTIVE_BEFORE = re.compile(r"(?<![\w-])(?-i:[a-zäöüß][a-zäöüß-]+er)[ \t]+\Z")
# A Dutch street named after a person, its first name and particle written apart ("Jan van Galenstraat",
# "Pieter de Hoochstraat", NEN 5825 / BAG street names), here in lower case: the first name is no stop word
# ("op de kerkstraat" keeps "op de" out).
_PERSON_PARTICLE_BEFORE = re.compile(r"(?<![\w-])(?P<first>(?-i:[a-zäöüéèëï]{2,}))[ \t]+(?:van[ \t]+(?:de|der|den)|van|de|der|den|ter|ten)[ \t]+\Z")
_LOWER_SUFFIX_STREET = re.compile(rf"(?-i:[{L}-]*)(?i:{SUFFIX_STREETS})(?![\w])")
# A named part of an address written between two others on one line: up to four capitalised
# words (particles allowed after the first): "The Maltings", "Bishop Street", "Hebden Bridge".
_NAMED_PART = re.compile(rf"(?-i:{CAP})(?:[ \t]+(?:(?-i:{CAP})|{ARTICLES}|of|on|upon|the)){{0,3}}")


_BLANK_LINE = re.compile(r"\n[ \t>]*\n")


def _is_stop(word: str) -> bool:
    from agent.pii.words import stop_words

    return word.casefold() in stop_words() and word.casefold() not in _NAME_PARTICLES


def _address_gap(gap: str) -> bool:
    """True when ``gap`` between two address parts keeps them one address: separators only, or
    up to three short lines (a town, a region) without sentence punctuation. A blank line ends an
    address block (the layout of a postal address: its lines follow one another, Royal Mail's and
    UPU S42's address block), so after one only separators may come before the next part
    ("… Riisa" + a blank line + "Estonia 62488"): words there begin a paragraph ("<nw9 7qe>" + a
    blank line + "the old one was <113 pembury avenue…>")."""
    if _GAP.fullmatch(gap):
        return True
    lines = gap.split("\n")
    if len(lines) - 1 > 3 or len(gap) > 80 or re.search(r"[.!:;@]", gap) or _BLANK_LINE.search(gap):
        return False
    if len(lines) == 1 and any(_is_stop(w) for w in re.findall(r"[^\W\d_]+", gap)):
        return False  # "da <Viale X 1, 13896 Netro (BI)> a <Stretto Y 41, …>": a preposition between two addresses on a line
    return all(not ln.strip(" ,\t>?*•·|") or _ADDRESS_LINE.fullmatch(ln.lstrip(" \t,")) for ln in lines)


def _named_parts_gap(gap: str) -> bool:
    """True when ``gap`` between two address parts on one line is a comma-separated list of one
    to three named parts (a building name, a street without a number, a district): ", The
    Maltings, Bishop Street, " between "Apt 4" and "Dublin 8". Each item is up to four
    capitalised words; the commas on both ends are required, so a sentence that merely goes on
    ("12 Baker Street and then 5 Elm Road") is never joined."""
    if "\n" in gap or len(gap) > 80 or not re.fullmatch(r"[ \t]*,.*,[ \t]*", gap):
        return False
    items = [x.strip() for x in gap.strip(" \t,").split(",")]
    return 1 <= len(items) <= 3 and all(_NAMED_PART.fullmatch(x) for x in items)


def _extend(text: str, s) -> tuple[int, int]:
    """The span of the address part ``s`` with its house number before it on the line ("255
    hersnapvej 18"), a floor, door or building after a street line ("Calle Mayor 5, 3º B",
    "Rennweg 12/Stiege 2/Top 14", ``_SUBUNIT_AFTER``), a postcode and town in any case after a
    street line ("8 impasse des lilas 44300 nantes", ``_POSTCODE_TOWN_NEXT``), an Eircode or UK
    postcode in any case after a town or county (``_POSTCODE_NEXT``), the rest of its line when that is only towns, regions, countries and
    postcodes ("Apt. 162, Chomutice u Horic v Podkrkonoší, Czech Republic 33156"; in lower case
    when it is no run of ordinary words or ends with a US state and ZIP: "seattle wa 98101"),
    and up to three following lines of that kind."""
    start, end = s.start, s.end
    # after a postcode and town a lower-case tail is only a region or country after a comma
    # ("23400 úbeda, jaén"), not the words the sentence goes on with ("08012 barcelona xfa gracias")
    town_taken = bool(_ENDS_WITH_POSTCODE_TOWN.search(s.value))
    line_start = text.rfind("\n", 0, start) + 1
    m = _LEADING_NUMBER.search(text, line_start, start)
    if m:
        start = m.start()
    comma = s.value.find(",")
    if _HOUSE_WORD.search(s.value[: comma if comma > 0 else len(s.value)]) and (m := _THE_BEFORE.search(text, max(line_start, start - 5), start)):
        start = m.start()  # "<THE> OLD FORGE, CHURCH LANE": a house name with its article
    if _numbered(s.value) and s.value[:1].isupper() and (m := _ARTICLE_LINE_START.fullmatch(text, line_start, start)):
        start = m.start("a")  # "<Le >Clos Fleuri, 4 impasse des Vignes": the article of a named house at the line start
    if s.value[:1].isdigit() and (m := _NUMBER_WORD_BEFORE.search(text, max(line_start, start - 10), start)):
        start = m.start()  # "<No. >6 Clonard Grove"
    m = _ADJECTIVE_BEFORE.search(text, max(line_start, start - 40), start) if _LOWER_SUFFIX_STREET.match(s.value) else None
    if m and _town_word(m.group(0)):  # "<hernalser> hauptstraße 118/2/14": the place adjective of the street's name
        start = m.start()
    m = _PERSON_PARTICLE_BEFORE.search(text, max(line_start, start - 40), start) if _LOWER_SUFFIX_STREET.match(s.value) else None
    if m and _town_word(m.group("first")):  # "<jan van >galenstraat 201": a street named after a person
        start = m.start()
    if _numbered(s.value):
        m = _LOCALITY_WORD_BEFORE.fullmatch(text[line_start:start])  # "RÉSIDENCE <LES CHÊNES APPT 12>"
        if m:
            start = line_start + m.start("w")
        window = text[max(0, start - 100) : start]
        m = _SUBUNIT_BEFORE.search(window)
        if m:
            start -= len(window) - m.start() - (len(m.group(0)) - len(m.group(0).lstrip(" \t>")))
    if _numbered(s.value):
        last_line = text.rfind("\n", start, end)  # a unit line NER took a word of: "rue des Tanneurs<\nBât>. C, 3e étage"
        m = _SUBUNIT_AFTER.match(text, last_line) if last_line > start else None
        if m and m.end() > end:
            end = m.end()
        m = _TRAILING_FLOOR_NUMBER.search(text, start, end)
        m = _SUBUNIT_AFTER.match(text, m.start()) if m else None
        if m and m.end() > end:  # "Hinterhaus <2. OG rechts>": the floor's number is no house number
            end = m.end()
        while m := _SUBUNIT_AFTER.match(text, end) or _COLONIA_AFTER.match(text, end) or _UNIT_AFTER.match(text, end):
            end = m.end()
        m = _POSTCODE_TOWN_NEXT.match(text, end)
        if not m and _STREET_POSTCODE_END.search(text, start, end):  # "hauptstrase 23 72070< tübingen>": the postcode another recogniser joined
            m = _TOWN_AFTER_POSTCODE.match(text, end)
        if not m and _NUMBER_PREFIX_STREET_POSTCODE.fullmatch(text, start, end):
            m = _TOWN_AFTER_POSTCODE.match(text, end)  # "14 rue paul bert 33000< bordeaux>": the street pattern took the postcode for the number
        if m and _town_word(m.group("town")):
            end, town_taken = m.end(), True
            p = _TOWN_PARTICLE_GOES_ON.match(text, end)
            if p and _town_word(p.group("w")) and p.group("w").casefold() not in _MONTH_WORDS | _closing_words():
                end = p.end()  # "2903 lr capelle< aan den ijssel>"
            m = _TOWN_GOES_ON.match(text, end)
            words = m.group(0).split() if m else []
            if words and all(_town_word(w) and w.casefold() not in _closing_words() for w in words):
                end = m.end()
        m = _CITY_CODE_NEXT.match(text, end)
        if m:
            end = m.end()
    zip_next = _STATE_ZIP_NEXT.match(text, end) if _numbered(s.value) and not any(c.isupper() for c in s.value) else None
    if zip_next:  # the state and ZIP end the address, the sentence goes on: "… nj 07030 thanks"
        end = zip_next.end()
    elif _numbered(s.value) or s.recogniser != NER:
        tail = _TAIL if any(c.isupper() for c in s.value) else _TAIL_LOWER
        m = tail.match(text, end) or (_TAIL_LISTED.match(text, end) if tail is _TAIL and _numbered(s.value) else None)
        if not m and tail is _TAIL and _numbered(s.value) and (c := _TAIL_BEFORE_CLAUSE.match(text, end)):
            m = None if any(_is_stop(w) for w in c.group(0).replace(",", " ").split()) else c  # not "12 Elm Road <Is Closed> for"
        words = m.group(0).replace(",", " ").split() if m else []
        if tail is _TAIL_LOWER and any(w.casefold() in _closing_words() for w in words):
            m, words = None, []  # a sign-off ends the address: "kerkstraat 7 <mvg daan>" is the letter's end
        if tail is _TAIL and all(w.isupper() for w in words if w.isalpha()) and not all(_town_word(w) for w in words):
            m, words = None, []  # a sentence in capitals goes on: "2145 RD 16 N <AND DOES NOT GET MAIL>"
        region = town_taken and m and m.group(0).lstrip(" \t").startswith(",") and len(words) <= 2 and all(_town_word(w) for w in words)
        if m and (
            tail is _TAIL
            or region  # "23400 úbeda<, jaén>", "18620 alhendín<, granada>": a province after the postcode and town
            or not town_taken
            and (_STATE_ZIP_END.search(m.group(0)) or not all(is_ordinary_word(w) for w in words if not w.isdigit()))
        ):
            end = m.end()
            while end > s.end and text[end - 1] == ".":  # the full stop ends the sentence, not the town
                end -= 1
    if _numbered(s.value):
        value = text[start:end]
        m = _SA_CODE_NEXT.match(text, end)
        if m and (m.group(0).count(",") > 1 or text[end - 1].isalpha()):  # a code straight after a number is no postcode ("Flat 3, 1500")
            end = m.end()
        elif _POSTCODE_AND_TOWN.search(value) and (
            m := _REGION_NEXT.match(text, end)
            or _PROVINCE_CODE_NEXT.match(text, end)
            or _PROVINCE_BARE_NEXT.match(text, end)
            or _ES_PROVINCE_NEXT.match(text, end)
        ):
            end = m.end()
        elif m := _DUBLIN_DISTRICT_NEXT.match(text, end):
            end = m.end()
    m = _POSTCODE_NEXT.match(text, end)
    if m:
        end = m.end()
    for _ in range(3):
        m = _TOWN_REGION_CODE_LINE.match(text, end)
        if m and all(_town_word(w) for w in m.group("line").replace(",", " ").split()[:-1]):
            end = m.end("line")
            continue
        m = _TRAILING_LINE.match(text, end)
        if not m or (m.group("line") is not None and _closing_line(m.group("line"))):
            break
        if m.group("pc") and not all(_town_word(w) for w in text[m.end("pc") : m.end("line")].split()):
            if re.fullmatch(r"\d{5}", m.group("pc")):  # a postcode line the sentence goes on after: "77233 for this card."
                end = m.end("pc")
            break
        end = m.end("line") if m.group("line") is not None else m.end("code")
        if m.group("line") is None:
            break
    return start, end


def _town_word(word: str) -> bool:
    """True for a word that may name a town after a postcode: no stop word of the six languages
    (a particle inside a name aside), no unit of an amount ("500 euros", "1000 Stück")."""
    from agent.pii.words import stop_words

    w = word.strip(".,;:!?()").casefold()
    return bool(w) and w not in NOT_TOWN and (w not in stop_words() or w in _NAME_PARTICLES)


_NAME_PARTICLES = frozenset("la le les l' el los las de del della di du des den der van von het san sant santa saint st st. am an im auf sur sous en upon on".split())


@lru_cache(maxsize=1)
def _closing_words() -> frozenset[str]:
    from agent.pii.recognisers import GREETINGS, SIGNOFFS

    # the thanks a German or Dutch letter ends with ("Danke.", "Bedankt!") end the address too
    return frozenset(w.lower() for w in re.findall(r"[^\W\d_]+", GREETINGS + " " + SIGNOFFS)) | {"thx", "ty", "ta", "danke", "dankeschön", "bedankt", "bvd", "mvg", "mfg", "cdlt", "xfa"}


def _closing_line(line: str) -> bool:
    """True for a line of greeting or sign-off words only ("Thanks", "Kind regards"), or one that
    starts with such a word and goes on in ordinary words ("Merci d'avance", "Thanks again for
    everything"): the letter goes on, the address has ended."""
    words = re.findall(r"[^\W\d_]+", line.lower())
    closing = _closing_words()
    return bool(words) and words[0] in closing and all(w in closing or is_ordinary_word(w) for w in words[1:])


def join_address_parts(text: str, spans: list) -> list:
    """One LOCATION span per postal address, from non-overlapping spans in reading order
    (``agent.redaction.PiiSpan``): LOCATION parts separated only by an address gap are joined,
    so is a name between two of them ("178 Piermark Drive <Zak Points> Apt. 335": a street named
    after a person), and so are up to three comma-separated named parts between two of them on
    one line, PERSON spans in them included ("Apt 4, The <Maltings>, <Bishop> Street, Dublin 8":
    a building and a street without a number, :func:`_named_parts_gap`); each address takes its house number, the rest of its line and its trailing
    town/country/postcode lines (:func:`_extend`). A span the extension reaches is absorbed when
    it is a LOCATION or a PERSON, else the address stops before it. Then each address grows from
    its postcode (:func:`_grow_from_postcodes`: the address lines above a postcode line, the
    comma-separated parts before it, lower-case addresses). A street name beside a word for
    the firm's branch and a product name with a number are dropped first (:func:`_branch_name`,
    :func:`_product_name`). Repeated until nothing changes (an extended address may now reach
    the next part: "… Riisa" + a blank line + "Estonia 62488"), so the result is the same however
    often it is applied."""
    spans = [s for s in spans if not (s.entity == "LOCATION" and (_branch_name(text, s) or _product_name(text, s) or _street_named_product(text, s)))]
    joined = spans
    lower_anchors = _lower_anchors(text)
    for _ in range(4):
        joined = _grow_from_postcodes(text, _join_once(text, spans), lower_anchors)
        if [(x.start, x.end, x.entity) for x in joined] == [(x.start, x.end, x.entity) for x in spans]:
            break
        spans = joined
    from agent.pii.address_places import places_beside

    return places_beside(text, _floor_beside(text, _addressee_names(text, joined)))


# A floor written apart from its street line in the same clause, joined to it by a preposition: "au 3 rue
# X 44300 nantes <au 2eme etage porte gauche>", "27 RUE X, <au 3e étage>", "al <terzo piano> di Via X 88"
# (fr "au", it "al … di", de "im", nl "op de", en "on the"): part of the address, as the floor line of
# La Poste's NF Z10-011 line 2, Poste Italiane's "piano" and Deutsche Post's "OG" are. Alone (no street
# line beside it) a floor stays readable.
_FLOOR_WORD = rf"(?:{FLOOR})(?:[ \t]+porte[ \t]+(?:droite|gauche|\d{{1,3}}))?"
_FLOOR_AFTER = re.compile(rf"[ \t]*,?[ \t]*(?:au|à|al|im|op[ \t]+de|on[ \t]+the)[ \t]+(?P<f>{_FLOOR_WORD})(?![\w])", re.IGNORECASE)
# Poste Italiane's unit words written right after the house number ("Via Beatrice, 1 Appartamento 5",
# "Viale Roma 7 piano 3"), and Correos de México's número interior ("Viaducto Chad 578 Interior 854"): part
# of the address there, ordinary words elsewhere ("piano 3 volte").
_UNIT_AFTER = re.compile(r"[ \t]*,?[ \t]*(?P<f>(?:appartamento|app\.|piano|interno|interior|int\.|scala)[ \t]*\d{1,3}[a-zA-Z]?)(?![\w])", re.IGNORECASE)
_FLOOR_BEFORE = re.compile(rf"(?<![\w])(?P<f>{_FLOOR_WORD})[ \t]+(?:di|de|du|of|in|im|van)[ \t]+\Z", re.IGNORECASE)


def _floor_beside(text: str, spans: list) -> list:
    """``spans`` with a LOCATION span added for each floor written beside a numbered street line
    (``_FLOOR_AFTER``, ``_FLOOR_BEFORE``) where no other span is."""
    out = list(spans)
    for s in spans:
        if s.entity != "LOCATION" or not _numbered(s.value):
            continue
        m = _FLOOR_AFTER.match(text, s.end) or _UNIT_AFTER.match(text, s.end)
        b = _FLOOR_BEFORE.search(text, max(0, s.start - 40), s.start)
        for lo, hi in [p for p in ((m.start("f"), m.end("f")) if m else None, (b.start("f"), b.end("f")) if b else None) if p]:
            if lo is not None and not any(x.start < hi and lo < x.end for x in out):
                out.append(_new_span(text, lo, hi))
    return sorted(out, key=lambda x: x.start)
def _addressee_names(text: str, spans: list) -> list:
    """A PERSON span for the name on a title line directly above an address block ("MR J R
    FITZGERALD" above "LEVEL 3, 120 MARY STREET": :func:`_title_line`), the title left out, the
    PERSON spans inside it replaced: the addressee's line (UPU S42) is a name whatever a name
    recogniser made of it. Not when another identifier lies on the line, or the name has more
    than five words."""
    from agent.redaction import PiiSpan

    out = list(spans)
    for a in spans:
        if a.entity != "LOCATION" or a.recogniser == NER or not _numbered(a.value):
            continue
        line_start = text.rfind("\n", 0, a.start) + 1
        if text[line_start : a.start].strip(" \t>?*•·|") or line_start == 0:
            continue
        prev = text.rfind("\n", 0, line_start - 1) + 1
        line = text[prev : line_start - 1]
        body = line.strip(" \t>?*•·|,")
        if not body or not _title_line(body):
            continue
        lo = prev + line.index(body) + _title_line_rx().match(body).end() - 1  # the rule ends with the name's first letter
        hi = prev + line.index(body) + len(body)
        if len(text[lo:hi].split()) > 5 or any(s.entity != "PERSON" and s.start < hi and lo < s.end for s in out):
            continue
        inside = [s for s in out if s.entity == "PERSON" and s.start < hi and lo < s.end]
        lo, hi = min([lo] + [s.start for s in inside]), max([hi] + [s.end for s in inside])
        out = [s for s in out if not any(s is p for p in inside)]
        score = max([0.6] + [s.score for s in inside])
        out.append(PiiSpan("PERSON", lo, hi, text[lo:hi], score, inside[0].recogniser if inside else "EuAddressRecognizer"))
        out.sort(key=lambda s: (s.start, s.end))
    return out


# The firm's branch or office named after its street: "your Baker Street office", "the Main Street
# branch", "l'agence de la rue de la Paix", "die Filiale in der Goethestraße": no client's address.
_BRANCH_WORDS = r"branch|office|store|shop|outlet|agency|showroom|agence|bureau|magasin|boutique|filiale|geschäftsstelle|sucursal|oficina|tienda|negozio|ufficio|filiaal|kantoor|winkel|vestiging"
_BRANCH_AFTER = re.compile(rf"[ \t]+(?:{_BRANCH_WORDS})(?![\w])", re.IGNORECASE)
_BRANCH_BEFORE = re.compile(rf"(?<![\w])(?:{_BRANCH_WORDS})(?:[ \t]+(?:of|on|in|at|the|de|du|des|la|l'|en|di|della|del|in der|an der|am|op|aan|van|het))*[ \t]*\Z", re.IGNORECASE)
_STREET_BEFORE = re.compile(rf"(?<![\w])(?:{PREFIX_STREETS})[ \t]+(?:(?:{ARTICLES})[ \t]*)*\Z", re.IGNORECASE)
_STREET_WORD = re.compile(rf"(?<![\w])(?:{EN_STREETS}|{PREFIX_STREETS}|[\w-]*(?:{SUFFIX_STREETS}))(?![\w])", re.IGNORECASE)


def _branch_name(text: str, s) -> bool:
    """True for a street name without a number that NER took for a place, written next to a
    word for a branch or office of the firm (``_BRANCH_WORDS``): the firm's site, not an address."""
    if s.recogniser != NER or any(c.isdigit() for c in s.value):
        return False
    start = s.start
    m = _STREET_BEFORE.search(text, max(0, start - 30), start)  # "rue des <Carmes>": NER took the name only
    if m:
        start = m.start()
    elif not _STREET_WORD.search(s.value):
        return False
    return bool(_BRANCH_AFTER.match(text, s.end) or _BRANCH_BEFORE.search(text, max(0, start - 40), start))


_CAPS_NUMBER = re.compile(rf"(?-i:{CAP})(?:[ \t]+(?-i:{CAP})){{0,2}}[ \t]+\d{{1,3}}")  # a postcode (4-5 digits) is no product number
_NEXT_WORD = re.compile(r"[ \t]+([a-z][a-z'-]+)")


def _product_name(text: str, s) -> bool:
    """True for a capitalised name and a number, no street word in it, found alone by a pattern and
    followed by a common noun: a product or an offer ("the Flat 20 offer", "the Mini Box 300
    router"), not a unit or street line, which a comma, a line end, a town or a postcode follows."""
    if s.recogniser == NER or not _CAPS_NUMBER.fullmatch(s.value) or _STREET_WORD.search(s.value):
        return False
    m = _NEXT_WORD.match(text, s.end)
    if not m:
        return False
    from agent.pii.words import is_ordinary_word, stop_words

    w = m.group(1)
    return w not in stop_words() and not _ADDRESS_WORD.fullmatch(w) and is_ordinary_word(w, english_only=True)


_HOUSE_NUMBER = re.compile(r"(?<![\w-])\d{1,5}[a-zA-Z]?(?![\w-])")


def _street_named_product(text: str, s) -> bool:
    """True for a street name without a house number that NER took for a place, written before a
    common noun: a product or a model named after the street ("the Abbey Road 4-Seater sofa", "the
    Park Avenue lamp"), not an address, which a house number, a comma, a town or a line end
    follows."""
    if s.recogniser != NER or not _STREET_WORD.search(s.value) or _HOUSE_NUMBER.search(s.value):
        return False
    m = _NEXT_WORD.match(text, s.end)
    if not m:
        return False
    from agent.pii.words import is_ordinary_word, stop_words

    w = m.group(1)
    return w not in stop_words() and not _ADDRESS_WORD.fullmatch(w) and is_ordinary_word(w, english_only=True)


def _join_once(text: str, spans: list) -> list:
    out: list = []
    for s in spans:
        if out and s.entity == "LOCATION" and out[-1].entity == "LOCATION" and _address_gap(text[out[-1].end : s.start]):
            out[-1] = replace(out[-1], end=s.end, value=text[out[-1].start : s.end], score=max(out[-1].score, s.score))
            continue
        if (
            len(out) >= 2
            and s.entity == "LOCATION"
            and out[-1].entity == "PERSON"
            and out[-2].entity == "LOCATION"
            and _address_gap(text[out[-2].end : out[-1].start])
            and _address_gap(text[out[-1].end : s.start])
            and "\n" not in text[out[-2].end : out[-1].start]
        ):
            out.pop()
            out[-1] = replace(out[-1], end=s.end, value=text[out[-1].start : s.end], score=max(out[-1].score, s.score))
            continue
        if s.entity == "LOCATION" and out:
            k = len(out) - 1  # the last LOCATION before at most three PERSON spans ("Maltings", "Bishop")
            while k >= 0 and out[k].entity == "PERSON" and len(out) - k <= 3:
                k -= 1
            if k >= 0 and out[k].entity == "LOCATION" and _named_parts_gap(text[out[k].end : s.start]):
                del out[k + 1 :]
                out[-1] = replace(out[-1], end=s.end, value=text[out[-1].start : s.end], score=max(out[-1].score, s.score))
                continue
        out.append(s)
    result: list = []
    i = 0
    while i < len(out):
        s = out[i]
        if s.entity != "LOCATION":
            result.append(s)
            i += 1
            continue
        start, end = _extend(text, s)
        while result and result[-1].entity in ("PERSON", "LOCATION") and start <= result[-1].start and result[-1].end <= s.start:
            result.pop()  # a word of the floor or unit line taken for a name or place ("2nd <Floor>", "<Bâtiment C>")
        if result and start < result[-1].end:
            start = s.start
        j = i + 1
        while j < len(out) and out[j].start < end:
            if out[j].entity in ("LOCATION", "PERSON"):
                end = max(end, out[j].end)
                j += 1
            else:
                end = out[j].start
                while end > s.end and text[end - 1] in " \t,;:\n":
                    end -= 1
                break
        result.append(replace(s, start=start, end=end, value=text[start:end]))
        i = j
    return result


# ---------------------------------------------------------------- an address grows from its postcode
# A postcode of a known format inside a LOCATION span anchors an address: UK, Irish (Eircode),
# Canadian, a US/Canadian/Australian state or province + code, a 4-5 digit code before a town,
# a French code in brackets, an Irish county.
_ANCHOR_IN_SPAN = re.compile(
    rf"(?<![\w])(?:{UK_POSTCODE}|{UK_POSTCODE_AREA_ANY_CASE}|{EIRCODE}|{CA_POSTCODE})(?![\w])"
    rf"|(?<![\w])(?:{US_STATES}|{CA_PROVINCES}|{AU_STATES}),?[ \t]+(?:\d{{5}}(?:-\d{{4}})?|\d{{4}})(?![\w])"
    rf"|(?<![\w-])(?:[A-Z]{{1,2}}-)?\d{{4,5}}(?:[ \t]?[A-Z]{{2}})?,?[ \t]+[^\W\d_]|\(\d{{5}}\)|{COUNTY}"
    rf"|(?<=[^\W\d_])[ \t]*[-–]?[ \t]*{IN_PIN}\Z|(?<![\w-]){AR_CPA}[ \t]+[^\W\d_]"  # an Indian PIN after its town, an Argentine CPA before it
    # NZ Post (and the South African and Australian lower lines): the town, then the 4-digit postcode last
    # ("RD 2 / Whangarei 0172"); a year (1950-2039) is no postcode here
    r"|(?<=[^\W\d_])[ \t]+(?!19[5-9]\d|20[0-3]\d)\d{4}\Z"
)
# The same anchors written in lower case, found where no LOCATION span is yet ("bristol bs6 7jg",
# "co wicklow, a98 k7w3", "montclair nj 07042"): they make an address only with a street, house or
# unit before them (:func:`_grow_start`'s evidence).
_LOWER_ANCHOR = re.compile(
    rf"(?<![\w])(?:[a-z]{{1,2}}\d[a-z\d]?[ \t]\d[a-z]{{2}}|(?:[ac-fhknprtv-y]\d{{2}}|d6w)[ \t][0-9ac-fhknprtv-y]{{4}}|{COUNTY})(?![\w])"
    r"|(?<![\w-])\d{5}(?:-\d{4})?(?![\w])"  # a ZIP: kept when a lower-case town and state come before it (_lower_anchors)
)
_STATE_BEFORE = re.compile(rf"(?<=[{L}])[ \t]+(?i:{US_STATES})[ \t]+\Z")
# Canada Post: the last line is town, province code and postcode, two spaces before the postcode
# ("TORONTO ON  M5V 3K9"); in lower case ("toronto on  m5v 3k9") kept after a town and a province
# code only, from the province on (the town joins as the segment before it).
_LOWER_CA_CODE = re.compile(r"(?<![\w])[abceghj-nprstvxy]\d[a-z][ \t]?\d[a-z]\d(?![\w])")
_PROVINCE_BEFORE = re.compile(rf"(?<=[{L}])[ \t]+(?i:{CA_PROVINCES})[ \t]+\Z")


def _lower_anchors(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each match of ``_LOWER_ANCHOR`` in ``text``; a ZIP only after a
    lower-case town and a state code, from the state on ("montclair <nj 07042>": the town joins
    as the segment before the state); so a Canadian postcode after a town and a province code
    ("toronto <on  m5v 3k9>", ``_LOWER_CA_CODE``)."""
    out = []
    for m in _LOWER_ANCHOR.finditer(text):
        start = m.start()
        if m.group(0)[0].isdigit():
            st = _STATE_BEFORE.search(text, max(0, start - 6), start)
            if not st:
                continue
            start = st.start() + len(st.group(0)) - len(st.group(0).lstrip())
        out.append((start, m.end()))
    for m in _LOWER_CA_CODE.finditer(text):
        st = _PROVINCE_BEFORE.search(text, max(0, m.start() - 8), m.start())
        if st:
            out.append((st.start() + len(st.group(0)) - len(st.group(0).lstrip()), m.end()))
    for m in _LOWER_AU_STATE_CODE.finditer(text):
        out.append(m.span("v"))
    for m in _LOWER_CODE_AFTER_TOWN.finditer(text):
        town = m.group("town").casefold()
        if _town_word(town) and town not in _MONTH_WORDS and not is_ordinary_word(town, english_only=True):
            out.append(m.span("code"))
    return sorted(out)


# Australia Post's last line in lower case with commas, after a lower-case town ("brianmouth, <tas, 2642>",
# "fitzroy <vic 3065>"): the state code and the 4-digit postcode. Kept with a street, house or unit before it only.
_LOWER_AU_STATE_CODE = re.compile(
    rf"(?<=[{L}])[ \t]*,?[ \t]+(?P<v>(?:{AU_STATES.lower()}),?[ \t]+\d{{4}})(?![\w])"
)
# A 4-digit postcode after a lower-case town that ends the address (a comma, the line or the sentence
# ends after it): South African Post Office and Australia Post write the code last ("nelspruit 1201",
# "fitzroy 3065"). Kept with a street, house or unit before it only (:func:`_grow_start`).
_LOWER_CODE_AFTER_TOWN = re.compile(
    rf"(?<![\w-])(?P<town>[{L}][{L}'’-]{{2,}})[ \t]+(?P<code>\d{{4}})(?=[ \t]*(?:[,;]|[.!?]?[ \t]*(?:\n|$)|[.!?][ \t]))"
)
# Words of a street, house, unit, floor or locality, in any case ("km", "portal", "escalera", "bte", "fraz.").
_ADDRESS_WORD = re.compile(
    rf"(?:{SUFFIX_STREETS}|{PREFIX_STREETS}|{EN_STREETS}|{LOCALITY}|{HOUSE_NAMES}|[\w-]*(?:{SUFFIX_STREETS})|"
    r"apt|apartment|appt|flat|unit|suite|floor|box|po|p\.o\.|postbus|postfach|bte|boîte|int|interno|scala|portal|escalera|bloque|piso|puerta|"
    r"bajo|izq|izda|dcha|km|bis|ter|top|stiege|tür|étage|etage|porte|bât|bâtiment|bat|escalier|hoog|verdieping|ctra|c/|hc|rr|"
    # Slovene, Croatian and Hungarian street words ("cesta na loko", "Jezuitski trg", "Kossuth utca")
    r"cesta|trg|ulica|utca|út|tér)\.?",
    re.IGNORECASE,
)
_NUMBER_TOKEN = re.compile(r"#?\d{1,5}[a-zA-Z]{0,2}(?:[/-]\d{1,5}[a-zA-Z]?){0,2}(?:-[a-zA-Z])?|\d{1,2}\.?[ºª°][a-zA-Z]?|\d{1,3}(?:st|nd|rd|th)|[A-Z]{1,3}#\d{1,3}")
_ABBREVIATIONS = frozenset(
    "co st rd ave av avda urb ctra c fraz loc bât bat esc pol ind apt appt no nr n mt ft ste blvd dr ln pl sq str gr bd imm edif pza sta gral".split()
)
_EN_STREET_WORD = re.compile(rf"(?:{EN_STREETS})", re.IGNORECASE)
# (Italian place names join their words with "a", "in", "al", "sul" and the article "il", "lo": ISTAT's list of
# localities, "Pieve a Elsa", "Borgo a Mozzano", "San Giovanni in Persiceto", "Podere Il Poggio")
_PARTICLES = _NAME_PARTICLES | {"of", "the", "y", "na", "e", "et", "und", "&", "-", "a", "in", "al", "sul", "il", "lo"}
_JOINING_PARTICLES = frozenset({"a", "in", "al", "sul"})


def _particle(tok: str) -> bool:
    """True for a particle of a place or street name (``_PARTICLES``); a capital letter alone is a block,
    stair or door letter ("escalera A"), not the Italian "a"."""
    return tok.casefold() in _PARTICLES and not re.fullmatch(r"[A-Z]", tok)
_STOP_CUES = frozenset(NOT_STREET - _PARTICLES - {"level", "floor", "room", "office", "line", "bus", "gate", "no", "nr", "nº"})


def _token_ok(tok: str, lower: bool) -> tuple[bool, bool]:
    """(may this token be part of an address segment, is it a number or an address word)."""
    t = tok.strip("()\"'«»")
    if not t or "@" in t or "://" in t or t[-1] in ":;!?":
        return False, False
    if t.endswith(".") and not _ADDRESS_WORD.fullmatch(t) and t[:-1].casefold() not in _ABBREVIATIONS:
        return False, False  # a sentence ended here
    core = t.rstrip(".").casefold()
    if core in _STOP_CUES or core in _MONTH_WORDS or core in NOT_TOWN:  # "Invoice", "March", "EUR"
        return False, False
    if _NUMBER_TOKEN.fullmatch(t):
        return not re.fullmatch(r"(?:19|20)\d{2}", t), True  # a year is no house number
    if re.fullmatch(rf"(?i:{NO_NUMBER})", t):
        return True, True  # Correos' "s/n" (sin número): a house without a number ("Ctra. A-397 km 12, s/n, 29400 Ronda")
    if _ADDRESS_WORD.fullmatch(t):
        return True, True
    if re.fullmatch(r"[A-Z]", t):  # a block, stair or door letter ("escalera A", "Bât. B")
        return True, False
    if not re.fullmatch(r"[^\W\d_][\w'’.-]*", t):
        return False, False
    if core in _PARTICLES:
        return True, False
    from agent.pii.words import stop_words

    if core in stop_words():
        return False, False
    return (t[0].isupper() or lower), False


def _address_suffix(seg: str, lower: bool, continues: bool = False) -> tuple[int | None, bool]:
    """Where the address-like end of ``seg`` (a comma-separated part of a line) starts, and whether
    it holds a number or an address word: up to six words and four numbers (a unit, a house
    number, a numbered street: "apt 5c 300 w 85th st new york"), each a capitalised word, a
    house number, a particle or an address word (any word but a stop word in a lower-case
    address), scanned from the right until a sentence word; neither first nor last a particle (last
    may be one of ``_JOINING_PARTICLES`` after an address word when ``continues``: the address part goes
    on after ``seg``, "loc. Pieve a" + "Elsa, 53035 …"). (None, False) when there is none."""
    toks = list(re.finditer(r"\S+", seg))
    k = len(toks)
    evidence = False
    last = toks[-1].group(0) if toks else ""
    if _particle(last) and not _EN_STREET_WORD.fullmatch(last) and not continues:  # "Vivo en <Calle Luna 7>": a particle ends no address part ("st" as street does)
        return None, False
    while k > 0:
        ok, ev = _token_ok(toks[k - 1].group(0), lower)
        if not ok:
            break
        evidence |= ev
        k -= 1
    numbers = sum(1 for x in toks[k:] if _NUMBER_TOKEN.fullmatch(x.group(0)))
    if len(toks) - k - numbers > 6 or numbers > 4:
        return None, False
    while k < len(toks) and _particle(toks[k].group(0)):  # "to the <Old Forge>": no particle first
        k += 1
    if 0 < k < len(toks) and re.fullmatch(r"(?i:no|nr|nº)\.?", toks[k - 1].group(0)) and _NUMBER_TOKEN.fullmatch(toks[k].group(0).rstrip(",")):
        k -= 1  # the number sign of a house or door number ("<No. 18>, 2nd Main": India Post's door number)
    if k == len(toks):
        return None, False
    if all(_NUMBER_TOKEN.fullmatch(x.group(0)) for x in toks[k:]) and (k > 0 and not re.search(r"[/#]", seg) or any(len(x.group(0)) > 3 for x in toks[k:])):
        return None, False  # a number alone after other words is no address part ("Invoice 2291"), a flat position is ("Our flat is 3/2")
    if continues and _particle(last) and not (evidence and last.casefold() in _JOINING_PARTICLES):
        return None, False  # "Vivo en <Calle Luna 7, …>", "an der <Dorfstrasse 12, …>": the sentence's preposition
    return toks[k].start(), evidence


def _person_only(lo: int, hi: int, text: str, spans: list) -> bool:
    """True when every letter of ``text[lo:hi]`` lies in a PERSON span of a name recogniser
    (score 0.55 or more): a name line above an address block ends it."""
    persons = [s for s in spans if s.entity == "PERSON" and s.score >= 0.55 and s.start < hi and lo < s.end]
    return bool(persons) and all(any(p.start <= i < p.end for p in persons) for i in range(lo, hi) if text[i].isalpha())


_HOUSE_WORD = re.compile(rf"(?<![\w])(?:{HOUSE_NAMES})(?![\w])", re.IGNORECASE)


def _listed_name_line(lo: int, hi: int, text: str, spans: list) -> bool:
    """True when every letter of ``text[lo:hi]`` lies in a PERSON span of the name-list or name-cue
    recognisers (any score; the NER's guesses do not count): a name found by its lists, not a house."""
    persons = [s for s in spans if s.entity == "PERSON" and s.recogniser in ("NameListRecognizer", "NameCueRecognizer") and s.start < hi and lo < s.end]
    return bool(persons) and all(any(p.start <= i < p.end for p in persons) for i in range(lo, hi) if text[i].isalpha())


@lru_cache(maxsize=1)
def _title_line_rx() -> re.Pattern:
    from agent.pii.recognisers import LOWER_TITLES, TITLES

    titles = "|".join(t for t in f"{TITLES}|{LOWER_TITLES}".split("|") if len(t.replace("\\", "")) > 1)
    return re.compile(rf"(?i:{titles}|[{U}{L}]\.)\.?[ \t]+[^\W\d_]")  # one letter only with its full stop: "M. Dupont", not "D 4"


def _title_line(body: str) -> bool:
    """True for the name line of an address block: it starts with a title in any case ("Herr Beat
    Zürcher", "herr beat zürcher", "Mme Claire Roux", "dhr. j. de vries", "Sig. Paolo Neri") and
    holds no digit and no street word: the addressee, which the Universal Postal Union's S42 and the
    national posts put on the first line, above the address; it is a PERSON, never a part of the
    address (a street "Lady Margaret Road 4" has its number, a house "Sir Thomas House" its house word)."""
    return bool(_title_line_rx().match(body)) and not any(c.isdigit() for c in body) and not _STREET_WORD.search(body) and not _HOUSE_WORD.search(body)


def _identifier_digits(body: str) -> bool:
    """True for a line whose digits make an identifier rather than house and unit numbers: a run
    of seven or more ("Policy 4471902"), or more than ten in all. A unit and a house number together
    stay an address line ("unit 1207, 455 lakeshore blvd w": Canada Post's unit-street line)."""
    return any(len(r) > 6 for r in re.findall(r"\d+", body)) or sum(c.isdigit() for c in body) > 10


def _block_line_ok(text: str, lo: int, hi: int, spans: list, lower: bool) -> int | None:
    """Where the address part of the line ``text[lo:hi]`` above an address block starts, or None
    when the line ends the block: blank, long, a greeting or sign-off, a sentence, a name, an
    e-mail, phone or other identifier, a line of cue words ("Policy 4471902")."""
    line = text[lo:hi]
    body = line.strip(" \t>?*•·|")
    if not body or len(body) > 60 or _identifier_digits(body) or _closing_line(body):
        return None
    b0 = lo + line.index(body)
    if any(s.entity not in ("LOCATION", "PERSON") and s.start < hi and lo < s.end for s in spans) or _title_line(body):
        return None
    if len(body.split()) >= 2 and _listed_name_line(b0, b0 + len(body), text, spans) and not any(c.isdigit() for c in body) and not _STREET_WORD.search(body) and not _HOUSE_WORD.search(body):
        return None  # the addressee's line above the block (UPU S42), whatever an article in it looks like ("SALVATORE LO BIANCO"); one word may be a village ("Ballyvaughan")
    evidence = False
    pos = b0
    for part in body.rstrip(",").split(","):
        k, ev = _address_suffix(part, lower)
        if k is None or part[:k].strip():
            return None
        evidence |= ev
        pos += len(part) + 1
    if not evidence and _person_only(b0, b0 + len(body), text, spans):
        return None
    if not evidence and all(is_ordinary_word(w) for w in re.findall(r"(?<![\w])[^\W\d_]+(?:['’-][^\W\d_]+)*(?![\w])", body)):
        return None  # a line of common words ("Meeting Notes", "Senior Manager"), not a house, village or county
    return b0


_LOCALITY_START = re.compile(rf"(?:{LOCALITY})[ \t]", re.IGNORECASE)


def _grow_start(text: str, pos: int, spans: list, lower: bool, numbered: bool = False) -> tuple[int, bool]:
    """Where an address anchored at ``pos`` (its postcode, town or street line) starts, and
    whether a street, house or unit was seen: in running text the comma-separated segments
    directly before it (up to four, each short and without sentence words: "<Finca El Romeral,
    Ctra. de Ronda km 4,> 29400 Ronda"); when that reaches the line start, the short address lines
    above it (up to five, until a blank line, a greeting, a sentence, a name or an identifier).
    In a lower-case address, what stands before a numbered part (the street line: ``numbered``
    when the anchor holds one) is a building, unit or house: a segment without an address word or
    number ends the address there ("freund wohnhaft, <im gässli 3, 4410 liestal>")."""
    line_start = text.rfind("\n", 0, pos) + 1
    start, evidence = pos, False
    lead = len(text[line_start:pos]) - len(text[line_start:pos].lstrip(" \t>?*•·|"))
    if text[line_start + lead : pos].strip():
        cur, segs = pos, 0
        while segs < 5:
            comma = text.rfind(",", line_start, cur)
            seg_lo = comma + 1 if comma >= 0 else line_start + lead
            seg = text[seg_lo:cur]
            if not seg.strip():
                if comma < 0 or segs:
                    break
                cur = comma
                continue
            # the first segment goes on in the anchor when no comma stands between them ("loc. Pieve a <Elsa, 53035 …>")
            continues = not segs and cur == pos and bool(seg.strip()) and text[cur - 1 : cur] in (" ", "\t")
            k, ev = _address_suffix(seg, lower, continues=continues)
            # (in lower case, words before an anchor that starts with a locality word, in its own segment and without an
            # address word, are the sentence: "notre maison secondaire <lieu-dit la croix blanche 46300 gourdon>")
            own_start = continues and lower and bool(_LOCALITY_START.match(text, pos))
            if k is None or (not ev and _person_only(seg_lo + k, cur, text, spans)) or (lower and (numbered or own_start) and not ev):
                break
            start, evidence, segs = seg_lo + k, evidence or ev, segs + 1
            numbered |= any(c.isdigit() for c in seg[k:])
            if seg[:k].strip() or comma < 0:
                break
            cur = comma
        if start > line_start + lead:
            return start, evidence
    lo = line_start
    for _ in range(5):
        if lo == 0:
            break
        prev = text.rfind("\n", 0, lo - 1) + 1
        b0 = _block_line_ok(text, prev, lo - 1, spans, lower)
        if b0 is None:
            break
        start, lo = b0, prev
        evidence = True
    return start, evidence


_LAST_LINE_CODE = re.compile(r"(?:^|\n)[ \t>]*(?P<c>[^\W\d_][^\n\d]*?)[ \t]+\d{4,5}[ \t]*\Z")


def _country_code_last(value: str) -> bool:
    """True when the last line of ``value`` is a country name and a postcode ("slovenia 33714",
    "Spain 50217"): the UPU S42 last line of an international address, an anchor like a postcode."""
    m = _LAST_LINE_CODE.search(value)
    return bool(m) and " ".join(m.group("c").split()).casefold() in country_names()


def _grow_from_postcodes(text: str, spans: list, lower_anchors: list[tuple[int, int]]) -> list:
    """Each LOCATION span holding a postcode (``_ANCHOR_IN_SPAN``), and each lower-case postcode,
    Eircode, county or state + ZIP with a street, house or unit before it (``lower_anchors``,
    :func:`_lower_anchors` of ``text``),
    starts where :func:`_grow_start` says; PERSON and LOCATION spans it then covers are absorbed
    (a house or village name taken for a name), another identifier stops it."""
    anchors = [(s, True) for s in spans if s.entity == "LOCATION" and (_ANCHOR_IN_SPAN.search(s.value) or _country_code_last(s.value))]
    for lo, hi in lower_anchors:
        if not any(s.entity == "LOCATION" and s.start < hi and lo < s.end for s in spans):
            anchors.append((_new_span(text, lo, hi), False))
    if not anchors:
        return spans
    out = list(spans)
    for a, existing in sorted(anchors, key=lambda x: x[0].start):
        if not existing and any(s.start <= a.start and a.end <= s.end and s.entity == "LOCATION" for s in out):
            continue  # a lower-case anchor another address now holds
        lower = not any(c.isupper() for c in a.value)
        pos = a.start
        while pos > 0 and text[pos - 1].isalnum():  # pyap may start inside a word ("Higher Fold Fa<rm\nMoor Lane …>")
            pos -= 1
        near = [s for s in out if s.end > pos - 400 and s.start < a.end and s is not a]  # the spans of the lines above and the line
        key = _ANCHOR_IN_SPAN.search(a.value) if existing else None
        start, evidence = _grow_start(text, pos, near, lower, bool(key) and any(c.isdigit() for c in a.value[: key.start()]))
        if not existing and not evidence:
            continue
        for s in near:  # another identifier before the anchor ends the address
            if s.entity not in ("LOCATION", "PERSON") and s.start < a.start and start < s.end:
                start = s.end
        while start < a.start and text[start] in " \t\n,;:>":
            start += 1
        if start >= a.start and existing:
            continue
        start = min(start, a.start)
        inside = {id(s): s for s in near if s.entity in ("LOCATION", "PERSON") and s.start < a.end and start < s.end}
        lo = min([start] + [s.start for s in inside.values()])
        hi = max([a.end] + [s.end for s in inside.values()])
        out = [s for s in out if s is not a and id(s) not in inside]
        out.append(replace(a, start=lo, end=hi, value=text[lo:hi], entity="LOCATION"))
        out.sort(key=lambda s: (s.start, s.end))
    return out


def _new_span(text: str, start: int, end: int):
    from agent.redaction import PiiSpan

    return PiiSpan("LOCATION", start, end, text[start:end], 0.6, "EuAddressRecognizer")
