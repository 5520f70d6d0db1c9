"""The report: one self-contained HTML page of who cites whom, who is quoted, which statements
travelled, every quote in a searchable table, and what failed.

The page needs nothing from the network: the graph is an SVG laid out here (outlets left,
cited sources right, edge width by documents), the small sections are HTML made here, and the
quote browser is ~250 lines of plain JavaScript (``assets/report.js``) over the quotes,
embedded as JSON in a ``<script type="application/json">`` block.

Escaping: every string from the store goes into HTML through ``html.escape`` (text and
attribute values alike), into the JSON block with ``<``, ``>`` and ``&`` as ``\\u003c`` etc.
(so no ``</script>`` or ``<!--`` can end the block), and into the DOM only through
``textContent``. A Content-Security-Policy allows the page's own script alone (by its hash), so
even a slip in escaping could run no other script.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote as url_quote

from quotes.errors import QuotesError
from quotes.ingest.read import REPORT_GENERATOR
from quotes.report.data import MAX_QUOTES, ReportData, collect, existing_tables
from quotes.store.writer import Store

REPORT_NAME = "report.html"
# Marks the page as this tool's: a folder walk never reads a report as an article (quotes/ingest/read.py).
GENERATOR_META = REPORT_GENERATOR
GRAPH_NODES = 20  # outlets and sources drawn in the graph, each side (the table lists every pair)
PAIRS_LISTED = 300
DOCS_PER_PAIR = 5
SOURCES_PER_BAR = 8
FAILURES_LISTED = 500
PALETTE = ("#2f6fb2", "#d9822b", "#3a9a5b", "#b8433d", "#7b5ea7", "#8c6d3f", "#c75b9b", "#5f7d8c", "#a3a82e",
           "#2aa3a3")
OTHER_COLOUR = "#b9c0c9"


class ReportError(QuotesError, ValueError):
    """The report could not be made or written: a message for a person."""


def e(value: object) -> str:
    """Text or attribute value, escaped for HTML."""
    return html.escape("" if value is None else str(value), quote=True)


def _asset(name: str) -> str:
    return files("quotes.report").joinpath("assets", name).read_text(encoding="utf-8")


def json_block(data: object) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' survives as such."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def doc_link(doc_id: str) -> str:
    return f'<a class="doc" href="#doc={e(url_quote(doc_id, safe=""))}" data-doc="{e(doc_id)}">{e(doc_id)}</a>'


def _empty(what: str) -> str:
    return f'<p class="empty">No data: {e(what)}.</p>'


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# --- who cites whom ------------------------------------------------------------------------------


def _top(edges: list[dict], side: str) -> list[str]:
    totals: dict[str, int] = {}
    for edge in edges:
        totals[edge[side]] = totals.get(edge[side], 0) + edge["documents"] + edge["comments"]
    return sorted(totals, key=lambda k: (-totals[k], k))


def _bezier(p0: tuple, p3: tuple, t: float) -> tuple[float, float]:
    mid = (p0[0] + p3[0]) / 2
    p1, p2 = (mid, p0[1]), (mid, p3[1])
    u = 1 - t
    return tuple(u**3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t**3 * d for a, b, c, d in zip(p0, p1, p2, p3, strict=True))


def _by_barycentre(sources: list[str], outlets: list[str], edges: list[dict]) -> list[str]:
    """Sources in the order of the mean position of the outlets citing them (weighted by
    documents): edges cross less than with sources in any fixed order."""
    rank = {o: i for i, o in enumerate(outlets)}
    weight: dict[str, list[float]] = {s: [0.0, 0.0] for s in sources}
    for x in edges:
        w = x["documents"] + x["comments"]
        weight[x["source"]][0] += w * rank[x["outlet"]]
        weight[x["source"]][1] += w
    return sorted(sources, key=lambda s: (weight[s][0] / weight[s][1] if weight[s][1] else len(outlets), s))


def _edge_svg(x: dict, a: tuple[float, float], b: tuple[float, float], top: int, label: bool) -> str:
    """One outlet → source pair: a solid curve for article citations, a dashed one for comments."""
    mid = (a[0] + b[0]) / 2
    d = f"M{a[0]},{a[1]:.1f} C{mid},{a[1]:.1f} {mid},{b[1]:.1f} {b[0]},{b[1]:.1f}"
    words = [_plural(x["documents"], "document")] if x["documents"] else []
    if x["comments"]:
        words.append(f"{_plural(x['comments'], 'document')} in reader comments")
    tip = f"{x['outlet']} → {x['source']}: " + ", ".join(words)
    out = [f'<g class="edge" data-outlet="{e(x["outlet"])}" data-source="{e(x["source"])}" '
           f'data-documents="{x["documents"]}" data-comments="{x["comments"]}" '
           f'data-set-outlet="{e(x["outlet"])}" data-set-source="{e(x["source"])}"><title>{e(tip)}</title>']
    for kind in ("documents", "comments"):
        if x[kind]:
            css = "article" if kind == "documents" else "comments"
            out.append(f'<path class="{css}" d="{d}" stroke-width="{1 + 9 * x[kind] / top:.1f}"/>')
    if label:
        tx, ty = _bezier(a, b, 0.8)
        text = " + ".join(([str(x["documents"])] if x["documents"] else [])
                          + ([f"{x['comments']} in comments"] if x["comments"] else []))
        out.append(f'<text class="count" x="{tx:.1f}" y="{ty - 4:.1f}" text-anchor="middle">{e(text)}</text>')
    return "".join(out) + "</g>"


def _node_svg(name: str, kind: str, x: float, y: float, r: float, total: int, colour: str | None) -> str:
    """An outlet (label left) or a source (label right); a click filters the quotes by it."""
    anchor, tx = ("end", x - r - 6) if kind == "outlet" else ("start", x + r + 6)
    fill = f' style="fill:{colour}"' if colour else ""
    return (f'<g class="node {kind}" data-{kind}="{e(name)}" data-set-{kind}="{e(name)}"><title>{e(name)}: '
            f'{_plural(total, "citing document")}</title><circle cx="{x}" cy="{y:.1f}" r="{r:.1f}"{fill}/>'
            f'<text x="{tx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}">{e(name)}</text></g>')


def graph_svg(edges: list[dict], nodes: int = GRAPH_NODES, colours: dict[str, str] | None = None) -> str:
    """Outlets (left) → cited sources (right), the ``nodes`` with most citing documents each side;
    edge width by documents, node size by all its citing documents. Every node and edge is a
    filter of the quote browser (click)."""
    outlets, sources = _top(edges, "outlet")[:nodes], _top(edges, "source")[:nodes]
    shown = [x for x in edges if x["outlet"] in outlets and x["source"] in sources]
    sources = _by_barycentre(sources, outlets, shown)
    row, pad, width, left, right = 30, 24, 900, 260, 640
    height = pad * 2 + row * max(len(outlets), len(sources))

    def ys(names: list[str]) -> dict[str, float]:
        step = (height - 2 * pad) / len(names)
        return {n: pad + step * (i + 0.5) for i, n in enumerate(names)}

    oy, sy = ys(outlets), ys(sources)
    top = max(max(x["documents"], x["comments"]) for x in shown)
    totals = {n: sum(x["documents"] + x["comments"] for x in edges if n in (x["outlet"], x["source"]))
              for n in outlets + sources}
    biggest = max(totals.values())
    dense = " dense" if len(shown) > 60 else ""  # fainter edges and no counts, so a busy graph still shows its nodes
    parts = [f'<svg class="graph{dense}" id="cites-graph" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="outlets and the sources they cite">']
    parts += [_edge_svg(x, (left, oy[x["outlet"]]), (right, sy[x["source"]]), top, not dense) for x in shown]
    parts += [_node_svg(n, "outlet", left, oy[n], 4 + 7 * math.sqrt(totals[n] / biggest), totals[n], None)
              for n in outlets]
    parts += [_node_svg(n, "source", right, sy[n], 4 + 7 * math.sqrt(totals[n] / biggest), totals[n],
                        (colours or {}).get(n)) for n in sources]
    parts.append("</svg>")
    n_out, n_src = len(_top(edges, "outlet")), len(_top(edges, "source"))
    if n_out > len(outlets) or n_src > len(sources):
        parts.append(f'<p class="note">The graph shows the {len(outlets)} outlets and {len(sources)} sources with the '
                     f'most citing documents, of {n_out} outlets and {n_src} sources; the pairs are listed below.</p>')
    return "".join(parts)


def pairs_table(edges: list[dict]) -> str:
    rows = []
    for x in edges[:PAIRS_LISTED]:
        docs = x["doc_ids"]
        links = " ".join(doc_link(d) for d in docs[:DOCS_PER_PAIR])
        more = f' <span class="note">+{len(docs) - DOCS_PER_PAIR} more</span>' if len(docs) > DOCS_PER_PAIR else ""
        rows.append(f'<tr><td>{e(x["outlet"])}</td><td>{e(x["source"])}</td><td class="num">{x["documents"]}</td>'
                    f'<td class="num">{x["comments"]}</td><td>{links}{more}</td></tr>')
    cut = (f'<p class="note">The first {PAIRS_LISTED} of {len(edges)} pairs; all of them: '
           f'<code>quotes audit --format csv</code>.</p>') if len(edges) > PAIRS_LISTED else ""
    return ('<details><summary>Every outlet → source pair, with its documents</summary>'
            '<table id="pairs"><thead><tr><th>outlet</th><th>cited source</th><th class="num">documents (article)</th>'
            '<th class="num">documents (comments)</th><th>documents</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>" + cut + "</details>")


def shares_table(shares: list[dict], colours: dict[str, str]) -> str:
    rows = []
    for o in shares:
        segs, words = [], []
        for s in o["shares"][:SOURCES_PER_BAR]:
            pct = 100 * s["share"]
            segs.append(f'<span style="width:{pct:.2f}%;background:{colours.get(s["source"], OTHER_COLOUR)}" '
                        f'title="{e(s["source"])}: {_plural(s["documents"], "document")} ({pct:.0f} %)"></span>')
            words.append(f'{e(s["source"])} {pct:.0f} %')
        rest = o["shares"][SOURCES_PER_BAR:]
        if rest:
            pct = 100 * sum(s["share"] for s in rest)
            segs.append(f'<span style="width:{pct:.2f}%;background:{OTHER_COLOUR}" '
                        f'title="{len(rest)} other sources ({pct:.0f} %)"></span>')
            words.append(f"{len(rest)} others {pct:.0f} %")
        comments = ", ".join(f'{e(c["source"])} ({c["documents"]})' for c in o["comments"])
        rows.append(
            f'<tr data-outlet="{e(o["outlet"])}"><td><button type="button" class="link" '
            f'data-set-outlet="{e(o["outlet"])}">{e(o["outlet"])}</button></td>'
            f'<td class="num">{o["citing"]} of {o["documents"]}</td>'
            f'<td><div class="bar">{"".join(segs)}</div><div class="note">{" · ".join(words) or "—"}</div></td>'
            f'<td>{comments or ""}</td></tr>')
    return ('<table id="shares"><thead><tr><th>outlet</th><th class="num">documents citing a source</th>'
            '<th>share of its cited sources (article)</th><th>cited in reader comments only or too</th></tr></thead>'
            "<tbody>" + "".join(rows) + "</tbody></table>")


def cites_section(data: ReportData) -> str:
    body = _empty("no citations in the store")
    if data.edges:
        ranked = _top(data.edges, "source")
        colours = {s: PALETTE[i] for i, s in enumerate(ranked[:len(PALETTE)])}
        body = ('<div class="legend"><span><span class="swatch"></span>cited in the article (width: documents)</span>'
                '<span><span class="swatch comments"></span>cited in reader comments</span>'
                '<span>click a name or an edge to filter the quotes</span></div>'
                + graph_svg(data.edges, colours=colours) + "<h3>Per outlet: shares of cited sources</h3>"
                + shares_table(data.shares, colours) + pairs_table(data.edges))
    return f'<section id="cites"><h2>Who cites whom</h2>{body}</section>'


# --- who is quoted -------------------------------------------------------------------------------


def _speaker_button(name: str) -> str:
    return f'<button type="button" class="speaker" data-set-speaker="{e(name)}">{e(name)}</button>'


def speakers_section(data: ReportData) -> str:
    if not data.speakers:
        return f'<section id="speakers"><h2>Who is quoted</h2>{_empty("no named speakers")}</section>'
    rows = "".join(
        f'<tr><td>{_speaker_button(s["speaker"])}</td><td class="num">{s["quotes"]}</td>'
        f'<td class="num">{s["documents"]}</td><td>{e(", ".join(s["outlets"]))}</td>'
        f'<td>{e(", ".join(s["languages"]))}</td><td>{e("; ".join(s["roles"][:3]))}</td>'
        f'<td>{e(s["first"] or "—")}</td><td>{e(s["last"] or "—")}</td></tr>'
        for s in data.speakers)
    top = ('<table id="top-speakers"><thead><tr><th>speaker</th><th class="num">quotes</th>'
           '<th class="num">documents</th><th>outlets</th><th>languages</th><th>roles</th><th>first</th>'
           '<th>last</th></tr></thead><tbody>' + rows + "</tbody></table>")
    cards = "".join(
        f'<div class="card"><strong>{e(o["outlet"])}</strong> <span class="note">{_plural(o["quotes"], "quote")}'
        '</span><ol>' + "".join(f'<li>{_speaker_button(s["speaker"])} <span class="note">{s["quotes"]}</span></li>'
                                for s in o["speakers"]) + "</ol></div>"
        for o in data.by_outlet)
    return (f'<section id="speakers"><h2>Who is quoted</h2><p class="note">Speakers with a name (not only a '
            'role noun or a pronoun), quoted in article text (not in reader comments). Click a name for their '
            'quotes.</p>'
            f'{top}<h3>By outlet</h3><div class="cards">{cards}</div>'
            f'<h3>Over time (quotes per month of publication)</h3>{heat_table(data.by_month)}</section>')


def heat_table(by_month: dict) -> str:
    if not by_month["months"]:
        undated = sum(by_month["undated"].values())
        return _empty(f"no dated quotes ({_plural(undated, 'undated quote')} of the top speakers)")
    top = max(max(r["counts"]) for r in by_month["rows"]) or 1
    head = "".join(f'<th title="{e(m)}">{e(m[2:])}</th>' for m in by_month["months"])
    rows = []
    for r in by_month["rows"]:
        cells = "".join(
            f'<td style="background:rgba(47,111,178,{0.08 + 0.8 * n / top:.2f})" title="{e(r["speaker"])}, {m}: {n}">'
            f'{n}</td>' if n else "<td></td>" for m, n in zip(by_month["months"], r["counts"], strict=True))
        rows.append(f'<tr><td class="name">{_speaker_button(r["speaker"])}</td>{cells}'
                    f'<td class="num note">{r["undated"] or ""}</td></tr>')
    return (f'<div style="overflow-x:auto"><table class="heat" id="speakers-time"><thead><tr><th></th>{head}'
            '<th>undated</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table></div>")


# --- claims --------------------------------------------------------------------------------------


def timeline_svg(points: list[dict]) -> str:
    """Dots on a time axis for the dated appearances (two or more), first to last."""
    from datetime import date

    dated = [date.fromisoformat(p["date"]) for p in points if p["date"]]
    if len(set(dated)) < 2:
        return ""
    first, last = min(dated), max(dated)
    span, width = (last - first).days or 1, 600
    dots = "".join(f'<circle cx="{20 + (width - 40) * (d - first).days / span:.1f}" cy="14" r="5"/>' for d in dated)
    return (f'<svg class="timeline-axis" viewBox="0 0 {width} 40" width="{width}" height="40">'
            f'<line x1="20" y1="14" x2="{width - 20}" y2="14" stroke="#b9c0c9"/>{dots}'
            f'<text x="20" y="36">{first.isoformat()}</text>'
            f'<text x="{width - 20}" y="36" text-anchor="end">{last.isoformat()}</text></svg>')


def claims_section(data: ReportData) -> str:
    claims = data.claims
    intro = ('<p class="note">Until the store has claims, these are traced quotes: the same statement (the same '
             'words, or nearly the same content words) quoted in more than one document. Ranked by documents, '
             'then outlets, then languages.</p>') if claims["source"] == "traced quotes" else ""
    if not claims["claims"]:
        none = _empty("no statement in two documents")
        return f'<section id="claims"><h2>Claims that travelled</h2>{intro}{none}</section>'
    items = []
    for c in claims["claims"]:
        first = c["first"]
        steps = "".join(
            f'<li>{e(t["date"] or "undated")} · {e(t["outlet"])} · {e(t["language"] or "?")} · {doc_link(t["doc_id"])}'
            f'{" · " + e(t["speaker"]) if t["speaker"] else ""}</li>' for t in c["timeline"])
        items.append(
            f'<li><blockquote>{e(c["text"])}</blockquote>'
            f'<div>{"— " + _speaker_button(c["speaker"]) + " · " if c["speaker"] else ""}'
            f'<strong>{_plural(c["documents"], "document")}</strong>, {_plural(len(c["outlets"]), "outlet")} '
            f'({e(", ".join(c["outlets"]))}), {e(", ".join(c["languages"]))}</div>'
            f'<div>first: {e(first["date"] or "undated")} · {e(first["outlet"])} · {doc_link(first["doc_id"])}</div>'
            f'{timeline_svg(c["timeline"])}<ol class="timeline">{steps}</ol></li>')
    more = (f'<p class="note">{claims["total"] - len(claims["claims"])} more groups not shown.</p>'
            if claims["total"] > len(claims["claims"]) else "")
    return (f'<section id="claims"><h2>Claims that travelled</h2>{intro}<ol class="claims">{"".join(items)}</ol>'
            f'{more}</section>')


# --- the quote browser, failures, the page -------------------------------------------------------

BROWSER = """<section id="browser"><h2>Quotes</h2>
<div class="controls">
<label>search<input id="filter-q" type="search" placeholder="words in the quote, speaker, outlet, title…"></label>
<label>speaker<input id="filter-speaker" list="speaker-names" placeholder="any"></label>
<datalist id="speaker-names"></datalist>
<label>outlet<select id="filter-outlet"><option value="">all</option></select></label>
<label>cited source<select id="filter-source"><option value="">all</option></select></label>
<label>language<select id="filter-language"><option value="">all</option></select></label>
<label>kind<select id="filter-kind"><option value="">all</option></select></label>
<label>where<select id="filter-comments"><option value="">article and comments</option>
<option value="article">article only</option><option value="comments">reader comments only</option></select></label>
<label>from<input id="filter-from" type="date"></label>
<label>to<input id="filter-to" type="date"></label>
<button type="button" id="reset">reset</button>
</div>
<p id="doc-filter" hidden>only document <code id="doc-filter-id"></code>
<button type="button" id="doc-filter-clear">show all</button></p>
<p id="quote-count" class="note"></p>
<div style="overflow-x:auto"><table id="quote-table"><thead><tr>
<th data-sort="date">date</th><th data-sort="outlet">outlet</th><th data-sort="speaker">speaker</th>
<th data-sort="quote">quote, in its sentence</th><th data-sort="kind">kind</th><th data-sort="language">lang.</th>
<th data-sort="source">cited sources</th><th data-sort="comments">in comments</th><th>document</th>
</tr></thead><tbody id="quote-rows"></tbody></table></div>
<div class="pager"><button type="button" id="prev-page">previous</button><span id="page-info"></span>
<button type="button" id="next-page">next</button></div>
{note}</section>
<aside id="details" hidden><button type="button" id="details-close" style="float:right">close</button>
<div id="details-body"></div></aside>"""


def browser_section(data: ReportData) -> str:
    held, total = len(data.browser["quotes"]), data.browser["total_quotes"]
    note = ""
    if held < total:
        note = (f'<p class="note">The page holds the {held:,} most recent of {total:,} quotes; all of them: '
                '<code>quotes export --table quotes</code>.</p>')
    if not total:
        note = _empty("no quotes in the store")
    return BROWSER.replace("{note}", note)


def failures_section(data: ReportData) -> str:
    if not data.failures:
        return '<section id="failures"><h2>Failures</h2><p class="empty">No data: no document failed.</p></section>'
    rows = "".join(
        f'<tr><td>{e(f["doc_id"])}</td><td>{e(f["path"])}</td><td>{e(f["stage"])}</td><td>{e(f["error"])}</td>'
        f'<td>{e(f["when"])}</td></tr>' for f in data.failures[:FAILURES_LISTED])
    cut = (f'<p class="note">The {FAILURES_LISTED} most recent of {len(data.failures)}; all of them: '
           '<code>quotes export --table failures</code>.</p>') if len(data.failures) > FAILURES_LISTED else ""
    return (f'<section id="failures"><h2>Failures</h2><p class="note">{_plural(len(data.failures), "input")} '
            'could not be processed; each is tried again on the next run.</p><table id="failure-table"><thead><tr>'
            '<th>document</th><th>input</th><th>stage</th><th>why</th><th>when</th></tr></thead><tbody>'
            f'{rows}</tbody></table>{cut}</section>')


def header(data: ReportData) -> str:
    o = data.overview
    span = f"{o['first']} – {o['last']}" if o["first"] else "undated"
    stats = "".join(f"<li><b>{v}</b> {e(k)}</li>" for k, v in (
        ("documents", f"{o['documents']:,}"), ("quotes", f"{o['quotes']:,}"), ("citations", f"{o['citations']:,}"),
        ("outlets", o["outlets"]), ("failures", f"{o['failures']:,}")))
    return (f'<header><h1>Quotes report</h1><div class="note">store <code>{e(data.store)}</code> · made '
            f'{e(data.generated)} · languages {e(", ".join(o["languages"]) or "—")} · published {e(span)}</div>'
            f'<ul class="stats">{stats}</ul><nav><a href="#cites">who cites whom</a><a href="#speakers">who is quoted'
            '</a><a href="#claims">claims</a><a href="#browser">quotes</a><a href="#failures">failures</a></nav>'
            '</header>')


def render(data: ReportData) -> str:
    """The whole page as one string."""
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    csp = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'"
    body = "".join((header(data), "<main>", cites_section(data), speakers_section(data), claims_section(data),
                    browser_section(data), failures_section(data), "</main>"))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">{GENERATOR_META}'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>Quotes report — {e(Path(data.store).name)}</title><style>{_asset("report.css")}</style></head>'
            f'<body>{body}<script type="application/json" id="report-data">{json_block(data.browser)}</script>'
            f"<script>{script}</script></body></html>\n")


def default_path(store: Store) -> Path:
    """Where a run puts the report: beside the tables of a local store, else in the working folder."""
    return Path(store.uri) / REPORT_NAME if store.local else Path(REPORT_NAME)


def write_report(store: str | os.PathLike | None, out: str | os.PathLike, max_quotes: int = MAX_QUOTES) -> Path:
    """Make the report of ``store`` and write it to ``out``; ReportError (one line) when the store is
    missing or ``out`` cannot be written."""
    from quotes.files import FileRefused, check_target, store_folder_of, write_file

    out = Path(out)
    tables = existing_tables(store)
    # the one file of the tool's own a store's folder may hold: the report the run writes beside the tables
    own = out.name == REPORT_NAME and store_folder_of(out.parent) == Path(os.path.realpath(out.parent))
    try:
        check_target(out, may_sit_in_store=own)  # before the page is made: a wrong --out is one line at once
    except FileRefused as exc:
        raise ReportError(f"cannot write the report to {out}: {str(exc).removeprefix(f'cannot write {out}: ')}") from None
    page = render(collect(tables, max_quotes))
    # quotes.files writes through a temporary file and renames it: a reader (a browser, the Prefect UI)
    # never sees half a page, and a link planted at the target or beside it is never followed
    write_file(out, page, what=f"the report {out}", may_sit_in_store=own)
    return out
