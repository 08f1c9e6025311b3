"""Data kinerja: formats, rows, the step rules and the recap."""
