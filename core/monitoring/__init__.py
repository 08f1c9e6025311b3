"""Mutu baku in practice (issue 17): how long each step of an SOP actually took, read from
the events, against its standard time.

* :mod:`~alur.core.monitoring.spans` — the life of every task of a case as a
  :class:`~alur.core.monitoring.spans.StepSpan` (opened, claimed, closed; office minutes on
  the office's working calendar; waiting before someone took it and working after), from the
  case's events alone.
* :mod:`~alur.core.monitoring.figures` — spans summed up per step (and unit, or person):
  median, p75, p90, the share within the standard, returns and rework, bottlenecks.
* :mod:`~alur.core.monitoring.evaluation` — the yearly evaluation: a new waktu per kegiatan
  proposed from the measured p75, rounded up to the units offices write.
* :mod:`~alur.core.monitoring.groups` — one SOP's spans in the groups a report shows (per
  step, unit and person) and the province's median per step.

Pure: no I/O. The figures are kept up to date and served by ``alur.tenants``.
"""
