"""The recognisers of the redactor, one set per configured language.

Sources of each rule:

- Presidio's predefined recognisers (``presidio_analyzer.predefined_recognizers``) for every
  configured entity they support (:func:`predefined_classes`), instantiated for each language
  with multilingual context words; the phone recogniser with the configured regions
  (``redaction.phone_regions``, libphonenumber region codes).
- Patterns for what client mail holds and those miss (issue 10, measured in
  ``evaluation/pii.py``): card-like digit groups whatever their Luhn checksum (13-19 digits in
  groups of four, Amex 4-6-5, or an unbroken 13-19 digit run); phone numbers in national
  formats next to a phone word; dates after a birth word (DATE_OF_BIRTH) in en, de, fr, es, it,
  nl; names after a title (Mr, Frau, Mme, Sr., Sig.ra, Dhr. ...), after a greeting ("Dear x,",
  "Hallo x,"), on the line after a sign-off ("Regards,\\nx") and after "my name is" phrases;
  customer / policy numbers next to their words; the firm's own identifiers from
  ``[[redaction.custom_patterns]]``.
- The spaCy NER (:class:`presidio_analyzer.predefined_recognizers.SpacyRecognizer`) only for
  languages that have a model (:mod:`agent.pii.nlp`).
"""

from __future__ import annotations

import inspect
import re
from functools import lru_cache

from agent.pii.address_patterns import eu_address_recogniser
from agent.pii.address_recognisers import PostcodeTownRecognizer, PyapAddressRecognizer
from agent.pii.emails import UrlOutsideEmailRecognizer, email_recogniser
from agent.pii.names import (
    COMMON,
    DEPARTMENTS,
    EmailNameRecognizer,
    GazetteerNameRecognizer,
    _calendar_word,
    greeting_words,
    lower_surname,
    name_lists,
    ner_recogniser,
)
from agent.pii.patterns import GroupPattern, GroupPatternRecognizer
from agent.pii.phone_shapes import InternationalNumberRecognizer
from agent.pii.words import english_parts_of_speech, in_lexicon, is_ordinary_word

# Entity types recognised by draftguard's own recognisers (beyond Presidio's predefined ones).
OWN_ENTITIES = {"IBAN_CODE", "PERSON", "LOCATION", "CREDIT_CARD", "PHONE_NUMBER", "DATE_OF_BIRTH", "ACCOUNT_NUMBER", "EMAIL_ADDRESS", "URL"}
NER_ENTITIES = {"PERSON", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME"}

# Predefined classes never loaded: NER wrappers (the spaCy one is added per language), ones that
# need extra packages or a hub download, and the two replaced by agent/pii/emails.py.
_SKIP_CLASSES = {
    "SpacyRecognizer",
    "StanzaRecognizer",
    "TransformersRecognizer",
    "GLiNERRecognizer",
    "HuggingFaceNerRecognizer",
    "MedicalNERRecognizer",
    "LangExtractRecognizer",
    "AzureAILanguageRecognizer",
    "AzureHealthDeidRecognizer",
    "EmailRecognizer",
    "UrlRecognizer",
}

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
    r"(?:maiden|last|first|family|given|full|middle|birth|legal|sur|nick)[ \t]?name(?:[ \t]+(?:is|was))?|name[ \t]+(?:is|was)|named|"
    r"nachname(?:[ \t]+ist)?|vorname(?:[ \t]+ist)?|name[ \t]+ist|nom de famille(?:[ \t]+est)?|prénom(?:[ \t]+est)?|s'appelle|"
    r"apellido(?:[ \t]+es)?|se llama|cognome(?:[ \t]+è)?|si chiama|achternaam(?:[ \t]+is)?|voornaam(?:[ \t]+is)?|heet"
)
# Field labels a name follows on its line ("Name: Sieuwerd Heuver", "Account holder: ...").
FIELD_LABELS = (
    r"name|full name|customer name|client name|account name|account holder|holder|card ?holder|contact|contact name|contact person|"
    r"patient|beneficiary|recipient|payee|attn|attention|signed|signature|applicant|policy ?holder|insured|sender|"
    r"vorname|nachname|kontoinhaber(?:in)?|inhaber(?:in)?|ansprechpartner(?:in)?|empfänger(?:in)?|kunde|kundin|versicherungsnehmer(?:in)?|"
    r"nom|prénom|nom complet|titulaire|destinataire|bénéficiaire|interlocuteur|"
    r"nombre|apellidos?|nombre completo|titular|destinatario|beneficiario|"
    r"nome|cognome|nome e cognome|intestatario|beneficiario|"
    r"naam|voornaam|achternaam|rekeninghouder|t\.a\.v\.?|ter attentie van|begunstigde"
)
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
    r"my[ \t]+partner|(?:my|our|his|her|their)[ \t]+(?:daughter|son|wife|husband|mother|father|mum|mom|dad|brother|sister|grandson|granddaughter|"
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
DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{4}}[./-]\d{{1,2}}[./-]\d{{1,2}}|"
    rf"\d{{1,2}}-(?:{MONTHS})\.?-(?:\d{{4}}|\d{{2}})|\d{{1,2}}/(?:{MONTHS})\.?/(?:\d{{4}}|\d{{2}})|"
    rf"\d{{1,2}}(?:st|nd|rd|th|er|º|°|\.)?\s+(?:de\s+|of\s+)?(?:{MONTHS})\.?,?\s+(?:de\s+)?\d{{4}}|"
    rf"(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
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


# The countries whose national formats a message in each language most likely uses. A number in
# international format (+49 ..., 0049 ...) is found whatever the region list.
LANGUAGE_REGIONS = {
    "en": ("US", "CA", "GB", "IE", "AU", "NZ"),
    "de": ("DE", "AT", "CH", "LU", "LI"),
    "fr": ("FR", "BE", "CH", "LU", "CA", "MC"),
    "es": ("ES", "MX", "AR", "CO", "CL"),
    "it": ("IT", "CH", "SM"),
    "nl": ("NL", "BE"),
}


def regions_for(language: str, configured: list[str]) -> list[str]:
    """The configured phone regions likely for ``language`` (all configured ones when none is):
    libphonenumber is run once per region, the main cost of phone detection."""
    likely = [r for r in configured if r in LANGUAGE_REGIONS.get(language, ())]
    return likely or list(configured)


def one_per_shared_plan(regions: list[str]) -> list[str]:
    """``regions`` with only the first of the North American Numbering Plan's (country code 1:
    US, CA, ...): they share the country code, the national prefix ``1`` and the international
    prefix ``011``, so libphonenumber's matcher finds the same numbers with either as its
    default region (a number's validity is judged by its own region). One region less to run
    on every line; the same results on every evaluation text (``tests/redaction/test_nlp_loading.py``)."""
    import phonenumbers

    out, nanp = [], False
    for r in regions:
        if phonenumbers.country_code_for_region(r) == 1:
            if nanp:
                continue
            nanp = True
        out.append(r)
    return out


_COUNTRY_CODE_BEFORE = re.compile(r"(?<![\w+])\+\d{1,3}[ \t]?$")


def phone_recogniser(language: str, regions: list[str]):
    """Presidio's libphonenumber recogniser for ``regions``, minus matches of fewer than 7
    digits (short service numbers some regions allow, which in mail are years and amounts)."""
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    from agent.pii.phone_lines import with_extensions

    class _Phone(PhoneRecognizer):
        def analyze(self, text, entities, nlp_artifacts=None):
            results = super().analyze(text, entities, nlp_artifacts)
            for r in results:  # "+44 (0)7700 900 731": libphonenumber reads the national part after the "(0)" only
                cc = _COUNTRY_CODE_BEFORE.search(text, 0, r.start)
                if cc is not None and text[r.start : r.start + 3] == "(0)":
                    r.start = cc.start()
            return with_extensions(text, [r for r in results if len(re.sub(r"\D", "", text[r.start : r.end])) >= 7])

    return _Phone(supported_language=language, supported_regions=one_per_shared_plan(regions), context=CONTEXT["PHONE_NUMBER"], name="PhoneRecognizer")


@lru_cache(maxsize=8)
def _stop_words(language: str) -> frozenset[str]:
    from agent.pii.nlp import spacy_stop_words  # without importing spacy.lang.<language> (fr: 2-3 s)

    return spacy_stop_words(language)  # empty for a language spaCy has no stop words for


