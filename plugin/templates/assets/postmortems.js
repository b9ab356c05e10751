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

  function setUp(root) {
    var form = root.querySelector("[data-pm-filter]");
    var table = root.querySelector("[data-pm-table]");
    if (!form || !table) return;
    var tbody = table.tBodies[0];
    var original = Array.prototype.slice.call(tbody.rows);
    var pages = parseInt(root.dataset.pmPages || "1", 10);
    var rowsUrl = new URL(root.dataset.pmRows, document.baseURI);
    var siteRoot = new URL("../", rowsUrl);
    var allRows = null;
    var pager = root.querySelector(".pm-pager");
    var count = form.querySelector("[data-pm-count]");
    form.hidden = false;

    function current() {
      var filters = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name) filters[el.name] = el.value;
      });
      return filters;
    }

    function show(rows) {
      tbody.replaceChildren.apply(tbody, rows);
      count.textContent = rows.length + " matching";
    }

    function apply() {
      var filters = current();
      var active = Object.keys(filters).some(function (k) { return filters[k]; });
      if (!active) {
        original.forEach(function (tr) { tr.hidden = false; });
        show(original);
        count.textContent = "";
        if (pager) pager.hidden = false;
        return;
      }
      if (pages <= 1) {
        var shown = original.filter(function (tr) { return matches(rowValues(tr), filters); });
        show(shown);
        return;
      }
      // Several pages: filter the whole library from the rows file.
      if (pager) pager.hidden = true;
      var render = function () {
        show(allRows.filter(function (r) {
          return matches({ severity: r.severity, status: r.status, year: r.year,
                           layer: r.layers, category: r.categories, system: r.systems }, filters);
        }).map(function (r) { return rowFromData(r, siteRoot); }));
      };
      if (allRows) { render(); return; }
      fetch(rowsUrl).then(function (resp) { return resp.json(); }).then(function (data) {
        allRows = data;
        render();
      }).catch(function () {
        count.textContent = "could not load the full list; filtering this page only";
        show(original.filter(function (tr) { return matches(rowValues(tr), filters); }));
      });
    }

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
    Array.prototype.forEach.call(document.querySelectorAll("[data-pm-index]"), function (root) {
      // Once per element: Material's instant navigation announces the first
      // page too, and a page kept in its cache must not get a second toolbar.
      if (root.dataset.pmReady) return;
      root.dataset.pmReady = "1";
      setUp(root);
    });
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
