"""Fill the w13 templates (written for draftguard) with fresh Faker records the way presidio-research
fills its own; write written_samples_13.txt (ids w13-).

Run from the repository root: ``.venv/bin/python evaluation/data/pii/w13/make_w13.py``.
Reads ``w13/templates.txt`` (130 templates written blind for this set: the writer never read the
detectors, ran the redactor, or read presidio-evaluator's templates). Writes
``evaluation/data/pii/written_samples_13.txt`` and ``w13/w13_index.tsv``. Deterministic:
random.Random(SEED) for every choice, and one Faker instance per locale seeded with
``SEED + its position`` (Faker 40.63.0); PYTHONHASHSEED is pinned (see ``main``).

Adapted from ``w11/make_w11.py`` (its record building, presidio's address layouts and quirks and
its label mapping are kept; see that file's docstring for the presidio-evaluator 0.3.2 shapes):

- one person record per sample, name locale and address locale drawn independently; a slot the
  record has is taken from it once, a second use of it or a slot it lacks goes to a provider
  (en_US-shaped, nested providers draw a fresh record: "<first name>bury" towns, a street of one
  country with a town of another);
- the record's ``street_name`` is a whole street address, so ``{{building_number}}
  {{street_name}}`` gives two house numbers; ``postcode`` is always a US 5-digit code, ``zipcode``
  the record's own; a record without a region has state ``nan`` (only inside ``{{address}}``);
- ``{{address}}`` uses ``AddressProviderNew.address_formats`` with its weights;
- 5 % of the samples lower-cased whole (presidio ``lower_case_ratio``), chosen by the rng; in
  addition a template starting with ``~lc~ `` is a lower-case chat line (text and values);
- labels: ``PresidioSentenceFaker.ENTITY_TYPE_MAPPING`` then ``evaluation.pii_data._map_presidio``.

Differences from w11: own templates; seed 20261213; another locale mix (en_IN and en_PH added,
en_US/GB/IN weighted up, lt_LT/lv_LV names only; is_IS, et_EE, el_GR, sk_SK, sl_SI, pt_BR, fr_CH
addresses kept, dropped as listed in NAME_LOCALES); en_PH and en_IE records get phone numbers of
their own country (Faker has no ``phone_number`` for en_PH and falls back to en_US for en_IE);
``nation_man`` and ``first_name_female``/``last_name_female`` slots supported; no template
weighting to the test split (the templates are new, the set is tuning material only).
"""

from __future__ import annotations

import os
import random
import re
import sys
import textwrap
import unicodedata
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import faker
from faker import Faker
from faker.providers.address.en_US import Provider as UsAddress

SEED = 20261213
TODAY = date(2026, 12, 13)  # dates are drawn between fixed bounds so reruns give the same file
DOB_FROM, DOB_TO = date(1936, 1, 1), date(2007, 12, 31)
DT_FROM, DT_TO = datetime(1990, 1, 1), datetime(2026, 12, 1)
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
N_ADDRESS = 220  # samples from templates with an address, street, town, region, country or zip slot
N_OTHER = 80  # every other template once, the rest weighted to e-mail/IBAN/SSN/phone/DOB/IP/card slots
LOWER_CASE_RATIO = 0.05  # presidio's default
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
sys.path.insert(0, str(ROOT))
from evaluation.pii_data import Span, _map_presidio, parse_written  # noqa: E402

TEMPLATES = HERE / "templates.txt"
OUT = ROOT / "evaluation" / "data" / "pii" / "written_samples_13.txt"
INDEX = HERE / "w13_index.tsv"
LC_MARK = "~lc~ "  # template-level lower-casing (a chat line typed in lower case)

