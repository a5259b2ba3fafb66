// Starts Swagger UI on the page's OpenAPI document (kept out of the HTML for the CSP).
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || !window.SwaggerUIBundle) { return; }
  window.SwaggerUIBundle({ url: node.dataset.openapiUrl, dom_id: "#swagger-ui", deepLinking: true });
})();
