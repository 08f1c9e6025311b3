"""Reading ``ALUR_*`` settings: the one meaning of a yes/no value, and the error of a value
that cannot be used.

A yes/no setting (``ALUR_SECURE_COOKIES``, ``ALUR_READY_REQUIRES_WORKER``,
``ALUR_WORKER_IN_PROCESS``, …) is on for ``1``, ``true``, ``yes`` or ``on`` and off for
``0``, ``false``, ``no`` or ``off`` — any letter case, spaces around ignored (:func:`is_on`,
:func:`yes_no`). A value that cannot be used raises a :class:`SettingError` naming the
variable; :func:`alur.tenants.deployment.unsafe_settings` lists every one at start, so
``alur serve`` and ``alur.web.asgi`` refuse to start instead of failing later.

A leaf module: it imports nothing of Alur, so any module reading a setting can use it.
"""

from __future__ import annotations

from collections.abc import Mapping

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
FALSE_VALUES = frozenset({"0", "false", "no", "off"})


class SettingError(ValueError):
    """An ``ALUR_*`` value that cannot be used; the message names the variable and what to
    set instead."""


def yes_no(env: Mapping[str, str], name: str) -> bool | None:
    """The yes/no setting ``name``: ``True``, ``False``, or ``None`` when it is unset or
    empty; :class:`SettingError` for any other value."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return None
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise SettingError(f"{name}={raw!r}: use 1, true, yes or on (or 0, false, no, off)")


def is_on(env: Mapping[str, str], name: str) -> bool:
    """A yes/no setting that is off unless set: on for ``1``, ``true``, ``yes`` or ``on``
    (any case, trimmed); anything else is off."""
    return env.get(name, "").strip().lower() in TRUE_VALUES
