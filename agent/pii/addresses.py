"""Postal addresses as LOCATION: pyap2 for US, Canadian and UK addresses, patterns for EU lines,
one placeholder per address. The code lives in modules named for what they do:

- :mod:`agent.pii.address_formats`: the formats of an address as regex building blocks (street
  words, house numbers, units, floors, postcodes, towns, states, regions, provinces), each with its
  source (postal authority, standard).
- :mod:`agent.pii.address_words`: the word tests they share (town, stop and sign-off words, months,
  name particles, country names).
- :mod:`agent.pii.address_patterns`: :func:`eu_address_recogniser`, the street, postcode + town and
  unit-line patterns with their validate checks.
- :mod:`agent.pii.address_recognisers`: :class:`PyapAddressRecognizer` (pyap2 around an anchor) and
  :class:`PostcodeTownRecognizer` (a postcode after its country or town).
- :mod:`agent.pii.address_joining`: :func:`join_address_parts`, one span per address (house number,
  units, postcode and town, trailing lines: ``_extend``; branch and product names dropped).
- :mod:`agent.pii.address_growth`: an address grows from its postcode (the lines and comma parts
  before it, lower-case anchors).
- :mod:`agent.pii.address_places`: the places written apart from their street.

This module re-exports the names other code imported from it before the split.
"""

from __future__ import annotations

from agent.pii.address_formats import (
    _STREET_WORD,
    AFTER_STREETS,
    AMBIGUOUS_SUFFIX_STREETS,
    AR_CPA,
    AR_MX_REGIONS,
    ARTICLES,
    AU_STATES,
    BUILDING,
    CA_POSTCODE,
    CA_PROVINCES,
    CAP,
    CO_ROADS,
    COUNTY,
    DE_PREPOSITION_STREETS,
    EIRCODE,
    EN_STREETS,
    ES_FLOOR,
    ES_PROVINCES,
    FLAT_POSITION,
    FLOOR,
    HOUSE,
    HOUSE_NAMES,
    IN_PIN,
    IRISH_COUNTIES,
    IT_PROVINCES,
    LOCALITY,
    MX_STATES,
    NL_ADDITION,
    NL_STREET_TITLES,
    NO_NUMBER,
    NOT_STREET,
    NOT_TOWN,
    NUMBER_SIGN,
    PO_BOX,
    PREFIX_STREETS,
    STREET_UNIT,
    SUFFIX_STREET_NAME,
    SUFFIX_STREETS,
    TOWN,
    UK_AREAS,
    UK_POSTCODE,
    UK_POSTCODE_ANY_CASE,
    UK_POSTCODE_AREA_ANY_CASE,
    UNIT,
    US_STATES,
    WORD,
    L,
    U,
)
from agent.pii.address_growth import _new_span
from agent.pii.address_joining import NER, join_address_parts
from agent.pii.address_patterns import eu_address_recogniser
from agent.pii.address_recognisers import PostcodeTownRecognizer, PyapAddressRecognizer
from agent.pii.address_words import country_names

__all__ = [
    "AFTER_STREETS",
    "AMBIGUOUS_SUFFIX_STREETS",
    "ARTICLES",
    "AR_CPA",
    "AR_MX_REGIONS",
    "AU_STATES",
    "BUILDING",
    "CAP",
    "CA_POSTCODE",
    "CA_PROVINCES",
    "COUNTY",
    "CO_ROADS",
    "DE_PREPOSITION_STREETS",
    "EIRCODE",
    "EN_STREETS",
    "ES_FLOOR",
    "ES_PROVINCES",
    "FLAT_POSITION",
    "FLOOR",
    "HOUSE",
    "HOUSE_NAMES",
    "IN_PIN",
    "IRISH_COUNTIES",
    "IT_PROVINCES",
    "L",
    "LOCALITY",
    "MX_STATES",
    "NL_ADDITION",
    "NL_STREET_TITLES",
    "NOT_STREET",
    "NOT_TOWN",
    "NO_NUMBER",
    "NUMBER_SIGN",
    "PO_BOX",
    "PREFIX_STREETS",
    "STREET_UNIT",
    "SUFFIX_STREETS",
    "SUFFIX_STREET_NAME",
    "TOWN",
    "U",
    "UK_AREAS",
    "UK_POSTCODE",
    "UK_POSTCODE_ANY_CASE",
    "UK_POSTCODE_AREA_ANY_CASE",
    "UNIT",
    "US_STATES",
    "WORD",
    "_STREET_WORD",
    "country_names",
    "eu_address_recogniser",
    "PostcodeTownRecognizer",
    "PyapAddressRecognizer",
    "_new_span",
    "NER",
    "join_address_parts",
]
