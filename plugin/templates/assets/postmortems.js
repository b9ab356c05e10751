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
      layer: tr.dataset.layer, category: tr.dataset.category, system: tr.dataset.system
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

  function rowFromData(r, base) {
    var tr = document.createElement("tr");
    tr.dataset.severity = r.severity; tr.dataset.status = r.status; tr.dataset.year = r.year;
    tr.dataset.layer = r.layers.join(" "); tr.dataset.category = r.categories.join(" ");
    tr.dataset.system = r.systems.join(" "); tr.dataset.date = r.date;
    cell(tr, r.id, new URL(r.url, base).href);
    cell(tr, r.title);
    var sev = document.createElement("td");
    var badge = document.createElement("span");
    badge.className = "pm-sev pm-sev-" + r.severity;
    badge.textContent = r.severity;
    sev.appendChild(badge);
    tr.appendChild(sev);
    cell(tr, r.status);
    cell(tr, r.date);
    cell(tr, r.systems.join(", "));
    cell(tr, r.layers.join(", "));
    return tr;
  }

  // Rows drawn at most for one answer: drawing 10,000 table rows takes
  // longer than finding them, and nobody reads past the first screens.
  var SHOWN = 200;

  // The finder's haystack of one incident: what it may be found by, in
  // lower case, built once when the rows file arrives.
  function findText(r, categoryTitles) {
    var titles = r.categories.map(function (c) { return categoryTitles[c] || ""; });
    return [r.id, r.title, r.summary || "", r.systems.join(" "), r.categories.join(" "),
            titles.join(" ")].join("\n").toLowerCase();
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
    var allRows = null;
    var loading = null;
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

    function load() {
      if (!loading) {
        loading = fetch(rowsUrl).then(function (resp) {
          if (!resp.ok) throw new Error(resp.status);
          return resp.json();
        }).then(function (data) {
          data.forEach(function (r) { r.pmText = findText(r, categoryTitles); });
          allRows = data;
        });
        loading.catch(function () { loading = null; });
      }
      return loading;
    }

    function render() {
      var filters = current();
      var words = terms();
      var hits = [];
      var total = 0;
      for (var i = 0; i < allRows.length; i++) {
        var r = allRows[i];
        if (!words.every(function (w) { return r.pmText.indexOf(w) !== -1; })) continue;
        if (!matches({ severity: r.severity, status: r.status, year: r.year,
                       layer: r.layers, category: r.categories, system: r.systems }, filters)) continue;
        total++;
        if (hits.length < SHOWN) hits.push(r);
      }
      show(hits.map(function (r) { return rowFromData(r, siteRoot); }), total);
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
      if (allRows) { render(); return; }
      load().then(render).catch(function () {
        count.textContent = "could not load the full list; filtering this page only";
        var shown = original.filter(function (tr) { return matches(rowValues(tr), filters); });
        tbody.replaceChildren.apply(tbody, shown);
      });
    }

    if (find) {
      find.addEventListener("input", apply);
      // Fetch the rows while the reader is still typing the first word.
      find.addEventListener("focus", function () { load().catch(function () {}); });
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
