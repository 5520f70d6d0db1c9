// The quote browser and the document details of the quotes report.
// Data comes from the JSON block #report-data; every piece of it reaches the page through
// textContent or an attribute value, never through innerHTML, so document text stays text.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const PAGE = 50; // rows drawn at a time: the table stays fast whatever the number of quotes
  const col = (names) => Object.fromEntries(names.map((n, i) => [n, i]));
  const D = col(data.doc_fields), Q = col(data.quote_fields);
  const docs = data.docs;
  const docIndex = new Map(docs.map((d, i) => [d[D.doc_id], i]));
  const $ = (id) => document.getElementById(id);

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "className" || key === "title" || key === "type" || key === "href" || key === "value") node[key] = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined || child === "") continue;
      node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function docLink(docId) {
    return el("a", { href: "#doc=" + encodeURIComponent(docId), className: "doc", dataset: { doc: docId } }, docId);
  }

  // one record per quote, with what filtering and sorting need computed once
  const rows = data.quotes.map((q) => {
    const d = docs[q[Q.doc]];
    const cites = d[D.citations];
    const sources = [...new Set(cites.filter((c) => !c[3]).map((c) => c[0]))].sort();
    const commentSources = [...new Set(cites.filter((c) => c[3]).map((c) => c[0]))].sort();
    // what the search box looks in: the quote and who, where and whom it cites (not the context or the title,
    // which would match every quote of a document)
    const hay = [q[Q.text], q[Q.speaker], q[Q.role], q[Q.cue], d[D.outlet], d[D.doc_id], sources.join(" "),
      commentSources.join(" ")].join("\u0001").toLowerCase();
    return { q, d, sources, commentSources, hay, speaker: q[Q.speaker].toLowerCase() };
  });

  const state = { q: "", speaker: "", outlet: "", source: "", language: "", kind: "", comments: "", from: "", to: "",
    doc: "", sort: "date", desc: true, page: 0 };
  const sortKeys = {
    date: (r) => r.d[D.date], outlet: (r) => r.d[D.outlet], speaker: (r) => r.q[Q.speaker], quote: (r) => r.q[Q.text],
    kind: (r) => r.q[Q.kind], language: (r) => r.d[D.language], source: (r) => r.sources.join(", "),
    comments: (r) => String(r.q[Q.in_comments]),
  };

  function matches(r) {
    if (state.q && !r.hay.includes(state.q)) return false;
    if (state.speaker && !r.speaker.includes(state.speaker)) return false;
    if (state.outlet && r.d[D.outlet] !== state.outlet) return false;
    if (state.source && !r.sources.includes(state.source) && !r.commentSources.includes(state.source)) return false;
    if (state.language && r.d[D.language] !== state.language) return false;
    if (state.kind && r.q[Q.kind] !== state.kind) return false;
    if (state.comments === "article" && r.q[Q.in_comments]) return false;
    if (state.comments === "comments" && !r.q[Q.in_comments]) return false;
    if ((state.from || state.to) && !r.d[D.date]) return false;
    if (state.from && r.d[D.date] < state.from) return false;
    if (state.to && r.d[D.date] > state.to) return false;
    if (state.doc && r.d[D.doc_id] !== state.doc) return false;
    return true;
  }

  function sorted(list) {
    const key = sortKeys[state.sort];
    const sign = state.desc ? -1 : 1;
    // empty values (undated quotes, unnamed speakers) go last either way
    return list.slice().sort((a, b) => {
      const x = key(a), y = key(b);
      if (!x !== !y) return x ? -1 : 1;
      return x < y ? -sign : x > y ? sign : 0;
    });
  }

  function quoteCell(r) {
    const q = r.q;
    const cell = el("td", { className: "quote" },
      q[Q.before] ? el("span", { className: "ctx" }, q[Q.before]) : null,
      el("mark", {}, q[Q.text]),
      q[Q.after] ? el("span", { className: "ctx" }, q[Q.after]) : null);
    if (!r.d[D.context]) cell.append(el("div", { className: "note" }, "(no context: the input file is not where it was read from)"));
    if (q[Q.cue]) cell.append(el("div", { className: "cue" }, "cue: ", q[Q.cue]));
    return cell;
  }

  function row(r) {
    const q = r.q, d = r.d;
    const speaker = q[Q.speaker] ? el("button", { type: "button", className: "speaker", dataset: { setSpeaker: q[Q.speaker] } }, q[Q.speaker]) : "—";
    return el("tr", { className: q[Q.in_comments] ? "in-comments" : "" },
      el("td", { className: "date" }, d[D.date] || "undated"),
      el("td", {}, d[D.outlet]),
      el("td", {}, speaker, q[Q.role] ? el("div", { className: "role" }, q[Q.role]) : null),
      quoteCell(r),
      el("td", {}, q[Q.kind]),
      el("td", {}, d[D.language]),
      el("td", {}, r.sources.join(", "), r.commentSources.length ? el("div", { className: "note" }, "comments: " + r.commentSources.join(", ")) : null),
      el("td", {}, q[Q.in_comments] ? "yes" : ""),
      el("td", {}, docLink(d[D.doc_id])));
  }

  let current = [];
  function refresh() {
    current = sorted(rows.filter(matches));
    state.page = 0;
    draw();
  }

  function draw() {
    const pages = Math.max(1, Math.ceil(current.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * PAGE;
    $("quote-rows").replaceChildren(...current.slice(start, start + PAGE).map(row));
    const shown = current.length ? `${start + 1}–${Math.min(start + PAGE, current.length)} of ` : "";
    $("quote-count").textContent = `${shown}${current.length} matching quotes (${rows.length} in the page)`;
    $("page-info").textContent = `page ${state.page + 1} of ${pages}`;
    $("prev-page").disabled = state.page === 0;
    $("next-page").disabled = state.page >= pages - 1;
    for (const th of document.querySelectorAll("#quote-table th[data-sort]")) {
      th.setAttribute("aria-sort", th.dataset.sort === state.sort ? (state.desc ? "descending" : "ascending") : "none");
    }
    $("doc-filter").hidden = !state.doc;
    $("doc-filter-id").textContent = state.doc;
  }

  function fillSelect(id, values) {
    const select = $(id);
    for (const v of [...new Set(values)].filter(Boolean).sort()) select.append(el("option", { value: v }, v));
  }

  function setFilter(name, value) {
    state[name] = value;
    const input = $("filter-" + name);
    if (input) input.value = value;
    if (name === "speaker") state.speaker = value.toLowerCase();
    refresh();
  }

  function show(section) {
    $(section).scrollIntoView({ block: "start" });
  }

  function showDoc(docId) {
    const i = docIndex.get(docId);
    const panel = $("details");
    const body = $("details-body");
    if (i === undefined) {
      body.replaceChildren(el("p", {}, "No details for ", docId, " in this page."));
      panel.hidden = false;
      return;
    }
    const d = docs[i];
    const facts = el("dl", {});
    for (const [label, value] of [["document", d[D.doc_id]], ["outlet", d[D.outlet]], ["outlet evidence", d[D.outlet_evidence]],
      ["language", d[D.language]], ["published", d[D.date] || "undated"], ["input file", d[D.path]], ["quotes", d[D.n_quotes]]]) {
      facts.append(el("dt", {}, label), el("dd", {}, value === "" ? "—" : value));
    }
    const cites = el("ul", {});
    for (const c of d[D.citations]) {
      cites.append(el("li", {}, el("strong", {}, c[0]), ` (${c[1]}${c[3] ? ", in comments" : ""}): `, el("q", {}, c[2])));
    }
    body.replaceChildren(
      el("h3", {}, d[D.title] || d[D.doc_id]),
      facts,
      el("h4", {}, "cited sources"),
      d[D.citations].length ? cites : el("p", { className: "note" }, "none"),
      el("button", { type: "button", dataset: { onlyDoc: d[D.doc_id] } }, "show its quotes in the browser"));
    panel.hidden = false;
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-doc],[data-set-speaker],[data-set-outlet],[data-set-source],[data-only-doc],[data-sort]");
    if (!target) return;
    const ds = target.dataset;
    if (ds.doc !== undefined) {
      event.preventDefault();
      showDoc(ds.doc);
      history.replaceState(null, "", "#doc=" + encodeURIComponent(ds.doc));
    } else if (ds.sort !== undefined) {
      state.desc = state.sort === ds.sort ? !state.desc : ds.sort === "date";
      state.sort = ds.sort;
      current = sorted(current);
      draw();
    } else if (ds.onlyDoc !== undefined) {
      setFilter("doc", ds.onlyDoc);
      show("browser");
    } else {
      if (ds.setSpeaker !== undefined) setFilter("speaker", ds.setSpeaker);
      if (ds.setOutlet !== undefined) setFilter("outlet", ds.setOutlet);
      if (ds.setSource !== undefined) setFilter("source", ds.setSource);
      show("browser");
    }
  });

  $("filter-q").addEventListener("input", (e) => { state.q = e.target.value.trim().toLowerCase(); refresh(); });
  $("filter-speaker").addEventListener("input", (e) => { state.speaker = e.target.value.trim().toLowerCase(); refresh(); });
  for (const name of ["outlet", "source", "language", "kind", "comments", "from", "to"]) {
    $("filter-" + name).addEventListener("change", (e) => { state[name] = e.target.value; refresh(); });
  }
  $("reset").addEventListener("click", () => {
    for (const name of ["q", "speaker", "outlet", "source", "language", "kind", "comments", "from", "to"]) $("filter-" + name).value = "";
    Object.assign(state, { q: "", speaker: "", outlet: "", source: "", language: "", kind: "", comments: "", from: "", to: "", doc: "" });
    refresh();
  });
  $("doc-filter-clear").addEventListener("click", () => setFilter("doc", ""));
  $("prev-page").addEventListener("click", () => { state.page -= 1; draw(); });
  $("next-page").addEventListener("click", () => { state.page += 1; draw(); });
  $("details-close").addEventListener("click", () => { $("details").hidden = true; });

  fillSelect("filter-outlet", docs.map((d) => d[D.outlet]));
  fillSelect("filter-source", docs.flatMap((d) => d[D.citations].map((c) => c[0])));
  fillSelect("filter-language", docs.map((d) => d[D.language]));
  fillSelect("filter-kind", data.quotes.map((q) => q[Q.kind]));
  const names = $("speaker-names");
  const counts = new Map();
  for (const r of rows) if (r.q[Q.speaker]) counts.set(r.q[Q.speaker], (counts.get(r.q[Q.speaker]) || 0) + 1);
  for (const [name] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 500)) names.append(el("option", { value: name }));

  function fromHash() {
    const m = location.hash.match(/^#doc=(.+)$/);
    if (m) showDoc(decodeURIComponent(m[1]));
  }
  window.addEventListener("hashchange", fromHash);
  refresh();
  fromHash();
  document.body.dataset.ready = "true";
})();
