"""An example notification channel plugin: it "sends" each delivery by appending it, as one
JSON line, to a file (``ALUR_FILE_CHANNEL``, default ``alur-channel.jsonl``). A real plugin
would call a WhatsApp gateway or Telegram's API here. docs/plugins.md shows this file; the
tests register it and read the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from alur.core import hookimpl
from alur.tenants.notify.channels import DeliveryFailed, OutgoingDelivery


class FileChannel:
    name = "berkas"

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    async def send(self, delivery: OutgoingDelivery) -> None:
        if not delivery.recipient:
            # retrying cannot help: the person has no address for this channel
            raise DeliveryFailed("no recipient", permanent=True)
        line = {
            "to": delivery.recipient,
            "title": delivery.title,
            "text": delivery.text,
            "url": delivery.url,
            "language": delivery.language,
            "key": delivery.key,  # a gateway drops a repeat by this key
        }
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


@hookimpl
def alur_notification_channels() -> list[FileChannel]:
    return [FileChannel(os.environ.get("ALUR_FILE_CHANNEL", "alur-channel.jsonl"))]