_CONTRACTION = re.compile(r"[^\W\d_]['’](s|m|re|ll|ve|d|t)$", re.IGNORECASE)
# Words after which a person announces themself at the start of a message ("Will here again - ...").
NAME_HERE = r"here|hier|ici|aquí|qui"
NAME_HERE_AGAIN = r"again|nochmal|noch mal|encore|de nuevo|otra vez|di nuovo|ancora|weer|nog een keer"


_CONJUNCTIONS = frozenset("and und et en oder or ou of für for pour para per voor".split())


def _before_conjunction(value: str) -> str:
    """``value`` up to a conjunction or preposition inside it, which joins two names or names a
    department, never a part of one name ("Anna und Peter" → "Anna", "Einkauf und Logistik" →
    "Einkauf"); Spanish "y" ("Ortega y Gasset") is a name particle and stays."""
    words = value.split()
    for k, w in enumerate(words[1:], 1):
        if w.casefold() in _CONJUNCTIONS:
            return value[: value.index(w, len(" ".join(words[:k])))].rstrip(" \t,")
    return value


def _leading_particles(words: list[str]) -> int:
    """How many name particles open ``words`` before a capitalised word that is no ordinary word
    ("de Groot", "van 't Hof", "De Luca": a surname with its particle after a title or a
    greeting, Dutch and Italian convention); 0 when none or when an ordinary word follows ("de
    Direction")."""
    k = 0
    while k < len(words) - 1 and re.fullmatch(PARTICLE, words[k].lower().replace("’", "'")) is not None:
        k += 1
    if k and not (words[k][:1].isupper() and not is_ordinary_word(words[k])):
        return 0
    first, last = name_lists()
    if k and words[0][:1].isupper() and words[k].casefold() not in first and words[k].casefold() not in last:
        return 0  # a capitalised "De", "La" is also an article: "De Bewonerscommissie"; with a listed name it opens a surname
    return k


def _name_check(language: str, allow_lower: bool):
    """A validate callback for names: drops a leading non-name, trims trailing non-names
    (stop words of the language and of English, :data:`NOT_NAMES`), refuses what is left when
    it is empty, only particles, or lower-case where ``allow_lower`` is False. A capitalised
    listed first name that is also a stop word ("Will", "May") is a name in a name position."""
    stops = _stop_words(language) | _stop_words("en")

    first_names, last_names = name_lists()
    greet = frozenset(w.lower() for w in re.findall(r"[^\W\d_]+", " ".join((GREETINGS, SIGNOFFS, CASUAL_SIGNOFFS))))  # "Beste Grüße"
    titles = {t for t in (x.replace("\\", "").lower() for x in TITLES.split("|")) if len(t) > 1 and t not in first_names}  # not "Don"

    def bad(word: str) -> bool:  # a non-name, a stop word, or a title ("Frau Dr. …": "Dr" is no name)
        w = word.strip(".,'’").lower()
        return w in NOT_NAMES or w in stops or w in titles

    def contraction(word: str) -> bool:  # "that's", "I'm", "we'll": no name takes these endings (O'Neill, D'Souza do not end so)
        m = _CONTRACTION.search(word)
        return m is not None and (m.group(1).lower() != "s" or word[: m.start() + 1].lower() in stops)

    def first_name(word: str) -> bool:  # "Dear Will,", "Regards,\nMay": a capitalised first name that is also a stop word
        return word[:1].isupper() and len(word) >= 3 and word.casefold() in first_names and word.strip(".,").lower() not in NOT_NAMES

    def first_and_last(words: list[str]) -> bool:  # "An Wouters": a short first name that is a stop word, then a listed surname
        return len(words) >= 2 and all(w[:1].isupper() and not w.isupper() for w in words[:2]) and words[0].casefold() in first_names and words[1].casefold() in last_names

    def ok(value: str) -> bool | str:
        verdict = _ok(_before_conjunction(value))
        whole = _before_conjunction(value)
        return whole if verdict is True and whole != value else verdict

    def _ok(value: str) -> bool | str:
        words = value.split()
        lead = _leading_particles(words)  # "mevrouw de Groot", "signora De Luca": the particle opens the surname
        if not words or ((bad(words[lead]) or words[lead].strip(".,").lower() in greet) and not first_name(words[lead]) and not first_and_last(words[lead:])) or (not allow_lower and not words[lead][0].isupper()) or any(contraction(w) for w in words):
            return False
        keep = len(words)
        while keep > 1 and (bad(words[keep - 1]) or re.fullmatch(PARTICLE, words[keep - 1].lower())):
            keep -= 1
        words = words[:keep]
        if not [w for w in words if not re.fullmatch(PARTICLE, w.lower())]:
            return False
        if keep == len(value.split()):
            return True
        end = 0
        for w in words:
            end = value.index(w, end) + len(w)
        return value[:end].rstrip(".,;:")

    return ok


