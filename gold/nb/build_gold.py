#!/usr/bin/env python3
"""Build the Norwegian (Bokmål) quote-attribution gold set from hand-written annotations.

Input
  * the UD Norwegian Bokmål dev file (CoNLL-U; default path below),
  * ``gold/nb/annotations.json``: the documents (as UD sent_id ranges) and, per document,
    the annotations written as *strings* (see README.md, "annotations.json format").

Output
  * ``gold/nb/nb_ud_quotes.jsonl``: one document per line, in the shape of the German
    news-quote data (``documentName``, ``fileName``, ``originalText``, ``sentences``,
    ``tokens``, ``annotations[]`` with ``quote``/``cue``/``speaker``/``addressee``/``frame``
    = ``{"spans": [{"begin", "end", "charBegin", "charEnd"}], "text", "tokenIds"}``, plus
    ``type``, ``medium``, ``isNested``, ``hasNested``, ``id``).

String resolution is deterministic and strict: every string must be found, must start
and end on CoNLL-U token boundaries, and must be unambiguous (or be disambiguated with an
explicit occurrence index / sentence id).  Any failure aborts the build with a message
naming the document and the annotation.  Run:

    python3 gold/nb/build_gold.py [--conllu PATH] [--check]

``--check`` builds in memory, validates, prints the counts and writes nothing.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CONLLU = Path("/work/shared/data/norwegian-ud/no_bokmaal-ud-dev.conllu")
ANNOTATIONS = HERE / "annotations.json"
OUTPUT = HERE / "nb_ud_quotes.jsonl"

TYPES = ("Direct", "Indirect", "FreeIndirect", "IndirectFreeIndirect", "Reported")
MEDIA = ("Speech", "Writing", "SW", "Thought", "ST", "TW", "none")
FIELDS = ("quote", "cue", "speaker", "addressee", "frame")
# Default medium by cue lemma-ish prefix (first cue word, lower-cased); overridable per
# annotation with "medium".  Anything not listed is "SW" (speech or writing, undecided).
SPEECH_CUES = ("si", "sa", "sier", "sagt", "uttal", "fortel", "spør", "spurt", "svar",
               "rop", "forsikr", "jubl", "lover", "lov", "smil", "ler", "lo", "nikk",
               "innvend", "spøk", "avslutt", "oppsumm", "konstater", "understrek",
               "kommenter", "utdyp", "pek", "forklar", "tilføy", "legg")
WRITING_CUES = ("skriv", "skrev", "skrevet", "står", "sto", "heter")


class GoldError(Exception):
    pass


# --------------------------------------------------------------------------- CoNLL-U
def read_conllu(path: Path):
    """List of sentences: {sent_id, text, newpar, newdoc, forms}."""
    sents, cur = [], None
    newpar = newdoc = False
    for ln, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# newdoc"):
            newdoc = True
        elif line.startswith("# newpar"):
            newpar = True
        elif line.startswith("# sent_id"):
            cur = {"sent_id": line.split("=", 1)[1].strip(), "text": None,
                   "newpar": newpar or newdoc, "newdoc": newdoc, "forms": []}
            newpar = newdoc = False
        elif line.startswith("# text"):
            cur["text"] = line.split("=", 1)[1].strip()
        elif line.startswith("#"):
            continue
        elif line.strip():
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue  # multiword ranges / empty nodes (none in this file)
            cur["forms"].append(cols[1])
        elif cur is not None:
            sents.append(cur)
            cur = None
    if cur is not None:
        sents.append(cur)
    for s in sents:
        if s["text"] is None:
            raise GoldError(f"sentence {s['sent_id']} has no '# text' line")
    return sents


def source_runs(sents):
    """Runs of consecutive sent_ids (same prefix, numbers +1), broken at '# newdoc'."""
    def split(sid):
        m = re.match(r"^(.*?)(\d+)$", sid)
        return (m.group(1), int(m.group(2))) if m else (sid, None)
    runs = []
    for i, s in enumerate(sents):
        if i == 0 or s["newdoc"]:
            runs.append([i])
            continue
        (p0, n0), (p1, n1) = split(sents[i - 1]["sent_id"]), split(s["sent_id"])
        if p0 == p1 and n0 is not None and n1 == n0 + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def align_tokens(text, forms, sent_id):
    """Char offsets (within `text`) of each token form; fails if forms do not match."""
    out, pos = [], 0
    for f in forms:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text[pos:pos + len(f)] != f:
            raise GoldError(f"sentence {sent_id}: token {f!r} not found at offset {pos} "
                            f"of {text!r}")
        out.append((pos, pos + len(f)))
        pos += len(f)
    if text[pos:].strip():
        raise GoldError(f"sentence {sent_id}: text left after the last token: {text[pos:]!r}")
    return out


# --------------------------------------------------------------------------- documents
def build_document(sents, lo, hi):
    """originalText, sentences[], tokens[] for sentences lo..hi (inclusive indices)."""
    text_parts, sentences, tokens = [], [], []
    pos = 0
    for k, i in enumerate(range(lo, hi + 1)):
        s = sents[i]
        if k > 0:
            sep = "\n\n" if s["newpar"] else " "
            text_parts.append(sep)
            pos += len(sep)
        begin_tok = len(tokens)
        offs = align_tokens(s["text"], s["forms"], s["sent_id"])
        for w, ((b, e), form) in enumerate(zip(offs, s["forms"]), 1):
            tokens.append({"charBegin": pos + b, "charEnd": pos + e, "id": len(tokens),
                           "sentence": k + 1, "text": form, "word": w})
        sentences.append({
            "begin": begin_tok, "end": len(tokens), "charBegin": pos,
            "charEnd": pos + len(s["text"]), "id": k, "sent_id": s["sent_id"],
            "text": s["text"], "tokenIds": list(range(begin_tok, len(tokens))),
            "tokens": list(s["forms"]),
        })
        text_parts.append(s["text"])
        pos += len(s["text"])
    text = "".join(text_parts)
    for t in tokens:
        assert text[t["charBegin"]:t["charEnd"]] == t["text"]
    return text, sentences, tokens


# --------------------------------------------------------------------------- resolution
def find_all(text, needle, lo=0, hi=None):
    """Start offsets of `needle` in text[lo:hi], not inside a word at either edge."""
    hi = len(text) if hi is None else hi
    # word-edge checks only on alphanumeric edges ("han" must not match inside "hans")
    pre = r"(?<!\w)" if needle[:1].isalnum() else ""
    post = r"(?!\w)" if needle[-1:].isalnum() else ""
    pat = re.compile(pre + re.escape(needle) + post)
    out, start = [], lo
    while True:
        m = pat.search(text, start, hi)
        if not m:
            return out
        out.append(m.start())
        start = m.start() + 1


class Doc:
    def __init__(self, doc_id, text, sentences, tokens):
        self.id, self.text, self.sentences, self.tokens = doc_id, text, sentences, tokens
        self.tok_begin = {t["charBegin"]: t["id"] for t in tokens}
        self.tok_end = {t["charEnd"]: t["id"] for t in tokens}
        self.sid_index = {s["sent_id"]: s for s in sentences}

    def sent_of(self, char):
        for s in self.sentences:
            if s["charBegin"] <= char < s["charEnd"]:
                return s
        raise GoldError(f"{self.id}: offset {char} is not inside a sentence")

    def span(self, b, e, what):
        if b not in self.tok_begin or e not in self.tok_end:
            raise GoldError(f"{self.id}: {what} {self.text[b:e]!r} ({b}-{e}) does not start "
                            f"and end on token boundaries")
        tb, te = self.tok_begin[b], self.tok_end[e] + 1
        return {"begin": tb, "end": te, "charBegin": b, "charEnd": e}

    def sent_range(self, sid):
        if sid not in self.sid_index:
            raise GoldError(f"{self.id}: sent_id {sid} is not in this document")
        s = self.sid_index[sid]
        return s["charBegin"], s["charEnd"]


def as_list(v):
    if v is None or v == "" or v == []:
        return []
    return [v] if isinstance(v, str) else list(v)


def resolve_quote(doc, ann, label):
    q = ann.get("quote")
    parts = [q] if isinstance(q, str) else list(q or [])
    if not parts:
        raise GoldError(f"{label}: no quote")
    lo, hi = 0, len(doc.text)
    if "quote_sent" in ann:
        lo, _ = doc.sent_range(ann["quote_sent"])
    hits = find_all(doc.text, parts[0], lo, hi)
    if not hits:
        raise GoldError(f"{label}: quote {parts[0]!r} not found")
    if "quote_occ" in ann:
        k = ann["quote_occ"]
        if k >= len(hits):
            raise GoldError(f"{label}: quote_occ={k} but only {len(hits)} occurrences")
        start = hits[k]
    elif "quote_sent" in ann:
        start = hits[0]
        s = doc.sent_of(start)
        if s["sent_id"] != ann["quote_sent"]:
            raise GoldError(f"{label}: quote does not start in sentence {ann['quote_sent']}")
    else:
        if len(hits) > 1:
            raise GoldError(f"{label}: quote {parts[0]!r} is ambiguous ({len(hits)} "
                            f"occurrences); add quote_occ or quote_sent")
        start = hits[0]
    spans = [(start, start + len(parts[0]))]
    # Further parts: the first occurrence after the previous part, within the next 2
    # sentences; a part written as {"t": text, "s": sent_id} is looked up in that sentence
    # instead (and must be unique there).
    for p in parts[1:]:
        prev_end = spans[-1][1]
        if isinstance(p, dict):
            lo, hi = doc.sent_range(p["s"])
            h = find_all(doc.text, p["t"], lo, hi)
            if len(h) != 1:
                raise GoldError(f"{label}: quote part {p['t']!r} found {len(h)} times in {p['s']}")
            p = p["t"]
        else:
            s_idx = doc.sent_of(prev_end - 1)["id"]
            limit = doc.sentences[min(s_idx + 2, len(doc.sentences) - 1)]["charEnd"]
            h = find_all(doc.text, p, prev_end, limit)
        if not h:
            raise GoldError(f"{label}: quote part {p!r} not found after {doc.text[spans[-1][0]:prev_end]!r}")
        spans.append((h[0], h[0] + len(p)))
    if spans != sorted(spans) or any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
        raise GoldError(f"{label}: quote parts overlap or are out of order")
    return spans


def resolve_other(doc, ann, field, qspans, label):
    """Resolve cue/speaker/addressee/frame strings.

    Scope 1: the sentences touched by the quote spans.  Exactly one match there -> used;
    several -> error unless <field>_occ (index within scope 1) is given.
    Scope 2 (no match in scope 1, or <field>_sent given): the sentence <field>_sent if given,
    else the whole document; must be unique unless <field>_occ is given.
    A list of strings gives a multi-span field; each part is resolved the same way.
    """
    parts = as_list(ann.get(field))
    if not parts:
        return []
    s_ids = sorted({doc.sent_of(b)["id"] for b, e in qspans} |
                   {doc.sent_of(e - 1)["id"] for b, e in qspans})
    s_lo, s_hi = doc.sentences[s_ids[0]]["charBegin"], doc.sentences[s_ids[-1]]["charEnd"]
    occs = ann.get(field + "_occ")
    occs = occs if isinstance(occs, list) else [occs] * len(parts)
    sent = ann.get(field + "_sent")
    out = []
    for p, occ in zip(parts, occs):
        if sent:
            lo, hi = doc.sent_range(sent)
            hits, scope = find_all(doc.text, p, lo, hi), f"sentence {sent}"
        else:
            hits, scope = find_all(doc.text, p, s_lo, s_hi), "the quote's sentences"
            if not hits:
                hits, scope = find_all(doc.text, p), "the document"
        if not hits:
            raise GoldError(f"{label}: {field} {p!r} not found")
        if occ is not None:
            if occ >= len(hits):
                raise GoldError(f"{label}: {field}_occ={occ} but {len(hits)} hits in {scope}")
            b = hits[occ]
        elif len(hits) > 1:
            raise GoldError(f"{label}: {field} {p!r} is ambiguous in {scope} ({len(hits)} "
                            f"hits); add {field}_occ or {field}_sent")
        else:
            b = hits[0]
        out.append((b, b + len(p)))
    return sorted(out)


def derive_frame(doc, qspans, cue, speaker, addressee):
    """Frame when not given (only when there is a cue): the stretch from the first to the
    last cue/speaker/addressee token lying in the sentence(s) of the cue and outside the
    quote, plus a directly adjacent comma or colon, cut where it would overlap the quote."""
    s_ids = {doc.sent_of(b)["id"] for b, e in cue}
    parts = [(b, e) for b, e in cue + speaker + addressee
             if doc.sent_of(b)["id"] in s_ids
             and not any(qb <= b and e <= qe for qb, qe in qspans)]
    if not cue or not parts:
        return []
    b, e = min(p[0] for p in parts), max(p[1] for p in parts)
    # cut at quote boundaries
    for qb, qe in qspans:
        if qb <= b < qe:
            b = qe
        if qb < e <= qe:
            e = qb
    segs = []
    cur = b
    for qb, qe in sorted(qspans):
        if b < qb < e:
            segs.append((cur, qb))
            cur = qe
    segs.append((cur, e))
    out = []
    t = doc.text
    for sb, se in segs:
        while sb < se and t[sb].isspace():
            sb += 1
        while se > sb and t[se - 1].isspace():
            se -= 1
        if sb >= se:
            continue
        # leading comma/colon ("«…», sa han") and trailing comma/colon ("Han sa:")
        j = sb - 1
        while j >= 0 and t[j] == " ":
            j -= 1
        if j >= 0 and t[j] in ",:" and not any(qb <= j < qe for qb, qe in qspans):
            sb = j
        j = se
        while j < len(t) and t[j] == " ":
            j += 1
        if j < len(t) and t[j] in ",:" and not any(qb <= j < qe for qb, qe in qspans):
            se = j + 1
        out.append((sb, se))
    return out


def field_obj(doc, spans, what):
    objs = [doc.span(b, e, what) for b, e in spans]
    ids = [i for o in objs for i in range(o["begin"], o["end"])]
    return {"spans": objs, "text": " ".join(doc.text[b:e] for b, e in spans), "tokenIds": ids}


def default_medium(cue_text):
    w = cue_text.lower().split()
    if not w:
        return "SW"
    for c in w:
        if c.startswith(WRITING_CUES):
            return "Writing"
    if w[0] in ("ifølge", "etter"):
        return "SW"
    for c in w:
        if c.startswith(SPEECH_CUES):
            return "Speech"
    return "SW"


ALLOWED_KEYS = {"type", "quote", "quote_occ", "quote_sent", "medium", "note"} | {
    f + s for f in ("cue", "speaker", "addressee", "frame") for s in ("", "_occ", "_sent")}


def build(conllu: Path, ann_path: Path):
    sents = read_conllu(conllu)
    by_sid = {s["sent_id"]: i for i, s in enumerate(sents)}
    runs = source_runs(sents)
    run_of = {i: r for r, idxs in enumerate(runs) for i in idxs}
    spec = json.loads(ann_path.read_text(encoding="utf-8"))
    docs_out, used = [], []
    for d in spec["documents"]:
        did = d["id"]
        for key in ("first", "last"):
            if d[key] not in by_sid:
                raise GoldError(f"{did}: {key} sent_id {d[key]} not in the CoNLL-U file")
        lo, hi = by_sid[d["first"]], by_sid[d["last"]]
        if hi < lo or run_of[lo] != run_of[hi]:
            raise GoldError(f"{did}: {d['first']}..{d['last']} is not one run of consecutive sentences")
        for a, b in used:
            if not (hi < a or lo > b):
                raise GoldError(f"{did}: overlaps another document")
        used.append((lo, hi))
        text, sentences, tokens = build_document(sents, lo, hi)
        doc = Doc(did, text, sentences, tokens)
        anns = []
        for k, a in enumerate(d.get("annotations", [])):
            label = f"{did} annotation #{k} ({str(a.get('quote'))[:50]!r})"
            bad = set(a) - ALLOWED_KEYS
            if bad:
                raise GoldError(f"{label}: unknown keys {sorted(bad)}")
            if a.get("type") not in TYPES:
                raise GoldError(f"{label}: bad type {a.get('type')!r}")
            q = resolve_quote(doc, a, label)
            cue = resolve_other(doc, a, "cue", q, label)
            spk = resolve_other(doc, a, "speaker", q, label)
            adr = resolve_other(doc, a, "addressee", q, label)
            if a["type"] in ("Direct", "Indirect"):
                for fname, fsp in (("cue", cue), ("speaker", spk), ("addressee", adr)):
                    for b, e in fsp:
                        if any(qb <= b and e <= qe for qb, qe in q):
                            raise GoldError(f"{label}: {fname} {doc.text[b:e]!r} lies inside the "
                                            f"{a['type']} quote; give {fname}_occ/{fname}_sent")
            frm = resolve_other(doc, a, "frame", q, label) if a.get("frame") else \
                derive_frame(doc, q, cue, spk, adr)
            medium = a.get("medium") or default_medium(" ".join(doc.text[b:e] for b, e in cue))
            if medium not in MEDIA:
                raise GoldError(f"{label}: bad medium {medium!r}")
            anns.append({
                "addressee": field_obj(doc, adr, label + " addressee"),
                "cue": field_obj(doc, cue, label + " cue"),
                "frame": field_obj(doc, frm, label + " frame"),
                "hasNested": False, "id": k, "isNested": False, "medium": medium,
                "quote": field_obj(doc, q, label + " quote"),
                "speaker": field_obj(doc, spk, label + " speaker"),
                "type": a["type"],
                "_qspans": q,
            })
        # nesting: a quote whose spans all lie inside another annotation's quote spans
        for x in anns:
            for y in anns:
                if x is y or x["_qspans"] == y["_qspans"]:
                    continue
                if all(any(yb <= xb and xe <= ye for yb, ye in y["_qspans"]) for xb, xe in x["_qspans"]):
                    x["isNested"] = True
                    y["hasNested"] = True
        seen = set()
        for x in anns:
            key = (x["type"], tuple(x["_qspans"]))
            if key in seen:
                raise GoldError(f"{did}: duplicate annotation {x['quote']['text'][:60]!r}")
            seen.add(key)
            del x["_qspans"]
        name = f"{did} - {d.get('title', '')}".strip(" -")
        docs_out.append({
            "annotations": anns, "documentName": name, "fileName": name,
            "originalText": text, "sentences": sentences, "tokens": tokens,
            "udSentIds": [s["sent_id"] for s in sentences],
        })
    return docs_out, runs, sents


def validate(docs):
    """Every span slices to its text; token ids match the char spans."""
    for d in docs:
        t, toks = d["originalText"], d["tokens"]
        for a in d["annotations"]:
            for f in FIELDS:
                o = a[f]
                pieces = []
                for s in o["spans"]:
                    assert toks[s["begin"]]["charBegin"] == s["charBegin"], (d["documentName"], f)
                    assert toks[s["end"] - 1]["charEnd"] == s["charEnd"], (d["documentName"], f)
                    pieces.append(t[s["charBegin"]:s["charEnd"]])
                assert " ".join(pieces) == o["text"], (d["documentName"], f, o["text"])
            if not a["quote"]["spans"]:
                raise GoldError(f"{d['documentName']}: annotation without quote span")


def show(docs, which):
    for d in docs:
        if which != "all" and which not in d["documentName"]:
            continue
        print("=" * 100)
        print(d["documentName"])
        t = d["originalText"]
        for a in d["annotations"]:
            def txt(f):
                return " | ".join(t[s["charBegin"]:s["charEnd"]] for s in a[f]["spans"])
            flags = ("N" if a["isNested"] else "") + ("H" if a["hasNested"] else "")
            print(f"--[{a['id']}] {a['type']} {a['medium']} {flags}")
            print(f"   Q: {txt('quote')}")
            print(f"   C: {txt('cue')!r}  S: {txt('speaker')!r}  A: {txt('addressee')!r}  F: {txt('frame')!r}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conllu", type=Path, default=DEFAULT_CONLLU)
    ap.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    ap.add_argument("--out", type=Path, default=OUTPUT)
    ap.add_argument("--check", action="store_true", help="validate and count, write nothing")
    ap.add_argument("--show", metavar="DOC", help="print the resolved annotations of documents "
                    "whose id contains DOC ('all' for every document), for proofreading")
    args = ap.parse_args(argv)
    try:
        docs, runs, sents = build(args.conllu, args.annotations)
        validate(docs)
    except GoldError as e:
        print(f"ERROR: {e}", file=sys.stderr)
        return 1
    if args.show:
        show(docs, args.show)
    if not args.check:
        with args.out.open("w", encoding="utf-8") as fh:
            for d in docs:
                fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    types = Counter(a["type"] for d in docs for a in d["annotations"])
    n_sent = sum(len(d["sentences"]) for d in docs)
    n_q_sent = sum(1 for d in docs for s in d["sentences"]
                   if any(sp["charBegin"] < s["charEnd"] and s["charBegin"] < sp["charEnd"]
                          for a in d["annotations"] for sp in a["quote"]["spans"]))
    print(f"source: {len(sents)} sentences in {len(runs)} run(s) of consecutive sent_ids")
    print(f"documents: {len(docs)}  sentences: {n_sent}  tokens: "
          f"{sum(len(d['tokens']) for d in docs)}  sentences without any quote span: {n_sent - n_q_sent}")
    print(f"annotations: {sum(types.values())}")
    for t in TYPES:
        print(f"  {t:22s} {types.get(t, 0)}")
    nested = sum(a["isNested"] for d in docs for a in d["annotations"])
    no_spk = sum(not a["speaker"]["spans"] for d in docs for a in d["annotations"])
    no_cue = sum(not a["cue"]["spans"] for d in docs for a in d["annotations"])
    print(f"  nested: {nested}  without speaker: {no_spk}  without cue: {no_cue}")
    if not args.check:
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
