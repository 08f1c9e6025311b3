"""Mutu baku in practice (issue 17): the office's actual step times against the SOPs'
standard times, and the SOP monitoring form. See README.md for the modules."""