def name_recogniser(language: str) -> GroupPatternRecognizer:
    """PERSON after a title, a greeting, a sign-off line, a relation ("my daughter Ruby") or a "my
    name is" phrase (six languages); a name announcing itself at the start of a line ("Will here
    again - ..."); a name after a dash on the last line ("- Pat"); initials and a surname on a
    line of their own, in any case ("R. FABRE", "D & M NGUYEN"); initials and a name after a
    lower-case title ("dhr j. de boer"). A lower-case ordinary word after a greeting ("hey, quick
    one"), a contraction ("Thanks, that's sorted") and, in German, a noun after "ich bin" that is
    no listed name ("ich bin Eigentümer") are no names."""
    cap_ok, any_ok = _name_check(language, False), _name_check(language, True)

    def not_ordinary(check):
        def ok(value: str) -> bool | str:  # "Attention: urgent matter" is no name: one word at least is not ordinary
            verdict = check(value)
            kept = verdict if isinstance(verdict, str) else value
            return verdict if verdict and not all(is_ordinary_word(w) for w in kept.replace(",", " ").split()) else False

        return ok

    label_ok, cap_label_ok = not_ordinary(any_ok), not_ordinary(cap_ok)
    first_names, last_names = name_lists()
    stops = _stop_words(language) | _stop_words("en") | frozenset(NOT_NAMES)

    def no_department(check):
        def ok(value: str) -> bool | str:  # "Ufficio Acquisti", "Finance Team" on a signature line: a department signs
            return False if any(w.strip(".,").casefold() in DEPARTMENTS for w in value.split()) else check(value)

        return ok

    def header_ok(value: str) -> bool | str:
        """"To: Jane Doe", "An: Schaden": one word after a header label names a person only when
        it is a listed name (a mailbox is often a department: "Aan: Klantendienst")."""
        words = value.split()
        if len(words) == 1 and words[0].strip(".,").casefold() not in first_names | last_names:
            return False
        return no_department(label_ok)(value)

    def listed(value: str) -> bool:
        return any(w.casefold() in first_names or w.casefold() in last_names for w in re.split(r"[ \t-]+", value))

    def care_of_ok(value: str) -> bool | str:  # "bei Müller" on an address line; "bei Fragen" is no name
        return cap_label_ok(value) if listed(value) else False

    def capitals_ok(value: str) -> bool | str:
        """"M. LE GOFF DE VOTRE AGENCE" in a message written in capitals: the words after the
        title up to the first ordinary word, particles kept only before a name word."""
        kept, pending = [], []
        for w in value.split():
            f = w.casefold()
            if re.fullmatch(PARTICLE, f.replace("’", "'")):
                pending.append(w)
                continue
            if f in stops or f in cue_words() or (is_ordinary_word(w) and f not in last_names):
                break
            kept += pending + [w]
            pending = []
        if not kept:
            return False
        return " ".join(kept) if " ".join(kept) != value else True

    lexicon = language in ("en", "fr")

    def function_word(f: str) -> bool:
        """True when the case-folded ``f`` is a stop, common, cue or greeting word: never a name alone."""
        return f in stops or f in COMMON or f in cue_words() or f in greeting_words()

    def lower_first_name(word: str) -> bool:
        """A lower-case listed first name that is no ordinary word: not a stop, cue, greeting or
        common word, nor (English, French) a word of the lexicon ("mila", "kevin", "léa")."""
        f = word.casefold()
        if "-" in f:  # "becky-jo", "jean-luc": a double first name, each part a listed first name
            parts = f.split("-")
            return len(parts) == 2 and len(parts[0]) >= 3 and len(parts[1]) >= 2 and all(p in first_names and p not in stops and p not in COMMON for p in parts) and not in_lexicon(word)
        return (
            f in first_names and len(f) >= 3 and not function_word(f) and not in_lexicon(word)
        )

    def lower_name_ok(value: str) -> bool | str:
        """A lower-case listed first name (:func:`lower_first_name`), and the word after it when
        that is a surname (:func:`agent.pii.names.lower_surname`) or another listed name
        ("mehmet öztürk")."""
        words = value.split()
        rest = words[1:]
        particles = 0
        while particles < len(rest) - 1 and re.fullmatch(PARTICLE, " ".join(rest[: particles + 1]).replace("’", "'")):
            particles += 1  # "sjoerd van 't hoff", "ciro de luca": the particles of the surname
        while particles and not re.fullmatch(PARTICLE, " ".join(rest[:particles]).replace("’", "'")):
            particles -= 1
        surname = rest[particles] if len(rest) > particles else None
        if not lower_first_name(words[0]):
            # "kees jansen": a given name on no list, before a listed surname that is no ordinary word
            f = words[0].casefold()
            if (
                surname is not None and particles == 0 and len(words) == 2 and surname.casefold() in last_names and not is_ordinary_word(surname)
                and len(f) >= 3 and not function_word(f) and not is_ordinary_word(words[0])
            ):
                return True
            return False
        if surname is not None and (
            lower_first_name(surname)
            or lower_surname(surname, language, lexicon, first_names, last_names, stops | cue_words())
            # after a particle only a surname stands: any word of letters no lexicon or stop list knows
            or (particles and re.fullmatch(rf"[{L}]{{2,}}(?:-[{L}]{{2,}})?", surname) and not is_ordinary_word(surname) and surname.casefold() not in stops)
        ):
            return " ".join(words[: particles + 2])
        return words[0] if len(words) > 1 else True

    def relation_name(word: str) -> bool:
        """After a relation ("my husband raj"): a lower-case word listed as a first name or a
        surname in any list ("raj" is a surname of the Indian lists), no stop, cue, greeting or
        common word, and no verb, adjective or adverb of the English lexicon ("my son called",
        "my wife happy"): a noun of the lexicon may be the name ("raj")."""
        f = word.casefold()
        return (
            (f in first_names or f in last_names) and len(f) >= 3 and not function_word(f)
            and not {"verb", "adj", "adv"} & english_parts_of_speech(word)
        )

    def gaelic_surname(word: str) -> bool:
        """A lower-case Scottish or Irish patronymic surname, "mc" + a name ("mcallister", "mcbride"),
        "mac" + a name or "o'" + a name, that :func:`agent.pii.names.lower_surname` accepts (no
        ordinary word: "machine", "mackerel" are words)."""
        return re.fullmatch(rf"(?:mc|mac|o['’])[{L}]{{3,}}", word) is not None and lower_surname(word, language, lexicon, first_names, last_names, stops | cue_words())

    def relation_name_ok(value: str) -> bool | str:
        """A lower-case name after a relation: as :func:`lower_name_ok`, or a word that
        :func:`relation_name` accepts."""
        verdict = lower_name_ok(value)
        if verdict:
            return verdict
        words = value.split()
        if len(words) == 2 and gaelic_surname(words[1]) and len(words[0]) >= 3 and words[0].casefold() not in stops | cue_words() | COMMON and not {"verb", "adj", "adv"} & english_parts_of_speech(words[0]):
            return True  # "my dad gord mcallister": a Gaelic patronymic says the pair is a name, whatever the first word
        return (True if len(words) == 1 else words[0]) if relation_name(words[0]) else False

    def lower_surname_ok(value: str) -> bool | str:
        """After a title in lower case: the lower-case surnames that follow ("mr okonjo-adeyemi says")."""
        kept = []
        for w in value.split():
            if not lower_surname(w, language, lexicon, first_names, last_names, stops | cue_words()):
                break
            kept.append(w)
        return (True if len(kept) == len(value.split()) else " ".join(kept)) if kept else False

    def title_first_name(word: str) -> bool:
        """After a title, a lower-case listed first name that is no stop, cue, greeting or common
        word: the title says a name follows, so a lexicon word of another language counts ("frau
        lena …": "lena" is a word of the French lexicon)."""
        f = word.casefold()
        return f in first_names and len(f) >= 2 and not function_word(f)

    def lower_full_name_ok(value: str) -> bool | str:
        """After a title in lower case, a whole name in lower case: listed first names
        (:func:`lower_first_name`), then particles (:data:`PARTICLE`: "van der", "de", "van 't")
        and surnames (:func:`agent.pii.names.lower_surname`: a listed surname, also as a part of a
        hyphenated one, or a word no lexicon knows), up to the first other word ("dhr. joost van
        der heijden-bakker", "mevrouw de wit-janssens"); a particle only before a surname, and at
        least one surname or first name. "meneer de directeur", "ms teams" are no names: the word
        after the particle is none of these."""
        words = value.split()
        kept: list[str] = []
        k = 0
        while k < len(words) and title_first_name(words[k]):
            kept.append(words[k])
            k += 1
        pending: list[str] = []
        for w in words[k:]:
            if re.fullmatch(PARTICLE, w.replace("’", "'")):
                pending.append(w)
                continue
            if not lower_surname(w, language, lexicon, first_names, last_names, stops | cue_words()):
                break
            kept += pending + [w]
            pending = []
        if not kept:
            return False
        joined = " ".join(kept)
        return True if joined == " ".join(words) else joined

    def lower_signoff_ok(value: str) -> bool | str:
        """After a casual sign-off at the end of a message written all in lower case ("… ms 39265
        thanks victoria", "… dank maxim huisman-hofman"): a listed first name that is no stop,
        cue, greeting or NOT_NAMES word, no month and no verb, adjective or adverb of the English
        lexicon ("thanks again", "cheers love"), then listed first names, particles and surnames
        (:func:`agent.pii.names.lower_surname`) up to the first other word."""
        words = value.split()
        f = words[0].casefold() if words else ""
        if not value.islower() or not (
            f in first_names and len(f) >= 3 and f not in stops and f not in cue_words() and f not in greeting_words()
            and not _calendar_word(f) and not {"verb", "adj", "adv"} & english_parts_of_speech(f)
        ):
            return False
        kept, pending = [words[0]], []
        for w in words[1:]:
            if re.fullmatch(PARTICLE, w.replace("’", "'")):
                pending.append(w)
                continue
            if not (title_first_name(w) or lower_surname(w, language, lexicon, first_names, last_names, stops | cue_words())):
                break
            kept += pending + [w]
            pending = []
        return True if len(kept) == len(words) else " ".join(kept)

    def greeting_ok(value: str) -> bool | str:  # "hey, quick one": a lower-case ordinary word after a greeting is no name
        return (label_ok if value.islower() else any_ok)(value)

    def intro_cap_ok(value: str) -> bool | str:  # German capitalises nouns: "ich bin Eigentümer", "ich bin Rentnerin"
        verdict = cap_ok(value)
        kept = verdict if isinstance(verdict, str) else value
        listed = [w for w in kept.split() if (w.casefold() in first_names or w.casefold() in last_names) and not re.fullmatch(PARTICLE, w.lower())]
        if verdict and language == "de" and not listed:
            return False
        return verdict

    def initials_ok(value: str) -> bool | str:
        """"R. FABRE": the surname after the initials is no ordinary word ("P.S. Thanks") and is
        written in capitals or listed ("B. Zusammenfassung" is a heading)."""
        last_word = re.split(r"[ \t&.]+", value.strip())[-1]
        parts = [p for p in last_word.split("-") if p]  # "HARTLEY-DAVIES": each piece may be a listed name
        listed = any(p.casefold() in last_names or p.casefold() in first_names for p in parts)
        particle = re.search(rf"(?<![\w])(?i:{PARTICLE})[ \t]+{re.escape(last_word)}$", value.strip())  # "H. VAN DER MEER": a listed surname after its particle
        ordinary = all(is_ordinary_word(p) for p in parts) and not (particle and listed)
        return bool(parts) and (last_word.isupper() or listed) and last_word.casefold() not in NOT_NAMES and not ordinary

    def here_ok(value: str) -> bool | str:  # "Will here again": a listed first name (and surname) even when a stop word
        words = value.split()
        if words[0].casefold() in first_names and all(w.casefold() in first_names or w.casefold() in last_names or not is_ordinary_word(w) for w in words):
            return True
        return cap_label_ok(value)

    initials = rf"(?:(?:[{U}]\.[ \t]?){{1,3}}|[{U}]\.?[ \t]*&[ \t]*[{U}]\.?[ \t]+)"  # "G. ", "K.V. ", "D & M " (a couple)
    surname = rf"[{U}][{U}{L}'’]+(?:-[{U}{L}][{U}{L}'’]+)*"  # "FABRE", "Hartley-Davies", "HARTLEY-DAVIES"
    # a second, academic title after the first: "Dr", "Prof", Italian "Dott", "Ing", "Avv", and the
    # Austrian degrees written before the name (Mag., DI, Dkfm., MMag., Dipl.-Ing.: Austrian
    # Federal Ministry of Education, Science and Research, "Akademische Grade")
    title = rf"(?<![\w.])(?:{TITLES})\.?(?:[ \t]+(?:Dr|Prof|Dott|Ing|Avv|Mag|MMag|Dkfm|DI|Dipl\.-Ing)\.?)?"
    # a title with its full stop ("M.", "Dr.") or written in capitals ("MR", "HERR"): not "5 M EUR"
    caps_title = rf"(?<![\w.])(?:(?-i:{TITLES})\.|(?-i:MR|MRS|MS|DR|PROF|HERR|FRAU|MME|MLLE|MONSIEUR|MADAME|SR|SRA|SIG|SIGNOR|SIGNORA|DHR|MEVR|MEVROUW))"
    # after a greeting, a title in any case ("Gentile signora De Luca"), but not "Me" (Maître) in "Hola, me devolvieron"
    # ("Geachte heer Bakker", "Beste meneer Jansen": the Dutch salutation names the man with "heer" or "meneer", Onze Taal)
    greeting_titles = rf"(?-i:{TITLES})|(?i:{LOWER_TITLES}|signora|signor|signorina|señora|señor|señorita|madame|monsieur|mademoiselle|mevrouw|de heer|heer|meneer)"
    # the sign-offs of a message written in capitals ("THANKS", "REGARDS", "MFG")
    caps_signoffs = "|".join(w.upper() for w in CASUAL_SIGNOFFS.split("|") + ABBREVIATED_SIGNOFFS.split("|") if w.isalpha())
    # "please" written without a full stop before the sign-off: "svp merci ana", "pls thx tom", "bitte danke"
    after_please = "|".join(rf"(?<=(?i:{w})[ \t])" for w in PLEASE)

    def capitals_name_ok(value: str) -> bool | str:
        """"PJ O'SULLIVAN": the last word a listed surname or first name, none a stop, cue or ordinary word."""
        words = [w for w in value.split() if not re.fullmatch(PARTICLE, w.casefold())]
        bad = any(w.strip(".").casefold() in stops or w.strip(".").casefold() in cue_words() for w in words)
        last = words[-1].casefold()
        return not bad and (last in last_names or last in first_names) and not all(is_ordinary_word(w) for w in words)

    # on the name line after a sign-off: a title as written, or in lower case with its full stop ("avv. Luigi Rossi")
    signoff_title = rf"(?:(?:{TITLES})\.?|(?i:{TITLES})\.)"
    def particle_name_ok(value: str) -> bool | str:
        """"Kees van 't Hof": the given name before the particles is no stop, cue, month or
        ordinary word of the lexicons and no abstract noun ("Raad van de …" is a body, not a person)."""
        first = value.split()[0]
        f = first.casefold()
        return not (function_word(f) or is_ordinary_word(first) or re.search(r"(?:ung|heid|heit|schap|teit|tie|ing)$", f))

    # Dutch and Flemish surnames with their tussenvoegsels (Dutch civil-registration convention, Meertens
    # Instituut's Nederlandse Familienamenbank): in running text a capitalised word, "van 't", "van der",
    # "van den", "van de", "ten", "ter", "in 't", "op de", "uit den", and a capitalised word name a person
    # even when the given name is on no list ("De aannemer, Kees van 't Hof, …").
    dutch_particles = r"van[ \t]+['’]t|van[ \t]+der|van[ \t]+den|van[ \t]+de|in[ \t]+['’]t|op[ \t]+['’]t|op[ \t]+de|uit[ \t]+den|ten|ter"
    patterns = [
        GroupPattern(
            "given name + Dutch particles + surname",
            re.compile(rf"(?<![\w.])(?P<v>(?-i:[{U}][{L}]{{1,15}})[ \t]+(?-i:{dutch_particles})[ \t]+(?-i:[{U}][{U}{L}'’]+(?:-[{U}][{U}{L}'’]+)?))(?![\w])"),
            0.55,
            particle_name_ok,
        ),
        GroupPattern("title + name", re.compile(rf"(?-i:{title})[ \t]+(?P<v>(?:{PARTICLE}[ \t]+)?{NAME_SEQ_CAP})(?![\w])"), 0.65, cap_ok),
        GroupPattern(  # "M. LE GOFF DE VOTRE AGENCE" in a message written in capitals
            "title + name in capitals",
            re.compile(rf"{caps_title}[ \t]+(?P<v>(?:(?i:{PARTICLE})[ \t]+)*[{U}][{U}'’-]+(?:[ \t]+(?:(?i:{PARTICLE})[ \t]+)*[{U}][{U}'’-]+){{0,3}})(?![\w])"),
            0.6,
            capitals_ok,
        ),
        GroupPattern(  # "mr okonjo-adeyemi says": a lower-case title, a lower-case surname
            "lower-case title + lower-case surname",
            re.compile(rf"(?<![\w.])(?i:{LOWER_TITLES})\.?[ \t]+(?P<v>[{L}][{L}'’-]+(?:[ \t]+[{L}][{L}'’-]+)?)(?![\w])"),
            0.5,
            lower_surname_ok,
        ),
        GroupPattern(  # "dhr. joost van der heijden-bakker", "mevrouw de wit-janssens": a title and a whole name in lower case
            "lower-case title + lower-case full name",
            re.compile(rf"(?<![\w.])(?i:{LOWER_TITLES}|{LOWER_TITLE_WORDS}|m(?=\.))\.?[ \t]+(?P<v>[{L}][{L}'’-]+(?:[ \t]+(?:['’]t|[{L}][{L}'’-]+)){{0,4}})(?![\w'’-])"),
            0.55,
            lower_full_name_ok,
        ),
        GroupPattern(  # "Sabine Krause\nbei Müller\nLindenweg 4": an address line in care of a person
            "care of + name, a line of its own",
            re.compile(rf"(?:^|(?<=\n))[ \t]*(?i:{CARE_OF})[ \t]+(?P<v>{NAME_SEQ_CAP})[ \t]*(?=\n)"),
            0.55,
            care_of_ok,
        ),
        GroupPattern(  # "meine neue Adresse: bei Schneider, Lindenallee 5": the care-of line written inline after an address label
            "address label + care of + name",
            re.compile(rf"(?i:address|adresse|anschrift|dirección|direccion|indirizzo|adres)[ \t]*:[ \t]*(?i:{CARE_OF})[ \t]+(?P<v>{NAME_SEQ_CAP})(?=[ \t]*,)"),
            0.55,
            care_of_ok,
        ),
        GroupPattern(  # "mein schwager mehmet öztürk", "ma fille léa": a relation, then a lower-case listed first name
            "relation + lower-case name",
            re.compile(rf"(?<![\w])(?i:{KIN}),?[ \t]+(?P<v>[{L}]{{2,}}(?:[ \t]+[{L}][{L}'’-]+)?)(?![\w])"),
            0.5,
            relation_name_ok,
        ),
        GroupPattern(  # "... thx\nmila", "... grazie\ngiulia": a listed first name in lower case signs on the last line
            "lower-case first name, last line",
            re.compile(rf"(?:(?<=\n))[ \t]*(?P<v>[{L}]{{2,}}(?:-[{L}]{{2,}})?(?:[ \t]+(?:{PARTICLE}[ \t]+)*[{L}][{L}'’-]+)?){MESSAGE_END}"),
            0.5,
            lower_name_ok,
        ),
        GroupPattern(  # "hi its oluwadamilare (everyone calls me dami)": a greeting, "it's", a name
            "greeting + it's + name",
            re.compile(rf"(?:^|(?<=\n))(?i:{GREETINGS})[,!]?[ \t]+(?i:it['’]s|its|it is)[ \t]+(?P<v>{NAME_SEQ_ANY})(?![\w])"),
            0.5,
            label_ok,
        ),
        GroupPattern("title + lower-case name", re.compile(rf"(?-i:{title})[ \t]+(?P<v>{NAME_SEQ_ANY})(?![\w])"), 0.5, any_ok),
        GroupPattern(
            "greeting + name",
            re.compile(
                rf"(?:^|(?<=\n)|(?<=\n[ \t]))(?i:{GREETINGS}),?[ \t]+(?:(?:{greeting_titles})\.?[ \t]+)?(?P<v>(?:{PARTICLE}[ \t]+)?{NAME_SEQ_ANY})(?:[ \t]+(?i:here|hier|ici|aquí|qui))?[ \t]*(?=[,!:;.\n]|$)",
                re.MULTILINE,
            ),
            0.6,
            no_department(greeting_ok),
        ),
        GroupPattern(
            "name + here, start of a line",  # "Will here again - did you get ...", "Mercedes Ortiz here."
            re.compile(
                rf"(?:^|(?<=\n))[ \t]*(?P<v>{NAME_SEQ_CAP})[ \t]+(?i:{NAME_HERE})(?:[ \t]+(?i:{NAME_HERE_AGAIN}))?[ \t]*(?=[,.!:;\n]|[ \t]*[-–—]|$)"
            ),
            0.55,
            here_ok,
        ),
        GroupPattern(
            "dash + name, last line",  # "- Pat" ending a message
            re.compile(rf"(?:^|(?<=\n))[ \t]*[-–—~][ \t]*(?P<v>{NAME_SEQ_ANY}){MESSAGE_END}"),
            0.5,
            no_department(label_ok),
        ),
        GroupPattern(  # "-J", "— JW" ending a message: the sender signs with an initial or two
            "dash + initials, last line",
            re.compile(rf"(?:^|(?<=\n))[ \t]*[-–—~][ \t]?(?P<v>[{U}]{{1,2}})(?![\w.]){MESSAGE_END}"),
            0.5,
        ),
        GroupPattern(
            "initials + name, a line of its own",  # a signature line in a message written in capitals: "R. FABRE", "D & M NGUYEN"
            re.compile(rf"(?:^|(?<=\n))[ \t]*(?P<v>{initials}(?:(?i:{PARTICLE})[ \t]+)*{surname})[ \t]*(?=\n|$)"),
            0.55,
            initials_ok,
        ),
        GroupPattern(  # "… GRAAG NAAR BLAAK 16-C STUREN. H. VAN DER MEER": the initials and surname end the message after a sentence
            "initials + name, end of message",
            re.compile(rf"(?<=[.!?][ \t])[ \t]*(?P<v>{initials}(?:(?i:{PARTICLE})[ \t]+)*{surname}){MESSAGE_END}"),
            0.55,
            initials_ok,
        ),
        GroupPattern(  # "… POLICY PEN 7780213 THANKS PJ O'SULLIVAN": a message in capitals signed after its sign-off
            "sign-off + name in capitals, end of message",
            re.compile(rf"(?<![\w])(?-i:{caps_signoffs})[,!.]?[ \t]+(?P<v>(?:[{U}]{{1,3}}\.?[ \t]+|[{U}][{U}'’-]+[ \t]+){{0,2}}(?:(?i:{PARTICLE})[ \t]+)*{surname}){MESSAGE_END}"),
            0.5,
            capitals_name_ok,
        ),
        GroupPattern(
            "sign-off + name line",
            re.compile(rf"(?:^|\n)[ \t]*(?i:{SIGNOFFS})\b[^\n]{{0,25}}?[,.!]?[ \t]*\n(?:[ \t]*\n)?[ \t]*(?:{signoff_title}[ \t]+)?(?P<v>{NAME_SEQ_ANY})[ \t]*(?=\n|$)"),
            0.6,
            no_department(any_ok),
        ),
        GroupPattern(  # "Met vriendelijke groeten,\nElke Peeters en Jeroen Claes": a couple signs, the first name
            "sign-off + name line, first of two",
            re.compile(rf"(?:^|\n)[ \t]*(?i:{SIGNOFFS})\b[^\n]{{0,25}}?[,.!]?[ \t]*\n(?:[ \t]*\n)?[ \t]*(?:{signoff_title}[ \t]+)?(?P<v>{NAME_SEQ_ANY})[ \t]+{COUPLE}[ \t]+(?:{signoff_title}[ \t]+)?{NAME_SEQ_ANY}[ \t]*(?=\n|$)"),
            0.6,
            no_department(any_ok),
        ),
        GroupPattern(  # the second name of the couple
            "sign-off + name line, second of two",
            re.compile(rf"(?:^|\n)[ \t]*(?i:{SIGNOFFS})\b[^\n]{{0,25}}?[,.!]?[ \t]*\n(?:[ \t]*\n)?[ \t]*(?:{signoff_title}[ \t]+)?{NAME_SEQ_ANY}[ \t]+{COUPLE}[ \t]+(?:{signoff_title}[ \t]+)?(?P<v>{NAME_SEQ_ANY})[ \t]*(?=\n|$)"),
            0.6,
            no_department(any_ok),
        ),
        GroupPattern(
            "sign-off, name on one line",
            re.compile(rf"(?:^|(?<=\n)|(?<=[.!?][ \t])|(?<=[.!?][ \t]{{2}}))[ \t]*(?i:{SIGNOFFS}),[ \t]+(?P<v>{NAME_SEQ_ANY})[ \t.!]*(?=\n|$)"),
            0.55,
            no_department(any_ok),
        ),
        GroupPattern(
            "casual sign-off + name, end of message",  # the last words of a message after a sign-off sign it
            re.compile(rf"(?:^|(?<=\n)|(?<=[.!?,;][ \t])|(?<=[.!?][ \t]{{2}}))[ \t]*(?i:{CASUAL_SIGNOFFS})[,!.]?[ \t]+(?P<v>{NAME_SEQ_ANY}){MESSAGE_END}"),
            0.5,
            no_department(label_ok),
        ),
        GroupPattern(  # "svp merci ana da silva": a casual sign-off after a "please" that ends the request
            "please + casual sign-off + name, end of message",
            re.compile(rf"(?:{after_please})(?i:{CASUAL_SIGNOFFS})[,!.]?[ \t]+(?P<v>{NAME_SEQ_ANY}){MESSAGE_END}"),
            0.5,
            no_department(label_ok),
        ),
        GroupPattern(
            # "… 3941 bs doorn mvg daan": a sign-off abbreviation is no word of running text, so it
            # signs the message wherever it stands on the last line
            "abbreviated sign-off + name, end of message",
            re.compile(rf"(?<![\w])(?i:{ABBREVIATED_SIGNOFFS})[,!.]?[ \t]+(?P<v>{NAME_SEQ_ANY}){MESSAGE_END}"),
            0.5,
            no_department(label_ok),
        ),
        GroupPattern(
            # a message written all in lower case and without punctuation marks its sign-off by
            # nothing but its place: a casual sign-off and a name are its last words, wherever the
            # sentence before ends ("… gilbertbury, ms 39265 thanks victoria", "… sturen dank maxim huisman-hofman")
            "casual sign-off + lower-case name, end of a lower-case message",
            # (a greeting line of its own above may be capitalised: a mail template or the phone's
            # autocorrect writes "Hello," where the writer then goes on in lower case)
            re.compile(rf"\A(?:[ \t]*(?i:{GREETINGS})[ \t]*[,!.:]?[ \t\r]*\n)?[^A-ZÀ-ÖØ-Þ]*?(?<=[ \t])(?i:{CASUAL_SIGNOFFS})[,!.]?[ \t]+(?P<v>{NAME_SEQ_ANY}){MESSAGE_END}"),
            0.5,
            no_department(lower_signoff_ok),
        ),
        GroupPattern("relation + capitalised name", re.compile(rf"(?<![\w])(?i:{KIN}),?[ \t]+(?P<v>{NAME_SEQ_CAP})(?![\w])"), 0.6, here_ok),
        GroupPattern("intro + name", re.compile(rf"(?i:\b(?:{INTRO_ANY}))[ \t:]+(?P<v>{NAME_SEQ_ANY})(?![\w])"), 0.6, any_ok),
        GroupPattern("intro + capitalised name", re.compile(rf"(?i:\b(?:{INTRO_CAP}))[ \t:]+(?P<v>{NAME_SEQ_CAP})(?![\w])"), 0.5, intro_cap_ok),
        GroupPattern("name is + capitalised name", re.compile(rf"(?i:\b(?:{NAME_IS}))[ \t:]+(?P<v>{NAME_SEQ_CAP})(?![\w])"), 0.6, cap_ok),
        GroupPattern(
            "field label + name",
            re.compile(rf"(?:^|(?<=\n))[ \t>*•-]*(?i:{FIELD_LABELS})[ \t]*[:：][ \t]*(?P<v>{LABEL_VALUE})[ \t]*(?=\n|$|[,;(|<\[])"),
            0.6,
            no_department(label_ok),
        ),
        GroupPattern(
            "header line + name",
            re.compile(rf"(?:^|(?<=\n))[ \t>*•-]*(?i:{HEADER_LABELS})[ \t]*[:：][ \t]*(?P<v>{LABEL_VALUE})[ \t]*(?=\n|$|[,;(|<\[])"),
            0.6,
            header_ok,
        ),
        GroupPattern(
            "name + lives at",  # the sentence's first words: at least one that is no ordinary word ("Production moved to" is none)
            re.compile(rf"(?:^|(?<=\n)|(?<=[.!?][ \t]))[ \t>*•-]*(?P<v>{NAME_SEQ_ANY})[ \t]+(?i:{PERSON_VERBS})[ \t]+(?i:{PERSON_VERB_PLACES})(?![\w])"),
            0.5,
            label_ok,
        ),
        GroupPattern("lower-case title + capitalised name", re.compile(rf"(?<![\w.])(?i:{LOWER_TITLES})\.?[ \t]+(?P<v>{NAME_SEQ_CAP})(?![\w])"), 0.55, cap_ok),
        GroupPattern(  # "t.a.v. dhr j. de boer": an initial after a title makes a name of the word after it, in any case
            "title + initials + name, any case",
            re.compile(rf"(?<![\w.])(?i:{LOWER_TITLES})\.?[ \t]+(?P<v>(?:[^\W\d_]\.[ \t]?){{1,3}}(?:{PARTICLE}[ \t]+)*[^\W\d_][\w'’-]+)(?![\w])"),
            0.55,
            any_ok,
        ),
    ]
    def family_ok(value: str) -> bool:
        """After "Familie" / "famille": a listed surname of four letters or more, no stop or ordinary word."""
        f = value.casefold()
        return len(f) >= 4 and f in last_names and f not in stops and f not in COMMON and not is_ordinary_word(value)

    # "bei Familie Kessler", "famille Moreau": a household named by its surname (the "Familie Name" address line of Deutsche
    # Post's addressing guide; the same form in Dutch, French, Spanish, Italian); English puts the name first ("the Smith family")
    patterns.append(
        GroupPattern("family + surname", re.compile(rf"(?<![\w])(?i:familie|fam\.|famille|familia|famiglia)[ \t]+(?P<v>[{U}{L}][{L}'’]{{3,}}(?:-[{U}{L}][{L}'’]+)?)(?![\w'’-])"), 0.5, family_ok)
    )
    if language == "en":  # "im shannon", "i'm raj": a casual English intro in lower case ("im" is German "in dem": English only)
        patterns.append(
            GroupPattern("lower-case intro + lower-case name", re.compile(rf"(?<![\w'’])(?i:i['’]?m|i[ \t]+am)[ \t]+(?P<v>[{L}]{{3,}}(?:[ \t]+[{L}][{L}'’-]+)?)(?![\w'’])"), 0.5, relation_name_ok)
        )
    return GroupPatternRecognizer("NameCueRecognizer", "PERSON", patterns, language)


