"""How an official is written on a letter of the office: NIP spacing and the full jabatan.

Pure functions (no I/O), used by the signed report (:mod:`alur.reports.pdf`) and the public
verification page.

- :func:`format_nip`: an 18-digit NIP (Nomor Induk Pegawai) as it is printed, in its four
  parts — date of birth, month of appointment, sex, serial: ``19771107 201801 3 001``. Any
  other text is returned trimmed, unchanged (an old 9-digit NIP, a NIK, a typo: never guessed).
- :func:`full_jabatan`: the title under which a head or officer signs, written in full with
  the office's name: "Kepala Satuan" of "Satuan Polisi Pamong Praja Kabupaten Banyumas" is
  "Kepala Satuan Polisi Pamong Praja Kabupaten Banyumas", "Kasubag Perencanaan" is "Kepala
  Sub Bagian Perencanaan Satuan Polisi …", "Karo Organisasi" of "Biro Organisasi Sekretariat
  Daerah …" is "Kepala Biro Organisasi Sekretariat Daerah …".
- :func:`nip_problem` / :func:`normalize_nip`: the rule of a NIP (below), the one check of
  every door that creates or edits a person (web admin, CLI, the demo offices).

A NIP (PP 11/2017, BKN) is 18 digits: 1–8 the date of birth (YYYYMMDD, born in 1940 or
later), 9–14 the TMT CPNS (YYYYMM: a real month, at least 17 years after the birth, not in
the future), 15 the gender (1 man, 2 woman), 16–18 a serial number (not 000). It may be typed
as printed, grouped by spaces (``19700101 199003 1 001``); it is stored without them. An
empty NIP is allowed: not everyone who works in an office has one (honorer, PPPK staff
before their NI PPPK, a consultant).
"""

from __future__ import annotations

import re
from datetime import date

from alur.core.i18n import format_message, gettext

NIP_DIGITS = 18
NIP_PARTS = (8, 6, 1, 3)
NIP_BORN_FROM = 1940  # an older date of birth is a typo (nobody born before works now)
NIP_MIN_AGE = 17  # years from the birth to the TMT CPNS, at the least

# Usual abbreviations of jabatan, written out (whole words only, case kept as given).
ABBREVIATIONS = {
    "Kasubag": "Kepala Sub Bagian",
    "Kasubbag": "Kepala Sub Bagian",
    "Kasubid": "Kepala Sub Bidang",
    "Kasubbid": "Kepala Sub Bidang",
    "Kasi": "Kepala Seksi",
    "Kabid": "Kepala Bidang",
    "Kabag": "Kepala Bagian",
    "Karo": "Kepala Biro",
    "Kadis": "Kepala Dinas",
    "Kaban": "Kepala Badan",
    "Sekdis": "Sekretaris Dinas",
}
# Words naming a kind of office: "Kepala Dinas" of a Badan is the head of that Badan.
OFFICE_KINDS = ("Dinas", "Badan", "Kantor", "Satuan", "Biro", "Inspektorat", "Sekretariat")


def format_nip(nip: str) -> str:
    """``"197711072018013001"`` → ``"19771107 201801 3 001"``; spaces or dots in the
    input are ignored; anything that is not 18 digits comes back trimmed, as it was."""
    digits = re.sub(r"[\s.]", "", nip)
    if len(digits) != NIP_DIGITS or not digits.isdigit():
        return nip.strip()
    parts, start = [], 0
    for size in NIP_PARTS:
        parts.append(digits[start : start + size])
        start += size
    return " ".join(parts)


def _expand(jabatan: str) -> str:
    words = jabatan.split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def full_jabatan(jabatan: str, office: str) -> str:
    """``jabatan`` written in full as the title of an official of ``office`` (module
    docstring). A jabatan that already names the office, or an empty office, is only
    written out (abbreviations expanded)."""
    title = _expand(jabatan.strip())
    office = office.strip()
    if not title or not office or office.lower() in title.lower():
        return title
    words, office_words = title.split(), office.split()
    # The longest tail of the title that begins the office's name: "Kepala Satuan" + "Satuan …".
    for size in range(min(len(words), len(office_words)), 0, -1):
        tail = [w.lower() for w in words[-size:]]
        if tail == [w.lower() for w in office_words[:size]]:
            return " ".join([*words[:-size], office])
    if len(words) >= 2 and words[-1] in OFFICE_KINDS:  # "Kepala Dinas" of a Badan
        return " ".join([*words[:-1], office])
    return f"{title} {office}"


def normalize_nip(nip: str) -> str:
    """``nip`` as stored: without the spaces it may be typed with (nothing else changed)."""
    return re.sub(r"\s", "", nip)


def nip_problem(nip: str, today: date) -> str | None:
    """What is wrong with a NIP (module docstring), or ``None``; ``today`` dates the TMT."""
    digits = normalize_nip(nip)
    if not digits:
        return None
    if len(digits) != NIP_DIGITS or not (digits.isascii() and digits.isdigit()):
        return format_message("a NIP is {count} digits", count=NIP_DIGITS)
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return format_message(
            "the first 8 digits of a NIP are the date of birth (YYYYMMDD): {value} is not a date",
            value=digits[0:8],
        )
    if born.year < NIP_BORN_FROM:
        return format_message(
            "the date of birth in this NIP ({value}) is before {year}",
            value=digits[0:8],
            year=NIP_BORN_FROM,
        )
    year, month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= month <= 12:
        return format_message(
            "digits 9–14 of a NIP are the TMT CPNS (YYYYMM): {value} is not a month",
            value=digits[8:14],
        )
    if (year, month) < (born.year + NIP_MIN_AGE, born.month):
        return format_message(
            "the TMT CPNS in this NIP ({value}) is less than {years} years after the date "
            "of birth ({born})",
            value=digits[8:14],
            years=NIP_MIN_AGE,
            born=digits[0:8],
        )
    if (year, month) > (today.year, today.month):
        return format_message(
            "the TMT CPNS in this NIP ({value}) is in the future", value=digits[8:14]
        )
    if digits[14] not in "12":
        return gettext("digit 15 of a NIP is the gender: 1 (man) or 2 (woman)")
    if digits[15:] == "000":
        return gettext("the last 3 digits of a NIP are a serial number: 000 is not one")
    return None
