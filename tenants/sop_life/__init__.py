"""The SOP's own life in an office (issue 16): adoption, revisions, pengesahan, moving
running cases. See README.md for the modules."""