# name locales (the CSV's NameSet) and address locales (its Country). Faker has no person provider
# for en_AU, en_CA or en_PH (their names would be en_US's): en_PH is an address locale only.
NAME_LOCALES = {
    "en_US": 5, "en_GB": 3, "en_IN": 3, "en_AU": 2, "en_CA": 2, "en_IE": 2, "en_NZ": 2,
    "de_DE": 1, "de_AT": 1, "de_CH": 1, "fr_FR": 1, "fr_CH": 1, "nl_NL": 1, "nl_BE": 1,
    "it_IT": 1, "es_ES": 1, "pt_PT": 1, "pl_PL": 1, "sv_SE": 1, "da_DK": 1, "no_NO": 1,
    "fi_FI": 1, "cs_CZ": 1, "hu_HU": 1, "ro_RO": 1, "hr_HR": 1, "lt_LT": 1, "lv_LV": 1,
}
# lt_LT and lv_LV have no Faker address provider (it falls back to en_US): names only
ADDRESS_LOCALES = {k: v for k, v in NAME_LOCALES.items() if k not in ("lt_LT", "lv_LV")}
ADDRESS_LOCALES.update({"en_US": 7, "en_PH": 2})
COUNTRY = {  # English short names
    "en_US": "United States", "en_GB": "United Kingdom", "en_IN": "India", "en_PH": "Philippines",
    "en_AU": "Australia", "en_CA": "Canada", "en_IE": "Ireland", "en_NZ": "New Zealand",
    "de_DE": "Germany", "de_AT": "Austria", "de_CH": "Switzerland", "fr_FR": "France",
    "fr_CH": "Switzerland", "nl_NL": "Netherlands", "nl_BE": "Belgium", "it_IT": "Italy",
    "es_ES": "Spain", "pt_PT": "Portugal", "pl_PL": "Poland", "sv_SE": "Sweden",
    "da_DK": "Denmark", "no_NO": "Norway", "fi_FI": "Finland", "cs_CZ": "Czech Republic",
    "hu_HU": "Hungary", "ro_RO": "Romania", "hr_HR": "Croatia",
}
NATIONALITY = {  # the CSV's NameSet column is a nationality word
    "en_US": "American", "en_GB": "English", "en_IN": "Indian", "en_AU": "Australian",
    "en_CA": "Canadian", "en_IE": "Irish", "en_NZ": "New Zealand", "de_DE": "German",
    "de_AT": "Austrian", "de_CH": "Swiss", "fr_FR": "French", "fr_CH": "Swiss", "nl_NL": "Dutch",
    "nl_BE": "Belgian", "it_IT": "Italian", "es_ES": "Spanish", "pt_PT": "Portuguese",
    "pl_PL": "Polish", "sv_SE": "Swedish", "da_DK": "Danish", "no_NO": "Norwegian",
    "fi_FI": "Finnish", "cs_CZ": "Czech", "hu_HU": "Hungarian", "ro_RO": "Romanian",
    "hr_HR": "Croatian", "lt_LT": "Lithuanian", "lv_LV": "Latvian",
}
# Irish numbers (Faker's en_IE has no phone provider and would give en_US numbers)
IE_PHONE = ["08# ### ####", "+353 8# ### ####", "01 ### ####", "+353 1 ### ####", "0## ### ####",
            "(0##) ######"]
# presidio raw_data/nationalities.csv rows (country, nationality, man, woman, plural), MIT
NATION_ROWS = [
    ("denmark", "danish", "dane", "dane", "danes"), ("finland", "finnish", "finn", "finn", "finns"),
    ("netherlands", "dutch", "dutchman", "dutchwoman", "dutchmans"),
    ("iceland", "icelandic", "icelander", "icelander", "icelanders"),
    ("switzerland", "swiss", "swiss", "swiss", "swiss"),
    ("argentina", "argentinian", "argentinian", "argentinian", "argentinians"),
    ("angola", "angolan", "angolan", "angolan", "angolans"),
]
# towns in capitals, as in presidio's data for these countries (Royal Mail / Australia Post /
# Posti post towns; Austrian towns also appear so)
UPPER_TOWN = {"en_GB", "en_AU", "fi_FI", "de_AT"}
# US driving licence shapes, a subset of presidio's us_driver_license_format.yaml (MIT, faker-ruby)
US_DL = ["######", "#######", "########", "?########", "#########", "?#######", "?######",
         "??#####", "?###-###-##-###-#", "?##-####-####", "#?##?##??#??", "?###-####-####-##"]
