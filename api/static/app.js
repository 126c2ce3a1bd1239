// Arrangeur: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // The employer's overview: a print button (hidden without JavaScript; Ctrl+P works anyway).
  var printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }
  // Regio: follow a harmonisation job and show its progress (the page refreshes itself
  // without JavaScript via <meta http-equiv="refresh">).
  var box = document.getElementById("job");
  if (box && box.dataset.statusUrl) {
    var bar = document.getElementById("job-progress");
    var text = document.getElementById("job-text");
    var refresh = document.querySelector("meta[http-equiv=refresh]");
    if (refresh) refresh.parentNode.removeChild(refresh);
    var poll = function () {
      fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.total) { bar.max = s.total; bar.value = s.done || 0; }
          text.textContent = box.dataset["state" + s.state.charAt(0).toUpperCase() + s.state.slice(1)] +
            (s.total ? " (" + (s.done || 0) + " van " + s.total + " profielen)" : "");
          if (s.state === "done") { window.location.href = box.dataset.reportUrl; }
          else if (s.state === "failed" || s.state === "cancelled") {
            text.textContent += s.error ? ": " + s.error : "";
          } else { setTimeout(poll, 700); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    poll();
  }
})();
