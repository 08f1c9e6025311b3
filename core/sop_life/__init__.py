"""The SOP's own life in an office (Permenpan RB 35/2012): penyusunan → pengesahan →
penerapan → monitoring → evaluasi → revisi.

* :mod:`~alur.core.sop_life.part` — the office's own part of an SOP (identity fields of the
  header, header lists, per-step mutu baku and keterangan) laid over the plugin's
  definition; what a plugin lets offices change; every problem of a part at once.
* :mod:`~alur.core.sop_life.compare` — what changed between two definitions of an SOP, step
  by step and field by field.
* :mod:`~alur.core.sop_life.revisions` — the states of an office SOP revision (draf →
  diajukan → disahkan → berlaku → diganti / dicabut) and which revision is in force.

Pure: no I/O. The storage and the rules about who may do what live in
:mod:`alur.tenants.sop_life`.
"""
