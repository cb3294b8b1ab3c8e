"""Fill templates.txt with Faker values and write written_samples_10.txt (ids w10-).

Run: .venv/bin/python evaluation/data/pii/w10/make_w10.py (writes next to this file; the copy in
evaluation/data/pii/ is the output moved up one folder)
Deterministic: Faker.seed(20261207) and random.Random(20261207) for the writer's own choices.
Also writes w10_index.tsv (sample id, template id, Faker locale, notes).
"""
import os
import random
import re
import sys
import unicodedata
from pathlib import Path

from faker import Faker

SEED = 20261207
HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates.txt"
OUT = HERE / "written_samples_10.txt"
INDEX = HERE / "w10_index.tsv"

LOCALES = {
    "en": ["en_US", "en_GB", "en_CA", "en_IE", "en_AU"],
    "de": ["de_DE", "de_AT", "de_CH"],
    "fr": ["fr_FR", "fr_BE", "fr_CH"],
    "es": ["es_ES", "es_MX"],
    "it": ["it_IT"],
    "nl": ["nl_NL", "nl_BE"],
}
LANG_ORDER = ["en", "de", "fr", "es", "it", "nl"]

# Faker's es_MX bank provider yields 21-character "GB" IBANs (GB needs 22), which no IBAN
# validator accepts; IBANs for es_MX are taken from es_ES instead (noted in the index file).
IBAN_FALLBACK = {"es_MX": "es_ES"}
IBAN_LENGTH = {"GB": 22, "IE": 22, "DE": 22, "AT": 20, "CH": 21, "FR": 27, "ES": 24,
               "IT": 27, "NL": 18, "BE": 16}

SLOT_LABEL = {
    "name": "PERSON", "first_name": "PERSON", "last_name": "PERSON",
    "address": "LOCATION", "street": "LOCATION", "city": "LOCATION", "postcode": "LOCATION",
    "phone": "PHONE_NUMBER", "email": "EMAIL_ADDRESS", "iban": "IBAN_CODE",
    "dob": "DATE_OF_BIRTH",
}

TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "herr", "frau", "ind", "misc",
          "dipl.-ing", "ing", "univ.prof", "mag", "dott", "sig", "sig.ra", "lic", "mtro",
          "sr(a)", "sr", "sra", "m", "mme", "mlle", "dhr", "mevr"}
SUFFIXES = {"dds", "dvm", "ii", "iii", "iv", "v", "jr", "md", "phd", "b.a", "b.eng", "b.sc",
            "mba", "m.sc", "esq"}

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"],
    "de_AT": ["Jänner", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
              "September", "Oktober", "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"],
}

BAD_START = tuple(".,;:!?-'\"/")
BAD_END = tuple(".,;:!?-'\"/(")


def iban_ok(iban):
    if IBAN_LENGTH.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def value_ok(v):
    if not v or v != v.strip():
        return False
    if "[[" in v or "]]" in v or "|" in v:
        return False
    if v.startswith(BAD_START) or v.endswith(BAD_END):
        return False
    if any(line != line.strip() or not line for line in v.split("\n")):
        return False
    return True


def clean_lines(v):
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in v.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def oneline(v, locale):
    lines = v.split("\n")
    out = lines[0]
    for prev, ln in zip(lines, lines[1:], strict=False):
        # a Dutch/Belgian postcode on its own line goes in front of the town with a space
        if locale.startswith("nl_") and re.fullmatch(r"\d{4}(\s?[A-Z]{2})?", prev):
            out += " " + ln
        else:
            out += ", " + ln
    return out


def ascii_fold(s):
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def name_is_clean(n):
    toks = n.split()
    if len(toks) < 2:
        return False
    if toks[0].lower().rstrip(".") in TITLES or toks[0].lower() in TITLES:
        return False
    if toks[-1].lower().rstrip(".") in SUFFIXES:
        return False
    if any(t.endswith(".") for t in toks):
        return False
    return True