_BORN = re.compile(r"[ \t](?i:geboren|born|nata|nato|née|né|nacido|nacida)(?![\w])")  # how "date + birth word" ends


def dob_recogniser(language: str) -> GroupPatternRecognizer:
    """DATE_OF_BIRTH: a date up to 30 characters after a birth word (six languages), score 0.85."""
    rx = re.compile(rf"(?i:(?<![\w])(?:{BIRTH}))(?![\w])[^\n\d]{{0,30}}?(?P<v>{DATE})(?![\w])", re.IGNORECASE)
    after = re.compile(rf"(?<![\w])(?P<v>{DATE})(?![\w])[ \t]{{1,3}}(?i:geboren|born|nata|nato|née|né|nacido|nacida)(?![\w])", re.IGNORECASE)
    return GroupPatternRecognizer(
        "DateOfBirthRecognizer", "DATE_OF_BIRTH", [GroupPattern("birth word + date", rx, 0.85), GroupPattern("date + birth word", after, 0.85, needs=_BORN)], language
    )


def card_like_recogniser(language: str) -> GroupPatternRecognizer:
    """CREDIT_CARD for card-shaped digit groups whatever the checksum (a mistyped card is still a card).

    13-19 digits in groups of four (last group 1-7), Amex 4-6-5, or an unbroken 13-19 digit run
    (0.5); 12 unbroken digits only near a card word (0.2 + context)."""
    return GroupPatternRecognizer(
        "CardLikeRecognizer",
        "CREDIT_CARD",
        [
            GroupPattern("4-4-4-n groups", re.compile(r"(?<![\d-])(?P<v>\d{4}([ -])\d{4}\2\d{4}\2\d{1,7})(?![\d-])"), 0.6),
            GroupPattern("amex 4-6-5", re.compile(r"(?<![\d-])(?P<v>\d{4}[ -]\d{6}[ -]\d{5})(?![\d-])"), 0.6),
            GroupPattern("13-19 digits", re.compile(r"(?<![\d.,-])(?P<v>\d{13,19})(?![\d-]|[.,]\d)"), 0.5),
            GroupPattern("12 digits near a card word", re.compile(r"(?<![\d.,-])(?P<v>\d{12})(?![\d-]|[.,]\d)"), 0.2),
        ],
        language,
        context=CONTEXT["CREDIT_CARD"],
    )


