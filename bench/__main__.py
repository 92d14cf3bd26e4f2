"""`make bench`: bench.transitions (engine vs raw driver), then bench.http (HTTP action vs HTTP floor), one table.

Each part prints its own detail first; `python -m bench.transitions --help` and `python -m bench.http --help`
list their knobs (defaults keep each part to a minute or two on the 2-core development machine).
"""

from bench import http, summary, transitions


def main() -> None:
    engine = transitions.main([])
    print()
    served = http.main([])
    summary.table(engine, served)


if __name__ == "__main__":
    main()
