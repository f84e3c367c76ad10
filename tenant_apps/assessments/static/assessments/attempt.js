// The time left of an assessment attempt, counted down from the server's figure; at zero the
// attempt's submit form is sent. Without this file the server still ends the attempt at its
// deadline (the page reloads then, see the <noscript> refresh).
(function () {
  "use strict";
  function start() {
    var clock = document.querySelector("[data-seconds-left]");
    if (!clock) return;
    var form = document.getElementById(clock.getAttribute("data-submit-form"));
    var end = Date.now() + Number(clock.getAttribute("data-seconds-left")) * 1000;
    var sent = false;
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      clock.textContent = (minutes >= 60 ? Math.floor(minutes / 60) + ":" + pad(minutes % 60) : minutes) + ":" + pad(left % 60);
      if (left <= 60) clock.classList.add("ending");
      if (left === 0 && !sent && form) {
        sent = true;
        clock.textContent = "Time is up: submitting…";
        // a moment past the deadline, so the server ends the attempt as the deadline's
        window.setTimeout(function () {
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
        }, 1000);
        return;
      }
      window.setTimeout(tick, 250);
    }
    tick();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
