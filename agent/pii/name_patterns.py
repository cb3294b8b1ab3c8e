"""PERSON after its cues (:func:`name_recogniser`, ``NameCueRecognizer``): the patterns of a
name after a title, a greeting, a sign-off, a relation, an intro phrase or a field label, and
their validate checks (:func:`_name_check` and the checks inside :func:`name_recogniser`).
"""

from __future__ import annotations

import re

from agent.pii.cues import (
    ABBREVIATED_SIGNOFFS,
    CARE_OF,
    CASUAL_SIGNOFFS,
    COUPLE,
    FIELD_LABELS,
    GREETINGS,
    HEADER_LABELS,
    INTRO_ANY,
    INTRO_CAP,
    KIN,
    LABEL_VALUE,
    LOWER_TITLE_WORDS,
    LOWER_TITLES,
    MESSAGE_END,
    NAME_IS,
    NAME_SEQ_ANY,
    NAME_SEQ_CAP,
    NOT_NAMES,
    PARTICLE,
    PERSON_VERB_PLACES,
    PERSON_VERBS,
    PLEASE,
    QUALIFIER,
    SIGNOFFS,
    TITLES,
    L,
    U,
    _stop_words,
    cue_words,
)
from agent.pii.name_growth import lower_surname
from agent.pii.name_words import CHAT_WORDS, COMMON, DEPARTMENTS, _calendar_word, greeting_words, name_lists
from agent.pii.patterns import GroupPattern, GroupPatternRecognizer
from agent.pii.words import english_parts_of_speech, in_lexicon, is_ordinary_word, misspelt_english_word

