// The API reference page: Swagger UI (swagger-ui-dist, served locally) over our OpenAPI document.
(function () {
  'use strict';
  var el = document.getElementById('swagger-ui');
  if (!el || typeof window.SwaggerUIBundle === 'undefined') return;
  window.SwaggerUIBundle({
    url: el.getAttribute('data-spec'),
    domNode: el,
    // No links to each operation: Swagger UI puts them inside the operation's own button, which
    // screen readers cannot reach (a control nested in a control).
    deepLinking: false,
    // No "Try it out" against the organiser's data from a reference page, and no calls to the
    // swagger.io validator badge.
    supportedSubmitMethods: [],
    validatorUrl: null,
  });
})();
