"""The name lists and the word sets the name rules share.

The list is the first and last names of Faker's person providers (``faker.providers.person``,
MIT licence), Latin-script locales only: about 21,000 first names and 26,000 surnames from 60
locales (en, de, fr, es, it, nl, nordic, central and eastern European, Arabic, Hindu and romanised
Chinese and Japanese names: every attribute in :data:`FIRST_NAME_ATTRIBUTES` and
:data:`LAST_NAME_ATTRIBUTES`), plus the feminine forms of Polish, Czech and Slovak surnames
(:func:`name_lists`). Loaded once from the installed package; nothing is downloaded.

The word sets: ordinary words that are also common first names, never matched alone
(:data:`COMMON`); name particles (:data:`PARTICLES`); address labels (:data:`ADDRESS_WORDS`);
departments (:data:`DEPARTMENTS`), determiners and company suffixes; articles before a noun;
offices and ranks (:data:`ROLE_NOUNS`); the languages that write only names capitalised
(:data:`CAPITALISED_NAMES_ONLY`); and the words of :mod:`agent.pii.cues` the name rules read:
cue and context words (:func:`_cues`), relations (:func:`relation_words`), greetings and
sign-offs (:func:`greeting_words`), months and weekdays (:func:`_calendar_word`).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import lru_cache

_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ž'’ -]+")
PARTICLES = frozenset("van der den de del della la le du da di dos das von zu ter ten af bin al el y".split())
_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*")


# English words that are also frequent first names or surnames; never a name on their own.
COMMON = frozenset(
    """will may june april august march grace hope faith joy rose mark bill frank art guy ray max sky summer winter autumn
    dawn amber ruby crystal pearl iris holly ivy lily daisy violet jasmine angel king young price page hunter chase sterling
    major rich long short white black brown green gray grey bell church hall wood stone lake hill field ford love mercy honor
    justice patience prudence constance sunny misty river forest ocean rain star sun moon christian nelson jordan paris sydney
    florence victoria georgia virginia carolina dakota austin dallas houston lincoln washington madison chelsea brooklyn london
    berlin dear best kind thanks regards team sir madam monday tuesday wednesday thursday friday saturday sunday january
    february september october november december bank card account office service support manager client customer
    sales billing invoice order number phone mobile email mail address street road avenue city state country home work
    says said can could would should shall must might new old good great little big small first last next happy glad sorry
    please hello hi hey morning evening night day week month year today tomorrow yesterday soon later now then here there
    yes no not all any each every some many much more most other such only own same so than too very just also
    gift cash penny bob pat sue gene earl duke baron rock cliff glen dale lane brook fern heath marsh moss reed rowan
    sterling tucker porter cook baker miller smith taylor mason carter turner parker walker princess prince royal queen lord
    lady duke countess baroness noble saint santa english french german spanish italian dutch irish scottish welsh
    american british canadian european african asian
    januar februar märz mai juni juli oktober dezember janvier février mars avril juin juillet août septembre octobre
    novembre décembre enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre gennaio
    febbraio aprile maggio giugno luglio settembre ottobre dicembre januari februari maart mei augustus
    beste lieve liebe lieber cara caro querida querido chère cher salve dag""".split()
)  # the second block: months and greetings of de, fr, es, it, nl that the name lists also hold ("Juli", "Mai", "Beste")


def _names_of(provider: type, attributes: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for attr in attributes:
        for base in provider.__mro__:
            value = base.__dict__.get(attr)
            if value is not None and not isinstance(value, property):
                out |= set(value.keys() if hasattr(value, "keys") else value)
                break
    return {n for n in out if isinstance(n, str) and _LATIN.fullmatch(n)}


# Faker's person providers keep names under these attributes (checked on Faker 3x: Arabic, Hindu and
# romanised Chinese/Japanese names, Polish surnames, ... sit in the less usual ones).
FIRST_NAME_ATTRIBUTES = (
    "first_names", "first_names_male", "first_names_female", "first_names_nonbinary", "first_names_unisex",
    "first_names_female_common", "first_names_male_common", "first_names_female_islamic", "first_names_male_islamic",
    "first_names_female_hinduism", "first_names_male_hinduism", "first_romanized_names", "first_romanized_names_female",
    "first_romanized_names_male",
)
LAST_NAME_ATTRIBUTES = (
    "last_names", "last_names_male", "last_names_female", "last_names_unisex", "last_names_common", "male_last_names",
    "unisex_last_names", "last_names_islamic", "last_names_female_islamic", "last_names_hinduism", "last_names_female_only",
    "last_names_male_only", "last_names_without_suffix", "last_romanized_names",
)


@lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, last names), case-folded, from every Latin-script Faker person provider."""
    import faker.providers.person as person

    first: set[str] = set()
    last: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"faker.providers.person.{mod.name}").Provider
        except (ImportError, AttributeError):
            continue
        first |= _names_of(provider, FIRST_NAME_ATTRIBUTES)
        last |= _names_of(provider, LAST_NAME_ATTRIBUTES)
    # Polish, Czech and Slovak women carry the feminine form of a surname the lists give in the
    # masculine ("Kamiński" -> "Kamińska", "Nowotný" -> "Nowotná").
    last |= {n[:-1] + "a" for n in last if n.endswith(("ski", "cki", "dzki"))} | {n[:-1] + "á" for n in last if n.endswith("ý")}
    fold = lambda names: frozenset(n.casefold() for part in names for n in part.split() if len(n) >= 2)  # noqa: E731
    return fold(first), fold(last)