class Filler:
    def __init__(self, rng):
        self.rng = rng
        self.fakers = {}
        self.notes = []

    def fk(self, loc):
        if loc not in self.fakers:
            self.fakers[loc] = Faker(loc)
        return self.fakers[loc]

    def gen(self, fn):
        for _ in range(200):
            v = fn()
            if value_ok(v):
                return v
        raise RuntimeError("could not generate a clean value")

    def person(self, loc, gender):
        f = self.fk(loc)
        make = {"f": f.name_female, "m": f.name_male}.get(gender, f.name)

        # some locales (en_IE, de_CH, nl_NL) ignore the gender in name_female/name_male:
        # keep only names whose first word is in the locale's list for that gender
        prov = f.provider("faker.providers.person")
        wanted = set(getattr(prov, {"f": "first_names_female", "m": "first_names_male"}
                             .get(gender, "first_names"), ()) or ())

        def one():
            n = re.sub(r"\s+", " ", make()).strip()
            if gender and n.split(" ", 1)[0] not in wanted:
                return ""
            return n if name_is_clean(n) else ""

        full = self.gen(one)
        first, last = full.split(" ", 1)
        return {"name": full, "first_name": first, "last_name": last}

    def email(self, loc, person):
        f = self.fk(loc)
        if person is not None and self.rng.random() < 0.6:
            first = re.sub(r"[^a-z]", "", ascii_fold(person["first_name"]).lower())
            last = re.sub(r"[^a-z]", "", ascii_fold(person["last_name"]).lower())
            user = self.rng.choice([f"{first}.{last}", f"{first}{last}", f"{first[:1]}{last}",
                                    f"{first}.{last}{self.rng.randint(1, 99)}",
                                    f"{last}.{first}"])
            return f"{user}@{f.free_email_domain()}"
        return f.free_email()

    def iban(self, loc):
        src = loc
        for _ in range(50):
            v = self.fk(src).iban()
            if iban_ok(v):
                return v, (None if src == loc else f"iban from {src}")
            src = IBAN_FALLBACK.get(loc, loc)
        raise RuntimeError(f"no valid IBAN for {loc}")

    def dob(self, loc):
        f = self.fk(loc)
        d = f.date_of_birth(minimum_age=18, maximum_age=90)
        lang = loc[:2]
        months = MONTHS.get(loc, MONTHS[lang])
        m = months[d.month - 1]
        if loc == "en_US":
            forms = [f"{d.month:02d}/{d.day:02d}/{d.year}", f"{d.month}/{d.day}/{d.year}",
                     f"{m} {d.day}, {d.year}"]
        elif loc == "en_CA":
            forms = [f"{d.year}-{d.month:02d}-{d.day:02d}", f"{m} {d.day}, {d.year}",
                     f"{d.day:02d}/{d.month:02d}/{d.year}"]
        elif lang == "en":
            forms = [f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day} {m} {d.year}"]
        elif lang == "de":
            forms = [f"{d.day:02d}.{d.month:02d}.{d.year}", f"{d.day}. {m} {d.year}"]
        elif lang == "fr":
            day = "1er" if d.day == 1 else str(d.day)
            forms = [f"{d.day:02d}/{d.month:02d}/{d.year}", f"{day} {m} {d.year}"]
            if loc == "fr_CH":
                forms.append(f"{d.day:02d}.{d.month:02d}.{d.year}")
        elif lang == "es":
            forms = [f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day} de {m} de {d.year}"]
            if loc == "es_MX":
                forms.append(f"{d.day:02d}-{d.month:02d}-{d.year}")
        elif lang == "it":
            forms = [f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day} {m} {d.year}"]
        else:  # nl
            forms = [f"{d.day:02d}-{d.month:02d}-{d.year}", f"{d.day} {m} {d.year}"]
        return self.rng.choice(forms)

    def fill(self, body, loc):
        """Return (segments, notes); a segment is (text, label or None)."""
        f = self.fk(loc)
        genders = {}
        for m in SLOT_RE.finditer(body):
            if m.group("slot") and SLOT_LABEL.get(m.group("slot")) == "PERSON":
                mods = (m.group("mods") or "").split("|")
                for g in ("f", "m"):
                    if g in mods:
                        genders[m.group("idx") or "1"] = g
        persons, cache, notes = {}, {}, []
        segs, pos = [], 0
        for m in SLOT_RE.finditer(body):
            if m.start() > pos:
                segs.append((body[pos:m.start()], None))
            pos = m.end()
            if m.group("label"):
                segs.append((m.group("value"), m.group("label")))
                continue
            slot, idx = m.group("slot"), m.group("idx") or "1"
            mods = [x for x in (m.group("mods") or "").split("|") if x]
            if slot not in SLOT_LABEL:
                raise ValueError(f"unknown slot {slot}")
            label = SLOT_LABEL[slot]
            if label == "PERSON":
                if idx not in persons:
                    persons[idx] = self.person(loc, genders.get(idx))
                v = persons[idx][slot]
            else:
                key = (slot, idx)
                if key not in cache:
                    if slot == "address":
                        cache[key] = self.gen(lambda: clean_lines(f.address()))
                    elif slot == "street":
                        cache[key] = self.gen(lambda: oneline(clean_lines(f.street_address()), loc))
                    elif slot == "city":
                        cache[key] = self.gen(lambda: clean_lines(f.city()))
                    elif slot == "postcode":
                        cache[key] = self.gen(lambda: clean_lines(f.postcode()))
                    elif slot == "phone":
                        cache[key] = self.gen(lambda: f.phone_number().strip())
                    elif slot == "email":
                        p = persons.get(idx)
                        if p is None:
                            persons[idx] = p = self.person(loc, genders.get(idx))
                        cache[key] = self.gen(lambda p=p: self.email(loc, p))
                    elif slot == "iban":
                        v, note = self.iban(loc)
                        if note:
                            notes.append(note)
                        cache[key] = v
                    elif slot == "dob":
                        cache[key] = self.dob(loc)
                v = cache[key]
            for mod in sorted(mods, key=lambda x: x != "oneline"):  # join lines before case
                if mod == "oneline":
                    v = oneline(v, loc)
                elif mod == "lower":
                    v = v.lower()
                elif mod == "upper":
                    v = v.upper()
                elif mod in ("f", "m"):
                    pass
                else:
                    raise ValueError(f"unknown modifier {mod}")
            if not value_ok(v):
                raise RuntimeError(f"bad value after modifiers: {v!r}")
            segs.append((v, label))
        if pos < len(body):
            segs.append((body[pos:], None))
        return merge(segs), notes


