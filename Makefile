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

# The German news gold data (CC BY-NC-SA 4.0) beside the project: when it is there, the set-up trains
# the learned attribution layer from it into the models_dir setting (never into the repository).
TRAIN_GOLD := ../shared/data/german-news-quotes/train.jsonl
DEV_GOLD   := ../shared/data/german-news-quotes/dev.jsonl

.PHONY: install models train demo test bench schema eval clean

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
	@if [ -f $(TRAIN_GOLD) ]; then $(MAKE) --no-print-directory train; \
	else echo "no $(TRAIN_GOLD): no model is trained, the rules run alone"; fi

# fit on train[0:600], choose thresholds on train[600:700]; a no-op when the model is up to date
train: install
	$(BIN)/quotes train $(TRAIN_GOLD) --fit 0:600 --select 600:700 --if-stale

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

# (rules alone, then rules + the learned model, for dev, the selection split train[600:700] and nb)
eval: models gold/nb/nb_ud_quotes.jsonl
	$(BIN)/quotes eval $(DEV_GOLD) --parse-cache --rules-only
	$(BIN)/quotes eval $(DEV_GOLD) --parse-cache
	$(BIN)/quotes eval $(TRAIN_GOLD) --offset 600 --parse-cache --rules-only
	$(BIN)/quotes eval $(TRAIN_GOLD) --offset 600 --parse-cache
	$(BIN)/quotes eval gold/nb/nb_ud_quotes.jsonl --lang nb --parse-cache --rules-only
	$(BIN)/quotes eval gold/nb/nb_ud_quotes.jsonl --lang nb --parse-cache
	$(BIN)/quotes eval $(TRAIN_GOLD) --limit 350 --parse-cache --rules-only
	$(BIN)/quotes eval $(TRAIN_GOLD) --offset 350 --parse-cache --rules-only
	$(BIN)/quotes eval gold/nb/nb_ud_quotes.jsonl --lang nb --limit 14 --parse-cache --rules-only
	$(BIN)/quotes eval gold/nb/nb_ud_quotes.jsonl --lang nb --offset 14 --parse-cache --rules-only

bench: models
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
