"""Dashboard statistics: durations from the append-only history (via `case_state_intervals`), charts and exports."""
