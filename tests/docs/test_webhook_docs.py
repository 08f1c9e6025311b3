"""The signature check of docs/graphql.md works: its Python example, run as written, accepts
a real delivery that WebhookChannel sent to a receiver on 127.0.0.1 and refuses it tampered,
re-signed with another secret or replayed after five minutes; the body and headers the guide
describes are those the receiver got. Both databases."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from alur.tenants.notify.webhook_channel import WebhookChannel
from tests.notify.notify_helpers import deliveries_to, office, receiver

DOC = Path(__file__).resolve().parents[2] / "docs" / "graphql.md"

pytestmark = pytest.mark.anyio


def documented_verifier() -> Any:
    """``verify_alur_signature`` from the guide's ``# verify_alur.py`` block."""
    found = re.search(r"```python\n(# verify_alur\.py\n.*?)```", DOC.read_text(), re.S)
    assert found, "docs/graphql.md has no verify_alur.py example"
    namespace: dict[str, Any] = {}
    exec(compile(found.group(1), "verify_alur.py", "exec"), namespace)
    return namespace["verify_alur_signature"]


async def test_the_documented_check_verifies_a_real_delivery(database, plugin_manager) -> None:
    verify = documented_verifier()
    admin = (await office(database, plugin_manager))["admin"]
    with receiver() as hook:
        secret, (delivery,) = await deliveries_to(admin, hook.base + "/ok")
        await WebhookChannel().send(delivery)
        (got,) = hook.received
    header = got.headers["Alur-Signature"]
    assert verify(secret, header, got.body)  # now, by the receiver's clock
    sent = int(re.match(r"t=(\d+),", header).group(1))  # type: ignore[union-attr]
    assert verify(secret, header, got.body, now=sent + 300)
    assert not verify(secret, header, got.body, now=sent + 301)  # replayed
    assert not verify(secret, header, got.body.replace(b'"task":4', b'"task":5'))
    assert not verify("whsec_another", header, got.body)
    assert not verify(secret, header.split(",")[1], got.body)  # no timestamp
    # a malformed header is refused, never an exception (the receiver would answer 500)
    assert not verify(secret, f"t={sent},v1=é{header[-63:]}", got.body, now=sent)
    assert not verify(secret, "t=²," + header.split(",")[1], got.body, now=2)
    # what the guide says a receiver gets
    doc = DOC.read_text()
    body = json.loads(got.body)
    assert sorted(body) == sorted(
        json.loads(re.search(r'```json title="body"\n(.*?)```', doc, re.S).group(1))
    )  # type: ignore[union-attr]
    for name in ("Alur-Signature", "Alur-Idempotency-Key", "Alur-Event", "User-Agent"):
        assert f"| `{name}` |" in doc
        assert name in got.headers
