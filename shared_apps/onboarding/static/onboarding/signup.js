// Live sub-domain check on the sign-up form (served as a file: the CSP allows no inline script).
(function () {
  const input = document.querySelector("[data-check-subdomain]");
  const output = document.getElementById("subdomain-check");
  if (!input || !output) return;
  let timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    const value = input.value.trim().toLowerCase();
    if (!value) { output.textContent = ""; return; }
    timer = setTimeout(async function () {
      try {
        const response = await fetch("/api/v1/signup/check-subdomain/?subdomain=" + encodeURIComponent(value));
        const body = await response.json();
        if (!body.success) { output.textContent = ""; return; }
        output.textContent = body.data.available ? value + " is available" : body.data.reason;
        output.className = "check " + (body.data.available ? "ok" : "taken");
      } catch (error) {
        output.textContent = "";
      }
    }, 250);
  });
})();

// The time zone defaults to the browser's, unless the person chose one (or the form came back).
(function () {
  const select = document.querySelector("[data-browser-time-zone]");
  if (!select || select.dataset.chosen) return;
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (error) { return; }
  if (zone && select.querySelector('option[value="' + zone + '"]') && !document.querySelector(".error")) {
    select.value = zone;
  }
})();
