"""The plugin manager's event hooks (isolated, reaching only the plugin that owns the case,
step data validated by its owner) and the institution plugins installed in the environment.

Plugins here are throwaway modules registered in-process (``make_plugin`` in conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from alur.core import (
    AlurPlugins,
    Answer,
    SopDefinition,
    create_plugin_manager,
    hookimpl,
    hookspecs,
)
from tests.core.plugins_helpers import MakePlugin, boom, fresh

INSTALLED = ("biro_organisasi_kalbar", "kesbangpol_pekalongan", "satpolpp_banyumas")


# --- event hooks -------------------------------------------------------------------------


class Recorder:
    """A plugin that records every event hook call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []

    @hookimpl
    def alur_case_started(self, case: object, definition: object, event: object) -> None:
        self.calls.append(("alur_case_started", (case, definition, event)))

    @hookimpl
    def alur_step_completed(self, case: object, step: object, event: object) -> None:
        self.calls.append(("alur_step_completed", (case, step, event)))

    @hookimpl
    def alur_gate_decided(self, step: object, answer: object) -> None:
        self.calls.append(("alur_gate_decided", (step, answer)))


def test_event_hooks_are_isolated(make_plugin: MakePlugin, sample: SopDefinition) -> None:
    manager = fresh()
    recorder = Recorder()
    assert manager.register(recorder, "recorder").ok
    raising = make_plugin(
        "raising", alur_case_started=boom, alur_step_completed=boom, alur_gate_decided=boom
    )
    assert manager.register(raising, "raising").ok
    case, event, step = object(), object(), sample.step(2)

    errors = []
    for owner in ("recorder", "raising"):
        errors += manager.case_started(case, sample, event, plugin=owner)  # type: ignore[arg-type]
        errors += manager.step_completed(case, sample, sample.step(1), event, plugin=owner)  # type: ignore[arg-type]
        errors += manager.gate_decided(case, sample, step, Answer.TIDAK, event, plugin=owner)  # type: ignore[arg-type]

    assert [(e.plugin, e.hook, e.exception_type) for e in errors] == [
        ("raising", "alur_case_started", "RuntimeError"),
        ("raising", "alur_step_completed", "RuntimeError"),
        ("raising", "alur_gate_decided", "RuntimeError"),
    ]
    assert recorder.calls == [
        ("alur_case_started", (case, sample, event)),
        ("alur_step_completed", (case, sample.step(1), event)),
        ("alur_gate_decided", (step, Answer.TIDAK)),
    ]
    assert manager.load_errors == []  # event errors are returned, not load errors


def test_validate_step_data_collects_every_message_of_the_owner(
    make_plugin: MakePlugin, sample: SopDefinition
) -> None:
    manager = fresh()
    seen: list[tuple[object, ...]] = []

    def check(definition: SopDefinition, step: object, unit: str | None, data: dict) -> list[str]:
        seen.append((definition, step, unit, data))
        return ["target wajib diisi", "realisasi wajib diisi"]

    manager.register(make_plugin("a", alur_validate_step_data=check), "a")
    manager.register(make_plugin("b", alur_validate_step_data=lambda data: None), "b")
    manager.register(make_plugin("c", alur_validate_step_data=lambda: []), "c")
    manager.register(make_plugin("d", alur_validate_step_data=lambda: ["capaian > 100%"]), "d")
    data = {"target": ""}
    messages = manager.validate_step_data(sample, sample.step(3), "bidang-a", data, plugin="a")
    assert messages == ["target wajib diisi", "realisasi wajib diisi"]
    assert seen == [(sample, sample.step(3), "bidang-a", data)]
    for owner, expected in (("b", []), ("c", []), ("d", ["capaian > 100%"]), ("e", [])):
        assert manager.validate_step_data(sample, sample.step(3), None, data, plugin=owner) == (
            expected
        )
    assert len(seen) == 1  # "a" was asked about its own case only


