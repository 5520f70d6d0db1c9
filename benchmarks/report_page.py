"""Size and speed of the HTML report (``quotes report``), on this machine; prints a markdown table.

    python benchmarks/report_page.py [--quotes 10000] [--store STORE] [--keep PAGE] [--screenshots PREFIX]

Builds a synthetic store of ``--quotes`` quotes (``bench.synthetic_store``: 20 quotes and two
citations a document, 5,000 speakers, 60 outlets, 40 sources), or takes ``--store``, and
measures: the time to make the page, its size, and in headless Chromium (Playwright driving
/usr/bin/chromium) the time from opening the file to the quote table drawn, and the time for a
search to filter the table and draw again. ``--screenshots docs/report`` also saves the two
pictures the README shows (``-graph.png``: the top of the page; ``-quotes.png``: the quote
table searched, with a document's details open).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import synthetic_store  # noqa: E402  (bench.py puts the project on sys.path)

CHROMIUM = "/usr/bin/chromium"
# type into the search box and wait for the next frame: the filter, the sort and the drawing
FILTER = """(word) => new Promise((done) => {
  const started = performance.now();
  const box = document.getElementById("filter-q");
  box.value = word;
  box.dispatchEvent(new Event("input"));
  requestAnimationFrame(() => setTimeout(() => done([performance.now() - started,
    document.getElementById("quote-count").textContent])));
})"""


def browser_timings(page_path: Path, word: str, repeat: int = 3) -> tuple[float, float, str]:
    """(seconds to open and draw, milliseconds to filter, the count line after filtering): medians."""
    from playwright.sync_api import sync_playwright

    opens, filters, count = [], [], ""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            started = time.perf_counter()
            page.goto(page_path.resolve().as_uri())
            page.wait_for_selector("body[data-ready=true]")
            opens.append(time.perf_counter() - started)
            ms, count = page.evaluate(FILTER, word)
            filters.append(ms)
            page.close()
        browser.close()
    return statistics.median(opens), statistics.median(filters), count


def screenshots(page_path: Path, prefix: str, search: str) -> list[Path]:
    """The top of the page, and the quote table after a search with the first document's details."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    graph, quotes = Path(f"{prefix}-graph.png"), Path(f"{prefix}-quotes.png")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 760})
        page.goto(page_path.resolve().as_uri())
        page.wait_for_selector("body[data-ready=true]")
        page.screenshot(path=str(graph))
        page.fill("#filter-q", search)
        page.locator("#quote-rows a.doc").first.click()
        page.locator("#browser").scroll_into_view_if_needed()
        page.screenshot(path=str(quotes))
        browser.close()
    for path in (graph, quotes):  # a 256-colour palette: a third of the size, the same to the eye
        Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)
    return [graph, quotes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quotes", type=int, default=10_000, help="quotes in the synthetic store")
    parser.add_argument("--store", help="measure this store instead of a synthetic one")
    parser.add_argument("--search", default="w1234", help="what to type into the search box")
    parser.add_argument("--keep", type=Path, help="also keep the page here")
    parser.add_argument("--screenshots", help="save PREFIX-graph.png and PREFIX-quotes.png")
    args = parser.parse_args()

    from quotes.report.html import write_report

    tmp = Path(tempfile.mkdtemp(prefix="quotes-report-bench-"))
    store = args.store
    if store is None:
        store = str(tmp / "store")
        synthetic_store(Path(store), args.quotes)
    page = args.keep or tmp / "report.html"
    started = time.perf_counter()
    write_report(store, page)
    made = time.perf_counter() - started
    size = page.stat().st_size
    opened, filtered, count = browser_timings(page, args.search)
    where = store if args.store else f"synthetic store of {args.quotes:,} quotes"
    print(f"\nquotes report — {where}\n")
    print("| measure | result |")
    print("|---|---|")
    print(f"| make the page (`write_report`) | {made:.2f} s |")
    print(f"| page size | {size / 1024:,.0f} KiB ({size:,} bytes) |")
    print(f"| open in Chromium until the quote table is drawn (median of 3) | {opened * 1000:.0f} ms |")
    print(f"| search '{args.search}': filter and draw again (median of 3) | {filtered:.0f} ms ({count}) |")
    if args.screenshots:
        for path in screenshots(page, args.screenshots, args.search):
            print(f"\nscreenshot: {path} ({path.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
