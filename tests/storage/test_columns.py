"""``alur.tenants.storage.piccolo_patches.foreign_key.ForeignKey``: piccolo's answers, without ``dir()`` for methods."""

from __future__ import annotations

import builtins
from typing import Any

import pytest
from piccolo.columns import ForeignKey as PiccoloForeignKey
from piccolo.columns import Varchar
from piccolo.table import Table

from alur.tenants.storage.piccolo_patches.foreign_key import ForeignKey


class Office(Table, tablename="t_office"):
    name = Varchar()


class Person(Table, tablename="t_person"):
    office = ForeignKey(Office)
    name = Varchar()


class Visit(Table, tablename="t_visit"):
    person = ForeignKey(Person)


class PiccoloVisit(Table, tablename="t_piccolo_visit"):
    person = PiccoloForeignKey(Person)


@pytest.fixture
def dir_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    real = builtins.dir

    def counting(*args: Any) -> list[str]:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(builtins, "dir", counting)
    return calls


def test_its_own_methods_are_read_without_dir(dir_calls: list[Any]) -> None:
    Visit.person.value_type  # noqa: B018 (the class's attribute cache is filled)
    dir_calls.clear()
    assert Visit.person.value_type is int
    assert callable(Visit.person.get_select_string)
    assert dir_calls == []
    PiccoloVisit.person.value_type  # noqa: B018
    assert dir_calls, "piccolo's own ForeignKey calls dir(): the test would see it"


def test_joins_are_piccolos() -> None:
    ours, theirs = Visit.person.office.name, PiccoloVisit.person.office.name
    assert [c._meta.name for c in ours._meta.call_chain] == ["person", "office"]
    assert ours._meta.get_full_name() == theirs._meta.get_full_name().replace(
        "t_piccolo_visit", "t_visit"
    )
    assert isinstance(Visit.person.office, ForeignKey)
    assert Visit.person.office is not Person.office  # a copy that records its chain
