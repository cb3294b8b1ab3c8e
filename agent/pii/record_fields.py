"""The fields of a record written on one line: the town and postcode after a street, the surname
beside a first name.

Exports of a CRM, an HR system or a spreadsheet pasted into mail put one person on a line, the
fields split by ``;`` or ``|``: "Employee record | Leite, Naiara | … | Marialaan 0 | Weelde | 8920 |
(0902)-388479", "record 118; Carlier; Stéphanie; dob 5/25/1941; 91, avenue de Perrot; PichonBourg;
France". The street field is found by its shape; the fields after it are the rest of the address in
the order of UPU S42 (town, then postcode, or postcode then town; then region and country), but a
town field has no shape of its own. So, in a line of four fields or more, the one or two fields right
after a numbered street are taken as its town and postcode when:

- the field is a postcode's digits (four to six, no year: "8920"), or
- the field is a country, after the town or postcode ("…; Rosa'; Italy"), or
- the field is one to four capitalised words that are not all words of the lexicons (a town,
  "PichonBourg", "Weelde"; not "Manager", "Active") and not a country, and the field after it is a
  postcode, a region, a country or another address part already found (so that a job title or a
  product after the street stays as written).

A CSV or spreadsheet paste names its columns in a header line ("surname,first_name,dob,street,town,state,zip",
``"first","last","address","city","state","zip"``): the cells under a name, address or birth-date column are
that column's personal data, whatever their shape (:func:`csv_columns_beside`; the rows are read with Python's
``csv`` module, RFC 4180 quoting).

The same records give the surname as a field of its own or before a comma, beside the first name
("| Leite, Naiara |", "; Modigliani; Nino;"): the order of a register, surname first. A field of one
capitalised word (hyphens allowed) that is no word of the lexicons, right before a field that is a
listed first name alone or before ", <listed first name>" in one field, is the surname
(:func:`record_names_beside`).

:func:`record_fields_beside` runs after :func:`agent.pii.address_places.places_beside`.
"""

from __future__ import annotations

import re

from agent.pii.address_formats import L, U
from agent.pii.address_words import country_names

_SEPARATED = re.compile(r"^[^\n]*", re.MULTILINE)  # each line once (an empty line too)
_TOWN_FIELD = re.compile(rf"[{U}][{U}{L}'’]*(?:[ \t-]+(?:[{L}]{{1,3}}[ \t-]+)?[{U}][{U}{L}'’]*){{0,3}}")
_POSTCODE_FIELD = re.compile(r"\d{4,6}")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _fields(line: str, base: int) -> list[tuple[int, int]]:
    """The ``(start, end)`` text offsets of the trimmed fields of ``line`` (starting at ``base``), split
    by its separator: ``|`` when it has three or more, else ``;``; empty when it has fewer than three."""
    sep = "|" if line.count("|") >= 3 else ";" if line.count(";") >= 3 else ""
    if not sep:
        return []
    out, pos = [], 0
    for part in line.split(sep):
        lead = len(part) - len(part.lstrip())
        out.append((base + pos + lead, base + pos + len(part.rstrip())))
        pos += len(part) + 1
    return out


def _town_ok(value: str) -> bool:
    from agent.pii.words import known_word

    return value.casefold() not in country_names() and not all(known_word(w) for w in re.split(r"[ \t-]+", value))


def _covered(spans: list, lo: int, hi: int) -> bool:
    return any(x.start <= lo and hi <= x.end for x in spans)


def _overlaps(spans: list, lo: int, hi: int) -> bool:
    return any(x.start < hi and lo < x.end for x in spans)


_SURNAME = re.compile(rf"[{U}][{L}{U}'’]+(?:-[{U}][{L}{U}'’]+)?")
_INVERTED = re.compile(rf"(?P<s>{_SURNAME.pattern})[ \t]*,[ \t]*(?P<f>[{U}][{L}'’]+)")


