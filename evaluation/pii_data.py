"""The labelled PII evaluation set: Presidio's synthetic sample plus samples written for draftguard.

Two sources, both in ``evaluation/data/pii/``:

- ``presidio_synth_sample.json``: 381 span-labelled synthetic samples from presidio-research
  (MIT; identities partly from Fake Name Generator, CC BY-SA 3.0 US; see ``SOURCE_presidio.md``).
- ``written_samples.txt`` and ``written_samples_2.txt``: samples written for this project in en, de, fr, es, it, nl
  (addresses, dates of birth, national phone formats, lower-case and titled names, cards that
  fail the checksum, e-mail addresses on private suffixes, and ordinary mail with no PII).
- ``written_samples_3.txt``: 155 samples shaped like whole client e-mails (greetings, signature
  blocks, forwarded headers, quoted lines, one-liners) in the same six languages, 28 of them with
  no personal data but with name- or place-like words (product names, months, "Will", "Grace period").
- ``written_samples_4.txt``: 90 samples (ids ``w4-``) written to tune postal addresses and names
  after the test split was measured: TUNING MATERIAL ONLY. They are split train/dev by the same
  hash rule, except that a sample the rule would put in "test" goes to "dev"
  (:func:`split_of_written`), so the held-out test split is exactly what it was before the file.
- ``written_samples_5.txt``: 120 samples (ids ``w5-``) written on 2026-12-07 by a writer who never
  read the detectors: hard postal addresses (Irish counties and Eircodes, UK rural, floor and door
  parts, Dutch/Belgian suffixes, Cedex, Quebec), names that are also words ("Will", "Bill",
  "Grace"), and mail with no personal data but with such words. TUNING MATERIAL ONLY, like ``w4-``.
- ``written_samples_6.txt``: 110 samples (ids ``w6-``) written on 2026-12-07 by a writer who never
  read the detectors: postal addresses without a postcode next to the street or in less common
  shapes (55), names in hard positions (tussenvoegsels, relatives, non-European, ALL CAPS, lower
  case; 30), and mail with no personal data but with place, product and polite-verb traps (25).
  TUNING MATERIAL ONLY, like ``w4-``.
- ``written_samples_7.txt``: 100 samples (ids ``w7-``) written on 2026-12-07 by a writer who never
  read the detectors: whole client e-mails (en 40, de/fr/nl/es/it 12 each) mixing names, postal
  addresses, phone numbers, cards (some failing the checksum; masked ones unlabelled), IBANs,
  account numbers, US SSN / UK NI / passport / driver's licence numbers, dates of birth, e-mail and
  IP addresses; 15 with no personal data but with traps. TUNING MATERIAL ONLY, like ``w4-``.
- ``written_samples_8.txt``: 80 samples (ids ``w8-``) written on 2026-12-07 by a writer who never
  read the detectors: whole client e-mails to an insurer, bank, pension fund or energy supplier
  (en 32: US/UK/CA/IE; de 10, fr 10, nl 10, es 9, it 9): 70 with postal addresses and
  names in many shapes plus phones, e-mails, IBANs, dates of birth; 10 with no personal data but
  with traps. TUNING MATERIAL ONLY, like ``w4-``.
- ``written_samples_9.txt``: 100 samples (ids ``w9-``) written on 2026-12-07 (fourth session) by a
  writer who never read the detectors: whole client e-mails (en 40 from eight countries, de/fr/nl/
  es/it 12 each), 75 with postal addresses (split across sentences, accident locations with
  intersections and roads near a town, holiday homes, rural, c/o, PO boxes, lower case, ALL CAPS)
  and names (Dutch particles and first names, relatives, nicknames), 25 with no personal data but
  with traps. Measured once before tuning (see docs/redaction.md). TUNING MATERIAL ONLY, like ``w4-``.
- ``written_samples_10.txt``: 320 synthetic samples (ids ``w10-``) like Presidio's: 120 client-mail
  templates written by a writer who never read the detectors, filled with Faker values of 17
  locales by ``data/pii/w10/make_w10.py`` (seeded; ``w10_index.tsv`` maps each sample to its
  template and locale). Faker's addresses follow each country's street types and layouts (USPS
  suffixes, Australia Post states, Mexican "Periférico"/"Cerrada", Italian "(MI)" provinces), so
  the set measures address-format coverage; its names come from Faker's lists, which the name
  recogniser also uses, so its PERSON recall is not a fair measure. TUNING MATERIAL ONLY.
- ``written_samples_11.txt``: 305 synthetic samples (ids ``w11-``) shaped like presidio-research's
  own: its non-test templates (ids with ``split_of("presidio-template-<id>") != "test"``) filled
  the way its generator fills them, with fresh Faker records of 31 locales, by
  ``data/pii/w11/make_w11.py`` (seeded). Labels mapped by :func:`_map_presidio`. FakeNameGenerator
  values and synth_dataset_v2.json not used. TUNING MATERIAL ONLY.
- ``written_samples_12.txt``: 150 samples (ids ``w12-``) written by a writer who never read the
  detectors: English client e-mails and messages, 40 web-form and system-generated texts (contact
  forms, flattened tables, CRM exports, forwarded headers, quoted replies, mobile signatures), 50
  with names and addresses of clients from outside Europe or of non-European origin (IN, NG, ZA,
  SG, AU, NZ, CA, US, UK, IE formats), 40 from non-native and hurried writers (lower case, ALL
  CAPS, typos, run-on sentences, cards failing the checksum, IBANs), 20 with no personal data but
  with traps. Measured once before tuning. TUNING MATERIAL ONLY, like ``w4-``.

Labels are mapped to the product's entity types (decided before measuring, see
``evaluation/data/pii/README.md``): STREET_ADDRESS and ZIP_CODE are LOCATION, and so is a GPE
(town, region, country) in a sample that holds an address; other GPE stay GPE (reported, not a
core entity). A DATE_TIME preceded by a birth word (born, birth, DOB) is DATE_OF_BIRTH; other
dates are DATE_TIME (not personal data alone). TITLE, ORGANIZATION, AGE, NRP are kept as
non-core labels: masking them is not a false positive, missing them is not a miss.

Split: sha256 of the sample's group id, first byte 0-152 train, 153-203 dev, 204-255 test
(the same rule as the risk set). Presidio samples are grouped by ``template_id`` (samples from
one template are near-duplicates, so they stay on one side); written samples by their id.
Tune only on train/dev; report test. Exception: ``w4-`` to ``w12-`` samples never go to test (see above).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "pii"
SPLITS = ("train", "dev", "test")
BIRTH_CONTEXT = re.compile(r"\b(born|birth|dob|d\.o\.b)\b[^.\n]{0,20}$", re.IGNORECASE)
_MARK = re.compile(r"\[\[([A-Z_]+)\|(.+?)\]\]", re.DOTALL)


@dataclass(frozen=True)
class Span:
    """A labelled value: product entity type, character offsets (end exclusive) and the text."""

    entity: str
    start: int
    end: int
    value: str


@dataclass
class Sample:
    """One labelled text. ``source`` is ``"presidio"`` or ``"written"``; ``lang`` an ISO 639-1 code."""

    id: str
    text: str
    spans: list[Span]
    split: str
    source: str
    lang: str = "en"
    meta: dict = field(default_factory=dict)


def split_of(group_id: str) -> str:
    """train / dev / test from the first byte of sha256(group_id): 0-152, 153-203, 204-255 (60/20/20)."""
    b = hashlib.sha256(group_id.encode()).digest()[0]
    return "train" if b < 153 else ("dev" if b < 204 else "test")


TUNING_ONLY_PREFIXES = ("w4-", "w5-", "w6-", "w7-", "w8-", "w9-", "w10-", "w11-", "w12-", "w13-", "w14-", "w15-")


def split_of_written(sample_id: str) -> str:
    """:func:`split_of` for a written sample, except that a tuning-only id (prefix in
    :data:`TUNING_ONLY_PREFIXES`) the rule would put in "test" goes to "dev"."""
    split = split_of(sample_id)
    if split == "test" and sample_id.startswith(TUNING_ONLY_PREFIXES):
        return "dev"
    return split


def _map_presidio(text: str, spans: list[dict]) -> list[Span]:
    has_address = any(s["entity_type"] in ("STREET_ADDRESS", "ZIP_CODE") for s in spans)
    out = []
    for s in spans:
        t, a, b = s["entity_type"], s["start_position"], s["end_position"]
        if t in ("STREET_ADDRESS", "ZIP_CODE") or (t == "GPE" and has_address):
            t = "LOCATION"
        elif t == "DATE_TIME" and BIRTH_CONTEXT.search(text[max(0, a - 40) : a]):
            t = "DATE_OF_BIRTH"
        elif t == "DOMAIN_NAME":
            t = "URL"
        out.append(Span(t, a, b, text[a:b]))
    return out


def load_presidio() -> list[Sample]:
    """The copied presidio-research sample, labels mapped to product entity types."""
    rows = json.loads((DATA / "presidio_synth_sample.json").read_text(encoding="utf-8"))
    samples = []
    for r in rows:
        sid = f"presidio-{r['source_index']}"
        samples.append(
            Sample(
                id=sid,
                text=r["full_text"],
                spans=_map_presidio(r["full_text"], r["spans"]),
                split=split_of(f"presidio-template-{r['template_id']}"),
                source="presidio",
                meta={"template_id": r["template_id"]},
            )
        )
    return samples


def parse_written(raw: str) -> list[Sample]:
    """Parse the ``written_samples.txt`` format (see its header). Raises ValueError on a bad block."""
    samples: list[Sample] = []
    blocks = re.split(r"^## ", raw, flags=re.MULTILINE)[1:]
    for block in blocks:
        head, _, body = block.partition("\n")
        parts = head.split()
        if len(parts) != 2:
            raise ValueError(f"written sample header must be '## <id> <lang>', got {head!r}")
        sid, lang = parts
        body = body.strip("\n")
        text, spans, pos, last = [], [], 0, 0
        for m in _MARK.finditer(body):
            text.append(body[last : m.start()])
            pos += m.start() - last
            value = m.group(2)
            spans.append(Span(m.group(1), pos, pos + len(value), value))
            text.append(value)
            pos += len(value)
            last = m.end()
        text.append(body[last:])
        full = "".join(text)
        if "[[" in full or "]]" in full:
            raise ValueError(f"written sample {sid}: unbalanced [[...]] markup")
        samples.append(Sample(sid, full, spans, split_of_written(sid), "written", lang))
    return samples


WRITTEN_FILES = (
    "written_samples.txt",
    "written_samples_2.txt",
    "written_samples_3.txt",
    "written_samples_4.txt",
    "written_samples_5.txt",
    "written_samples_6.txt",
    "written_samples_7.txt",
    "written_samples_8.txt",
    "written_samples_9.txt",
    "written_samples_10.txt",
    "written_samples_11.txt",
    "written_samples_12.txt",
    "written_samples_13.txt",
    "written_samples_14.txt",
    "written_samples_15.txt",
)


def load_written() -> list[Sample]:
    """The samples written for draftguard (six languages), from every file in :data:`WRITTEN_FILES`."""
    return [s for name in WRITTEN_FILES for s in parse_written((DATA / name).read_text(encoding="utf-8"))]


def load(split: str | None = None) -> list[Sample]:
    """All samples, or those of one split (``"train"``, ``"dev"``, ``"test"``)."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    samples = load_presidio() + load_written()
    return [s for s in samples if split is None or s.split == split]
