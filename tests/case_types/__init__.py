"""Case types declared only for tests: proof that a case type lives in one file."""
