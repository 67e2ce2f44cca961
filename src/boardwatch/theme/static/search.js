/* Boardwatch search page: starts Pagefind's UI. The only script of the theme; pages work without it. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || typeof window.PagefindUI !== "function") {
    return;
  }
  // Pagefind stores result URLs from the site root ("/articles/x.html"); the site may be
  // served from a sub-path, so prefix results with the path of the site root.
  var root = new URL(box.getAttribute("data-site-root"), window.location.href);
  var base = root.pathname.replace(/[^/]*$/, "");
  var bundle = new URL(box.getAttribute("data-bundle"), window.location.href).pathname;
  var excerptLength = 12; // Pagefind UI's own with sub-results; set for every shard alike

  function start(shards) {
    // A large site's index is split in shards (see shards.json): the first one lives in the
    // bundle folder itself, the others in folders below it, searched as one index.
    var merged = shards.filter(function (path) {
      return typeof path === "string" && /^[0-9]+\/$/.test(path);
    }).map(function (path) {
      return {bundlePath: bundle + path, baseUrl: base, excerptLength: excerptLength};
    });
    var ui = new window.PagefindUI({
      element: "#search",
      baseUrl: base,
      bundlePath: bundle,
      mergeIndex: merged,
      excerptLength: excerptLength,
      showSubResults: true,
      showImages: false,
      resetStyles: false,
      autofocus: true
    });
    // Pagefind's input has a title but no label: name it for assistive technology.
    var input = box.querySelector("input[type=text], input:not([type])");
    if (input) {
      input.setAttribute("aria-label", "Search the site");
    }
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      ui.triggerSearch(query);
    }
  }

  // Opened from disk, a page cannot fetch files (nor can Pagefind): start as one index.
  var list = box.getAttribute("data-shards");
  if (!list || window.location.protocol === "file:") {
    start([]);
    return;
  }
  window.fetch(new URL(list, window.location.href).href, {cache: "no-cache"}).then(function (response) {
    return response.ok ? response.json() : {shards: []};
  }).then(function (manifest) {
    start((manifest.shards || []).map(function (shard) { return shard && shard.path; }));
  }, function () {
    start([]);
  });
}());
