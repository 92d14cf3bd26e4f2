"""Tables, engines and migrations."""
