"""What the learned attribution layer adds to end-to-end time: stanza over the dev articles, then the
rules alone and rules + the trained model over the same parses (best of three).

    python benchmarks/learned_cost.py      # needs ../shared and a trained model (quotes train)
"""
import time

from quotes.extract.extractor import extract_candidates
from quotes.gold.articles import load_articles
from quotes.gold.train import predict_quotes
from quotes.learn.model import load_model
from quotes.parse.parser import parse_documents
from quotes.run.pipeline import BLANKED

G = str(__import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "data" / "german-news-quotes") + "/"
arts=load_articles(G+"dev.jsonl","de")
m=load_model()
def run(use):
    t=time.perf_counter()
    for a in arts:
        c=extract_candidates(a.item.parsed,a.regions)
        if use: c=m.apply(a.item.parsed,c,a.regions)
        predict_quotes(a,c)
    return time.perf_counter()-t
run(True)
r=min(run(False) for _ in range(3)); l=min(run(True) for _ in range(3))
parse_documents(["Er sagte das."],"de")
t=time.perf_counter(); parse_documents([a.item.document.text for a in arts],"de",[a.item.spans(BLANKED) for a in arts]); p=time.perf_counter()-t
print(f"dev 150 docs: stanza {p:.1f} s, rules {r:.2f} s, rules+model {l:.2f} s, added {l-r:.2f} s = {100*(l-r)/(p+r):.1f} % of stanza+rules")