def iban_like_recogniser(language: str) -> GroupPatternRecognizer:
    """IBAN_CODE for IBAN-shaped strings whatever their checksum (a mistyped IBAN still names an
    account): country code, 2 check digits, 11-30 letters/digits, optionally in groups of four
    (0.5); and IBANs written loosely (0.6): any case (``de89 3704 …``), any grouping or separator
    (``DE 89 370400440532013000``, ``DE89-3704-0044-…``), accepted when the letters and digits
    have the structure and length of their country's IBAN (Presidio's per-country patterns,
    ``iban_patterns.regex_per_country``, from the SWIFT IBAN registry)."""
    rx = re.compile(r"(?<![\w])(?P<v>(?-i:[A-Z]{2})\d{2}(?:[ ]?(?-i:[A-Z0-9]){4}){2,7}(?:[ ]?(?-i:[A-Z0-9]){1,4})?)(?![\w])")
    loose = re.compile(r"(?<![\w])(?P<v>[A-Za-z]{2}[ \t]?\d{2}(?:[ \t.-]?[A-Za-z0-9]){10,32})(?![A-Za-z0-9])")
    return GroupPatternRecognizer(
        "IbanLikeRecognizer",
        "IBAN_CODE",
        [GroupPattern("iban shape", rx, 0.5), GroupPattern("iban of its country, any case or grouping", loose, 0.6, iban_prefix)],
        language,
        context=CONTEXT["IBAN_CODE"],
    )


