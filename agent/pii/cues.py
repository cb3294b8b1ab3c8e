"""The cue words and context vocabularies of the recognisers, in six languages: Presidio's
context words per entity (:data:`CONTEXT`); the regex parts of a name (:data:`NAME_CAP`,
:data:`NAME_SEQ_CAP`, :data:`PARTICLE`, ...); titles, greetings, sign-offs and what may end a
message after the writer's name (:data:`MESSAGE_END`); intro phrases, field and header labels,
care-of words, relations (:data:`KIN`), words that are no names (:data:`NOT_NAMES`); months,
dates and birth words; and the word sets made of them (:func:`cue_words`, :func:`_stop_words`).
"""

from __future__ import annotations

import re
from functools import lru_cache

CONTEXT = {
    "CREDIT_CARD": ["card", "credit", "debit", "visa", "mastercard", "amex", "karte", "kreditkarte", "carte", "cb", "tarjeta", "carta", "kaart", "creditcard", "bankkaart", "pan"],
    # "celular" is the Latin American Spanish word for a mobile phone, "celu" its Rioplatense short
    # form (RAE, Diccionario de americanismos)
    "PHONE_NUMBER": [
        "phone", "tel", "telephone", "mobile", "cell", "call", "fax", "ring", "reach", "whatsapp", "answering", "number",
        "telefon", "handy", "mobil", "rufnummer", "anrufen", "erreichen", "téléphone", "portable", "joindre", "appeler", "rappeler",
        "teléfono", "móvil", "llamar", "llamarme", "celular", "celu", "telefono", "cellulare", "chiamare", "chiamarmi", "telefoon", "mobiel", "bellen", "desk", "office",
    ],
    "IBAN_CODE": ["iban", "account", "konto", "compte", "cuenta", "conto", "rekening", "bank"],
    "ACCOUNT_NUMBER": [
        "account", "acct", "a/c", "customer", "client", "policy", "reference", "contract", "member",
        "konto", "kundennummer", "kunden", "versicherungsnummer", "vertrag", "police", "compte", "client", "contrat", "numéro",
        "cuenta", "cliente", "póliza", "contrato", "conto", "cliente", "polizza", "codice", "rekening", "klantnummer", "polis",
        # the first half of a compound "…nummer" / "…number" of a client's own reference (a word start is
        # enough: "Debiteurnummer D-440912", "Mitgliedsnummer", "dossiernummer"); not claim or invoice
        # words: a phone number next to "re the claim" would become an account number
        "debiteur", "debitor", "debtor", "dossier", "referentie", "référence", "referencia", "riferimento", "mitglied", "lidnummer",
    ],
}

U = "A-ZÀ-ÖØ-ÞĀ-Ž"
L = "a-zß-öø-ÿā-ž"
# a capitalised word (with a Gaelic prefix or the French elided particle: "McKay", "O'Neill", "d'Auvergne"), an initial, or initials written together ("J.P.", "W.H.M.")
# French initials of a compound given name keep its hyphen ("J.-P." for Jean-Pierre, Lexique des règles typographiques).
NAME_CAP = rf"(?:(?:Mc|Mac|O['’]|[Dd]['’])?[{U}][{L}'’]+(?:[{U}][{L}]+)?(?:-[{U}{L}][{L}'’]+)*|(?:[{U}]\.){{2,4}}(?=[ \t])|[{U}]\.-[{U}]\.(?=[ \t])|[{U}]\.?(?=[ \t]))"
NAME_ANY = rf"(?:{NAME_CAP}|[{L}][{L}'’]+(?:-[{L}]+)*)"
# Dutch "van 't" / "in 't" (the article "het" elided: "Van 't Hof", Dutch name convention), then the others
PARTICLE = r"(?:van ['’]t|in ['’]t|['’]t|van der|van den|van de|van|von der|von|de la|de los|del|de|der|den|da|di|du|dos|das|le|la|ter|ten|zu|af|bin|al|el)"
NAME_SEQ_CAP = rf"{NAME_CAP}(?:[ \t]+(?:{PARTICLE}[ \t]+)*{NAME_CAP}){{0,3}}"
# A name after a field label: up to five words, initials with or without a full stop ("hyuuma t. maida").
LABEL_VALUE = rf"[^\W\d_][\w'’-]*\.?(?:,?[ \t]+(?:{PARTICLE}[ \t]+)*[^\W\d_][\w'’-]*\.?){{0,4}}"
NAME_SEQ_ANY = rf"{NAME_ANY}(?:[ \t]+(?:{PARTICLE}[ \t]+)*{NAME_ANY}){{0,2}}"

