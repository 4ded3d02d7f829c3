"""Every example query in the README returns, on a fresh warehouse, exactly the answer printed."""

from __future__ import annotations

import re

import duckdb
import pytest

from pipeline import paths

pytestmark = pytest.mark.e2e

_PAIR = re.compile(r"```sql\n(?P<sql>.*?)\n```\s*```text\n(?P<text>.*?)\n```", re.DOTALL)
EXAMPLES = [
    (m["sql"], m["text"])
    for m in _PAIR.finditer((paths.PROJECT_ROOT / "README.md").read_text(encoding="utf-8"))
]


def test_the_readme_has_at_least_five_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize(
    ("sql", "answer"),
    [
        pytest.param(sql, answer, id=f"q{i}", marks=[pytest.mark.sipri] if "sipri" in sql else [])
        for i, (sql, answer) in enumerate(EXAMPLES)
    ],
)
def test_readme_answer_matches_the_warehouse(published, sql, answer):
    with duckdb.connect(str(published), read_only=True) as con:
        assert str(con.sql(sql)).rstrip() == answer.rstrip()
