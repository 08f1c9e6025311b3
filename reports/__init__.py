"""Exports in the forms offices already use: the data kinerja recap as XLSX and the signed
report as PDF. Pure functions from :mod:`alur.core.kinerja` data to bytes."""