# where a household's name stands at its door, in the six languages ("sul campanello c'è scritto Rinaldi")
_DOOR_WORDS = (
    r"doorbell|bell|letterbox|letter[ \t]+box|mailbox|buzzer|intercom|klingel|türschild|briefkasten|sonnette|interphone|"
    r"boîte[ \t]+aux[ \t]+lettres|citofono|campanello|timbre|portero|buzón|deurbel|brievenbus|naambordje"
)
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

    def listed_first_name_ok(value: str) -> bool:
        """A listed first name of three letters or more, in any case, that is no stop word ("joy", "Hunter"; not "it")."""
        f = value.casefold()
        return len(f) >= 3 and f in first_names and f not in stops

    def field_value_ok(value: str) -> bool | str:
        """A field's value: :func:`label_ok`, or capitalised words of which one is a listed name though every one is also a
        word somewhere ("Name (as in NRIC): Tan Ah Moi": "tan", "ah" and the French "moi")."""
        verdict = label_ok(value)
        if verdict or not all(w[:1].isupper() for w in value.split()) or not listed(value):
            return verdict
        return any_ok(value)

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

    def last_line_name_ok(value: str) -> bool:
        """The message's last words: a listed first name that is no stop or function word, then one or two
        capitalised words that are no stop words ("Penelope Askew", "Shayla Running Crane"; not "Best Regards")."""
        words = value.split()
        return (
            words[0].casefold() in first_names
            and not function_word(words[0].casefold())
            and not is_ordinary_word(words[0], english_only=True)
            and not any(w.casefold() in stops for w in words[1:])
        )

    def role_name_ok(value: str) -> bool:
        """After a role word ("driver", "claimant", "witness"): a listed first name, an optional initial and a
        listed surname that is no ordinary word ("hazel d howells"; not "the driver side door")."""
        words = value.split()
        return words[0].casefold() in first_names and words[-1].casefold() in last_names and not is_ordinary_word(words[-1]) and not function_word(words[0].casefold())

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
        if relation_name(words[0]) or (language == "en" and unlisted_word(words[0])):
            return True if len(words) == 1 else words[0]
        return False

    def unlisted_word(word: str) -> bool:
        """English, lower case: a word no list or lexicon knows that reads as a name, not as a
        typo ("soo-jin", "ravinder", "olamide"): letters (a hyphen between parts of two or more),
        three or more; no stop, cue, greeting, common or chat word ("thx", "becoz"); not a word of
        the English or French lexicon, nor a part of four letters or more, nor a stop word as a
        part; not one edit from an English word ("realy", "recieved":
        :func:`agent.pii.words.misspelt_english_word`)."""
        f = word.casefold()
        if not re.fullmatch(rf"[{L}]{{3,}}|[{L}]{{2,}}-[{L}]{{2,}}", f) or function_word(f) or f in CHAT_WORDS:
            return False
        if in_lexicon(f) or any((len(p) >= 4 and in_lexicon(p)) or p in stops or p in CHAT_WORDS for p in f.split("-")):
            return False  # "post-launch", "co-op"; the syllables of a Korean given name ("jong-ho") are no words
        return "-" in f or not misspelt_english_word(f)

    def unlisted_name_ok(value: str) -> bool:
        """Every word an unlisted word (:func:`unlisted_word`) or a listed name that is no ordinary
        word ("adebayo okonkwo": a given name on no list and a listed surname)."""
        return all(unlisted_word(w) or (lower_first_name(w) or (w.casefold() in last_names and not is_ordinary_word(w))) for w in value.split())

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
            re.compile(rf"(?<![\w])(?i:{KIN}),?[ \t]+(?P<v>[{L}]{{2,}}(?:-[{L}]{{2,}})?(?:[ \t]+[{L}][{L}'’-]+)?)(?![\w])"),
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
        GroupPattern(  # "its vesna, new number is …", "It's Marta - I called earlier": a message (or its body, under a subject) that opens with who writes it
            "it's + name, line start",
            re.compile(rf"(?:^|(?<=\n))[ \t]*(?i:it['’]s|its|it is)[ \t]+(?P<v>{NAME_SEQ_ANY})[ \t]*(?=[,!.:;]|[ \t]+[-–—])"),
            0.5,
            label_ok,
        ),
        GroupPattern(  # "driver hazel d howells, licence 0553078": a party of a claim named after their role, in lower case
            "role + lower-case name",
            re.compile(rf"(?<![\w])(?i:driver|claimant|witness|tenant|landlord|passenger|policyholder|insured|patient|applicant|caller)[ \t]*:?[ \t]+(?P<v>[{L}]{{2,}}(?:[ \t]+[{L}]\.?)?[ \t]+[{L}][{L}'’-]+)(?![\w])"),
            0.5,
            role_name_ok,
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
        GroupPattern(  # "Thanks,\nKS Goh\n(08) 9555 0142": a signature of initials without stops (as English and
            # Singaporean, Malaysian, Indian usage writes them) and a listed surname or one no lexicon knows, at the message's end
            "capital initials + listed surname, signature line",
            re.compile(rf"(?:^|(?<=\n))[ \t]*(?P<v>(?-i:[{U}]{{2,3}})[ \t]+{surname}){MESSAGE_END}"),
            0.55,
            lambda v: v.split()[0].casefold() not in stops | NOT_NAMES and not is_ordinary_word(v.split()[-1]) and v.split()[-1].casefold() not in NOT_NAMES,
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
        *(
            GroupPattern(  # "… too. cheers, mere & tom parata": a couple signs the message after a casual sign-off
                f"casual sign-off + couple, end of message ({which} name)",
                re.compile(rf"(?:^|(?<=\n)|(?<=[.!?,;][ \t])|(?<=[.!?][ \t]{{2}}))[ \t]*(?i:{CASUAL_SIGNOFFS})[,!.]?[ \t]+{pair}{MESSAGE_END}"),
                0.5,
                no_department(label_ok),
            )
            for which, pair in (
                ("first", rf"(?P<v>{NAME_SEQ_ANY})[ \t]+{COUPLE}[ \t]+{NAME_SEQ_ANY}"),
                ("second", rf"{NAME_SEQ_ANY}[ \t]+{COUPLE}[ \t]+(?P<v>{NAME_SEQ_ANY})"),
            )
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
        GroupPattern(  # "Li Xiaoming - my cousin in Shenzhen", "Hamid Rahimi (my father)": the relation after the name says who it is
            "capitalised name + relation",
            re.compile(rf"(?:^|(?<=\n)|(?<=[,;:][ \t]))[ \t>*•-]*(?P<v>{NAME_SEQ_CAP})[ \t]*(?:[-–—]|\()[ \t]*(?i:{KIN})(?![\w])"),  # (not a comma: "Liebes Team, meine Frau …")
            0.6,
            cap_label_ok,
        ),
        GroupPattern(  # "the witness was a lady called joy", "the other driver was called hunter something": a person, then the name
            "person + called + listed first name, any case",
            re.compile(
                r"(?<![\w])(?i:lady|man|woman|guy|gentleman|girl|boy|person|driver|witness|neighbou?r|chap|bloke|agent|caller|"
                r"tenant|landlord|lodger|son|daughter|husband|wife|friend|colleague|he|she)[ \t]+(?:(?i:was|is)[ \t]+)?(?i:called|named)[ \t]+"
                r"(?P<v>[^\W\d_][\w'’-]+)(?![\w])"
            ),
            0.5,
            listed_first_name_ok,
        ),
        GroupPattern(  # 'Sul citofono c'è scritto "Amato-Sella"', "the doorbell says Okafor": the household's name at its door
            "name on a doorbell or letterbox",
            re.compile(
                rf"(?i:{_DOOR_WORDS})"
                r"[^.\n]{0,30}?(?<![\w])(?i:says|reads|steht|marqué|écrit|indiqué|scritto|dice|pone|staat)[ \t:]*[\"“„«‘']?[ \t]*"
                rf"(?P<v>{NAME_SEQ_CAP})(?![\w])"
            ),
            0.6,
            cap_label_ok,
            needs=re.compile(rf"(?i:{_DOOR_WORDS})"),
        ),
        GroupPattern(  # "Irmgard Baumann, geb. Sauer", "Marie Dupont née Lefèvre", "(roepnaam Riet)": a maiden or call name after its word
            "maiden or call name after its word",
            re.compile(rf"(?<![\w])(?:geb\.|(?i:geborene|née|nee|nata|nacida|roepnaam|rufname|known[ \t]+as|a\.k\.a\.))[ \t]+(?P<v>{NAME_SEQ_CAP})(?![\w])"),
            0.6,
            cap_label_ok,
        ),
        GroupPattern("intro + name", re.compile(rf"(?i:\b(?:{INTRO_ANY}))[ \t:]+(?P<v>{NAME_SEQ_ANY})(?![\w])"), 0.6, any_ok),
        GroupPattern("intro + capitalised name", re.compile(rf"(?i:\b(?:{INTRO_CAP}))[ \t:]+(?P<v>{NAME_SEQ_CAP})(?![\w])"), 0.5, intro_cap_ok),
        GroupPattern(  # "…ring first.\n\nPenelope Askew", "That's definitely my zip. Shayla Running Crane": the message ends with its
            # writer's name (or with the name and what may follow it: a second sign-off, a device signature, a phone line)
            "first name + capitalised words, end of the message",
            re.compile(rf"(?:^|(?<=\n)|(?<=[.!?][ \t]))[ \t]*(?P<v>[{U}][{L}'’-]+(?:[ \t]+[{U}][{L}'’-]+){{1,2}}){MESSAGE_END}"),
            0.55,
            last_line_name_ok,
        ),
        GroupPattern(  # "Agent: And the name on the account?\nCustomer: Rhodri Lewis-Evans": a chat's answer line to a question for a name
            "name question + answer line",
            re.compile(rf"(?i:(?<![\w])name)[^\n?]{{0,40}}\?[ \t]*\n(?:[ \t]*\n)?(?:[^\n:]{{1,30}}:[ \t]*)?(?P<v>{NAME_SEQ_CAP})[ \t.]*(?=\n|$)"),
            0.6,
            cap_ok,
            needs=re.compile(r"\?[ \t]*\n"),
        ),
        GroupPattern("name is + capitalised name", re.compile(rf"(?i:\b(?:{NAME_IS}))[ \t:]+(?P<v>{NAME_SEQ_CAP})(?![\w])"), 0.6, cap_ok),
        GroupPattern(
            # on its line, after a record's field separator ("…; name: Faith Adeyemi-Clarke; …") or as a JSON key; the label may
            # say how the name is written ("Name (as in NRIC): TAN Mei Ling", "Surname (block capitals): …")
            "field label + name",
            re.compile(
                rf"(?:^|(?<=\n)|(?<=[;|{{,]))[ \t>*•-]*[\"']?(?i:{FIELD_LABELS})[\"']?{QUALIFIER}[ \t]*[:：][ \t]*[\"']?(?P<v>{LABEL_VALUE})[\"']?[ \t]*(?=\n|$|[,;(|<\[}}])"
            ),
            0.6,
            no_department(field_value_ok),
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
        # Lower-case mail from writers whose names are on no list (Yoruba, Punjabi, Korean, Tongan …): a
        # word no lexicon knows is a name where only a name stands, never a typo of an English word.
        word = rf"[{L}]{{2,}}(?:-[{L}]{{2,}})?"
        patterns += [
            GroupPattern(  # "this is adebayo okonkwo calling", "i am ravinder.", "his name is venkatesh raghunathan,": an intro, then the name ends the clause
                "lower-case intro + unlisted name, clause end",
                re.compile(
                    rf"(?<![\w'’])(?i:i['’]?m|i[ \t]+am|this[ \t]+is|(?:my|his|her|their)[ \t]+(?:full[ \t]+)?name[ \t]+is|my[ \t]+name['’]s)[ \t]+(?P<v>{word}(?:[ \t]+{word})?)"
                    rf"(?=[ \t]*(?:[.,;!?\r\n]|\Z|(?:calling|writing|here|from|speaking|and)(?![\w])))"
                ),
                0.5,
                unlisted_name_ok,
            ),
            GroupPattern(  # "contact olamide on 08035550142", "or me femi adewale on 0805…": whom to call, then the number
                "contact + unlisted name + number",
                re.compile(
                    rf"(?<![\w])(?i:contact|call|ring|text|whatsapp|ask[ \t]+for|speak[ \t]+to|talk[ \t]+to|(?:or|and)[ \t]+me)[ \t]+(?P<v>{word}(?:[ \t]+{word})?)[ \t]+(?:on|at)[ \t]+(?=[+(]?\d)"
                ),
                0.5,
                unlisted_name_ok,
            ),
            GroupPattern(  # "… thanks\npriyanka": the writer's name alone on the last line, after a line ending in thanks
                "thanks line + unlisted name, end of the message",
                re.compile(rf"(?i:thanks|thank[ \t]+you|thx|thnx|ty|cheers|regards|rgds)[ \t]*[,.!]?[ \t]*\r?\n[ \t]*(?P<v>{word}(?:[ \t]+{word})?){MESSAGE_END}"),
                0.5,
                unlisted_name_ok,
            ),
            GroupPattern(  # "… what we do now? jong-ho": a hyphenated given name ends a lower-case message
                "hyphenated unlisted name, end of the message",
                re.compile(rf"(?:(?<=[.!?])[ \t]+|(?<=\n)[ \t]*)(?P<v>[{L}]{{2,}}-[{L}]{{2,}}){MESSAGE_END}"),
                0.5,
                unlisted_name_ok,
            ),
        ]
    return GroupPatternRecognizer("NameCueRecognizer", "PERSON", patterns, language)
