// GraphiQL on planledger's own server: everything it loads is served from here, and its requests
// go to /graphql (subscriptions to ws(s)://<this host>/graphql) with the token the person signed in
// with on the dashboard, which keeps it in this tab's sessionStorage (service/dashboard/static/app.js).
// The token goes in the fetcher's own headers, not in the Headers editor: GraphiQL keeps what that
// editor holds in localStorage with its query history, where a token would outlive the tab. Without
// a token, the Headers tab is open for {"Authorization": "Bearer <token>"}.
(function () {
  "use strict";
  const TOKEN_KEY = "planledger.token";
  const token = sessionStorage.getItem(TOKEN_KEY);
  const bearer = token ? `Bearer ${token}` : null;
  const url = new URL("/graphql", window.location.href);
  const subscriptionUrl = url.href.replace(/^http/, "ws");

  const fetcher = GraphiQL.createFetcher({
    url: url.href,
    subscriptionUrl,
    headers: bearer ? { Authorization: bearer } : {},
    wsConnectionParams: bearer ? { authorization: bearer } : {},
  });

  const welcome = [
    "# planledger's GraphQL API.",
    "# Docs: the book at the top left.",
    ...(bearer
      ? ["# Requests carry your dashboard token."]
      : [
          "# Sign in on the dashboard (/) in this tab,",
          '# or give {"Authorization": "Bearer <token>"}',
          "# under Headers below.",
        ]),
    "{",
    "  plans {",
    "    id",
    "    code",
    "    title",
    "    summary { total completed }",
    "  }",
    "}",
    "",
  ].join("\n");

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: welcome,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: bearer ? false : "headers",
    }),
  );
})();
