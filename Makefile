# The two commands of the README: `make demo` runs the service with its demo, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv

.PHONY: demo test bench bench-stats bench-notify docs clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/boligsocial db upgrade
	$(VENV)/bin/boligsocial seed-demo --history
	$(VENV)/bin/boligsocial serve

test: $(VENV)/.installed
	VENV=$(VENV) scripts/test.sh

bench: $(VENV)/.installed
	$(VENV)/bin/python -m bench
	$(VENV)/bin/python -m bench.stats
	$(VENV)/bin/python -m bench.notify

bench-notify: $(VENV)/.installed
	$(VENV)/bin/python -m bench.notify --deadlines $${DEADLINES:-100000}

bench-stats: $(VENV)/.installed
	$(VENV)/bin/python -m bench.stats --cases $${CASES:-100000}

clean:
	rm -rf $(VENV) var
