"""The formats of postal addresses as regex building blocks, each with the postal authority or
standard it follows in a comment: letters (``U``, ``L``, ``CAP``, ``WORD``), house numbers and
their additions (``HOUSE``), street words written after the name (``SUFFIX_STREETS``: de, nl,
nordic), before it (``PREFIX_STREETS``: fr, es, it, pt, pl, cz), in English (``EN_STREETS``:
Royal Mail, USPS Publication 28, AS/NZS 4819) and after the name as a word (``AFTER_STREETS``),
house names, units, post-office boxes, floors, doors, buildings and localities, postcodes (UK,
Canadian, Eircode, India Post PIN, Argentine CPA), towns, US states, Canadian provinces,
Australian and Mexican states, Irish counties, Argentine and Mexican regions, Spanish and
Italian provinces; the words that are no street or town before or after a number
(``NOT_STREET``, ``NOT_TOWN``); and the word regexes built from them that the address modules
share (``_STREET_WORD``, ``_ADDRESS_WORD``, ``_HOUSE_WORD``).

Data only: :mod:`agent.pii.address_patterns` builds the address recogniser's patterns from these,
:mod:`agent.pii.address_joining` and :mod:`agent.pii.address_growth` the patterns that join the
parts of an address and grow it from its postcode, :mod:`agent.pii.address_places` its place names."""

from __future__ import annotations

import re

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
    # a letter is no half of "t/o", nor Poczta Polska's flat abbreviation ("17 m. 4")
    r"\d{1,5}(?:\s?[a-zA-Z](?!/[a-zA-Z])(?!\.[ \t]?\d))?(?:\s?[-/]\s?\d{1,5}[a-zA-Z]?){0,2}"
    rf"(?:-(?:\d[ \t]?(?:hoog|hg)|[a-zA-Z])(?![\w])|[ \t]?(?:bis|ter|quater)(?![\w])|{NL_ADDITION})?"
)

