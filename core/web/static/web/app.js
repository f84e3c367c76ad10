// Placemate workspace: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // "Select all" checkboxes: <input type="checkbox" data-select-all="name-of-the-row-boxes">
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-select-all]")) return;
    var name = box.getAttribute("data-select-all");
    document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (row) {
      row.checked = box.checked;
    });
  });
  // Buttons that confirm first: <button data-confirm="Really?">
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });
  // An htmx request that fails shows the error page's message instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var target = document.querySelector("[data-htmx-errors]");
    if (!target) return;
    var doc = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
    var message = doc.querySelector("#error-message") || doc.querySelector("h1");
    target.textContent = message ? message.textContent : "That did not work. Try again.";
    target.hidden = false;
  });
})();
