# Two commands do all the set-up on a fresh machine:  make demo  (extract the seeds)  and  make test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The stanza models: $STANZA_RESOURCES_DIR if set, else the offline pack beside the project, else
# stanza's default folder, where `quotes models --download` fetches the official models.
STANZA_RESOURCES_DIR ?= $(or $(wildcard $(CURDIR)/../shared/stanza_resources),$(HOME)/stanza_resources)
export STANZA_RESOURCES_DIR
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: install models demo test bench schema eval clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: the CPU build (an unpinned torch pulls a multi-GB CUDA build)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $@

models: install
	$(BIN)/quotes models --download

demo: models
	$(BIN)/quotes extract seeds/ --format table

test: models
	$(BIN)/pytest -q

schema: install
	$(BIN)/quotes schema

# the quality table of the README: German dev, both halves of train, and the Norwegian gold set, whole
# and in halves (the set is built from the UD sentences in ../shared and gold/nb/annotations.json)
gold/nb/nb_ud_quotes.jsonl: gold/nb/annotations.json gold/nb/build_gold.py
	$(PYTHON) gold/nb/build_gold.py

eval: models gold/nb/nb_ud_quotes.jsonl
	$(BIN)/quotes eval ../shared/data/german-news-quotes/dev.jsonl
	$(BIN)/quotes eval ../shared/data/german-news-quotes/train.jsonl --limit 350
	$(BIN)/quotes eval ../shared/data/german-news-quotes/train.jsonl --offset 350
	$(BIN)/quotes eval gold/nb/nb_ud_quotes.jsonl --lang nb
	$(BIN)/quotes eval gold/nb/nb_ud_quotes.jsonl --lang nb --limit 14
	$(BIN)/quotes eval gold/nb/nb_ud_quotes.jsonl --lang nb --offset 14

bench: models
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
