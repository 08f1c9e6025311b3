"""The Mutu baku pages (issue 17): actual step times against the SOPs' standard times, and the
SOP monitoring form. See README.md."""
