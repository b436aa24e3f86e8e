// detente dashboard. Every string from the API (article text and titles are untrusted HTML) reaches
// the page through textContent or a text node, never innerHTML; charts go through vega-embed with
// Vega's expression interpreter, so the page runs under a CSP without 'unsafe-eval'.
"use strict";

(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);

  // el("td", {class: "x"}, "text", childNode, ...): attributes are set with setAttribute (never
  // event-handler attributes), children are text nodes or elements.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) throw new Error("no inline handlers");
      node.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function showError(msg) {
    const p = $("#error");
    p.textContent = msg || "";
    p.hidden = !msg;
  }

  async function getJSON(path, params) {
    const url = new URL(path, window.location.origin);
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== "" && v !== null && v !== undefined) url.searchParams.set(k, v);
    }
    const resp = await fetch(url, { headers: { accept: "application/json" } });
    const body = await resp.json().catch(() => ({ error: "not JSON" }));
    if (!resp.ok) throw new Error(body.error || resp.statusText);
    return body;
  }

  function formParams(form) {
    const out = {};
    for (const [k, v] of new FormData(form).entries()) {
      const s = String(v).trim();
      if (s) out[k] = s;
    }
    return out;
  }

  function actorLabel(code, name) {
    if (!code && !name) return "—";
    return name && name !== code ? `${code || "?"} (${name})` : code;
  }

  // A sentence with the cue spans (offsets into the sentence) wrapped in <mark>.
  function highlighted(text, spans) {
    const frag = document.createDocumentFragment();
    text = text || "";
    let pos = 0;
    for (const [s, e] of (spans || []).slice().sort((x, y) => x[0] - y[0])) {
      if (s < pos || e > text.length || s >= e) continue;
      if (s > pos) frag.appendChild(document.createTextNode(text.slice(pos, s)));
      frag.appendChild(el("mark", { class: "cue" }, text.slice(s, e)));
      pos = e;
    }
    if (pos < text.length) frag.appendChild(document.createTextNode(text.slice(pos)));
    return frag;
  }

  function eventLine(ev) {
    const day = ev.date || ev.anchor_date || "";
    const mode = ev.mode ? "/" + ev.mode : "";
    const mod = ev.modality && ev.modality !== "asserted" ? ` [${ev.modality}]` : "";
    return `${day} ${ev.actor_code || "?"} → ${ev.recipient_code || "—"} ${ev.event}${mode}${mod}`;
  }

  const embedOptions = () => ({
    actions: false,
    renderer: "svg",  // marks are DOM elements: clickable, inspectable, sharp when zoomed
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
    ast: true,
    expr: vega.expressionInterpreter,
  });

  // -- evidence ---------------------------------------------------------------------------------

  async function renderEvidence(container, eventId) {
    clear(container).appendChild(el("p", { class: "muted" }, "Loading…"));
    const data = await getJSON(`/api/events/${encodeURIComponent(eventId)}`);
    const ev = data.event;
    clear(container);
    container.setAttribute("data-event-id", String(ev.event_id));
    container.appendChild(el("h4", {}, eventLine(ev)));
    const dl = el("dl", { class: "facts" });
    const facts = [
      ["source", actorLabel(ev.actor_code, ev.actor_name)],
      ["target", actorLabel(ev.recipient_code, ev.recipient_name)],
      ["CAMEO", `${ev.cameo || "—"} (Goldstein ${ev.goldstein ?? "—"}, QuadClass ${ev.quad_class ?? "—"})`],
      ["date", `${ev.date || "—"} (${ev.date_source})`],
      ["place", ev.location_text ? `${ev.location_text} (${ev.location_country || "?"})` : "—"],
      ["reports", `${ev.num_mentions} mention(s) in ${ev.num_articles} article(s), ${ev.num_sources} source(s)`],
      ["attribution", ev.attribution || "—"],
      ["confidence", ev.confidence != null ? ev.confidence.toFixed(2) : "—"],
    ];
    for (const [k, v] of facts) { dl.appendChild(el("dt", {}, k)); dl.appendChild(el("dd", {}, v)); }
    container.appendChild(dl);
    const list = el("ol", { class: "mentions" });
    for (const m of data.mentions) {
      const li = el("li", { class: "mention" });
      li.appendChild(el("blockquote", { class: "sentence" }, highlighted(m.text, m.cue_spans)));
      const src = el("p", { class: "muted" });
      src.appendChild(document.createTextNode([m.published || m.seen, m.outlet].filter(Boolean).join(" · ") + " · "));
      src.appendChild(el("a", { href: `#article/${m.article_id}` }, m.title || m.doc_id || m.article_id));
      if (m.url && /^https?:\/\//i.test(m.url)) {
        src.appendChild(document.createTextNode(" · "));
        src.appendChild(el("a", { href: m.url, rel: "noopener noreferrer nofollow", target: "_blank" }, "source"));
      }
      li.appendChild(src);
      list.appendChild(li);
    }
    container.appendChild(list);
  }

  // -- dyad view --------------------------------------------------------------------------------

  let dyadView = null;

  async function showDyad() {
    const form = $("#dyad-form");
    const p = formParams(form);
    const a = (p.a || "").toUpperCase(), b = (p.b || "").toUpperCase();
    const [series, evs, gaps] = await Promise.all([
      getJSON("/api/dyad", { a, b, by: p.by, since: p.since, until: p.until }),
      getJSON("/api/events", { dyad: `${a},${b}`, since: p.since, until: p.until, limit: 500 }),
      getJSON("/api/gaps", { a, b, since: p.since, until: p.until }),
    ]);
    const gapList = clear($("#dyad-gaps"));
    const contacts = gaps.contacts.slice(-3).reverse();
    for (const c of contacts) gapList.appendChild(el("li", {}, `${c.date}: ${c.description}`));
    for (const s of gaps.longest.slice(0, 2)) gapList.appendChild(el("li", { class: "muted" }, `silence ${s.text}`));
    if (!contacts.length) gapList.appendChild(el("li", { class: "muted" }, `no ${gaps.what} contact on record`));
    $("#dyad-summary").textContent = series.summary;
    const points = evs.events.map((e) => ({
      event_id: e.event_id, day: e.date || e.anchor_date, event: e.event,
      y: e.goldstein == null ? 0 : e.goldstein / 10,
      what: eventLine(e), text: (e.text || "").slice(0, 140),
    }));
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      width: "container", height: 280,
      layer: [
        { data: { values: series.rows }, mark: { type: "area", opacity: 0.2, color: "#888" },
          encoding: { x: { field: "period", type: "temporal", title: null },
                      y: { field: "low", type: "quantitative", scale: { domain: [-1, 1] }, title: "temperature" },
                      y2: { field: "high" } } },
        { data: { values: series.rows }, mark: { type: "line", color: "#1f5f8b" },
          encoding: { x: { field: "period", type: "temporal" }, y: { field: "temperature", type: "quantitative" } } },
        { data: { values: series.rows }, mark: { type: "line", strokeDash: [4, 3], color: "#b35900" },
          encoding: { x: { field: "period", type: "temporal" }, y: { field: "smoothed", type: "quantitative" } } },
        { data: { values: points }, mark: { type: "point", filled: true, size: 90, cursor: "pointer" },
          encoding: { x: { field: "day", type: "temporal" }, y: { field: "y", type: "quantitative" },
                      color: { field: "event", type: "nominal", title: "event" },
                      tooltip: [{ field: "what", title: "event" }, { field: "text", title: "sentence" }] } },
      ],
    };
    const chart = $("#dyad-chart");
    if (dyadView) dyadView.finalize();
    const result = await vegaEmbed(chart, spec, embedOptions());
    dyadView = result.view;
    dyadView.addEventListener("click", (_evt, item) => {
      if (item && item.datum && item.datum.event_id) pickEvent(item.datum.event_id);
    });
    chart.setAttribute("data-rendered", "1");
    const list = clear($("#dyad-events"));
    for (const e of evs.events) {
      const btn = el("button", { type: "button", class: "link", "data-event-id": e.event_id }, eventLine(e));
      btn.addEventListener("click", () => pickEvent(e.event_id));
      list.appendChild(el("li", {}, btn, el("span", { class: "muted small" }, " " + (e.text || "").slice(0, 160))));
    }
    if (!evs.events.length) list.appendChild(el("li", { class: "muted" }, "no events"));
  }

  async function pickEvent(id) {
    try {
      await renderEvidence($("#evidence"), id);
    } catch (err) { showError(err.message); }
  }

  // -- events table -----------------------------------------------------------------------------

  let eventsCursor = null;

  async function loadEvents(append) {
    const p = formParams($("#events-form"));
    p.limit = 50;
    if (append && eventsCursor) p.cursor = eventsCursor;
    const data = await getJSON("/api/events", p);
    const body = $("#events-table tbody");
    if (!append) clear(body);
    for (const e of data.events) {
      const link = el("a", { href: `#event/${e.event_id}` }, e.event + (e.mode ? "/" + e.mode : ""));
      body.appendChild(el("tr", {},
        el("td", {}, e.date || e.anchor_date || ""), el("td", {}, link),
        el("td", {}, actorLabel(e.actor_code, e.actor_name)), el("td", {}, actorLabel(e.recipient_code, e.recipient_name)),
        el("td", {}, e.modality), el("td", { class: "num" }, e.num_mentions),
        el("td", { class: "sentence" }, e.text || "")));
    }
    eventsCursor = data.next_cursor;
    $("#events-more").hidden = !eventsCursor;
    $("#events-count").textContent = `${body.rows.length} event(s) shown`;
  }

  // -- surprises --------------------------------------------------------------------------------

  async function loadSurprises() {
    const data = await getJSON("/api/surprises", { ...formParams($("#surprises-form")), limit: 50 });
    const list = clear($("#surprises-list"));
    for (const s of data.surprises) {
      list.appendChild(el("li", {},
        el("a", { href: `#event/${s.event_id}` }, `${s.date} ${s.direction} ${s.event}`),
        el("span", { class: "score" }, ` ${s.score.toFixed(1)} bits`),
        el("p", { class: "muted" }, s.why),
        el("blockquote", { class: "sentence" }, s.text || "")));
    }
    if (!data.surprises.length) list.appendChild(el("li", { class: "muted" }, "no events in the period"));
  }

  // -- actors -----------------------------------------------------------------------------------

  function officesTable(terms, withName) {
    const t = el("table", { class: "offices" });
    t.appendChild(el("tr", {}, ...(withName ? [el("th", {}, "name")] : []), el("th", {}, "office"),
      el("th", {}, "state / org"), el("th", {}, "from"), el("th", {}, "until")));
    for (const o of terms) {
      t.appendChild(el("tr", {}, ...(withName ? [el("td", {}, o.name)] : []), el("td", {}, o.office),
        el("td", {}, o.country || o.org || ""), el("td", {}, o.start || "?"), el("td", {}, o.end || "in office")));
    }
    return t;
  }

  function renderActor(a) {
    const box = clear($("#actor-detail"));
    box.appendChild(el("h3", {}, a.name || a.key || "?"));
    box.appendChild(el("p", { class: "muted" },
      [a.kind, a.country || a.org, a.wikidata ? `Wikidata ${a.wikidata}` : null, a.office].filter(Boolean).join(" · ")));
    if (a.offices && a.offices.length) { box.appendChild(el("h4", {}, "Offices")); box.appendChild(officesTable(a.offices)); }
    if (a.office_holders && a.office_holders.length) {
      box.appendChild(el("h4", {}, "Office holders today"));
      box.appendChild(officesTable(a.office_holders, true));
    }
    if (a.store && a.store.length) {
      box.appendChild(el("h4", {}, "In the store"));
      const ul = el("ul");
      for (const s of a.store) ul.appendChild(el("li", {}, `${s.code} ${s.name || ""}: ${s.n_mentions} mention(s), ${s.first_seen} – ${s.last_seen}`));
      box.appendChild(ul);
    }
    if (a.events && a.events.length) {
      box.appendChild(el("h4", {}, "Latest events"));
      const ol = el("ol", { class: "event-list" });
      for (const e of a.events) ol.appendChild(el("li", {}, el("a", { href: `#event/${e.event_id}` }, eventLine(e))));
      box.appendChild(ol);
    }
  }

  async function searchActors() {
    const data = await getJSON("/api/actors", formParams($("#actor-form")));
    const list = clear($("#actor-results"));
    for (const a of data.actors) {
      const btn = el("button", { type: "button", class: "link" }, `${a.name || a.code} `);
      btn.addEventListener("click", async () => {
        try {
          renderActor(a.key ? await getJSON(`/api/actors/${encodeURIComponent(a.key)}`) : a);
        } catch (err) { showError(err.message); }
      });
      list.appendChild(el("li", {}, btn, el("span", { class: "muted small" },
        [a.kind, a.country || a.org, a.office, a.n_mentions ? `${a.n_mentions} mentions` : null].filter(Boolean).join(" · "))));
    }
    if (!data.actors.length) list.appendChild(el("li", { class: "muted" }, "nothing found"));
  }

  // -- map --------------------------------------------------------------------------------------

  let mapView = null;

  async function loadMap() {
    const data = await getJSON("/api/map", formParams($("#map-form")));
    const values = data.countries.filter((c) => c.numeric);
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      width: "container", height: 420,
      projection: { type: "equalEarth" },
      layer: [
        { data: { url: "/static/vendor/countries-110m.json", format: { type: "topojson", feature: "countries" } },
          mark: { type: "geoshape", fill: "#eee", stroke: "#bbb", strokeWidth: 0.5 } },
        { data: { url: "/static/vendor/countries-110m.json", format: { type: "topojson", feature: "countries" } },
          transform: [{ lookup: "id", from: { data: { values }, key: "numeric", fields: ["events", "name", "iso3"] } },
                      { filter: "datum.events > 0" }],
          mark: { type: "geoshape", stroke: "#666", strokeWidth: 0.5 },
          encoding: { color: { field: "events", type: "quantitative", scale: { scheme: "oranges" }, title: "events" },
                      tooltip: [{ field: "name", title: "country" }, { field: "events", type: "quantitative" }] } },
      ],
    };
    if (mapView) mapView.finalize();
    const result = await vegaEmbed($("#map-chart"), spec, embedOptions());
    mapView = result.view;
    $("#map-chart").setAttribute("data-rendered", "1");
    const list = clear($("#map-list"));
    for (const c of data.countries) list.appendChild(el("li", {}, `${c.name || c.iso3} (${c.iso3}): ${c.events}`));
  }

  // -- event and article pages --------------------------------------------------------------------

  async function showArticle(id) {
    const data = await getJSON(`/api/articles/${encodeURIComponent(id)}`);
    const a = data.article;
    $("#article-title").textContent = a.title || a.doc_id;
    $("#article-meta").textContent = [a.published, a.outlet, a.author, a.url].filter(Boolean).join(" · ");
    const box = clear($("#article-text"));
    for (const para of String(a.text || "").split(/\n\s*\n/)) box.appendChild(el("p", {}, para));
    const list = clear($("#article-events"));
    for (const m of data.mentions) {
      list.appendChild(el("li", {}, el("a", { href: `#event/${m.event_id}` }, eventLine(m)),
        el("blockquote", { class: "sentence" }, highlighted(m.text, m.cue_spans))));
    }
  }

  // -- routing ----------------------------------------------------------------------------------

  const loaded = {};

  async function route() {
    showError("");
    const hash = window.location.hash.replace(/^#/, "") || "dyad";
    const [view, arg] = hash.split("/", 2);
    for (const s of document.querySelectorAll("section.view")) s.hidden = true;
    for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.view === view);
    const section = document.getElementById(`view-${view}`);
    if (!section) { $("#view-dyad").hidden = false; return; }
    section.hidden = false;
    try {
      if (view === "event" && arg) await renderEvidence($("#event-detail"), arg);
      else if (view === "article" && arg) await showArticle(arg);
      else if (view === "dyad" && !loaded.dyad) { loaded.dyad = true; await showDyad(); }
      else if (view === "events" && !loaded.events) { loaded.events = true; await loadEvents(false); }
      else if (view === "surprises" && !loaded.surprises) { loaded.surprises = true; await loadSurprises(); }
      else if (view === "map" && !loaded.map) { loaded.map = true; await loadMap(); }
    } catch (err) { showError(err.message); }
  }

  function onSubmit(id, fn) {
    $(id).addEventListener("submit", async (evt) => {
      evt.preventDefault();
      showError("");
      try { await fn(); } catch (err) { showError(err.message); }
    });
  }

  async function init() {
    onSubmit("#dyad-form", showDyad);
    onSubmit("#events-form", () => loadEvents(false));
    onSubmit("#surprises-form", loadSurprises);
    onSubmit("#actor-form", searchActors);
    onSubmit("#map-form", loadMap);
    $("#events-more").addEventListener("click", () => loadEvents(true).catch((e) => showError(e.message)));
    window.addEventListener("hashchange", route);
    try {
      const meta = await getJSON("/api/meta");
      $("#store-info").textContent = `${meta.counts.events} events from ${meta.counts.articles} articles, ${meta.first || "?"} – ${meta.last || "?"}`;
      const codes = clear($("#actor-codes"));
      for (const a of meta.actors) codes.appendChild(el("option", { value: a.code }));
      for (const sel of [$("#type-select"), $("#map-type")]) {
        for (const t of meta.types) sel.appendChild(el("option", { value: t }, t));
      }
    } catch (err) { showError(err.message); }
    await route();
    document.body.setAttribute("data-ready", "1");
  }

  document.addEventListener("DOMContentLoaded", init);
})();