# Words that introduce an address or a call in six languages (labels, not places).
ADDRESS_WORDS = frozenset(
    "address adresse anschrift dirección direccion domicilio indirizzo adres postadres wohnort residenza appelez rappelez "
    "appeler llamar chiamare bellen anrufen".split()
)


@lru_cache(maxsize=1)
def _cues() -> frozenset[str]:
    """The cue words (greetings, titles, sign-offs, street words) and context words (phone, card,
    account …) of :mod:`agent.pii.recognisers`, and :data:`ADDRESS_WORDS`: never a name or a
    place on their own."""
    from agent.pii.cues import CONTEXT, cue_words

    return cue_words() | {w for words in CONTEXT.values() for w in words} | ADDRESS_WORDS


_INNER_CAPITAL = re.compile(r"[a-zß-ÿ][A-ZÀ-Þ]")
_NAME_PREFIX = re.compile(r"(?:Mc|Mac|O['’]|D['’]|Di|De|Da|Du|Le|La|Van|Von)[A-ZÀ-Þ]")


# Departments, functions and teams, in the six languages: written with a capital inside a sentence
# ("forward it to Compliance") and on the signature or "To:" line of a mail sent for one ("Einkauf
# und Logistik", "Ufficio Acquisti", "Departamento de Compras", "Aan: Klantendienst", "An: Schaden").
_DEPARTMENTS = frozenset(
    """compliance finance legal accounting accounts marketing sales support billing payroll procurement purchasing security
    operations management reception treasury audit research engineering logistics facilities admin administration
    underwriting claims collections onboarding helpdesk it hr department dept team office desk unit division
    abteilung einkauf verkauf vertrieb buchhaltung logistik personalabteilung kundendienst kundenservice schaden
    schadenabteilung schadenservice verwaltung geschäftsleitung geschäftsführung sekretariat empfang rechtsabteilung finanzen
    controlling versand
    service département comptabilité achats ventes direction secrétariat accueil logistique juridique sinistres facturation
    recouvrement équipe
    departamento compras ventas contabilidad administración recepción logística secretaría dirección siniestros facturación
    ufficio acquisti vendite amministrazione contabilità segreteria logistica direzione sinistri fatturazione reparto
    afdeling inkoop verkoop boekhouding administratie klantendienst klantenservice logistiek secretariaat receptie
    schadeafdeling directie facturatie""".split()
)
DEPARTMENTS = _DEPARTMENTS

