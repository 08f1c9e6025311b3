"""Helpers of the people tests (test_identity.py, test_delegations.py): a fake clock and an
office of Satpol PP Banyumas with one person per pelaksana."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alur.core.calendar import JAKARTA
from alur.tenants.cases.service import TenantService

SLUG = "satpolpp-banyumas"


PLUGIN = "satpolpp_banyumas"


def wib(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=JAKARTA)  # 23 Nov 2026 is a Monday


# --- an office with one person per pelaksana -------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Office:
    tenant_id: int
    service: TenantService
    clock: Clock
    people: dict[str, int]  # "staf", "kabid.linmas", ... -> user id
    names: dict[str, str]