def _surname_ok(word: str, personal: bool) -> bool:
    """No stop word, and no lexicon word unless a listed surname in a line that holds a date of birth, an
    address, a phone number or an email ("Modigliani" is in the lexicon as the painter; "Sales, Mark" on
    a team list is a department)."""
    from agent.pii.name_words import name_lists
    from agent.pii.words import in_lexicon, stop_words

    _, last = name_lists()
    return not any(w.casefold() in stop_words() or in_lexicon(w) and not (personal and w.casefold() in last) for w in word.split("-"))


def record_names_beside(text: str, spans: list) -> list:
    """``spans`` with a PERSON span added for a record line's surname beside its first name (module
    docstring). Pure; idempotent."""
    from agent.pii.name_words import name_lists
    from agent.redaction import PiiSpan

    out = list(spans)
    if not any(c in text for c in "|;"):
        return out
    first, _ = name_lists()
    for line in _SEPARATED.finditer(text):
        fields = _fields(line.group(), line.start())
        if len(fields) < 4:
            continue
        found = []
        for i, (lo, hi) in enumerate(fields):
            value = text[lo:hi]
            m = _INVERTED.fullmatch(value)
            if m and m.group("f").casefold() in first:
                found.append((lo + m.start("s"), lo + m.end("s")))
            elif value.casefold() in first and i > 0 and _SURNAME.fullmatch(text[fields[i - 1][0] : fields[i - 1][1]]):
                found.append(fields[i - 1])
        personal = any(
            line.start() <= x.start < line.end()
            and (x.entity in ("DATE_OF_BIRTH", "PHONE_NUMBER", "EMAIL_ADDRESS") or x.entity == "LOCATION" and any(c.isdigit() for c in x.value))
            for x in out
        )
        for lo, hi in found:
            if _surname_ok(text[lo:hi], personal) and not _overlaps(out, lo, hi):
                out.append(PiiSpan("PERSON", lo, hi, text[lo:hi], 0.6, "RecordFields"))
    out.sort(key=lambda x: x.start)
    return out


def record_fields_beside(text: str, spans: list) -> list:
    """``spans`` (``agent.redaction.PiiSpan`` in reading order) with a LOCATION span added for the town
    and postcode fields after a numbered street in a record line (module docstring). Pure; idempotent."""
    from agent.pii.address_growth import _new_span
    from agent.pii.address_prose import region_names

    out = list(spans)
    if not any(c in text for c in "|;"):
        return out
    streets = [x for x in out if x.entity == "LOCATION" and any(c.isdigit() for c in x.value)]
    for line in _SEPARATED.finditer(text):
        fields = _fields(line.group(), line.start())
        if len(fields) < 4:
            continue
        for i, (lo, hi) in enumerate(fields):
            if not any(s.start <= lo and hi <= s.end for s in streets):
                continue
            for j in (i + 1, i + 2, i + 3):
                if j >= len(fields):
                    break
                flo, fhi = fields[j]
                value = text[flo:fhi]
                if _covered(out, flo, fhi):
                    continue
                if _overlaps(out, flo, fhi) and not all(x.entity in ("PERSON", "LOCATION") for x in out if x.start < fhi and flo < x.end):
                    break
                is_code = bool(_POSTCODE_FIELD.fullmatch(value)) and not _YEAR.fullmatch(value)
                nxt = text[fields[j + 1][0] : fields[j + 1][1]] if j + 1 < len(fields) else ""
                follows = bool(
                    _POSTCODE_FIELD.fullmatch(nxt)
                    or nxt.casefold() in country_names()
                    or nxt.casefold() in region_names()
                    or _covered([x for x in out if x.entity == "LOCATION"], *fields[j + 1])
                ) if nxt else False
                country = j > i + 1 and value.casefold() in country_names()  # the chain's end: "…; PichonBourg; France"
                if is_code or country or _TOWN_FIELD.fullmatch(value) and _town_ok(value) and follows:
                    out = [x for x in out if not (x.start < fhi and flo < x.end)]
                    out.append(_new_span(text, flo, fhi))
                else:
                    break
    out.sort(key=lambda x: x.start)
    return out


