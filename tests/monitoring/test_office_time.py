"""Office minutes written as people write them, in both languages."""

from __future__ import annotations

import pytest

from alur.core.i18n import current_language
from alur.core.monitoring.office_time import office_time_text


@pytest.mark.parametrize(
    ("minutes", "indonesian", "english"),
    [
        (None, "", ""),
        (0, "0 menit", "0 minutes"),
        (1, "1 menit", "1 minute"),
        (45.4, "45 menit", "45 minutes"),
        (61, "1 jam 1 menit", "1 hour 1 minute"),
        (510, "1 hari", "1 day"),
        (2 * 510 + 185, "2 hari 3 jam", "2 days 3 hours"),  # minutes dropped beside days
    ],
)
def test_office_time_text(minutes: float | None, indonesian: str, english: str) -> None:
    for language, expected in (("id", indonesian), ("en", english)):
        token = current_language.set(language)
        try:
            assert office_time_text(minutes, 510) == expected
        finally:
            current_language.reset(token)