@lru_cache(maxsize=1)
def _iban_countries() -> dict[str, re.Pattern]:
    from presidio_analyzer.predefined_recognizers.generic.iban_patterns import regex_per_country

    return {cc: re.compile(rx) for cc, rx in regex_per_country.items()}


def iban_prefix(value: str) -> str | bool:
    """The longest start of ``value`` ending at a group edge whose letters and digits, upper-cased,
    are an IBAN of its country (structure and length); False when there is none."""
    compact, ends = [], []
    for i, c in enumerate(value):
        if c.isalnum():
            compact.append(c.upper())
            if i + 1 == len(value) or not value[i + 1].isalnum():
                ends.append((len(compact), i + 1))
    rx = _iban_countries().get("".join(compact[:2]))
    if rx is None:
        return False
    flat = "".join(compact)
    for n, end in reversed(ends):
        if rx.fullmatch(flat[:n]):
            return value[:end]
    return False


def national_phone_recogniser(language: str) -> GroupPatternRecognizer:
    """PHONE_NUMBER shapes libphonenumber rejects for the configured regions (national formats
    written loosely), only counted next to a phone word: base 0.2 + Presidio context 0.35."""
    shape = r"(?<![\w+])(?P<v>(?:\+|00)?\(?\d{1,4}\)?(?:[ ./-]?\(?\d{1,5}\)?){1,5}(?:[ ]?(?:x|ext\.?|poste)[ ]?\d{1,5})?)(?![\w])"

    def plausible(v: str) -> bool:
        digits = re.sub(r"\D", "", v)
        return 7 <= len(digits) <= 15

    return GroupPatternRecognizer(
        "NationalPhoneRecognizer", "PHONE_NUMBER", [GroupPattern("digit groups near a phone word", re.compile(shape), 0.2, plausible)], language, context=CONTEXT["PHONE_NUMBER"]
    )