SUFFIX_STREETS = (
    # de / at / ch
    # ("strase": the common misspelling of "straße" when the ß is typed as one s, "hauptstrase 5")
    "straße|strasse|strase|str\\.|weg|gasse|allee|platz|damm|ufer|kai|chaussee|steig|pfad|graben|"
    # nl / be ("kaai": the Flemish quay in bpost's street names, "Vlaamsekaai", "Jordaenskaai")
    "straat|laan|plein|gracht|kade|kaai|singel|dijk|steeg|dreef|"
    # nordic
    # (Swedish, Danish, Norwegian and Finnish street words as their postal services' street files end names with them:
    # "Stationsstigen 93", "Skoltorget 64", "Kukkaniitynpolku 3", "Caloniuksenkuja 1")
    "gade|vej|vænget|vägen|gatan|veien|gata|katu|stræti|gata|stigen|torget|gränd|gränden|backen|allén|gången|stræde|plads|"
    "vegen|stien|bakken|polku|kuja|kaari|väylä|aukio|tanhua|raitti"
)
# German street names that begin with a preposition ("Am Markt", "In der Halde", "Zur Linde")
DE_PREPOSITION_STREETS = "am|an der|auf dem|auf der|im|in der|zum|zur|hinter der"
PREFIX_STREETS = (
    # fr
    "rue|avenue|av\\.|bd|boulevard|place|chemin|allée|impasse|quai|cours|route|square|passage|faubourg|rond-point|"
    # be (bpost, the Brussels streets: "chaussée de Louvain", nl "steenweg")
    "chaussée|chée|"
    # ca: Canada Post's abbreviation of the French "boulevard" (Canadian Addressing Guide, street types: BOUL), as
    # Quebec addresses write it before the name ("5120 boul. Pie-IX E")
    "boul\\.?|"
    # es
    "calle|c/|avenida|avda\\.|paseo|plaza|pza\\.|camino|carretera|ctra\\.|ronda|travesía|glorieta|gran vía|gran via|vía|rambla|"  # (Catalan and Valencian write "Gran Via")
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
AFTER_STREETS = "út|utca|u\\.|körút|tér|ulice|iela|gatve|tie|katu|kuja|polku|kaari|väylä|aukio|allé"
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
    r"piso[ \t]+\d{1,2}|(?:depto|dpto|departamento|apto|apt)\.?[ \t]?(?:\d{1,4}[a-z]?|(?-i:[A-Z]))(?![\w])|"
    # pt: CTT's floor and side after the house number ("2.º Esq.", "3 Dto", "1 Frente"); pl: Poczta Polska's flat
    # or premises ("m. 4", "lok. 12"); hu: Magyar Posta's floor and door ("II. em. 5.", "fszt. 2.")
    r"\d{1,2}\.?[ºª°]?[ \t]?(?:esq(?:uerdo)?|dto|drt|direito|frente|fte)\.?(?![\w])|(?:m|lok)\.[ \t]?\d{1,4}[a-z]?(?![\w])|"
    r"(?:[IVX]{1,4}|\d{1,2})\.[ \t]?em(?:elet)?\.?(?:[ \t]?\d{1,3}\.?(?:[ \t]?ajtó)?)?|fszt\.?(?:[ \t]?\d{1,3}\.?)?)"
)
# Words that name a rural locality or an estate in place of a street (the French "lieu-dit",
# the hamlet, housing estate or industrial zone; Spanish "urbanización", "polígono"; Italian
# "località", "frazione"): with a capitalised name they stand where the street line would be. La
# Poste's address line 3 (NF Z10-011) abbreviates "résidence" as "rés." ("Rés. les Tilleuls").
LOCALITY = (
    r"(?:lieu[- ]dit|lieudit|hameau|lotissement|r[ée]sidence|r[ée]s\.|finca|cortijo|masía|caserío|cascina|podere|tenuta|boerderij|domaine|quartier|zone[ \t]industrielle|zone[ \t]artisanale|"
    r"urbanización|urb\.|polígono(?:[ \t]industrial)?|pol\.[ \t]ind\.|barrio|località|loc\.|frazione|fraz\.|borgata|"
    # ph: the barangay, the smallest administrative unit, written before its name as the locality line of a Philippine
    # address (PHLPost: house number and street, barangay, town or city, province, ZIP), "Brgy." abbreviated
    r"barangay|brgy\.?)"
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
# Singapore Post: the unit number is the storey and the unit after "#" ("#05-12", "#14-221A"), written after the
# street line; the postcode is six digits after "Singapore" or in brackets after "S" ("Singapore 560215", "S(560215)");
# an HDB block number is written "Blk" before the street ("Blk 215 Ang Mo Kio Ave 3").
SG_UNIT = r"#[ \t]?\d{1,3}[ \t]?-[ \t]?\d{1,5}[A-Za-z]?"
SG_POSTCODE = r"(?:(?i:singapore)[ \t]*\(?\d{6}\)?|S[ \t]?\(\d{6}\))"
# A unit or plot written before the street line and a comma: AS/NZS 4819 and Australia Post's complex unit types
# ("Shop 3, 22 Smith Road", "Kiosk 2", "Office 4"; the South African Post Office uses the same), NIPOST's plot and house
# numbers of estates ("Plot 12, Block 4, …", "House 7, 2nd Avenue"), India Post's and Pakistan Post's house number
# ("House No. 12, Sector 4") and the flat or house number of a block as letter, hyphen, number ("B-702, …", "C-45, …").
UNIT_BEFORE = (
    r"(?:(?:shop|kiosk|office|plot|house|stand|erf)[ \t]*(?:no\.?[ \t]*|n[º°o]\.[ \t]*)?\d{1,5}[a-zA-Z]?(?:-(?-i:[A-Z]))?|(?-i:[A-Z]{1,2})-\d{1,5}(?-i:[A-Z])?)"
)
# Correo Argentino CPA (Código Postal Argentino): a province letter (no I, O), the old 4-digit code and
# 3 letters of the block face ("C1425DKA"); the short form without them is common ("C1425 Buenos Aires").
AR_CPA = r"(?-i:[A-HJ-NP-Z]\d{4}(?:[A-Z]{3})?)"
# Colombian road types (nomenclatura urbana) with their usual abbreviations: calle, carrera, diagonal, transversal,
# avenida calle / avenida carrera (AC, AK), circular, autopista.
CO_ROADS = r"calle|cl\.?|cll\.?|carrera|cra\.?|kra\.?|kr\.?|cr\.?|diagonal|dg\.?|transversal|tv\.?|trans\.?|ak|ac|circular|autopista"
STREET_UNIT = r"(?:apt|apartment|suite|ste|unit|flat)\.?\s?#?\s?\d{1,6}[a-zA-Z]?"  # the units a street line ends with
# USPS Pub. 28 Appendix B: the 50 states, DC, the territories (AS American Samoa, GU Guam, MP Northern Mariana
# Islands, PR Puerto Rico, VI US Virgin Islands) and the armed forces codes (AA, AE, AP)
US_STATES = "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|AS|GU|MP|PR|VI|AA|AE|AP"
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
# Poste Italiane: the province's code also without brackets after the town ("00042 Anzio RM", in a
# lower-case line "00042 anzio rm"); only the codes of the ISTAT list of the 107 provinces, and only where
# the clause ends after it (a comma, full stop, line end), so a word the sentence goes on with is never taken.
IT_PROVINCES = (
    "AG|AL|AN|AO|AP|AQ|AR|AT|AV|BA|BG|BI|BL|BN|BO|BR|BS|BT|BZ|CA|CB|CE|CH|CL|CN|CO|CR|CS|CT|CZ|EN|FC|FE|FG|FI|FM|FR|GE|GO|GR|"
    "IM|IS|KR|LC|LE|LI|LO|LT|LU|MB|MC|ME|MI|MN|MO|MS|MT|NA|NO|NU|OR|PA|PC|PD|PE|PG|PI|PN|PO|PR|PT|PU|PV|PZ|RA|RC|RE|RG|RI|RM|"
    "RN|RO|SA|SI|SO|SP|SR|SS|SU|SV|TA|TE|TN|TO|TP|TR|TS|TV|UD|VA|VB|VC|VE|VI|VR|VT|VV"
)
_STREET_WORD = re.compile(rf"(?<![\w])(?:{EN_STREETS}|{PREFIX_STREETS}|[\w-]*(?:{SUFFIX_STREETS}))(?![\w])", re.IGNORECASE)
# Words of a street, house, unit, floor or locality, in any case ("km", "portal", "escalera", "bte", "fraz.").
_ADDRESS_WORD = re.compile(
    rf"(?:{SUFFIX_STREETS}|{PREFIX_STREETS}|{EN_STREETS}|{LOCALITY}|{HOUSE_NAMES}|[\w-]*(?:{SUFFIX_STREETS})|"
    r"apt|apartment|appt|flat|unit|suite|floor|box|po|p\.o\.|postbus|postfach|bte|boîte|int|interno|scala|portal|escalera|bloque|piso|puerta|"
    r"bajo|izq|izda|dcha|km|bis|ter|top|stiege|tür|étage|etage|porte|bât|bâtiment|bat|escalier|hoog|verdieping|ctra|c/|hc|rr|"
    # Slovene, Croatian and Hungarian street words ("cesta na loko", "Jezuitski trg", "Kossuth utca")
    r"cesta|trg|ulica|utca|út|tér|"
    # the buildings and localities of Indian addresses (India Post: flat, building or society, "Silver Oak Apartments",
    # "Sea View CHS", a co-operative housing society; the locality, "Malviya Nagar", "HSR Layout", "Green Park Enclave")
    r"apartments|towers|chs|nagar|layout|enclave)\.?",
    re.IGNORECASE,
)


_HOUSE_WORD = re.compile(rf"(?<![\w])(?:{HOUSE_NAMES})(?![\w])", re.IGNORECASE)
