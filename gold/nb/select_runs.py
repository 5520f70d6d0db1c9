#!/usr/bin/env python3
"""List candidate runs for the Norwegian (Bokmål) quote-attribution gold set.

Reads the UD Norwegian Bokmål dev file, flags every sentence that carries a surface
signal of reported speech (a speech/report lemma, "ifølge", quotation marks, a leading
dialogue dash), takes a window of WINDOW sentences on each side of every flagged sentence
and merges windows that overlap or touch.  (The whole dev file is one run of consecutive
sent_ids and has no `# newdoc` marks, so the windows are the only grouping it offers.)

Output (stdout, deterministic): one line per candidate run
    run_id  first_sent_id  last_sent_id  n_sentences  n_hits  hit_signals
and, with --show, the text of every run with hits marked by '*'; with --gold, the
sent_id ranges of the gold documents (gold/nb/annotations.json) that overlap each run.

The signals are deliberately broad (high recall); they do NOT decide what is a quote:
that was done by reading every sentence (see README.md).  Usage:

    python3 gold/nb/select_runs.py [--conllu PATH] [--window 2] [--show] [--show-all] [--gold]
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

DEFAULT_CONLLU = Path("/work/shared/data/norwegian-ud/no_bokmaal-ud-dev.conllu")

# Lemmas of verbs (and a few nouns/prepositions) that introduce or report speech/writing.
SPEECH_LEMMAS = {
    "si", "uttale", "fortelle", "mene", "understreke", "innrømme", "påpeke", "hevde",
    "skrive", "opplyse", "forklare", "ifølge", "svare", "spørre", "kommentere",
    "bekrefte", "tilføye", "legge", "advare", "varsle", "kunngjøre", "erklære",
    "konstatere", "argumentere", "beskrive", "melde", "rapportere", "kritisere", "love",
    "avvise", "benekte", "nekte", "fastslå", "uttrykke", "mene", "minne", "presisere",
    "slå", "betone", "fremheve", "framheve", "antyde", "sitere", "rope", "be",
    "foreslå", "anbefale", "kreve", "innvende", "klage", "medgi", "hevde", "fortelle",
    "referere", "uttalelse", "pressemelding", "spørsmål", "svar",
}
# `legge` only counts in "legge til"/"legge vekt på"; `slå` only in "slå fast";
# `minne` only in "minne om"; `be` only when followed by "om"/an object + infinitive is
# too hard to test here, so `be` counts with its particle "om".
PARTICLE_LEMMAS = {"legge": {"til", "vekt"}, "slå": {"fast"}, "minne": {"om"}, "be": {"om"}}

QUOTE_CHARS = re.compile(r"[«»\"“”„]")
LEADING_DASH = re.compile(r"^\s*[–—-]\s")


def read_conllu(path: Path):
    """Yield dicts: sent_id, text, newpar (bool), tokens [(form, lemma)]."""
    sent = None
    newpar = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# newpar"):
            newpar = True
        elif line.startswith("# sent_id"):
            sent = {"sent_id": line.split("=", 1)[1].strip(), "newpar": newpar,
                    "text": None, "tokens": []}
            newpar = False
        elif line.startswith("# text"):
            sent["text"] = line.split("=", 1)[1].strip()
        elif line and not line.startswith("#"):
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            sent["tokens"].append((cols[1], cols[2]))
        elif not line and sent is not None:
            yield sent
            sent = None
    if sent is not None:
        yield sent


def signals(sent) -> list[str]:
    out = []
    toks = sent["tokens"]
    lemmas = [l.lower() for _, l in toks]
    forms = [f.lower() for f, _ in toks]
    for i, lem in enumerate(lemmas):
        if lem not in SPEECH_LEMMAS:
            continue
        if lem in PARTICLE_LEMMAS:
            nxt = set(forms[i + 1:i + 4])
            if not (nxt & PARTICLE_LEMMAS[lem]):
                continue
        out.append(lem)
    if QUOTE_CHARS.search(sent["text"]):
        out.append("QUOTE")
    if LEADING_DASH.match(sent["text"]):
        out.append("DASH")
    return out


def candidate_runs(sents, window: int):
    hits = [i for i, s in enumerate(sents) if signals(s)]
    runs = []
    for i in hits:
        lo, hi = max(0, i - window), min(len(sents) - 1, i + window)
        if runs and lo <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], hi)
        else:
            runs.append([lo, hi])
    return runs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conllu", type=Path, default=DEFAULT_CONLLU)
    ap.add_argument("--window", type=int, default=2)
    ap.add_argument("--show", action="store_true", help="print the text of each run")
    ap.add_argument("--gold", action="store_true",
                    help="also list the gold documents that overlap each candidate run")
    ap.add_argument("--show-all", action="store_true",
                    help="print every sentence of the file with its signals")
    args = ap.parse_args(argv)
    sents = list(read_conllu(args.conllu))
    if args.show_all:
        for s in sents:
            sig = signals(s)
            par = "¶ " if s["newpar"] else "  "
            print(f"{s['sent_id']} {par}{'*' if sig else ' '} {s['text']}"
                  + (f"   [{','.join(sig)}]" if sig else ""))
        return 0
    runs = candidate_runs(sents, args.window)
    gold = []
    if args.gold:
        import json
        spec = json.loads((Path(__file__).resolve().parent / "annotations.json").read_text("utf-8"))
        gold = [(d["first"], d["last"], d["id"]) for d in spec["documents"]]
    for k, (lo, hi) in enumerate(runs):
        sig = [x for s in sents[lo:hi + 1] for x in signals(s)]
        nh = sum(1 for s in sents[lo:hi + 1] if signals(s))
        inside = [g for g in gold if not (g[1] < sents[lo]["sent_id"] or g[0] > sents[hi]["sent_id"])]
        print(f"run{k:03d}\t{sents[lo]['sent_id']}\t{sents[hi]['sent_id']}\t{hi - lo + 1}\t{nh}\t"
              + ",".join(sorted(set(sig)))
              + ("\tGOLD " + " ".join(f"{a}-{b}" for a, b, _ in inside) if inside else ""))
        if args.show:
            for s in sents[lo:hi + 1]:
                sg = signals(s)
                par = "¶ " if s["newpar"] else "  "
                print(f"    {s['sent_id']} {par}{'*' if sg else ' '} {s['text']}")
    print(f"# {len(sents)} sentences, {sum(1 for s in sents if signals(s))} with signals, "
          f"{len(runs)} candidate runs (window={args.window})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