LONG_RUN_SCORE = 0.4  # an unbroken run of 7+ digits without a context word: above the 0.35 threshold


def _prefixed_reference(letters: str, separator: str, digits: str) -> re.Pattern:
    """A reference of capitals and digits as one token: ``letters`` capitals (a regex count such
    as ``"1,4"``), ``separator``, ``digits`` digits, then more digit groups after hyphens or
    slashes and an optional check part after a slash ("PN-558812", "MTR/99810/C")."""
    return re.compile(
        rf"(?<![\w/-])(?P<v>(?-i:[A-Z]{{{letters}}}){separator}\d{{{digits}}}(?:[-/]\d{{2,8}})*(?:/(?-i:[A-Z0-9]{{1,3}}))?)(?![\w/-])"
    )


def account_recogniser(language: str) -> GroupPatternRecognizer:
    """ACCOUNT_NUMBER: 6-17 digit runs and letter-prefixed references (``PN-558812``) next to an
    account / customer / policy word (base 0.3, 0.65 with context); an unbroken run of 7-17
    digits anywhere, even glued to a word, that is not an amount next to its currency (0.4:
    agent/outbound_guard.py refuses such a run in a request, MIN_DIGITS = 7)."""
    return GroupPatternRecognizer(
        "AccountNumberRecognizer",
        "ACCOUNT_NUMBER",
        [
            GroupPattern("digits", re.compile(r"(?<![\w-])(?P<v>\d{6,17})(?![\w-])"), 0.3),
            # "PN-558812", "MTR/99810/C" (another insurer's reference: slashes and a check letter)
            GroupPattern(
                "prefixed reference",
                _prefixed_reference(letters="1,4", separator="[-/]?", digits="3,6"),
                0.3,
                lambda v: not _postcode_with_country(v),
            ),
            # "Re claim CLM-447102": two to four capitals, a hyphen or slash and six or more digits is a
            # reference wherever it stands (as an unbroken run of seven digits below)
            GroupPattern(
                "prefixed reference, six digits or more",
                _prefixed_reference(letters="2,4", separator="[-/]", digits="6,12"),
                LONG_RUN_SCORE,
            ),
            GroupPattern("grouped digits", re.compile(r"(?<![\w-])(?P<v>\d{3,6}-\d{3,8}(?:-\d{2,8})?)(?![\w-])"), 0.3),
            GroupPattern(
                "long digit run anywhere",  # "Tax: … 1131423339The Mercury Team": what the outbound check calls an identifier
                # (after a hyphen only when letters come before it: the series of a document number, "AB-1234567")
                re.compile(r"(?:(?<![\d.,/-])|(?<=[^\W\d_]-))(?<![$€£¥])(?<![$€£¥] )(?P<v>\d{7,17})(?![\d/-]|[.,]\d)(?![ \t]?(?:EUR|USD|GBP|CHF|€|\$|£))"),
                LONG_RUN_SCORE,
            ),
        ],
        language,
        context=CONTEXT["ACCOUNT_NUMBER"],
    )


# Words next to a reference an insurer, bank or other firm issues to its client, beyond the
# account words: insurance and claim words in six languages (word starts: "versicher" for
# Versicherung / Versichertennummer, "assur" for assurance / assuré). Only for the shapes of
# :func:`reference_recogniser`, which hold capitals: a bare digit group next to "claim" may be
# a phone number (see CONTEXT["ACCOUNT_NUMBER"]).
REFERENCE_CONTEXT = [
    *CONTEXT["ACCOUNT_NUMBER"],
    "claim", "insur", "portfolio", "depot", "membership",
    "versicher", "schaden", "police", "depot", "mitglied",
    "sinistre", "assur", "adhérent", "dossier",
    "siniestro", "seguro", "expediente", "socio",
    "sinistro", "assicura", "pratica",
    "schade", "verzeker", "polis",
]
# Capital prefixes that are not a firm's reference before digit groups: ISO 4217 currency codes
# and the amount abbreviations of _CURRENCIES ("EUR 1 250 000", "RS 12 500"), standards bodies
# ("ISO 9001 2015", "DIN EN 1090"), month abbreviations of dates written in capitals ("DEC 31
# 2025", "MRZ 12 2025") in six languages, phone labels of signatures in capitals ("TEL 0176
# 5550 1234", "GSM", "TLF", Spanish "TFNO"), and document labels (below).
_NOT_REFERENCE_PREFIX = frozenset(
    "EUR USD GBP CHF CAD AUD NZD JPY INR SEK NOK DKK PLN CZK HUF MXN ARS CLP COP BRL ZAR CNY HKD SGD "
    "ISO DIN EN IEC BS NF UNE UNI NEN ASTM IEEE "
    "JAN FEB MAR APR MAY JUN JUL AUG SEP SEPT OCT NOV DEC MRZ MÄR MAI OKT DEZ JANV FEV FÉV AVR JUIN JUIL AOUT AOÛT "
    "ENE ABR AGO DIC GEN GIU LUG SET OTT MEI "
    "TEL TELF TFNO TLF TFN FAX MOB GSM PH PHN CELL CEL HP "
    "DL SSN NI".split()  # the labels of numbers other recognisers type: a US driver licence, SSN, UK NI number
)
# Amount abbreviations that are also two-letter prefixes of references ("RS 0093 7731", a
# résidence secondaire contract): an amount only in the groups of three of a written amount.
_AMOUNT_PREFIX = frozenset({"RS", "RP", "KR"})
# Country codes written before a postcode ("DE-80331", "FR-75008", "SE-123 45": the CEPT /
# UPU practice of a country prefix on international mail; the older one-letter vehicle codes
# "D-80331", "A-1010", "F-75008" too), which a two-part reference is not.
_POSTCODE_COUNTRIES = frozenset("AT BE BG CH CY CZ DE DK EE ES FI FR GR HR HU IE IT LI LT LU LV MC MT NL NO PL PT RO SE SI SK SM".split())
# The nouns of a client's own number in six languages: "customer number", "Kundennummer",
# "numéro de client", "número de póliza", "numero di polizza", "klantnummer".
_ID_NOUN = (
    r"account|acct|customer|client|policy|member(?:ship)?|contract|"
    r"kunden|versicherten|versicherungs|vertrags|mitglieds|konto|depot|"
    r"contrat|police|adh[ée]rent|"
    r"cliente|p[óo]liza|contrato|socio|cuenta|"
    r"polizza|contratto|conto|"
    r"klant|klanten|polis|lid|rekening|debiteur|dossier"
)
_NUMBER_WORD = r"number|no\.?|nr\.?|num\.?|n[°º]|#|nummer|numéro|número|numero|núm\.?"
# "customer number:", "Kundennummer", "Kunden-Nr.", "numéro de client :", "n° de contrat",
# "número de póliza es", "numero cliente", "policy no." — then the value (an optional single
# capital before it: "Versichertennummer K 884 219 330").
_ID_LABEL = (
    rf"(?i:(?<![^\W\d_])(?:(?:{_ID_NOUN})(?:[ \t]*-?[ \t]*(?:{_NUMBER_WORD})|nummer|nr\.?)?"
    rf"|(?:{_NUMBER_WORD})[ \t]+(?:(?:de|di|del|della|du|van)[ \t]+)?(?:{_ID_NOUN}))(?![^\W\d_])"
    rf"(?:[ \t]+(?:is|ist|est|es|è))?)[ \t]*[:#.]?[ \t]*"
)