TITLES = (
    r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Hon|Herr|Herrn|Frau|Fr|Hr|Dipl\.-Ing|Mag|"
    r"M|MM|Mme|Mmes|Mlle|Monsieur|Madame|Mademoiselle|Me|Maître|Pr|"
    r"Sr|Sra|Srta|Don|Doña|Dña|D|Dª|Señor|Señora|Señorita|Lic|Ing|"
    r"Sig|Sig\.ra|Sig\.na|Signor|Signora|Signorina|Dott|Dott\.ssa|Avv|Gent\.mo|Gent\.ma|"
    r"Dhr|Mevr|Mw|Mej|Ir|Drs|Mr\. drs|de heer|mevrouw"
)
GREETINGS = (
    r"Dear|Hi|Hello|Hey|Hiya|Morning|Good morning|Good afternoon|Good evening|Greetings|"
    r"Liebe|Lieber|Hallo|Guten Tag|Guten Morgen|Moin|Servus|Grüß Gott|Sehr geehrte|Sehr geehrter|"
    r"Bonjour|Bonsoir|Cher|Chère|Salut|Coucou|"
    r"Hola|Estimado|Estimada|Querido|Querida|Buenos días|Buenas tardes|"
    r"Gentile|Gentilissimo|Gentilissima|Caro|Cara|Ciao|Buongiorno|Buonasera|Salve|"
    r"Beste|Hoi|Goedendag|Goeiedag|Goedemorgen|Goedemiddag|Goedenavond|Geachte|Dag|Lieve|"
    r"Bore da|Prynhawn da|Noswaith dda|Shwmae|Salam|Salaam|"  # Welsh and Arabic greetings of UK mail
    r"Kia ora"  # the Māori greeting of New Zealand English mail
)
SIGNOFFS = (
    r"Regards|Kind regards|Best regards|Warm regards|Kindest regards|Many thanks|Thanks|Thank you|Thanks again|Best|Best wishes|All the best|Cheers|"
    r"Sincerely|Yours sincerely|Yours faithfully|Yours truly|Yours|Respectfully|Take care|Warmly|"
    r"Mit freundlichen Grüßen|Mit freundlichem Gruß|Freundliche Grüße|Viele Grüße|Beste Grüße|Herzliche Grüße|Liebe Grüße|Schöne Grüße|Gruß|Grüße|LG|MfG|VG|"
    r"Cordialement|Bien cordialement|Bien à vous|Salutations distinguées|Sincères salutations|Amitiés|Bonne journée|Merci|Merci beaucoup|"
    r"Saludos|Un saludo|Saludos cordiales|Atentamente|Un abrazo|Muchas gracias|Gracias|"
    r"Cordiali saluti|Distinti saluti|Saluti|Un saluto|Grazie|Grazie mille|"
    r"Met vriendelijke groet|Met vriendelijke groeten|Vriendelijke groet|Vriendelijke groeten|Groetjes|Groeten|Groet|Hartelijke groet|"
    r"Hartelijke groeten|Liefs|Alvast bedankt|Bij voorbaat dank|Bedankt|Mvg|Hoogachtend|"
    r"Diolch|Diolch yn fawr|Cofion|Cofion gorau"  # Welsh sign-offs of UK mail
)
# Informal sign-offs that end a short message on the same line as the writer's name ("Thx jen",
# "gruess nadja", "cheers, tom"): only before the last words of a message (see name_recogniser).
CASUAL_SIGNOFFS = (
    r"Thx|Thnx|Tks|Ta|Cheers|Thanks|Many thanks|Best|Regards|Love|xx|"
    r"Gruess|Gruss|Grüess|Grüessli|Grüße|Gruß|LG|VG|Tschüss|Bises|Bisous|Merci|A\+|Besos|Saludos|Gracias|Ciao|Saluti|Grazie|"
    r"Groetjes|Groeten|Doei|Dank|Bedankt"
)
# Sign-offs written as abbreviations: Dutch "mvg" (met vriendelijke groet), German "MfG", "LG", "VG"
# (mit freundlichen / liebe / viele Grüße), French "cdlt" (cordialement), Spanish "slds" (saludos),
# English "thx", "thnx", "tks".
ABBREVIATED_SIGNOFFS = r"Mvg|Mvrgr|MfG|LG|VG|Cdlt|Slds|Thx|Thnx|Tks"
# What may follow the writer's name at the end of a message, each on a line of its own: blank
# lines; a sign-off (a second one, or one the mail client adds); a device or webmail signature,
# the defaults of iOS, Android, Outlook and Yahoo Mail in six languages ("Sent from my iPhone",
# "Get Outlook for Android", "Von meinem iPhone gesendet", "Envoyé de mon iPhone", "Enviado desde
# mi iPhone", "Inviato da iPhone", "Verzonden vanaf mijn iPhone"); a phone number or an e-mail
# address of a signature, with or without its label ("+43 660 418 2297", "Tel: 0171 2345678").
DEVICE_SIGNATURE = (
    r"(?:sent from|sent with|sent via|sent using|get outlook for|von meinem|gesendet von|gesendet mit|envoyé de|envoyé depuis|"
    r"enviado desde|enviado de|inviato da|inviato dal|verzonden (?:vanaf|met|van|via))(?![\w])[^\n]{0,60}"
)
CONTACT_LINE = r"(?:[^\W\d_]{1,10}\.?[ \t]*:?[ \t]*)?(?:\+|00)?[\d(][\d ()./-]{5,20}\d|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
TRAILER_LINE = rf"[ \t]*(?:(?i:{SIGNOFFS})[ \t]*[,.!]?|(?i:{DEVICE_SIGNATURE})|{CONTACT_LINE})?[ \t\r]*"
MESSAGE_END = rf"[ \t.!\r]*(?:\n{TRAILER_LINE})*\Z"
# "please" in six languages, written short or in full: "svp", "stp" (s'il vous / te plaît), "pls",
# "plz", "bitte", "por favor", "per favore", "aub" (alstublieft)
PLEASE = ["svp", "stp", "pls", "plz", "please", "bitte", "por favor", "per favore", "aub", "alsjeblieft", "alstublieft"]
# "and" between the two names of a couple signing one message, in the six languages
COUPLE = r"(?i:and|und|et|en|y|e|&)"
INTRO_ANY = r"my name is|my name's|mein name ist|ich heiße|ich heisse|je m'appelle|je m’appelle|mon nom est|me llamo|mi nombre es|mi chiamo|il mio nome è|mijn naam is|ik heet"
INTRO_CAP = r"this is|I am|I'm|ich bin|hier ist|je suis|c'est|soy|sono|ik ben"
# "her maiden name is Key", "surname: ..." in a sentence, "a colleague named Tom": a capitalised name follows.
NAME_IS = (
    r"(?:maiden|last|first|family|given|full|middle|birth|legal|sur|nick)[ \t]?name(?:[ \t]+(?:is|was))?|name[ \t]+(?:is|was)|name['’]s|named|"
    r"nachname(?:[ \t]+ist)?|vorname(?:[ \t]+ist)?|name[ \t]+ist|nom de famille(?:[ \t]+est)?|prénom(?:[ \t]+est)?|s'appelle|"
    r"apellido(?:[ \t]+es)?|se llama|cognome(?:[ \t]+è)?|si chiama|achternaam(?:[ \t]+is)?|voornaam(?:[ \t]+is)?|heet"
)
# Field labels a name follows on its line ("Name: Sieuwerd Heuver", "Account holder: ...").
FIELD_LABELS = (
    r"name|full[ _]name|customer name|client name|account name|account holder|holder|card ?holder|contact|contact name|contact person|"
    r"surname|first[ _]?name|last[ _]?name|family[ _]name|given(?:[ _]?names?)?|forenames?|"
    r"tenant|landlord|driver|named driver|witness|claimant|executor|executrix|carer|heir|guarantor|spouse|"
    r"patient|beneficiary|recipient|payee|attn|attention|signed|signature|applicant|policy ?holder|insured|sender|"
    r"vorname|nachname|kontoinhaber(?:in)?|inhaber(?:in)?|ansprechpartner(?:in)?|empfänger(?:in)?|kunde|kundin|versicherungsnehmer(?:in)?|"
    r"nom|prénom|nom complet|titulaire|destinataire|bénéficiaire|interlocuteur|"
    r"nombre|apellidos?|nombre completo|titular|destinatario|beneficiario|"
    r"nome|cognome|nome e cognome|intestatario|beneficiario|"
    r"naam|voornaam|achternaam|rekeninghouder|t\.a\.v\.?|ter attentie van|begunstigde"
)
# what a form's label may say in brackets of how its value is written ("Name (as in NRIC)", "Surname (block capitals)")
QUALIFIER = r"(?:[ \t]*\([^()\n]{1,30}\))?"
HEADER_LABELS = r"from|to|cc|von|an|de|à|para|van|aan"  # quoted header lines: "From: Jane Doe <jane@…>", "Von: …", "De : …"
NAME_LABELS = rf"{FIELD_LABELS}|{HEADER_LABELS}"
# Lines of a postal address that name the person the post goes to in care of ("bei Müller", "c/o
# Smith", "chez Dupont", "p/a Jansen", "presso Rossi", "z. Hd. Meier"): Deutsche Post, Royal
# Mail, La Poste, PostNL, Poste Italiane addressing guides.
CARE_OF = r"c/o|bei|chez|p/a|p\.a\.|presso|z\.[ \t]?hd\.?|zu[ \t]+händen(?:[ \t]+von)?"
# Verbs of where a person lives or works, after the person at a sentence start ("eva kleist lives
# at 255 hersnapvej 18", "Timotea lives on Via dei Fiorentini 17"), in six languages.
PERSON_VERBS = (
    r"lives|lived|resides|resided|is living|was living|has moved|moved|works|worked|is staying|stays|"
    r"wohnt|wohnte|lebt|lebte|arbeitet|ist umgezogen|zog|habite|habitait|vit|vivait|réside|travaille|"
    r"vive|vivía|reside|residía|trabaja|abita|abitava|risiede|lavora|woont|woonde|werkt"
)
PERSON_VERB_PLACES = r"at|in|on|near|to|for|an|am|im|auf|bei|in der|à|au|aux|chez|en|sur|a|al|en la|en el|nel|nella|presso|op|aan|bij"
# Family and other relations a person's first name follows ("my daughter Ruby", "meine Tochter Rosa", "mio figlio Franco").
KIN = (
    r"my[ \t]+partner|(?:and|&)[ \t]+(?:husband|wife|partner)|(?:my|our|his|her|their)[ \t]+(?:daughter|son|wife|husband|mother|father|mum|mom|dad|brother|sister|grandson|granddaughter|"
    r"grandmother|grandfather|niece|nephew|aunt|uncle|cousin|fiancée?|stepson|stepdaughter)|"
    r"(?:mein|meine|unser|unsere)[ \t]+(?:Tochter|Sohn|Frau|Mann|Ehefrau|Ehemann|Mutter|Vater|Bruder|Schwester|Enkel|Enkelin|Partnerin|Partner)|"
    r"(?:ma|mon|notre)[ \t]+(?:fille|fils|femme|mari|épouse|mère|père|frère|sœur|soeur|petite-fille|petit-fils|compagne|compagnon|conjoint|conjointe)|"
    r"(?:mi|nuestra|nuestro)[ \t]+(?:hija|hijo|mujer|marido|esposa|esposo|madre|padre|hermano|hermana|nieto|nieta|pareja)|"
    r"(?:mia|mio|nostra|nostro)[ \t]+(?:figlia|figlio|moglie|marito|madre|padre|fratello|sorella|nipote|compagna|compagno)|"
    r"(?:mijn|onze)[ \t]+(?:dochter|zoon|vrouw|man|echtgenote|echtgenoot|moeder|vader|broer|zus|kleinzoon|kleindochter|partner)|"
    # in-laws and cousins in the six languages
    r"(?:my|our|his|her|their)[ \t]+(?:(?:brother|sister|father|mother|son|daughter)-in-law)|"
    r"(?:mein|meine|unser|unsere)[ \t]+(?:Schwager|Schwägerin|Schwiegermutter|Schwiegervater|Schwiegersohn|Schwiegertochter|Cousin|Cousine|Vetter|Neffe|Nichte|Onkel|Tante)|"
    r"(?:ma|mon|notre)[ \t]+(?:beau-frère|belle-sœur|belle-soeur|beau-père|belle-mère|gendre|belle-fille|cousin|cousine|neveu|nièce|oncle|tante)|"
    r"(?:mi|nuestra|nuestro)[ \t]+(?:cuñado|cuñada|suegro|suegra|yerno|nuera|primo|prima|sobrino|sobrina|tío|tía)|"
    r"(?:mia|mio|nostra|nostro)[ \t]+(?:cognato|cognata|suocero|suocera|genero|nuora|cugino|cugina|zio|zia)|"
    r"(?:mijn|onze)[ \t]+(?:zwager|schoonzus|schoonmoeder|schoonvader|schoonzoon|schoondochter|neef|nicht|oom|tante)|"
    # grandparents in the six languages ("mio nonno Ottavio", "mi abuela Carmen", "ma grand-mère Odette")
    r"(?:my|our|his|her|their)[ \t]+(?:grandma|grandpa|granny|gran|grandad|granddad|nan|nana)|"
    r"(?:mein|meine|unser|unsere)[ \t]+(?:Oma|Opa|Großmutter|Großvater|Grossmutter|Grossvater)|"
    r"(?:ma|mon|notre)[ \t]+(?:grand-mère|grand-père|mamie|papi|papy)|"
    r"(?:mi|nuestra|nuestro)[ \t]+(?:abuela|abuelo)|"
    r"(?:mia|mio|nostra|nostro)[ \t]+(?:nonna|nonno)|"
    r"(?:mijn|onze)[ \t]+(?:oma|opa|grootmoeder|grootvader)|"
    # those who share the home (a previous account holder of a utility: "mi compañero de piso dani")
    r"(?:my|our)[ \t]+(?:flatmate|housemate|roommate)|"
    r"(?:mein|meine|unser|unsere)[ \t]+(?:Mitbewohner|Mitbewohnerin)|"
    r"(?:ma|mon|notre)[ \t]+(?:colocataire|coloc)|"
    r"(?:mi|nuestra|nuestro)[ \t]+(?:compañero|compañera)(?:[ \t]+de[ \t]+piso)?|"
    r"(?:mia|mio|nostra|nostro)[ \t]+(?:coinquilino|coinquilina)|"
    r"(?:mijn|onze)[ \t]+(?:huisgenoot|huisgenote)"
)
# Titles of two letters or more also written in lower case ("ms. Quinzia", "dr. Brown"), before a capitalised name.
LOWER_TITLES = r"mr|mrs|ms|miss|dr|prof|herr|frau|mme|mlle|sr|sra|srta|sig|sig\.ra|dott|dott\.ssa|dhr|mevr"

