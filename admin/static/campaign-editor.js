// The campaign editor's audience count, asked again whenever a country, language or topic box
// changes (GET, no state changed); without JavaScript the count is the one of the last load.
(function () {
  "use strict";
  var audience = document.getElementById("audience");
  var output = document.getElementById("audience-count");
  if (!audience || !output) { return; }
  function refresh() {
    var query = new URLSearchParams();
    audience.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      query.append(box.name, box.value);
    });
    fetch(audience.getAttribute("data-count-url") + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { output.textContent = String(data.count); } });
  }
  audience.addEventListener("change", refresh);
})();
