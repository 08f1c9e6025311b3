"""The monev form's proposal from plain figures: the thresholds on both sides and the exact
evidence texts, in Indonesian and English."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest

from alur.core import loads_definition
from alur.core.i18n import current_language
from alur.core.monitoring.figures import StepFigures, figures_of
from alur.core.monitoring.monev import (
    BAIK,
    TIDAK,
    MonevForm,
    MonevRow,
    evidence_text,
    propose_rows,
    proposed_judgement,
)
from tests.kinerja.kinerja_helpers import KINERJA_TOML

DAY = 510


def figures(
    count: int,
    *,
    within: int | None = None,
    with_standard: int | None = None,
    returned: int = 0,
    rework: int = 0,
    median: float = 2 * DAY + 185,
    standard: int | None = DAY,
) -> StepFigures:
    with_standard = count if with_standard is None else with_standard
    return StepFigures(
        key=5,
        count=count,
        median=median,
        p75=median,
        p90=median,
        waiting_median=None,
        working_median=None,
        standard=standard,
        within=with_standard if within is None else within,
        with_standard=with_standard,
        returned=returned,
        rework=rework,
        held=int(median * count),
    )


@contextmanager
def language(lang: str) -> Iterator[None]:
    token = current_language.set(lang)
    try:
        yield
    finally:
        current_language.reset(token)


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (figures_of(5, ()), None),  # no finished span: belum ada data
        (figures(5, within=4), BAIK),  # 80 % on time: the bound is inclusive
        (figures(5, within=3), TIDAK),  # 60 %
        (figures(10, within=8, returned=2), BAIK),  # 20 % returned: inclusive
        (figures(10, within=10, returned=3), TIDAK),  # 30 % returned
        (figures(10, within=7, returned=0), TIDAK),  # 70 % on time
        (figures(4, with_standard=0, standard=None), BAIK),  # no time standard: returns only
        (figures(4, with_standard=0, standard=None, returned=1), TIDAK),  # 25 % returned
    ],
)
def test_proposed_judgement_thresholds(f: StepFigures, expected: str | None) -> None:
    assert proposed_judgement(f) == expected


def test_evidence_text_states_the_figures_in_the_readers_language() -> None:
    f = figures(12, within=8, returned=4, rework=3)
    with language("id"):
        assert evidence_text(5, f, DAY) == (
            "median 2 hari 3 jam terhadap mutu baku 1 hari; 8 dari 12 dalam mutu baku; "
            "4 dari 12 dikembalikan di kegiatan 5; 3 dikerjakan ulang setelah dikembalikan"
        )
        assert evidence_text(5, figures_of(5, ()), DAY) == "belum ada data"
        assert evidence_text(3, figures(2, with_standard=0, standard=None, median=45), DAY) == (
            "median 45 menit (tanpa mutu baku waktu)"
        )
    with language("en"):
        assert evidence_text(5, f, DAY) == (
            "median 2 days 3 hours against a mutu baku of 1 day; 8 of 12 within the mutu "
            "baku; 4 of 12 returned at kegiatan 5; 3 done again after a return"
        )
        assert evidence_text(5, figures_of(5, ()), DAY) == "no data yet"


def test_propose_rows_has_one_row_per_kegiatan_in_order() -> None:
    d = loads_definition(KINERJA_TOML, source="uji-kinerja.toml")
    with language("id"):
        rows = propose_rows(d, {2: figures(5, within=5), 5: figures(5, within=5, returned=2)}, DAY)
    assert [r.step for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert rows[0] == MonevRow(1, "Menyusun format data kinerja", None, "belum ada data")
    assert (rows[1].proposed, rows[4].proposed) == (BAIK, TIDAK)
    assert rows[4].evidence.endswith("2 dari 5 dikembalikan di kegiatan 5")
    assert all(r.judgement is None and not r.catatan and not r.tindakan for r in rows)


def test_content_hash_changes_with_every_judgement() -> None:
    row = MonevRow(1, "Menyusun", BAIK, "median 1 hari")
    form = MonevForm("uji", "Uji", "002", date(2026, 1, 1), date(2026, 6, 30), (row,))
    judged = MonevForm.from_dict({**form.to_dict(), "rows": [{**row.__dict__, "judgement": BAIK}]})
    assert form.content_hash() != judged.content_hash()
    assert MonevForm.from_dict(judged.to_dict()) == judged
    assert judged.complete
    assert not form.complete
