"""``pyap.parse`` with each country's address rules compiled once per process.

pyap passes its rules to ``re.finditer`` as a string on every call, so Python's ``re`` module
cache is all that keeps the compiled pattern. That cache holds 512 patterns and drops the oldest
first; libphonenumber's region patterns and the per-message seed patterns push pyap's out every
few messages, and compiling the US rules (78,000 characters) again takes about 190 ms (CA 50 ms,
GB 16 ms) on the message that meets it: the slowest messages of the redaction stage
(``benchmarks/redaction_stage.py``). :func:`parse` runs the same parser with the rules compiled
once (same flags, same text normalisation, same results).

pyap's GB rules end every address with a postcode (``full_address`` in ``pyap/source_GB/data.py``:
``{part_divider}? {postal_code}`` outside any optional group), so a window without a substring that
the postcode rule matches holds no GB address: :func:`_required_part` gives that rule and
:func:`parse` skips the full scan of such a window (the GB rules cost about four times the US or CA
ones; most GB windows are lines around a street-line anchor with no postcode). Same results.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=8)
def _compiled(rules: str) -> re.Pattern:
    from pyap import utils

    return re.compile(rules, utils.DEFAULT_FLAGS)


@lru_cache(maxsize=8)
def _required_part(country: str) -> re.Pattern | None:
    """A compiled rule every address pyap finds for ``country`` contains a match of (its
    postcode rule for ``"GB"``, with pyap's flags); None when there is none to test (US, CA: the
    state or the ZIP code may be missing) or when the GB rules no longer hold the postcode rule."""
    if country != "GB":
        return None
    from pyap import utils
    from pyap.source_GB import data

    if data.postal_code not in data.full_address:
        return None
    return re.compile(data.postal_code, utils.DEFAULT_FLAGS)


@lru_cache(maxsize=1)
def _parser_class():
    from pyap.parser import AddressParser

    class CompiledAddressParser(AddressParser):
        """pyap's ``AddressParser`` matching with a compiled copy of its rules."""

        def _parse(self, rules, text):
            self.clean_text = self._normalize_string(text)
            required = _required_part(self.country)
            if required is not None and required.search(self.clean_text) is None:
                return []  # no postcode: no GB address (see the module docstring)
            return [self._parse_address(m) for m in _compiled(rules).finditer(self.clean_text)]

    return CompiledAddressParser


def parse(text: str, country: str) -> list:
    """``pyap.parse(text, country=country)``: the ``pyap.address.Address`` objects found in
    ``text`` for ``country`` (``"US"``, ``"CA"``, ``"GB"``). Raises what pyap raises for
    another country."""
    return _parser_class()(country).parse(text)


def warm(countries: tuple[str, ...] = ("US", "CA", "GB")) -> None:
    """Compile the rules of ``countries`` now (about 0.25 s for all three) instead of on the
    first message that holds an address anchor."""
    for country in countries:
        parser = _parser_class()(country)
        _compiled(parser.rules)
        _required_part(country)