# presidio PhoneNumberProviderNew.formats (used when a template holds a second phone number)
PHONE_NEW = [
    "##########", "###-###-####", "###-#######", "07700 ### ###", "07700 ######",
    "07700######", "(07700) ### ###", "(07700) ######", "(07700)######", "+447700 ### ###",
    "+447700 ######", "+447700######", "+91##########", "0##########", "+41 2# ### ## ##",
    "+41 7# ### ## ##", "+41 (0)4# ### ## ##", "+41 (0)9# ### ## ##", "+46 (0)8 ### ### ##",
    "+46 (0)## ## ## ##", "+46 (0)### ### ##", "(###)###-####", "###.###.####",
    "###-###-####x###", "###-###-####x####", "(###)###-####x###", "(###)###-####x####",
    "###.###.####x###", "###.###.####x####", "+1-###-###-####", "001-###-###-####",
    "+1-###-###-####x###",
]
# presidio AddressProviderNew.address_formats with weights (verbatim)
ADDRESS_FORMATS = [
    ("{{building_number}} {{street_name}} {{secondary_address}} {{city}} {{state}}", 5.0),
    ("{{building_number}} {{street_name}} {{secondary_address}} {{city}} {{state_abbr}}", 5.0),
    ("{{building_number}} {{street_name}} {{secondary_address}} {{city}} {{country}}", 5.0),
    ("{{building_number}} {{street_name}}\n {{secondary_address}}\n {{city}}\n {{country}}", 5.0),
    ("{{building_number}} {{street_name}}\n {{secondary_address}}\n {{city}}\n {{country}} {{postcode}}", 5.0),
    ("{{street_name}} {{street_name}}\n {{secondary_address}}\n {{city}}\n {{country}} {{postcode}}", 5.0),
    ("the corner of {{street_name}} and {{street_name}}", 3.0),
    ("{{first_name}} and {{street_name}}", 3.0),
    ("{{street_address}}, {{city}}, {{country}}", 5.0),
    ("{{street_address}} {{secondary_address}}, {{city}}, {{country}} {{postcode}}", 5.0),
    ("{{street_address}}\n{{city}}, {{state_abbr}} {{postcode}}", 25.0),
    ("{{street_address}}\n{{city}}\n, {{state_abbr}}\n {{postcode}}", 25.0),
    ("{{street_address}}\n{{city}}\n, {{state_abbr}}\n {{country}} {{postcode}}", 25.0),
    ("{{military_apo}}\nAPO {{military_state}} {{postcode}}", 1.0),
    ("{{military_ship}} {{last_name}}\nFPO {{military_state}} {{postcode}}", 1.0),
    ("{{military_dpo}}\nDPO {{military_state}} {{postcode}}", 1.0),
]
# presidio PresidioSentenceFaker.ENTITY_TYPE_MAPPING (the slots these templates use)
ENTITY = {
    "person": "PERSON", "name": "PERSON", "name_male": "PERSON", "name_female": "PERSON",
    "first_name": "PERSON", "first_name_male": "PERSON", "last_name": "PERSON",
    "last_name_male": "PERSON", "first_name_female": "PERSON", "last_name_female": "PERSON",
    "ip_address": "IP_ADDRESS", "us_driver_license": "US_DRIVER_LICENSE",
    "organization": "ORGANIZATION", "address": "STREET_ADDRESS", "street_name": "STREET_ADDRESS",
    "building_number": "STREET_ADDRESS", "secondary_address": "STREET_ADDRESS",
    "postcode": "STREET_ADDRESS", "country": "GPE", "state": "GPE", "state_abbr": "GPE",
    "city": "GPE", "zipcode": "ZIP_CODE", "credit_card_number": "CREDIT_CARD", "iban": "IBAN_CODE",
    "phone_number": "PHONE_NUMBER", "url": "DOMAIN_NAME", "ssn": "US_SSN", "email": "EMAIL_ADDRESS",
    "date_time": "DATE_TIME", "date_of_birth": "DATE_TIME", "day_of_week": "DATE_TIME",
    "year": "DATE_TIME", "prefix": "TITLE", "prefix_male": "TITLE", "prefix_female": "TITLE",
    "job": "TITLE", "nationality": "NRP", "nation_man": "NRP", "nation_woman": "NRP", "nation_plural": "NRP", "age": "AGE",
}
ADDRESS_SLOTS = {"address", "street_name", "building_number", "secondary_address", "postcode",
                 "city", "country", "state", "state_abbr", "zipcode"}
CORE_SLOTS = {"email", "iban", "ssn", "phone_number", "date_of_birth", "ip_address",
              "credit_card_number", "us_driver_license"}