# Titles written out in full, also in lower case inside a sentence ("ten name van dhr. … en mevrouw
# …", "meneer", "monsieur", "madame", "señora", "signora"): before a whole name in lower case.
LOWER_TITLE_WORDS = r"mevrouw|meneer|heer|monsieur|madame|mademoiselle|señora|señor|señorita|signora|signor|signorina"

# Words that follow a greeting or an intro and are not names (also lower-case stop words of each
# language, added in _not_name_words).
NOT_NAMES = {
    "sir", "madam", "sirs", "team", "all", "mate", "buddy", "pal", "hun", "bro", "everyone", "everybody", "there", "again", "folks", "guys", "friends", "colleagues", "support",
    "i", "bot", "user", "agent", "customer", "service", "services", "client", "sales", "billing", "accounts", "hr", "admin", "manager", "management", "partner", "partners",
    "damen", "herren", "zusammen", "kundenservice", "kolleginnen", "kollegen", "frau", "herr", "leute", "allerseits",
    "madame", "monsieur", "mesdames", "messieurs", "équipe", "tous", "toutes", "clients", "amis",
    "señor", "señora", "señores", "señoras", "todos", "todas", "equipo", "amigos", "clientes", "atención",
    "signore", "signora", "signori", "tutti", "squadra", "servizio", "clienti", "amici", "gentili",
    "heer", "mevrouw", "allemaal", "iedereen", "mensen", "allen", "collega", "collega's", "klantenservice", "dames", "heren",
    "writing", "sorry", "glad", "happy", "afraid", "not", "still", "also", "just", "interested", "looking", "contacting", "trying",
    "good", "morning", "afternoon", "evening", "day", "tag", "jour", "bonjour", "hello", "hi", "hey", "dear", "thanks", "thank",
    "sent", "from", "my", "iphone", "android", "phone", "mobile", "the", "a", "an", "in", "at", "on", "for", "with", "to", "and",
    "regards", "best", "cheers", "sincerely", "yours", "kind", "warm", "many", "please", "see", "below", "attached",
    "yes", "no", "ok", "okay", "ja", "nein", "oui", "non", "sí", "si", "nee", "none", "n/a", "tbd", "unknown", "same",
    "very", "much", "re", "fw", "fwd", "aw", "wg", "tr", "rv", "ps", "p.s", "nb", "bitte", "danke", "merci", "gracias", "grazie", "bedankt",
    "ihr", "ihre", "euer", "votre", "vos", "su", "sus", "vostro", "uw", "je", "your", "our", "unser", "notre", "nuestro", "nostro", "ons", "onze",
}
MONTHS = (
    r"jan(?:uary|uar|vier|eiro)?|feb(?:ruary|ruar|braio)?|févr(?:ier)?|fevrier|mar(?:ch|s|zo)?|märz|maart|apr(?:il|ile)?|avril|abril|"
    r"may|mai|mayo|maggio|mei|jun(?:e|i|io)?|juin|junio|giugno|juni|jul(?:y|i|io)?|juil(?:let)?|julio|luglio|juli|aug(?:ust|usti)?|août|aout|agosto|augustus|"
    r"sep(?:t|tember|tembre|tiembre)?|settembre|oct(?:ober|obre|ubre)?|okt(?:ober)?|ottobre|oktober|nov(?:ember|embre|iembre)?|novembre|"
    r"dec(?:ember)?|déc(?:embre)?|dez(?:ember)?|dic(?:iembre|embre)?|diciembre|dicembre|december|ene(?:ro)?|gennaio|genn|januari|februari|"
    r"mars|mrt|okt"
)
# The day, the month's abbreviation and the year joined by dashes or slashes ("05-Jan-1952",
# "5/Mar/1948"): the DD-MON-YYYY form of Indian and British forms (and Oracle's default date format).
# After a birth word a year may be written with two digits ("dob 3rd jan 79", "born May 4th '62"),
# an English day as an ordinal word ("born on the first of June 1958") or after "the" ("born feb
# the 9th 1985"), and the month in Roman numerals ("17-III-1992", "3.XI.1980": the Polish,
# Hungarian, Italian and Romanian way of writing dates).
_YEAR = r"(?:\d{4}|['’]?\d{2}(?!\d))"
_ORDINAL_DAY = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|"
    r"sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty[- ]?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|"
    r"thirtieth|thirty[- ]?first)"
)
DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{4}}[./-]\d{{1,2}}[./-]\d{{1,2}}|"
    rf"\d{{1,2}}-(?:{MONTHS})\.?-(?:\d{{4}}|\d{{2}})|\d{{1,2}}/(?:{MONTHS})\.?/(?:\d{{4}}|\d{{2}})|"
    rf"\d{{1,2}}(?:st|nd|rd|th|er|º|°|\.)?\s+(?:de\s+|of\s+)?(?:{MONTHS})\.?,?\s+(?:de\s+)?{_YEAR}|"
    rf"{_ORDINAL_DAY}\s+(?:of\s+)?(?:{MONTHS})\.?,?\s+\d{{4}}|"
    rf"(?:{MONTHS})\.?\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}|"
    rf"\d{{1,2}}[./ -](?:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)[./ -](?:\d{{4}}|\d{{2}}))"
)
BIRTH = (
    r"born|birth|birthday|dob|d\.o\.b\.?|date of birth|"
    r"geboren|geb\.|geburtsdatum|geburtstag|geb\.-datum|"
    r"né|née|naissance|date de naissance|"
    r"nacido|nacida|nací|nació|nacio|nacimiento|fecha de nacimiento|f\. nac\.|"
    r"nato|nata|nascita|data di nascita|"
    r"geboortedatum|geb\.datum"
)


@lru_cache(maxsize=1)
def cue_words() -> frozenset[str]:
    """Lower-case words of greetings, titles, sign-offs, intros, street words and non-names:
    an NER span that only adds these to a pattern's span is the pattern's value."""
    from agent.pii.address_formats import EN_STREETS, PREFIX_STREETS

    text = " ".join([GREETINGS, TITLES, SIGNOFFS, CASUAL_SIGNOFFS, INTRO_ANY, INTRO_CAP, PREFIX_STREETS, EN_STREETS])
    return frozenset(w.lower() for w in re.findall(r"[^\W\d_]+", text)) | frozenset(NOT_NAMES)


@lru_cache(maxsize=8)
def _stop_words(language: str) -> frozenset[str]:
    from agent.pii.nlp import spacy_stop_words  # without importing spacy.lang.<language> (fr: 2-3 s)

    return spacy_stop_words(language)  # empty for a language spaCy has no stop words for