SLOT_RE = re.compile(
    r"\[\[(?P<label>[A-Z_]+)\|(?P<value>[^\]|]+)\]\]"
    r"|\{(?P<slot>[a-z_]+?)(?P<idx>\d*)(?P<mods>(?:\|[a-z]+)*)\}")


def merge(segs):
    """Join LOCATION spans separated only by ', ', ',', a space or a newline, and PERSON
    spans separated by one space (first name + last name), into one span."""
    out = []
    for seg in segs:
        if (seg[1] in ("LOCATION", "PERSON") and len(out) >= 2 and out[-1][1] is None
                and out[-2][1] == seg[1]):
            sep = out[-1][0]
            ok = (re.fullmatch(r", ?|,?\n| ", sep) if seg[1] == "LOCATION" else sep == " ")
            if ok:
                text = out[-2][0] + sep + seg[0]
                out[-2:] = [(text, seg[1])]
                continue
        out.append(seg)
    return out


def read_templates():
    text = TEMPLATES.read_text(encoding="utf-8")
    blocks = re.split(r"^## ([a-z]{2}-\d{2})[ \t]*\n", text, flags=re.M)
    out = []
    for tid, body in zip(blocks[1::2], blocks[2::2], strict=True):
        body = body.strip("\n")
        body = "\n".join(ln.rstrip() for ln in body.split("\n"))
        out.append((tid, body))
    return out