RICH_SLOTS = {"address", "street_name", "building_number", "zipcode", "postcode"}
SECONDARY = re.compile(r"\b(Apt|Suite|Flat|Level|Unit|Studio)\b|^\d+/")
TOKEN = re.compile(r"\{\{\s*(\w+)\s*\}\}")  # presidio span_generator._re_token without the ':' part


def ascii_fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if c.isascii() and c.isalnum())


class Filler:
    """Records and providers; every draw goes through ``self.rng`` or a seeded Faker."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.fk: dict[str, Faker] = {}
        for i, loc in enumerate(sorted(set(NAME_LOCALES) | set(ADDRESS_LOCALES))):
            f = Faker(loc)
            f.seed_instance(SEED + i)
            self.fk[loc] = f
        self.us = self.fk["en_US"]

    def pick(self, weights: dict[str, int]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, [weights[k] for k in keys])[0]

    def numerify(self, fmt: str) -> str:
        return "".join(
            str(self.rng.randint(0, 9)) if c == "#" else chr(self.rng.randint(65, 90)) if c == "?" else c
            for c in fmt
        )

    # ---- one person record, shaped like a FakeNameGenerator row after presidio's renaming ----
    def record(self, need_region: bool = False) -> dict:
        nloc = self.pick(NAME_LOCALES)
        aloc = nloc if nloc in ADDRESS_LOCALES and self.rng.random() < 0.5 else self.pick(ADDRESS_LOCALES)
        while need_region and self.state_abbr(aloc, probe=True) == "nan":
            aloc = self.pick(ADDRESS_LOCALES)
        fn, fa = self.fk[nloc], self.fk[aloc]
        gender = self.rng.choice(["male", "female"])
        first = fn.first_name_male() if gender == "male" else fn.first_name_female()
        last = fn.last_name_male() if gender == "male" and hasattr(fn, "last_name_male") else (
            fn.last_name_female() if gender == "female" and hasattr(fn, "last_name_female") else fn.last_name())
        middle = chr(self.rng.randint(65, 90))
        if self.rng.random() > 0.2:  # datasets._full_name
            person = f"{first} {last}"
        else:
            person = f"{first} {middle}{' ' if self.rng.random() > 0.5 else '. '}{last}"
        prefix = self.rng.choice(["Mr.", "Dr."] if gender == "male" else ["Mrs.", "Ms.", "Dr."])
        city = " ".join(fa.city().split())
        if aloc in UPPER_TOWN:
            city = city.upper()
        state = self.state(aloc)
        dob = fn.date_between_dates(DOB_FROM, DOB_TO)  # fixed bounds: no dependence on today
        if self.rng.random() < 0.5:
            email = f"{ascii_fold(first)}{ascii_fold(last)}@{fn.free_email_domain()}"
        else:
            email = fn.email(safe=False)
        rec = {
            "first_name": first, "last_name": last, "person": person, "name": person,
            "prefix": prefix, "street_name": self.street(aloc), "city": city,
            "state": state, "state_abbr": self.state_abbr(aloc), "zipcode": self.postcode(aloc),
            "country": COUNTRY[aloc], "email": email, "phone_number": self.phone(aloc),
            "date_of_birth": f"{dob.month}/{dob.day}/{dob.year}", "age": str(TODAY.year - dob.year - ((TODAY.month, TODAY.day) < (dob.month, dob.day))),
            "job": self.us.job(), "nationality": NATIONALITY[nloc],
            "first_name_male": first if gender == "male" else "",
            "first_name_female": first if gender == "female" else "",
            "prefix_male": prefix if gender == "male" else "",
            "prefix_female": prefix if gender == "female" else "",
            "last_name_male": last if gender == "male" else "",
            "last_name_female": last if gender == "female" else "",
        }
        rec["_loc"] = f"{nloc}/{aloc}"
        return rec

    def street(self, loc: str) -> str:
        """A street and house number like the CSV's StreetAddress: Faker's street_address, drawn
        again while it holds a flat/suite part (Faker's en_* and es_ES add "Apt. 215", "Flat 4")."""
        for _ in range(50):
            s = " ".join(self.fk[loc].street_address().split())
            if not SECONDARY.search(s):
                break
        return s

    def phone(self, loc: str) -> str:
        if loc == "en_PH":  # Faker's en_PH has mobile and landline numbers but no phone_number
            f = self.fk[loc]
            return f.mobile_number() if self.rng.random() < 0.6 else f.landline_number()
        if loc == "en_IE":
            return self.numerify(self.rng.choice(IE_PHONE))
        return self.fk[loc].phone_number()

    def postcode(self, loc: str) -> str:
        p = self.fk[loc].postcode()
        if loc == "en_IE" and " " not in p:  # Faker's en_IE sometimes omits the Eircode space
            p = f"{p[:3]} {p[3:]}"
        return p

    def state(self, loc: str) -> str:
        f = self.fk[loc]
        for fn in ("state", "province", "administrative_unit"):
            if hasattr(f, fn) and loc not in ("no_NO", "en_NZ"):
                return getattr(f, fn)()
        return "nan"

    def state_abbr(self, loc: str, probe: bool = False) -> str:
        if loc in ("no_NO", "en_NZ"):
            return "nan"  # no region in the record: pandas NaN printed, as in presidio's data
        if probe:
            return "ok"
        f = self.fk[loc]
        for fn in ("state_abbr", "province_abbr", "estado_sigla"):
            if hasattr(f, fn):
                return getattr(f, fn)()
        return self.state(loc)

    # ---- providers for slots the record lacks (or has already given) ----
    def provider(self, slot: str) -> str:
        us, rng = self.us, self.rng
        if slot == "address":
            fmt = rng.choices([f for f, _ in ADDRESS_FORMATS], [w for _, w in ADDRESS_FORMATS])[0]
            return self.parse(fmt, self.record())[0]
        if slot == "street_address":  # en_US street_address_formats, nested: a fresh record
            fmt = rng.choice(UsAddress.street_address_formats)
            return self.parse(fmt, self.record())[0]
        if slot == "street_name":  # en_US "{{first_name}} {{street_suffix}}" / last_name, nested
            r = self.record()
            return f"{r[rng.choice(['first_name', 'last_name'])]} {us.street_suffix()}"
        if slot == "city":  # en_US city_formats, nested with a fresh record
            r = self.record()
            return rng.choice([
                f"{us.city_prefix()} {r['first_name']}{us.city_suffix()}",
                f"{us.city_prefix()} {r['first_name']}",
                f"{r['first_name']}{us.city_suffix()}",
                f"{r['last_name']}{us.city_suffix()}",
            ])
        simple = {
            "building_number": us.building_number, "secondary_address": us.secondary_address,
            "postcode": us.postcode, "zipcode": us.zipcode, "state_abbr": us.state_abbr,
            "state": us.state, "country": us.country, "first_name": us.first_name,
            "last_name": us.last_name, "first_name_male": us.first_name_male,
            "last_name_male": us.last_name_male, "first_name_female": us.first_name_female,
            "last_name_female": us.last_name_female, "prefix_male": us.prefix_male,
            "prefix_female": us.prefix_female, "prefix": us.prefix, "ssn": us.ssn,
            "credit_card_number": us.credit_card_number,
            "day_of_week": lambda: us.random_element(DAYS),
            "year": lambda: str(us.random_int(1950, 2025)), "military_apo": us.military_apo, "military_dpo": us.military_dpo,
            "military_ship": us.military_ship, "military_state": us.military_state,
            "job": us.job, "email": us.email,
        }
        if slot in simple:
            return simple[slot]()
        if slot in ("name", "person"):
            return self.record()["person"]
        if slot in ("name_male", "name_female"):
            r = self.record()
            while r[f"first_{slot}"] == "":
                r = self.record()
            return f"{r['first_name']} {r['last_name']}"
        if slot == "organization":
            return self.fk[self.pick(ADDRESS_LOCALES)].company()
        if slot == "url":
            return self.fk[self.pick(ADDRESS_LOCALES)].url()
        if slot == "iban":
            return self.fk[self.pick(ADDRESS_LOCALES)].iban()
        if slot == "ip_address":  # presidio IpAddressProvider: 80 % IPv4
            return us.ipv4() if rng.random() < 0.8 else us.ipv6()
        if slot == "phone_number":
            return self.numerify(rng.choice(PHONE_NEW))
        if slot == "date_time":
            return str(us.date_time_between_dates(DT_FROM, DT_TO).replace(microsecond=0))
        if slot == "nationality":
            return rng.choice(NATION_ROWS)[1]
        if slot == "nation_man":
            return rng.choice(NATION_ROWS)[2]
        if slot == "nation_woman":
            return rng.choice(NATION_ROWS)[3]
        if slot == "nation_plural":
            return rng.choice(NATION_ROWS)[4]
        if slot == "us_driver_license":
            return self.numerify(rng.choice(US_DL))
        if slot == "age":
            return str(rng.randint(18, 90))
        raise KeyError(slot)

    def parse(self, template: str, record: dict) -> tuple[str, list[dict]]:
        """presidio SpanGenerator.parse + RecordGenerator: text and spans (presidio entity types)."""
        out, spans, last = [], [], 0
        pos = 0
        for m in TOKEN.finditer(template):
            slot = m.group(1).lower()
            out.append(template[last : m.start()])
            pos += m.start() - last
            if record.get(slot):
                value = str(record.pop(slot))
            else:
                record.pop(slot, None)
                value = str(self.provider(slot))
            if slot in ENTITY:
                spans.append({"entity_type": ENTITY[slot], "start_position": pos,
                              "end_position": pos + len(value), "entity_value": value})
            out.append(value)
            pos += len(value)
            last = m.end()
        out.append(template[last:])
        return "".join(out), spans


def read_templates() -> dict[int, str]:
    """Templates by id from ``templates.txt`` (``<id>\\t<template>``; ``#`` lines are comments)."""
    out = {}
    for line in TEMPLATES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            i, _, t = line.partition("\t")
            assert int(i) not in out, i
            out[int(i)] = t.strip()
    return out


def slots(template: str) -> set[str]:
    return {s.lower() for s in TOKEN.findall(template)}


def markup(text: str, spans: list[Span]) -> str:
    out, last = [], 0
    for s in sorted(spans, key=lambda s: s.start):
        assert s.start >= last, "overlapping spans"
        out.append(text[last : s.start])
        out.append(f"[[{s.entity}|{s.value}]]")
        last = s.end
    out.append(text[last:])
    return "".join(out)


HEADER = """\
# Thirteenth set of labelled samples for draftguard, same format as written_samples.txt.
# TUNING MATERIAL ONLY (ids w13-; never in the test split: a w13- sample the hash rule would put in
# "test" belongs to dev, as for w4- to w12-, once the prefix is listed in TUNING_ONLY_PREFIXES).
# Generated by w13/make_w13.py (seed {seed}, Faker {faker}) in the manner of presidio-research's
# synthetic data: short English texts from many domains (chat, forms, shipping notices, news,
# reviews, medical/HR/school records, legal letters, police reports, listings, SMS, e-mail, CSV and
# JSON lines) from 130 NEW templates in w13/templates.txt, written for this set, filled the way
# presidio's PresidioSentenceFaker/RecordGenerator fills templates (as w11/make_w11.py does), with
# fresh Faker person records: names from {n_nloc} locales, addresses from {n_aloc} ({locales}).
# w13/w13_index.tsv maps each sample to its template id, record locales (name/address) and
# lower-casing.
# Contents: {n} samples, {n_addr} from the {t_addr} templates with an address/street/town/region/
# country/zip slot, {n_other} from the {t_other} others (names, phones, cards, e-mails, IBANs, SSNs,
# IPs, licences, URLs, no PII); {n_lower} lower-cased whole by presidio's lower_case_ratio 0.05,
# {n_lc} more from lower-case chat templates.
# Label counts: {counts}.
# Presidio's quirks kept (see make_w11.py): two house numbers ("<US building number> <street and
# number>"), US 5-digit postcodes, street from one country and town from another, "<first name> and
# <street>" and "the corner of X and Y" as whole addresses, state "nan", a space after line breaks
# inside an address, military APO/FPO/DPO, town names like "<first name>bury".
# Labels: presidio's entity types mapped by evaluation.pii_data._map_presidio: STREET_ADDRESS and
# ZIP_CODE are LOCATION, and GPE (town, region, country) is LOCATION in a sample holding an address
# or zip, else GPE; building number, street, secondary address, town, region, country and postcode of
# a template written slot by slot are separate spans, an {{{{address}}}} slot is one span; DATE_TIME
# after a birth word is DATE_OF_BIRTH; DOMAIN_NAME is URL; TITLE, ORGANIZATION, NRP, AGE, DATE_TIME
# kept as non-core labels. All values invented (Faker).
# Written blind: the writer never read the detectors or ran the redactor.
"""


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # Faker's it_IT city list is built from a set, whose order follows string hashing
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    templates = read_templates()
    fill = Filler()
    rng = fill.rng
    addr_ids = [i for i, t in templates.items() if slots(t) & ADDRESS_SLOTS]
    other_ids = [i for i in templates if i not in addr_ids]
    # every template once, then uniform draws (address-rich templates weighted 3)
    chosen_addr = addr_ids + rng.choices(
        addr_ids, [3 if slots(templates[i]) & RICH_SLOTS else 1 for i in addr_ids],
        k=N_ADDRESS - len(addr_ids))
    chosen_other = other_ids + rng.choices(
        other_ids, [3 if slots(templates[i]) & CORE_SLOTS else 1 for i in other_ids],
        k=N_OTHER - len(other_ids))
    order = chosen_addr + chosen_other
    rng.shuffle(order)
    lowered = set(rng.sample(range(len(order)), round(LOWER_CASE_RATIO * len(order))))

    blocks, index, n_lower, n_lc = [], ["id\ttemplate\tlocales\tlower_cased"], 0, 0
    counts: Counter[str] = Counter()
    for k, tid in enumerate(order, 1):
        template = templates[tid]
        chat_lc = template.startswith(LC_MARK)
        template = template.removeprefix(LC_MARK).replace("\\n", "\n")
        needs_region = "state_abbr" in slots(template) or "state" in slots(template)
        rec = fill.record(need_region=needs_region)
        locs = rec.pop("_loc")
        text, spans = fill.parse(template, rec)
        lower = k - 1 in lowered
        if lower or chat_lc:
            n_lower += lower
            n_lc += chat_lc and not lower
            assert len(text.lower()) == len(text)
            text = text.lower()
            for s in spans:
                s["entity_value"] = s["entity_value"].lower()
        for s in spans:
            assert text[s["start_position"] : s["end_position"]] == s["entity_value"], (tid, s)
        mapped = _map_presidio(text, spans)
        sid = f"w13-{k:03d}"
        body = markup(text, mapped)
        # self-test: the file format gives back exactly this text and these spans
        back = parse_written(f"## {sid} en\n{body}\n")
        assert len(back) == 1 and back[0].text == text.strip("\n"), sid
        assert [(s.entity, s.start, s.end, s.value) for s in back[0].spans] == \
            [(s.entity, s.start, s.end, s.value) for s in sorted(mapped, key=lambda s: s.start)], sid
        for s in back[0].spans:
            assert back[0].text[s.start : s.end] == s.value and s.value.strip() == s.value, (sid, s)
        counts.update(s.entity for s in back[0].spans)
        blocks.append(f"## {sid} en\n{body.strip(chr(10))}\n")
        lc = "yes" if lower else "chat" if chat_lc else ""
        index.append(f"{sid}\t{tid:03d}\t{locs}\t{lc}")

    header = HEADER.format(
        seed=SEED, faker=faker.VERSION, n_nloc=len(NAME_LOCALES), n_aloc=len(ADDRESS_LOCALES),
        locales=", ".join(sorted(set(NAME_LOCALES) | set(ADDRESS_LOCALES))), n=len(order),
        n_addr=len(chosen_addr), t_addr=len(addr_ids), n_other=len(chosen_other),
        t_other=len(other_ids), n_lower=n_lower, n_lc=n_lc,
        counts=", ".join(f"{e} {c}" for e, c in sorted(counts.items(), key=lambda x: (-x[1], x[0]))),
    )
    header = "\n".join(textwrap.fill(line, 100, subsequent_indent="# ", break_long_words=False,
                                      break_on_hyphens=False) if len(line) > 100
                        else line for line in header.splitlines()) + "\n"
    OUT.write_text(header + "\n" + "\n".join(blocks), encoding="utf-8")
    INDEX.write_text("\n".join(index) + "\n", encoding="utf-8")
    print(f"{len(order)} samples, {n_lower}+{n_lc} lower-cased, {len(set(order))} templates -> {OUT}")
    print(dict(counts))


if __name__ == "__main__":
    main()
