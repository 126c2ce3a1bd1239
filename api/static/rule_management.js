// Regelbeheer: validation as you type. The "Controleer" button does the same without
// JavaScript; this only checks the text a moment after typing stops (no inline script: CSP).
(function () {
  "use strict";
  var areas = document.querySelectorAll("textarea[data-validate-url]");
  Array.prototype.forEach.call(areas, function (area) {
    var status = document.getElementById(area.getAttribute("aria-describedby"));
    var token = area.form && area.form.querySelector("input[name=csrf_token]");
    var timer = null;
    var sent = 0;
    if (!status || !token) return;
    var show = function (result, number) {
      if (number !== sent) return; // an older answer arrived after a newer question
      if (result.valid) {
        status.textContent = "Geen fouten gevonden.";
        return;
      }
      var lines = result.problems.slice(0, 5).map(function (p) {
        return (p.line ? "regel " + p.line : "") + (p.rule ? " [" + p.rule + "]" : "") +
          (p.line || p.rule ? ": " : "") + p.message;
      });
      var more = result.problems.length > 5 ? " (en " + (result.problems.length - 5) + " meer)" : "";
      status.textContent = result.problems.length + " fout(en): " + lines.join("; ") + more;
    };
    var check = function () {
      sent += 1;
      var number = sent;
      fetch(area.dataset.validateUrl, {
        method: "POST",
        headers: { "Content-Type": "application/yaml", "X-CSRF-Token": token.value },
        body: area.value,
        credentials: "same-origin"
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (result) { if (result) show(result, number); })
        .catch(function () { /* the Controleer button still works */ });
    };
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 800);
    });
  });
})();
