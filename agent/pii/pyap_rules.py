"""``pyap.parse`` with each country's address rules compiled once per process.

pyap passes its rules to ``re.finditer`` as a string on every call, so Python's ``re`` module
cache is all that keeps the compiled pattern. That cache holds 512 patterns and drops the oldest
first; libphonenumber's region patterns and the per-message seed patterns push pyap's out every
few messages, and compiling the US rules (78,000 characters) again takes about 190 ms (CA 50 ms,
GB 16 ms) on the message that meets it: the slowest messages of the redaction stage
(``benchmarks/redaction_stage.py``). :func:`parse` runs the same parser with the rules compiled
once (same flags, same text normalisation, same results).
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=8)
def _compiled(rules: str) -> re.Pattern:
    from pyap import utils

    return re.compile(rules, utils.DEFAULT_FLAGS)


@lru_cache(maxsize=1)
def _parser_class():
    from pyap.parser import AddressParser

    class CompiledAddressParser(AddressParser):
        """pyap's ``AddressParser`` matching with a compiled copy of its rules."""

        def _parse(self, rules, text):
            self.clean_text = self._normalize_string(text)
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