HEADER = """\
# Tenth set of labelled samples written for draftguard (Apache-2.0, this project), same format as
# written_samples.txt. TUNING MATERIAL ONLY (ids w10-): generated on 2026-12-07 from 120 short
# client-mail templates written by a writer who never read the detectors or ran the redactor,
# filled with Faker values (Faker {faker_version}, Faker.seed({seed}); templates.txt and
# make_w10.py, kept outside the repository) in the manner of Presidio's synthetic dataset; never in
# the test split (a w10- sample the hash rule would put in "test" belongs to dev, as for w4- to
# w9-). Each template is filled once per Faker locale of its language, so samples of one template
# are near-duplicates and should be grouped by template (w10_index.tsv maps ids to templates).
# Contents: {total} samples from 120 templates (20 per language): en {n_en} (en_US, en_GB, en_CA,
# en_IE, en_AU), de {n_de} (de_DE, de_AT, de_CH), fr {n_fr} (fr_FR, fr_BE, fr_CH), es {n_es} (es_ES,
# es_MX), it {n_it} (it_IT), nl {n_nl} (nl_NL, nl_BE). 96 templates hold a postal address
# (change of address, claims at a property, "send the documents to", signature blocks, forwarded
# "From:"/"Von:"/"De :"/"Van:"/"Da:" headers, lower-case one-liners, ALL CAPS blocks, a third
# party's or a relative's address, c/o / chez / presso / t.a.v., two addresses in one mail, a street
# with its postcode and town given in a later sentence), 9 hold names, phones, e-mails, IBANs and
# dates of birth but no address, 15 ({n_nopii} samples) hold no personal data but towns used
# generally and branches named after towns, streets or a person ("agence Victor Hugo").
# Addresses and phone numbers are as Faker formats them per locale (spaces at line ends trimmed,
# multi-line blocks kept); names have Faker's titles and degrees dropped. Faker's fr_BE falls back
# to en_US addresses and phones and to GB IBANs (en_US, en_CA and en_AU IBANs are GB too); one
# en_US address is a US military "USS ... FPO AE" address; es_MX IBANs come from es_ES because
# Faker's es_MX IBANs have the wrong length.
# Labelling: a contiguous address (building/flat/floor/door, street + number, PO box, postcode,
# town, region, country) is ONE LOCATION span, across lines; when other words come between its
# parts each part is its own span; the street, postcode or town of the client's home, property or
# an incident is LOCATION even alone. A town mentioned outside a postal address is not labelled.
# Titles (Mrs, Herr, M.) stay outside PERSON and are labelled TITLE; a c/o / chez / presso /
# t.a.v. recipient is PERSON with the c/o word outside. Dates of birth are DATE_OF_BIRTH (written
# in the locale's usual forms); other dates stay unlabelled. A branch, office or product named
# after a street, town or person is not personal data and stays unlabelled. No spaces or trailing
# punctuation inside a label. All values invented (Faker).
"""


def main():
    # Faker's it_IT city() draws from a set, whose order follows string hashing: pin the hash
    # seed (re-running this script under PYTHONHASHSEED=0) so the output is reproducible.
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)
    import faker as faker_mod

    Faker.seed(SEED)
    rng = random.Random(SEED)
    filler = Filler(rng)
    templates = read_templates()
    by_lang = {lang: [t for t in templates if t[0].startswith(lang + "-")] for lang in LANG_ORDER}
    assert sum(len(v) for v in by_lang.values()) == len(templates) == 120, len(templates)
    samples, index = [], []
    n_nopii = 0
    for lang in LANG_ORDER:
        n = 0
        for tid, body in by_lang[lang]:
            for loc in LOCALES[lang]:
                n += 1
                sid = f"w10-{lang}-{n:03d}"
                segs, notes = filler.fill(body, loc)
                text = "".join(v if lab is None else f"[[{lab}|{v}]]" for v, lab in segs)
                if not any(lab for _, lab in segs):
                    n_nopii += 1
                samples.append((sid, lang, text))
                index.append((sid, tid, loc, ";".join(notes)))
    counts = {lang: sum(1 for s in samples if s[1] == lang) for lang in LANG_ORDER}
    header = HEADER.format(faker_version=faker_mod.VERSION, seed=SEED, total=len(samples),
                           n_nopii=n_nopii, **{f"n_{k}": v for k, v in counts.items()})
    parts = [header]
    for sid, lang, text in samples:
        parts.append(f"\n## {sid} {lang}\n{text}\n")
    OUT.write_text("".join(parts), encoding="utf-8")
    INDEX.write_text("id\ttemplate\tlocale\tnotes\n"
                     + "".join("\t".join(r) + "\n" for r in index), encoding="utf-8")
    print(f"wrote {OUT} ({len(samples)} samples) and {INDEX}", file=sys.stderr)


if __name__ == "__main__":
    main()
