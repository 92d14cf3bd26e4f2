"""Case types as data (see issue 3)."""
