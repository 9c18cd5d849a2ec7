# squall: the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test lint bench clean

$(BIN)/squall: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# Run a sample task end to end and write its reports under $(OUT)/.
demo: $(BIN)/squall
	mkdir -p $(OUT)
	$(BIN)/squall db create
	$(BIN)/squall task start samples/tasks/dummy.yaml --tag demo
	$(BIN)/squall task export --type json --to $(OUT)/demo-results.json
	$(BIN)/squall task export --type junit-xml --to $(OUT)/demo-junit.xml
	$(BIN)/squall task sla-check
	$(BIN)/squall task report --out $(OUT)/demo-report.html

# Install what the tests need (Debian packages included), then run them all.
test: $(BIN)/squall
	bash scripts/install-test-deps.sh
	$(BIN)/ruff check squall tests bench
	$(BIN)/mypy squall
	$(BIN)/pytest -q -p no:cacheprovider

bench: $(BIN)/squall
	$(BIN)/python bench/bench_dummy.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