# column names of a header line (case-folded, spaces and hyphens as "_"), by the entity of their cells
_COLUMNS = {
    "PERSON": "first first_name firstname given given_name forename last last_name lastname surname family_name name full_name "
    "vorname nachname nom prenom prénom nome cognome nombre apellido apellidos voornaam achternaam",
    "LOCATION": "address street street_address address1 address_1 address_line_1 address_line1 city town suburb locality state "
    "county province region zip zipcode zip_code postcode post_code postal_code plz ort wohnort strasse straße adresse ville "
    "code_postal cp indirizzo citta città cap provincia dirección direccion ciudad codigo_postal adres straat plaats woonplaats",
    "DATE_OF_BIRTH": "dob date_of_birth birthdate birth_date birthday geburtsdatum date_de_naissance fecha_de_nacimiento "
    "data_di_nascita geboortedatum",
}
_COLUMN_ENTITY = {name: entity for entity, names in _COLUMNS.items() for name in names.split()}
# a cell that says the value is missing
_NO_VALUE = re.compile(r"(?i:n/?a|none|nil|null|nan|unknown|tbc|tba|not[ \t]+(?:given|known|provided|applicable|supplied)|[-–—?.]+)")


# a header cell: a column name of _COLUMNS as a whole cell ("first name", "first_name", "First-Name", quoted or not);
# a line without one is no header, so most lines are never parsed
_HEADER_CELL = re.compile(
    r"(?:^|[,;\t|])[ \t]*[\"']?(?i:"
    + "|".join(sorted((re.escape(n).replace("_", "[ _-]+") for n in _COLUMN_ENTITY), key=len, reverse=True))
    + r")[\"']?[ \t]*(?=[,;\t|]|$)",
    re.MULTILINE,
)


def _csv_cells(line: str, base: int) -> list[tuple[int, int, str]] | None:
    """The cells of ``line`` (text offset ``base``) as ``(start, end, value)``, unquoted, when it has three or more
    cells split by one of ``,`` ``;`` tab ``|``; else None."""
    import csv

    sep = max(",;\t|", key=line.count)
    if line.count(sep) < 2:
        return None
    try:
        values = next(csv.reader([line], delimiter=sep, skipinitialspace=True))
    except csv.Error:
        return None
    out, pos = [], 0
    for v in values:
        at = line.find(v, pos) if v else pos
        if at < 0:
            return None
        out.append((base + at, base + at + len(v), v))
        pos = at + len(v)
    return out


def csv_columns_beside(text: str, spans: list) -> list:
    """``spans`` with a span added for each non-empty cell under a name, address or birth-date column of a header
    line (module docstring) that no span covers yet, in the rows right below it with as many cells. Pure; idempotent."""
    from agent.redaction import PiiSpan

    out = list(spans)
    if not any(c in text for c in ",;\t|") or not _HEADER_CELL.search(text):
        return out
    lines = list(_SEPARATED.finditer(text))
    i = 0
    while i < len(lines):
        head = _csv_cells(lines[i].group(), lines[i].start()) if _HEADER_CELL.search(lines[i].group()) else None
        names = [re.sub(r"[ \t-]+", "_", v.strip().casefold()) for _, _, v in head] if head else []
        kinds = [_COLUMN_ENTITY.get(n) for n in names]
        if sum(k is not None for k in kinds) < 2:
            i += 1
            continue
        j = i + 1
        while j < len(lines):
            row = _csv_cells(lines[j].group(), lines[j].start())
            if row is None or len(row) != len(head):
                break
            for (lo, hi, value), kind in zip(row, kinds, strict=True):
                if kind and value.strip() and not _NO_VALUE.fullmatch(value.strip()) and (kind != "PERSON" or re.search(r"[^\W\d_]", value)) and not _covered(out, lo, hi):
                    out = [x for x in out if not (x.start < hi and lo < x.end)] + [PiiSpan(kind, lo, hi, value, 0.6, "RecordFields")]
            j += 1
        i = j
    out.sort(key=lambda x: x.start)
    return out
