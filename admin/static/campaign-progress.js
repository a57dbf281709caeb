// The progress page's numbers, refreshed every two seconds from its JSON endpoint while the
// campaign is still sending; without JavaScript the page shows the numbers of its last load.
(function () {
  "use strict";
  var section = document.getElementById("progress");
  if (!section) { return; }
  var bar = document.getElementById("progress-bar");
  var settled = ["sent", "cancelled", "draft"];
  function show(data) {
    section.querySelectorAll("[data-field]").forEach(function (cell) {
      var name = cell.getAttribute("data-field");
      if (name in data && name !== "state_label") {
        cell.textContent = data[name] === null ? "—" : String(data[name]);
      }
    });
    bar.max = data.total || 1;
    bar.value = data.done;
    bar.textContent = data.done + " / " + data.total;
    section.setAttribute("data-state", data.state);
  }
  function poll() {
    fetch(section.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data) { show(data); }
        if (!data || settled.indexOf(data.state) === -1 || data.remaining > 0) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
