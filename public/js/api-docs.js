// The API reference page: Swagger UI (swagger-ui-dist, served locally) over our OpenAPI document.
(function () {
  'use strict';
  var el = document.getElementById('swagger-ui');
  if (!el || typeof window.SwaggerUIBundle === 'undefined') return;
  window.SwaggerUIBundle({
    url: el.getAttribute('data-spec'),
    domNode: el,
    deepLinking: true,
    // No "Try it out" against the organiser's data from a reference page, and no calls to the
    // swagger.io validator badge.
    supportedSubmitMethods: [],
    validatorUrl: null,
  });
})();