def _postcode_with_country(value: str) -> bool:
    """"DE-80331", "CH-8001": a country code of :data:`_POSTCODE_COUNTRIES` and a postcode of four
    or five digits."""
    m = re.fullmatch(r"([A-Z]{1,2})[-/]?(\d{4,5})", value)
    return bool(m) and (m.group(1) in _POSTCODE_COUNTRIES or m.group(1) in {"A", "B", "D", "F", "I", "L", "E", "P", "S", "N"})


def _digit_count(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _spaced_reference(value: str) -> bool:
    """A capital prefix and digit groups ("MTR 7710 2285"): 6-17 digits, a prefix that is no
    currency, standard, month or phone label (:data:`_NOT_REFERENCE_PREFIX`)."""
    prefix, groups = value.split()[0], value.split()[1:]
    if prefix in _AMOUNT_PREFIX and re.fullmatch(r"[1-9]\d{0,2}(?: \d{3})+", " ".join(groups)):
        return False  # "RS 12 500": rupees, written in groups of three
    return prefix not in _NOT_REFERENCE_PREFIX and 6 <= _digit_count(value) <= 17


def _multi_part(min_group: int):
    def ok(value: str) -> bool:
        parts = re.split(r"[-/]", value)
        groups = [p for p in parts if p.isdigit()]
        if parts[0] in _NOT_REFERENCE_PREFIX or not any(len(g) >= min_group for g in groups) or _digit_count(value) > 17:
            return False
        return not _postcode_with_country(value)

    return ok


def reference_recogniser(language: str) -> GroupPatternRecognizer:
    """ACCOUNT_NUMBER: the shapes of a reference a firm issues to its client (policy, contract,
    claim, customer, membership numbers) that :func:`account_recogniser` misses, seen in client
    mail (evaluation/data/pii written samples): a prefix of two to four capitals then digit
    groups written apart ("MTR 7710 2285", "KFZ 4471 992 03"), a reference of several parts
    joined by hyphens or slashes with a group of five digits or more ("MC-2026-0018832",
    "CL-HOG-330172", "AB-22091-MI"), and digit groups written apart after a client-number label
    ("numéro de client : 0088 4419 27", "Klantnummer 100 488 217"). The first two need a word
    of :data:`REFERENCE_CONTEXT` (base 0.3, 0.65 with it), except a multi-part reference with a
    group of six digits or more, found anywhere (0.4, as an unbroken run of seven digits); the
    labelled digits hold their label (0.6)."""
    end = r"(?![\w/-]|[.,]\d)"
    return GroupPatternRecognizer(
        "ReferenceNumberRecognizer",
        "ACCOUNT_NUMBER",
        [
            GroupPattern(
                "capital prefix and spaced digit groups",
                # not a UK National Insurance number, "AB 12 34 56 C" (HMRC: a suffix letter A-D)
                re.compile(rf"(?<![\w/-])(?P<v>(?-i:[A-Z]{{2,4}})[ \t]\d{{2,8}}(?:[ \t]\d{{2,8}}){{0,4}}){end}(?![ \t]?[A-D](?!\w))"),
                0.3,
                _spaced_reference,
            ),
            GroupPattern(
                "multi-part reference",
                re.compile(rf"(?<![\w/-])(?P<v>(?-i:[A-Z]{{2,4}})(?:[-/](?:(?-i:[A-Z]{{1,4}})|\d{{2,12}})){{1,4}}){end}"),
                0.3,
                _multi_part(5),
            ),
            GroupPattern(
                "multi-part reference, six digits or more",
                re.compile(rf"(?<![\w/-])(?P<v>(?-i:[A-Z]{{2,4}})(?:[-/](?:(?-i:[A-Z]{{1,4}})|\d{{2,12}})){{1,4}}){end}"),
                LONG_RUN_SCORE,
                _multi_part(6),
            ),
            GroupPattern(
                "spaced digit groups after a client-number label",
                re.compile(rf"{_ID_LABEL}(?P<v>(?:(?-i:[A-Z])[ \t-]?)?\d{{2,6}}(?:[ \t]\d{{1,6}}){{1,5}}){end}(?![ \t]?(?:EUR|USD|GBP|CHF|€|\$|£))"),
                0.6,
                lambda v: 6 <= _digit_count(v) <= 17,
            ),
        ],
        language,
        context=REFERENCE_CONTEXT,
    )


def custom_recognisers(patterns, language: str) -> list[GroupPatternRecognizer]:
    """One recogniser per ``[[redaction.custom_patterns]]`` entry (name, regex, entity, score, context)."""
    return [
        GroupPatternRecognizer(
            f"Custom:{p.name}", p.entity, [GroupPattern(p.name, re.compile(p.regex), p.score)], language, context=list(p.context)
        )
        for p in patterns
    ]


@lru_cache(maxsize=1)
def predefined_classes() -> dict[str, list[type]]:
    """Presidio's predefined recogniser classes by the entity types they support.

    Only classes that build without arguments or downloads (pattern and validation based)."""
    import presidio_analyzer.predefined_recognizers as pr
    from presidio_analyzer import EntityRecognizer

    out: dict[str, list[type]] = {}
    for name in pr.__all__:
        cls = getattr(pr, name)
        if name in _SKIP_CLASSES or not (inspect.isclass(cls) and issubclass(cls, EntityRecognizer)):
            continue
        try:
            entities = cls().supported_entities
        except Exception:  # needs an optional package: not offered
            continue
        for e in entities:
            out.setdefault(e, []).append(cls)
    return out


def build_recognisers(cfg, language: str, nlp_has_ner: bool) -> list:
    """Every recogniser for ``language`` covering ``cfg.entities`` (a RedactionConfig)."""
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    wanted = set(cfg.entities)
    recs: list = []
    for entity, classes in predefined_classes().items():
        if entity not in wanted:
            continue
        for cls in classes:
            if cls is PhoneRecognizer:
                rec = phone_recogniser(language, list(cfg.phone_regions))
            else:
                rec = cls(supported_language=language)
                extra = CONTEXT.get(entity)
                if extra:
                    rec.context = list(dict.fromkeys([*(rec.context or []), *extra]))
            if not any(r.name == rec.name for r in recs):
                recs.append(rec)
    own = {
        "EMAIL_ADDRESS": lambda: [email_recogniser(language)],
        "URL": lambda: [UrlOutsideEmailRecognizer(supported_language=language)],
        "CREDIT_CARD": lambda: [card_like_recogniser(language)],
        "PHONE_NUMBER": lambda: [national_phone_recogniser(language), InternationalNumberRecognizer(language)],
        "DATE_OF_BIRTH": lambda: [dob_recogniser(language)],
        "IBAN_CODE": lambda: [iban_like_recogniser(language)],
        "LOCATION": lambda: [eu_address_recogniser(language), PyapAddressRecognizer(language), PostcodeTownRecognizer(language)],
        "PERSON": lambda: [
            name_recogniser(language),
            GazetteerNameRecognizer(language, _stop_words(language) | _stop_words("en") | frozenset(NOT_NAMES)),
            EmailNameRecognizer(language),
        ],
        "ACCOUNT_NUMBER": lambda: [account_recogniser(language), reference_recogniser(language)],
    }
    for entity, make in own.items():
        if entity in wanted:
            recs += make()
    recs += custom_recognisers(cfg.custom_patterns, language)
    if nlp_has_ner and wanted & NER_ENTITIES:
        recs.append(ner_recogniser(language, sorted(wanted & NER_ENTITIES)))
    return recs
