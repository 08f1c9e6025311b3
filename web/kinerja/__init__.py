"""Data kinerja pages: the format editor, fill/verify forms, the recap."""
