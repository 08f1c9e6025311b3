"""``alur tenants allow-plugin`` / ``disallow-plugin`` (issue 16: several plugins per office),
against a real SQLite file and once PostgreSQL: allowed once, listed, recorded on the
platform log; wrong input reported per option with exit code 2."""

from __future__ import annotations

import json

from tests.cli.cli_helpers import ok, query, usage_error

SLUG = "satpolpp-cilacap"


def create(run, url: str | None = None) -> None:
    ok(
        run(
            f'tenants create --slug {SLUG} --name "Satpol PP Cilacap" --plugin satpolpp_banyumas',
            url=url,
        )
    )


def test_allow_and_disallow_a_plugin(run, db_file) -> None:
    create(run)
    out = ok(run(f"tenants allow-plugin {SLUG} kesbangpol_pekalongan")).stdout
    assert "may now adopt SOPs from kesbangpol_pekalongan" in out
    assert "already may use" in ok(run(f"tenants allow-plugin {SLUG} kesbangpol_pekalongan")).stdout
    listed = json.loads(ok(run("tenants list --format json")).stdout)
    assert listed[0]["allowed_plugins"] == ["kesbangpol_pekalongan"]
    logged = query(db_file, "SELECT action, office, details FROM alur_platform_event ORDER BY seq")
    assert [(a, o) for a, o, _ in logged] == [("plugin_allowed", SLUG)]
    assert "kesbangpol_pekalongan" in logged[0][2]
    usage_error(run(f"tenants allow-plugin {SLUG} tidak_ada"), "--plugin", 'no plugin "tidak_ada"')
    usage_error(run("tenants allow-plugin tidak-ada kesbangpol_pekalongan"), "not found")
    out = ok(run(f"tenants disallow-plugin {SLUG} kesbangpol_pekalongan")).stdout
    assert "no longer allowed" in out
    assert ok(run("audit verify")).stdout.count("chain intact") == 2  # the office, the log


def test_allow_a_plugin_on_postgresql(run, fresh_databases) -> None:
    url = fresh_databases.url("postgresql", migrated=False)
    create(run, url)
    ok(run(f"tenants allow-plugin {SLUG} biro_organisasi_kalbar", url=url))
    listed = json.loads(ok(run("tenants list --format json", url=url)).stdout)
    assert listed[0]["allowed_plugins"] == ["biro_organisasi_kalbar"]
