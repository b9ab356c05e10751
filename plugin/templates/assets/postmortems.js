// Filtering and sorting for the incidents index. The table works without
// this script (some portals strip it); this only adds to it.
(function () {
  "use strict";

  var LIST_KEYS = { layer: 1, category: 1, system: 1 };

  function matches(values, filters) {
    return Object.keys(filters).every(function (key) {
      var want = filters[key];
      if (!want) return true;
      var have = values[key];
      if (Array.isArray(have)) return have.indexOf(want) !== -1;
      if (LIST_KEYS[key]) return String(have || "").split(" ").indexOf(want) !== -1;
      return String(have) === want;
    });
  }

  function rowValues(tr) {
    return {
      severity: tr.dataset.severity, status: tr.dataset.status, year: tr.dataset.year,
      layer: tr.dataset.layer, category: tr.dataset.category, system: tr.dataset.system,
      origin: tr.dataset.origin
    };
  }

  function cell(tr, text, href) {
    var td = document.createElement("td");
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      td.appendChild(a);
    } else {
      td.textContent = text;
    }
    tr.appendChild(td);
  }

  // A month-only date (2023-04) reads as the server's table writes it (Apr 2023).
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];

  function shownDate(date) {
    return date.length === 7 ? MONTHS[parseInt(date.slice(5), 10) - 1].slice(0, 3) + " " + date.slice(0, 4) : date;
  }

  function addBadge(td, text, kind) {
    var span = document.createElement("span");
    span.className = "pm-badge pm-badge-" + kind;
    span.textContent = text;
    td.appendChild(document.createTextNode(" "));
    td.appendChild(span);
  }

  function rowFromData(r, base) {
    var tr = document.createElement("tr");
    tr.dataset.severity = r.severity; tr.dataset.status = r.status; tr.dataset.year = r.year;
    tr.dataset.layer = r.layers.join(" "); tr.dataset.category = r.categories.join(" ");
    tr.dataset.system = r.systems.join(" "); tr.dataset.date = r.date;
    tr.dataset.origin = r.origin;
    cell(tr, r.id, new URL(r.url, base).href);
    cell(tr, r.title);
    if (r.origin === "external") addBadge(tr.lastChild, "External case study", "external");
    var sev = document.createElement("td");
    var badge = document.createElement("span");
    badge.className = "pm-sev pm-sev-" + r.severity;
    badge.textContent = r.severity;
    sev.appendChild(badge);
    tr.appendChild(sev);
    cell(tr, r.status);
    if (r.ongoing) addBadge(tr.lastChild, "Ongoing", "ongoing");
    cell(tr, shownDate(r.date));
    cell(tr, r.systems.join(", "));
    cell(tr, r.layers.join(", "));
    return tr;
  }

  // Rows drawn at most for one answer: drawing 10,000 table rows takes
  // longer than finding them, and nobody reads past the first screens.
  var SHOWN = 200;

  // incidents/finder.json as the finder searches it (see export.finder_json).
  // Rows stay the lists they arrive as, each with its haystack: what it may
  // be found by, in lower case. A row becomes an object only to be shown or
  // filtered: with an object for every row and a toLowerCase per row, the
  // work once the file had arrived took half as long again (Chromium,
  // bench/finder.py's 10,000 rows).
  function finderRows(data, categoryTitles) {
    var col = {};
    data.columns.forEach(function (name, i) { col[name] = i; });
    var rows = data.rows;
    var categoryText = data.categories.map(function (c) {
      return c + " " + (categoryTitles[c] || "");
    });
    var texts = rows.map(function (a) {
      var text = a[col.id] + "\n" + a[col.title] + "\n" + a[col.summary];
      var i;
      for (i = 0; i < a[col.systems].length; i++) text += "\n" + data.systems[a[col.systems][i]];
      for (i = 0; i < a[col.categories].length; i++) text += "\n" + categoryText[a[col.categories][i]];
      return text;
    });
    // One toLowerCase over the whole library, then a slice per row. A few
    // characters change length in lower case (U+0130); then row by row.
    var all = texts.join("\n");
    var lower = all.toLowerCase();
    var sliced = lower.length === all.length;
    var start = 0;
    var haystacks = texts.map(function (text) {
      var end = start + text.length;
      var hay = sliced ? lower.slice(start, end) : text.toLowerCase();
      start = end + 1;
      return hay;
    });

    function names(list, positions) {
      return positions.map(function (p) { return list[p]; });
    }

    return {
      haystacks: haystacks,
      // Row i as incidents/index.json writes it, as the table and the filters read it.
      record: function (i) {
        var a = rows[i];
        var id = a[col.id];
        var date = a[col.date];
        return {
          id: id, title: a[col.title], severity: data.severities[a[col.severity]],
          status: data.statuses[a[col.status]], date: date, year: date.slice(0, 4),
          url: data.url.replace("{id}", id), systems: names(data.systems, a[col.systems]),
          layers: names(data.layers, a[col.layers]),
          categories: names(data.categories, a[col.categories]),
          origin: a[col.origin], ongoing: a[col.ongoing]
        };
      }
    };
  }

  // After the page's own files, so that the rows file does not delay them:
  // at its load event, or at once where it has loaded (instant navigation).
  function afterLoad(callback) {
    if (document.readyState === "complete") setTimeout(callback, 0);
    else window.addEventListener("load", callback, { once: true });
  }

  function setUp(root) {
    var form = root.querySelector("[data-pm-filter]");
    var table = root.querySelector("[data-pm-table]");
    // Idempotent: Material's instant navigation may run this again on the same page.
    if (!form || !table || root.dataset.pmReady) return;
    root.dataset.pmReady = "1";
    var tbody = table.tBodies[0];
    var original = Array.prototype.slice.call(tbody.rows);
    var pages = parseInt(root.dataset.pmPages || "1", 10);
    var rowsUrl = new URL(root.dataset.pmRows, document.baseURI);
    var siteRoot = new URL("../", rowsUrl);
    var finder = null;
    var loading = null;
    var waiting = false;
    var pager = root.querySelector(".pm-pager");
    var count = form.querySelector("[data-pm-count]");
    var find = form.querySelector("[data-pm-find]");
    var categoryTitles = {};
    Array.prototype.forEach.call(form.querySelectorAll("select[name=category] option"), function (o) {
      if (o.value) categoryTitles[o.value] = o.textContent;
    });
    form.hidden = false;

    function current() {
      var filters = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && el.name !== "q") filters[el.name] = el.value;
      });
      return filters;
    }

    function terms() {
      return find ? find.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
    }

    function show(rows, total) {
      tbody.replaceChildren.apply(tbody, rows);
      count.textContent = total + " matching" +
        (total > rows.length ? ", the first " + rows.length + " shown" : "");
    }

    // A site opened from disk (Material's offline plugin) may not fetch its
    // own files: the rows come as a script there (see compat.offline_finder).
    function fromScript() {
      return new Promise(function (resolve, reject) {
        if (window.pmFinderRows) { resolve(window.pmFinderRows); return; }
        var script = document.createElement("script");
        script.src = new URL("finder.js", rowsUrl).href;
        script.onload = function () {
          if (window.pmFinderRows) resolve(window.pmFinderRows);
          else reject(new Error("no rows"));
        };
        script.onerror = function () { script.remove(); reject(new Error("no rows")); };
        document.head.appendChild(script);
      });
    }

    function load() {
      if (!loading) {
        var rows = location.protocol === "file:" ? fromScript() : fetch(rowsUrl).then(function (resp) {
          if (!resp.ok) throw new Error(resp.status);
          return resp.json();
        });
        loading = rows.then(function (data) {
          finder = finderRows(data, categoryTitles);
          // For the finder benchmark (bench/finder.py) and anyone timing the page.
          if (window.performance && performance.mark) performance.mark("pm-finder-ready");
        });
        loading.catch(function () { loading = null; });
      }
      return loading;
    }

    function render() {
      var filters = current();
      var filtering = Object.keys(filters).some(function (k) { return filters[k]; });
      var words = terms();
      var haystacks = finder.haystacks;
      var hits = [];
      var total = 0;
      for (var i = 0; i < haystacks.length; i++) {
        var found = true;
        for (var w = 0; found && w < words.length; w++) found = haystacks[i].indexOf(words[w]) !== -1;
        if (!found) continue;
        if (filtering) {
          var r = finder.record(i);
          if (!matches({ severity: r.severity, status: r.status, year: r.year, layer: r.layers,
                         category: r.categories, system: r.systems, origin: r.origin }, filters)) continue;
        }
        total++;
        if (hits.length < SHOWN) hits.push(i);
      }
      show(hits.map(function (i) { return rowFromData(finder.record(i), siteRoot); }), total);
    }

    function apply() {
      var filters = current();
      var searching = terms().length > 0;
      var active = searching || Object.keys(filters).some(function (k) { return filters[k]; });
      if (!active) {
        original.forEach(function (tr) { tr.hidden = false; });
        tbody.replaceChildren.apply(tbody, original);
        count.textContent = "";
        if (pager) pager.hidden = false;
        return;
      }
      if (pages <= 1 && !searching) {
        var shown = original.filter(function (tr) { return matches(rowValues(tr), filters); });
        show(shown, shown.length);
        return;
      }
      // Several pages, or text to find (summaries are not in the table):
      // search the whole library from the rows file.
      if (pager) pager.hidden = true;
      if (finder) { render(); return; }
      // Keys typed while the rows are on their way are answered once, when
      // they arrive, for what the form holds then.
      if (waiting) return;
      waiting = true;
      load().then(function () {
        waiting = false;
        apply();
      }, function () {
        waiting = false;
        count.textContent = "could not load the full list; filtering this page only";
        var shown = original.filter(function (tr) { return matches(rowValues(tr), current()); });
        tbody.replaceChildren.apply(tbody, shown);
      });
    }

    if (find) {
      find.addEventListener("input", apply);
      // Fetch the rows before the reader types: once the page has loaded, or
      // when the box gets focus first. A failed fetch is tried again at the
      // next search, which then says the list could not be loaded.
      var prefetch = function () { load().catch(function () {}); };
      find.addEventListener("focus", prefetch);
      afterLoad(prefetch);
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var key = th.dataset.pmSort;
      if (!key) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "pm-sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (a, b) {
          var x = key === "date" ? a.dataset.date : a.cells[index].textContent;
          var y = key === "date" ? b.dataset.date : b.cells[index].textContent;
          var order = x.localeCompare(y, undefined, { numeric: true });
          return ascending ? order : -order;
        });
        tbody.replaceChildren.apply(tbody, rows);
      });
    });
  }

  // mkdocs-material's search overlay is a role="dialog" without a name
  // (axe: aria-dialog-name); screen readers would announce a bare "dialog".
  function nameSearchDialog() {
    var dialog = document.querySelector(".md-search[role='dialog']");
    if (dialog && !dialog.hasAttribute("aria-label") && !dialog.hasAttribute("aria-labelledby")) {
      dialog.setAttribute("aria-label", "Search");
    }
  }

  function init() {
    nameSearchDialog();
    // setUp runs once per element (it marks it): Material's instant navigation
    // announces the first page too.
    Array.prototype.forEach.call(document.querySelectorAll("[data-pm-index]"), setUp);
  }
  // Material's `navigation.instant` swaps pages without loading scripts again
  // and announces each new page on its `document$` observable.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
