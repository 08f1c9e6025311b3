"""Helpers of the yearly evaluation tests (service and web): the office's administrator, and
five cases whose step 1 took known office times."""

from __future__ import annotations

from datetime import timedelta

from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from tests.kinerja.kinerja_helpers import KINERJA_TOML, Office, design, start

# The test SOP with step 1's waktu kept as the plugin wrote it (offices may not change it).
FIXED_WAKTU_TOML = KINERJA_TOML.replace(
    'waktu = "1 hari"', 'waktu = "1 hari"\noffice_fixed = ["waktu"]', 1
)


async def with_admin(office: Office) -> int:
    user = await create_user(f"{office.slug}.admin", "Admin Uji", "x" * 12)
    await add_membership(office.tenant_id, user.id, None, administrator=True)
    office.users["admin"] = user.id
    return user.id


async def five_designed(office: Office) -> None:
    """Five cases whose step 1 (waktu "1 hari") took 1 h, 1 h 30, 2 h, 2 h 30 and 3 h (each
    plus the 7 min 39 s tick): p75 2 h 37 → proposed "3 jam"."""
    for i in range(5):
        office.clock.now = office.clock.now.replace(hour=8, minute=0) + timedelta(days=1)
        while office.clock.now.weekday() >= 5:
            office.clock.now += timedelta(days=1)
        case = await start(office)
        office.clock.now += timedelta(minutes=60 + 30 * i)
        await design(office, case)
