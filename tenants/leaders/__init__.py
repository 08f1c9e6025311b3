"""The leaders' view of an office: open work by step and bidang, what is overdue and with
whom, and the period's capaian (see README.md)."""
