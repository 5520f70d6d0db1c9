"""The Norwegian gold set builds from its annotations and the UD sentences, and every span holds."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, SHARED, need


def test_norwegian_gold_builds_and_its_spans_slice_the_text(tmp_path):
    conllu = SHARED / "data" / "norwegian-ud" / "no_bokmaal-ud-dev.conllu"
    need(conllu.is_file(), str(conllu))
    out = tmp_path / "nb.jsonl"
    proc = subprocess.run([sys.executable, str(ROOT / "gold" / "nb" / "build_gold.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    quotes = [a for d in docs for a in d["annotations"]]
    assert len(quotes) >= 150
    for d in docs:
        text = d["originalText"]
        for a in d["annotations"]:
            for span in a["quote"]["spans"]:
                assert text[span["charBegin"]:span["charEnd"]].strip()
            for span in (a["speaker"] or {}).get("spans", []):
                assert text[span["charBegin"]:span["charEnd"]] in a["speaker"]["text"]
