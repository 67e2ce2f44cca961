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
  var ui = new window.PagefindUI({
    element: "#search",
    baseUrl: base,
    bundlePath: bundle,
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
}());
