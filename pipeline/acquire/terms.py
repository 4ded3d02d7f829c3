"""The publishers' terms, carried to whoever receives an export of the warehouse.

SIPRI's data may be used for non-commercial purposes with a citation, provided no more than 10%
of its database (3,500 units of data) is reproduced; an export of ``fct_sipri_expenditure`` holds
far more than that. So every export folder gets a ``README.md`` naming each source's citation and
licence (as the provenance sidecars quote them) and SIPRI's 10% rule, and the CLI prints SIPRI's
terms when SIPRI marts are exported. Pure functions: no warehouse, no Dagster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

SIPRI_MARTS = ("fct_nato_vs_sipri", "fct_sipri_expenditure")
SIPRI_URL = "https://www.sipri.org/databases/milex"
SIPRI_TERMS = (
    "SIPRI's terms: the SIPRI Military Expenditure Database may be used free of charge for "
    'non-commercial purposes, citing it as "SIPRI Military Expenditure Database <edition year>, '
    f'{SIPRI_URL}", provided no more than 10% of the entire dataset is reproduced: 3,500 units '
    "of data, a unit being one country's figure for one year in one series. Reproducing more, or "
    "any commercial use, needs SIPRI's permission (milex@sipri.org). This export's SIPRI files "
    "({files}) hold SIPRI's figures (fct_sipri_expenditure: every figure of every edition loaded, "
    "far more than 3,500 units): use them for your own analysis, and do not republish them, or "
    "more than 3,500 of their figures, without SIPRI's permission."
)


def exported_sipri_marts(file_names: Iterable[str]) -> list[str]:
    """The SIPRI marts among exported file names (``fct_sipri_expenditure.csv`` ...)."""
    stems = {name.rsplit("/", 1)[-1].split(".", 1)[0] for name in file_names}
    return [mart for mart in SIPRI_MARTS if mart in stems]


def sipri_notice(sipri_marts: Iterable[str]) -> str:
    """SIPRI's terms as one paragraph, naming the exported SIPRI marts."""
    return SIPRI_TERMS.format(files=", ".join(sipri_marts) or "none")


def export_readme(releases: Iterable[Mapping], file_names: Iterable[str], written_at: str) -> str:
    """Markdown for ``<export>/README.md``.

    ``releases`` are rows with ``source``, ``release_id``, ``title``, ``citation`` and
    ``licence`` (from ``marts.dim_release`` or the sidecars); ``file_names`` the files exported.
    """
    names = sorted(file_names)
    lines = [
        "# Defence-spending warehouse: export",
        "",
        f"Written {written_at} by `python -m pipeline export`: each mart of the published "
        "warehouse (schema `marts`) as CSV and Parquet. Columns are described in the "
        "repository's `docs/data_dictionary.md`.",
        "",
        "Files: " + ", ".join(f"`{name}`" for name in names),
        "",
        "## Sources: cite them, and respect their terms",
        "",
    ]
    by_source: dict[str, list[Mapping]] = {}
    for row in releases:
        by_source.setdefault(str(row["source"]), []).append(row)
    for source in sorted(by_source):
        lines += [f"### {source.upper()}", ""]
        for row in sorted(by_source[source], key=lambda r: str(r["release_id"])):
            lines += [
                f"- `{row['release_id']}`: {row.get('title') or ''}",
                f"  - Citation: {_text(row.get('citation'))}",
                f"  - Licence: {_text(row.get('licence'))}",
            ]
        lines.append("")
    sipri = exported_sipri_marts(names)
    lines += [
        "## SIPRI's 10% rule",
        "",
        sipri_notice(sipri),
        "",
        "NATO's and SIPRI's figures use different definitions: they are compared, never mixed.",
        "",
    ]
    return "\n".join(lines)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return "not recorded"
    return " ".join(str(value).split())
