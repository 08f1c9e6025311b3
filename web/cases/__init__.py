"""Case pages, the inbox, and the case view model."""
