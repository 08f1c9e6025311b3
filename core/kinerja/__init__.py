"""Data kinerja: the performance-data format, its filling, the recap and its approvals.

Pure data and functions, like the rest of :mod:`alur.core`: no I/O. Storage lives in
:mod:`alur.tenants.kinerja.service`; the web UI and GraphQL show it at the steps a definition binds
(:class:`alur.core.model.DataAction`).

- :mod:`.model`: indicators, indicator sets, submissions (versioned realisasi), recaps and
  approvals (paraf, tanda tangan).
- :mod:`.numbers`: reading numbers in Indonesian or English notation; canonical decimals.
- :mod:`.forms`: reading and validating what people type, with per-field errors.
- :mod:`.recap`: capaian and the recap, computed in one documented place, and its hash.
- :mod:`.changes`: what changed between two versions of a unit's submission.
"""
