# squall: the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test unit lint bench clean bytecode

# The demo needs squall only; the test tools come with `make test`.
$(BIN)/squall: pyproject.toml
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -qq --disable-pip-version-check -e .
	@touch $@

$(VENV)/.test-tools: $(BIN)/squall
	@$(BIN)/pip install -qq --disable-pip-version-check -e '.[test]'
	@touch $@

# An editable install is not byte-compiled, and where PYTHONDONTWRITEBYTECODE
# is set nothing ever writes the .pyc files: each command would recompile all
# of squall (0.15 s), and pip leaves some installed modules uncompiled too (a
# profile of `task start` on a fresh machine showed it compiling SQLAlchemy).
# compileall only redoes what changed.
bytecode: $(BIN)/squall
	@$(BIN)/python -m compileall -q squall
	@$(BIN)/python -m compileall -q -j 0 $(VENV)/lib > /dev/null || true

# Run a sample task end to end and write its reports under $(OUT)/.
demo: bytecode
	@mkdir -p $(OUT)
	@$(BIN)/squall db create
	$(BIN)/squall task start samples/tasks/dummy.yaml --tag demo
	$(BIN)/squall task export --type json --to $(OUT)/demo-results.json
	$(BIN)/squall task export --type junit-xml --to $(OUT)/demo-junit.xml
	$(BIN)/squall task sla-check
	$(BIN)/squall task report --out $(OUT)/demo-report.html
	@echo "Report: $(OUT)/demo-report.html"
	@echo "  in a browser: file://$(abspath $(OUT))/demo-report.html"
	@echo "Results are kept in $${SQUALL_HOME:-$$HOME/.squall}/squall.db, for every clone (set SQUALL_HOME or SQUALL_DB_URL to keep them elsewhere)."

# Install what the tests need (Debian packages included), then run them all.
test: bytecode $(VENV)/.test-tools
	bash scripts/install-test-deps.sh
	$(BIN)/ruff check squall tests bench
	$(BIN)/mypy squall
	$(BIN)/pytest -q -p no:cacheprovider --durations=25

# The unit tests alone: no root, no services, seconds.
unit: bytecode $(VENV)/.test-tools
	$(BIN)/pytest -q -p no:cacheprovider tests/unit

bench: bytecode
	$(BIN)/python bench/bench_dummy.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
