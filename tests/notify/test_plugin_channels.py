"""Channels added by plugins (``alur_notification_channels``): the example plugin of
docs/plugins.md, registered here, receives a delivery and writes it to its file; a name that
clashes with Alur's own channels or another plugin's, a channel without ``async send`` and a
hook that raises all stop the start with every problem named."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from alur.cli.main import cli
from alur.core import AlurPlugins
from alur.tenants.notify.channels import DeliveryFailed, OutgoingDelivery, available_channels
from alur.tenants.notify.plugin_channels import (
    PluginChannelError,
    person_channel_names,
    plugin_channels,
)
from tests.notify import example_channel_plugin

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


class Named:
    def __init__(self, name: object) -> None:
        self.name = name

    async def send(self, delivery: OutgoingDelivery) -> None:
        pass


class NotAsync:
    name = "sinkron"

    def send(self, delivery: OutgoingDelivery) -> None:
        pass


def test_the_example_plugin_writes_what_it_receives(
    plugin_manager: AlurPlugins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "terkirim.jsonl"
    monkeypatch.setenv("ALUR_FILE_CHANNEL", str(out))
    loaded = plugin_manager.register(example_channel_plugin, "contoh-saluran", "0.1")
    assert loaded.ok, loaded.errors
    channels = plugin_channels(plugin_manager)
    assert list(channels) == ["berkas"]
    assert available_channels(channels) == ["email", "berkas"]
    delivery = OutgoingDelivery(
        id=1,
        tenant="dinas-contoh",
        channel="berkas",
        recipient="+6281234567890",
        key="reminded:1:2:remind_due:3:berkas",
        attempt=1,
        title="Pengingat: Verifikasi data",
        text="Tugas Anda jatuh tempo hari ini.",
        url="https://alur.example.org/t/dinas-contoh/cases/K-1",
    )
    asyncio.run(channels["berkas"].send(delivery))
    (line,) = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line) == {
        "to": "+6281234567890",
        "title": "Pengingat: Verifikasi data",
        "text": "Tugas Anda jatuh tempo hari ini.",
        "url": "https://alur.example.org/t/dinas-contoh/cases/K-1",
        "language": "id",
        "key": "reminded:1:2:remind_due:3:berkas",
    }
    with pytest.raises(DeliveryFailed) as info:
        asyncio.run(channels["berkas"].send(OutgoingDelivery(2, "x", "berkas", "", "k", 1)))
    assert info.value.permanent


def test_the_docs_show_the_example_plugin() -> None:
    source = Path(example_channel_plugin.__file__).read_text(encoding="utf-8")
    assert source in DOC.read_text(encoding="utf-8")


def test_clashes_and_bad_channels_are_named_at_load(
    plugin_manager: AlurPlugins, make_plugin
) -> None:
    def boom() -> list:
        raise RuntimeError("gateway token missing")

    plugin_manager.register(example_channel_plugin, "satu", "0.1")
    plugin_manager.register(
        make_plugin("dua", alur_notification_channels=lambda: [Named("berkas"), Named("email")]),
        "dua",
    )
    plugin_manager.register(
        make_plugin("tiga", alur_notification_channels=lambda: [NotAsync(), Named("Bad Name")]),
        "tiga",
    )
    plugin_manager.register(make_plugin("empat", alur_notification_channels=boom), "empat")
    plugin_manager.register(
        make_plugin("lima", alur_notification_channels=lambda: Named("x")), "lima"
    )
    with pytest.raises(PluginChannelError) as info:
        plugin_channels(plugin_manager)
    problems = "\n".join(info.value.problems)
    assert 'plugin "dua"' in problems
    assert (
        'plugin "satu" (alur_notification_channels): the channel name "berkas" is already used by plugin "dua"'
        in problems
    )
    assert '"email" is Alur\'s own' in problems
    assert '"sinkron" needs an "async def send' in problems
    assert "'Bad Name'" in problems
    assert 'plugin "empat" (alur_notification_channels): gateway token missing' in problems
    assert 'plugin "lima"' in problems
    assert "instead of a list" in problems
    assert len(info.value.problems) == 6


def test_no_plugin_channels(plugin_manager: AlurPlugins) -> None:
    assert plugin_channels(plugin_manager) == {}


def test_a_broken_channel_plugin_stops_the_worker_and_spares_the_settings_page(
    plugin_manager: AlurPlugins, make_plugin
) -> None:
    plugin_manager.register(
        make_plugin("dua", alur_notification_channels=lambda: [Named("email")]), "dua"
    )
    result = CliRunner().invoke(cli, ["worker", "--once"], obj=lambda: plugin_manager)
    assert result.exit_code == 1, result.output
    assert '"email" is Alur\'s own' in result.output
    assert "Traceback" not in result.output
    # a person's settings page still offers what works: the built-in channels
    assert person_channel_names(plugin_manager) == ["email"]