def test_case_hooks_reach_only_the_plugin_that_owns_the_case(
    make_plugin: MakePlugin, sample: SopDefinition
) -> None:
    """Plugin A never sees plugin B's cases, and cannot veto B's data (issue 11, point 11)."""
    manager = fresh()
    spy = Recorder()
    veto = make_plugin("veto", alur_validate_step_data=lambda: ["A vetoes everything"])
    assert manager.register(spy, "a").ok
    assert manager.register(veto, "a-veto").ok
    assert manager.register(make_plugin("b"), "b").ok  # B: no hooks of its own
    case, event, step = object(), object(), sample.step(2)
    assert manager.case_started(case, sample, event, plugin="b") == []  # type: ignore[arg-type]
    assert manager.step_completed(case, sample, step, event, plugin="b") == []  # type: ignore[arg-type]
    assert manager.gate_decided(case, sample, step, Answer.YA, event, plugin="b") == []  # type: ignore[arg-type]
    assert manager.validate_step_data(sample, step, None, {}, plugin="b") == []
    assert spy.calls == []
    # The control: the same calls for A's own cases do reach A.
    assert manager.validate_step_data(sample, step, None, {}, plugin="a-veto") == [
        "A vetoes everything"
    ]
    manager.case_started(case, sample, event, plugin="a")  # type: ignore[arg-type]
    assert [name for name, _ in spy.calls] == ["alur_case_started"]


@pytest.mark.parametrize(
    ("hook", "expected"),
    [(boom, "RuntimeError: boom"), (lambda: "salah", "'salah' instead of a list of messages")],
)
def test_validate_step_data_refuses_when_a_plugin_fails(
    plugin_manager: AlurPlugins,
    make_plugin: MakePlugin,
    sample: SopDefinition,
    hook: Callable[..., Any],
    expected: str,
) -> None:
    plugin_manager.register(make_plugin("x", alur_validate_step_data=hook), "x")
    [message] = plugin_manager.validate_step_data(sample, sample.step(1), None, {}, plugin="x")
    assert message.startswith('plugin "x" could not check the data')
    assert expected in message


def test_notification_channels_are_asked_of_every_plugin(
    plugin_manager: AlurPlugins, make_plugin: MakePlugin
) -> None:
    """alur_notification_channels: every plugin's answer, by plugin; one that raises is an
    error of that plugin, the others' answers are kept (alur.tenants.notify.plugin_channels
    checks the channels themselves)."""
    channel = object()
    plugin_manager.register(make_plugin("wa", alur_notification_channels=lambda: [channel]), "wa")
    plugin_manager.register(make_plugin("tg", alur_notification_channels=boom), "tg")
    answers = {
        name: (answer, error) for name, answer, error in plugin_manager.notification_channels()
    }
    assert set(answers) == {"wa", "tg"}  # the "contoh" plugin has no channel
    assert answers["wa"] == ([channel], None)
    answer, error = answers["tg"]
    assert answer is None
    assert error is not None
    assert error.plugin == "tg"
    assert error.hook == "alur_notification_channels"


# --- the installed institution plugins --------------------------------------------------


def test_every_hook_has_a_test() -> None:
    here = Path(__file__).parent  # the plugin manager's tests: this file and test_plugins.py
    source = "".join(
        (here / f).read_text(encoding="utf-8") for f in (Path(__file__).name, "test_plugins.py")
    )
    names = [n for n, f in vars(hookspecs).items() if hasattr(f, "alur_spec")]
    assert len(names) == 9
    assert [n for n in names if source.count(n) < 2] == []


def test_installed_institution_plugins_load() -> None:
    manager = create_plugin_manager(environ={})
    loaded = {p.name: p for p in manager.plugins()}
    assert set(INSTALLED) <= set(loaded)
    for name in INSTALLED:
        plugin = loaded[name]
        assert plugin.ok, plugin.errors
        assert plugin.version
        assert plugin.institution is not None
        assert plugin.roles
        assert plugin.sops
    slugs = [loaded[n].institution.slug for n in INSTALLED]  # type: ignore[union-attr]
    assert len(set(slugs)) == len(slugs)