# Words before a noun that make it a thing, not a person ("the University", "our Bank").
_DETERMINERS = frozenset("the a an this that these those our your my their his her its every each any some no".split())
_ORG_WORDS = frozenset("inc ltd llc plc gmbh ag sa sas sarl bv nv spa srl co corp corporation company group bank holding holdings partners".split())


# Articles of the six languages before a lower-case noun phrase ("el pastor alemán", "la rosa
# rossa"): no article stands before a lower-case "first last" name. Not "de", "des", "du", "den":
# name particles too.
_ARTICLES_BEFORE_NOUN = frozenset("the a an el la los las un una il lo gli uno le les une der die das dem ein eine einen einem het een".split())
# Offices and ranks that are also listed first names ("bishop has written", "the colonel"): the
# forms of address of clergy, the forces and public office (Debrett's "Forms of Address").
ROLE_NOUNS = frozenset(
    """bishop archbishop pastor deacon imam rabbi vicar rector canon abbot elder dean judge doctor captain colonel general
    admiral marshal major sergeant corporal lieutenant commander sheriff mayor provost warden chancellor""".split()
)
# Chat and SMS spellings of English words that no lexicon holds ("thx", "becoz", "gonna"): never a
# name, however unknown (the common abbreviations of chat and text messages).
CHAT_WORDS = frozenset(
    """thx thnx thanx tks ty pls plz lol btw idk tbh imo fyi omg asap gonna wanna gotta dunno lemme gimme abit alot
    yup yep nope nah innit ppl bcoz becoz coz cuz cos wud shud cud wat wen wer hv hav ur urs u r k kk ok okk okay
    yall ya yah yea yeh aint tho thru nite gud gr8 b4 msg msgs txt pic pics""".split()
)
# The roles a chat or call transcript writes before a turn ("Visitor:", "Caller:", "Agent (Chloe):"),
# as live-chat and contact-centre tools label them: a role, never a speaker's name.
CHAT_ROLES = frozenset(
    """visitor caller agent advisor adviser customer client operator representative rep assistant bot chatbot system user
    member guest host moderator interviewer interviewee""".split()
)


@lru_cache(maxsize=1)
def relation_words() -> frozenset[str]:
    """The nouns of relations of :data:`agent.pii.recognisers.KIN`, lower case ("mann", "tochter",
    "figlio"), not the particles among them: a name grows over none of them."""
    from agent.pii.cues import KIN

    return frozenset(w.casefold() for w in re.findall(r"[^\W\d_]+", KIN)) - frozenset("my our his her their mein meine unser unsere ma mon notre mi nuestra nuestro mia mio nostra nostro mijn onze".split()) - PARTICLES  # "de" of "compañero de piso": a particle is no relation


@lru_cache(maxsize=1)
def greeting_words() -> frozenset[str]:
    """The words of the greetings and sign-offs of :mod:`agent.pii.recognisers`, lower case
    ("bore" of the Welsh "Bore da", "salam", "diolch"): never a listed name on their own."""
    from agent.pii.cues import CASUAL_SIGNOFFS, GREETINGS, SIGNOFFS

    return frozenset(w.casefold() for w in re.findall(r"[^\W\d_]+", " ".join((GREETINGS, SIGNOFFS, CASUAL_SIGNOFFS))))


CAPITALISED_NAMES_ONLY = ("es", "it", "nl")  # no lexicon installed; nouns are lower case (unlike German)
TITLE_INITIALS = frozenset({"m"})  # "M." is Monsieur before a French name, not an initial


def _calendar_word(word: str) -> bool:
    from agent.pii.cues import MONTHS

    return re.fullmatch(rf"(?:{MONTHS})|(?:mon|tues|wednes|thurs|fri|satur|sun)day", word, re.IGNORECASE) is not None
