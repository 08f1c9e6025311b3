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
"""

from __future__ import annotations

import re

NIP_DIGITS = 18
NIP_PARTS = (8, 6, 1, 3)

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
