"""The SOP sheet (Permenpan RB 35/2012 layout)."""
