// Starts GraphiQL from the pinned UMD builds served next to this file (never from a CDN).
// The page passes its settings as data attributes, so no inline script is needed and the
// Content-Security-Policy can forbid every origin but this one.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var data = root.dataset;
  var headers = data.auth === "bearer" ? '{\n  "Authorization": "Bearer <token>"\n}' : undefined;
  var fetcher = GraphiQL.createFetcher({ url: data.endpoint });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: data.defaultQuery,
      query: data.query || undefined,
      variables: data.variables || undefined,
      headers: headers,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: headers ? "headers" : false,
    })
  );
})();
