"""Country names as publishers print them, mapped to ISO 3166 alpha-3 codes.

NATO prints allies by their short English names and has renamed some over the years (Turkey to
Türkiye in 2022, the Czech Republic to Czechia); all spellings seen in NATO's releases map here.
A name not listed is an error, never a guess: a misspelt or new ally must be added on purpose.
"""

from __future__ import annotations

import unicodedata

NATO_AGGREGATES = ("NATO Europe and Canada", "NATO Total")

NATO_ALLY_CODES = {
    "Albania": "ALB",
    "Belgium": "BEL",
    "Bulgaria": "BGR",
    "Canada": "CAN",
    "Croatia": "HRV",
    "Czechia": "CZE",
    "Czech Republic": "CZE",
    "Denmark": "DNK",
    "Estonia": "EST",
    "Finland": "FIN",
    "France": "FRA",
    "Germany": "DEU",
    "Greece": "GRC",
    "Hungary": "HUN",
    "Iceland": "ISL",
    "Italy": "ITA",
    "Latvia": "LVA",
    "Lithuania": "LTU",
    "Luxembourg": "LUX",
    "Montenegro": "MNE",
    "Netherlands": "NLD",
    "North Macedonia": "MKD",
    "Norway": "NOR",
    "Poland": "POL",
    "Portugal": "PRT",
    "Romania": "ROU",
    "Slovak Republic": "SVK",
    "Slovakia": "SVK",
    "Slovenia": "SVN",
    "Spain": "ESP",
    "Sweden": "SWE",
    "Türkiye": "TUR",
    "Turkey": "TUR",
    "United Kingdom": "GBR",
    "United States": "USA",
}


# Eurostat-style geo codes, as the 2026 edition's derived copy uses them (Greece is EL, the United
# Kingdom UK, not ISO's GR and GB); the aggregates carry NATO's own names.
EUROSTAT_GEO_NAMES = {
    "AL": "Albania",
    "BE": "Belgium",
    "BG": "Bulgaria",
    "CA": "Canada",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "EE": "Estonia",
    "EL": "Greece",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "HR": "Croatia",
    "HU": "Hungary",
    "IS": "Iceland",
    "IT": "Italy",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "ME": "Montenegro",
    "MK": "North Macedonia",
    "NL": "Netherlands",
    "NO": "Norway",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "SE": "Sweden",
    "SI": "Slovenia",
    "SK": "Slovak Republic",
    "TR": "Türkiye",
    "UK": "United Kingdom",
    "US": "United States",
    "NATO_EUR_CAN": "NATO Europe and Canada",
    "NATO_TOTAL": "NATO Total",
}


def canonical_name(name: str) -> str:
    """``name`` in Unicode's composed form (NFC): "Türkiye" typed or exported with a combining
    diaeresis (NFD) prints the same and must find the same ally, not fail as an unknown name."""
    return unicodedata.normalize("NFC", name)


def nato_country_code(name: str) -> str | None:
    """ISO3 code of an ally, ``None`` for a NATO aggregate; ``KeyError`` for anything else."""
    name = canonical_name(name)
    if name in NATO_AGGREGATES:
        return None
    return NATO_ALLY_CODES[name]
