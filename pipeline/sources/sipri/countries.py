"""SIPRI's country names mapped to ISO 3166 alpha-3 codes.

SIPRI prints short English names ("Korea, South", "Congo, DR", "USSR"). Most of them are
resolved by ``pycountry`` through an exact (case-insensitive) match on a country's ``name``,
``common_name`` or ``official_name``; fuzzy search is deliberately not used. The rest are listed
here by hand:

- ``SIPRI_CODE_OVERRIDES``: names ``pycountry`` does not resolve, with their code. States that no
  longer exist take their ISO 3166-3 code (Czechoslovakia CSK, German Democratic Republic DDR,
  USSR SUN, Yugoslavia YUG); Kosovo takes the user-assigned ``XKX``.
- ``SIPRI_UNCODED``: entities that have no code at all (the European Union, North Yemen before
  1990); they map to ``None`` on purpose.

A name in neither list that ``pycountry`` does not resolve is an error, never a guess: a new or
renamed entry in a SIPRI edition must be added here on purpose.
"""

from __future__ import annotations

from functools import cache

import pycountry

from pipeline.sources.countries import canonical_name

SIPRI_CODE_OVERRIDES: dict[str, str] = {
    "Brunei": "BRN",
    "Cape Verde": "CPV",
    "Congo, DR": "COD",
    "Congo, Republic": "COG",
    "Cote d'Ivoire": "CIV",
    "Gambia, The": "GMB",
    "Korea, North": "PRK",
    "Korea, South": "KOR",
    "Russia": "RUS",
    "Timor Leste": "TLS",
    # Not an ISO 3166-1 code: user-assigned, as used by the EU, the IMF and the World Bank.
    "Kosovo": "XKX",
    # ISO 3166-3 codes of former states.
    "Czechoslovakia": "CSK",
    "German Democratic Republic": "DDR",
    "USSR": "SUN",
    "Yugoslavia": "YUG",
}

# Listed by SIPRI, but without any ISO 3166 code.
SIPRI_UNCODED: frozenset[str] = frozenset({"European Union", "Yemen, North"})

_PYCOUNTRY_FIELDS = ("name", "common_name", "official_name")


class UnknownCountryError(LookupError):
    """A SIPRI name that is neither listed here nor resolved exactly by pycountry."""

    def __init__(self, name: str, detail: str = "") -> None:
        self.name = name
        super().__init__(
            f"unknown SIPRI country name {name!r}{detail}; add it to SIPRI_CODE_OVERRIDES or "
            "SIPRI_UNCODED in pipeline/sources/sipri/countries.py"
        )


def pycountry_code(name: str) -> str | None:
    """The alpha-3 code ``pycountry`` gives ``name`` by exact name, common or official name.

    ``None`` if no field matches. Two fields naming different countries is an error.
    """
    codes = set()
    for field in _PYCOUNTRY_FIELDS:
        country = pycountry.countries.get(**{field: name})
        if country is not None:
            codes.add(country.alpha_3)
    if len(codes) > 1:
        raise UnknownCountryError(name, f" (ambiguous in pycountry: {', '.join(sorted(codes))})")
    return codes.pop() if codes else None


@cache
def sipri_country_code(name: str) -> str | None:
    """ISO3 code of a SIPRI country name; ``None`` for an entity listed as uncoded.

    Raises :class:`UnknownCountryError` for a name that is neither listed nor resolved.
    """
    name = canonical_name(name)
    if name in SIPRI_UNCODED:
        return None
    if name in SIPRI_CODE_OVERRIDES:
        return SIPRI_CODE_OVERRIDES[name]
    code = pycountry_code(name)
    if code is None:
        raise UnknownCountryError(name)
    return code


def is_sipri_country(name: str) -> bool:
    """Whether ``name`` is a country or entity SIPRI lists (coded or explicitly uncoded)."""
    try:
        sipri_country_code(name)
    except UnknownCountryError:
        return False
    return True
