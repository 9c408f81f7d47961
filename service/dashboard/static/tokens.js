// Tokens, for an admin: the list (never a secret), a new one (its secret shown once, to copy), and
// revoking one. The same tokens as `planledger token create|list|revoke`.
//
// The new-token form carries an idempotency key made when it opens (and anew after each token it
// made): a double click, or a retry after an answer that was lost, makes one token. A replay has no
// secret to show (the server keeps none): the form says so, and that the token may be revoked.

import { h, replace } from "./dom.js";
import { fieldOf, newKey } from "./forms.js";
import { formatDateTime, t } from "./i18n.js";
import { card, empty, loading } from "./ui.js";

const ROLES = ["reader", "unit", "committee", "secretariat", "admin"];
const LIST = "query Tokens { tokens { id name role unit createdAt revokedAt } }";
const CREATE = `mutation CreateToken($input: CreateTokenInput!) { r: createToken(input: $input) {
  __typename ... on TokenCreated { secret replayed token { id name role unit } } ... on UserError { code message } ... on ValidationError { field } } }`;
const REVOKE = `mutation RevokeToken($id: ID!) { r: revokeToken(id: $id) {
  __typename ... on TokenRevoked { token { id revokedAt } } ... on UserError { code message } } }`;

const view = { el: null, list: null };

export function renderTokens(env) {
  if (!view.el) build(env);
  return view.el;
}

export function resetTokens() {
  view.el = null;
}

function build(env) {
  const prefix = "token-new";
  const fields = [
    fieldOf({ name: "role", label: t("role"), type: "select", value: "unit", options: ROLES.map((r) => ({ value: r, label: t(`role_${r}`) })) }, prefix),
    fieldOf({ name: "unit", label: t("unitName"), hint: t("unitHint") }, prefix),
    fieldOf({ name: "name", label: t("tokenOwner"), hint: t("tokenOwnerHint") }, prefix),
  ];
  const byName = Object.fromEntries(fields.map((f) => [f.spec.name, f]));
  const secret = h("div", { class: "token-secret", "aria-live": "polite", "data-testid": "token-secret" });
  const problem = h("div", { class: "form-problem", role: "alert" });
  const submit = h("button", { type: "submit", class: "button primary", "data-testid": "token-create" }, t("createToken"));
  let busy = false; // a double click makes one token: the second click waits for the first answer
  let key = newKey(); // and a retry of the same token (its answer lost) is the same key: one token
  const form = h(
    "form",
    {
      class: "command-form",
      "aria-labelledby": "token-new-title",
      novalidate: true,
      "data-testid": "form-createToken",
      onsubmit: async (event) => {
        event.preventDefault();
        if (busy) return;
        busy = true;
        for (const f of fields) f.setError("");
        replace(problem, "");
        const input = { role: byName.role.read(), unit: byName.unit.read(), name: byName.name.read(), idempotencyKey: key };
        try {
          const { r } = await env.api.query(CREATE, { input });
          if (r.code === "IDEMPOTENCY_KEY_REUSED") {
            // the earlier submission made a token (its answer lost) and this one asks another: the
            // list shows the one made; submitting again makes this one, under a new key
            key = newKey();
            replace(problem, t("tokenKeyReused"));
            await reload(env);
            return;
          }
          if (r.code) {
            const target = byName[r.field];
            if (target) {
              target.setError(r.message);
              target.input.focus();
            } else replace(problem, r.message);
            return;
          }
          key = newKey(); // made: the next token is another one
          if (r.replayed) {
            replace(secret, h("p", { "data-testid": "token-replayed", tabindex: "-1" }, t("tokenReplayed", { name: r.token.name })));
            secret.querySelector("p").focus();
          } else {
            replace(
              secret,
              h("p", null, t("tokenShownOnce", { name: r.token.name })),
              h("code", { class: "secret", "data-testid": "token-secret-value", tabindex: "0" }, r.secret),
            );
            secret.querySelector("code").focus();
          }
          byName.unit.input.value = "";
          byName.name.input.value = "";
          await reload(env);
        } catch (error) {
          replace(problem, error.message);
        } finally {
          busy = false;
        }
      },
    },
    h("h3", { id: "token-new-title", class: "form-title" }, t("newToken")),
    h("div", { class: "form-grid" }, fields.map((f) => f.el)),
    problem,
    h("div", { class: "form-actions" }, submit),
    secret,
  );
  view.list = h("div", { class: "token-list" }, loading());
  view.el = h("div", { class: "tokens", "data-testid": "tokens" }, card(t("tabTokens"), [form]), card(t("tokenList"), view.list));
  reload(env);
}

async function reload(env) {
  try {
    const { tokens } = await env.api.query(LIST);
    replace(
      view.list,
      tokens.length
        ? h(
            "table",
            { class: "table", "data-testid": "token-table" },
            h("caption", { class: "sr-only" }, t("tokenList")),
            h("thead", null, h("tr", null, [t("tokenOwner"), t("role"), t("unitName"), t("created"), t("state"), ""].map((x) => h("th", { scope: "col" }, x)))),
            h(
              "tbody",
              null,
              tokens.map((tok) =>
                h(
                  "tr",
                  { "data-testid": "token-row", dataset: { id: tok.id, revoked: tok.revokedAt ? "true" : "false" } },
                  h("td", null, tok.name),
                  h("td", null, t(`role_${tok.role}`)),
                  h("td", null, tok.unit || "—"),
                  h("td", null, formatDateTime(tok.createdAt)),
                  h("td", null, tok.revokedAt ? `${t("revoked")} ${formatDateTime(tok.revokedAt)}` : t("active")),
                  h(
                    "td",
                    null,
                    tok.revokedAt
                      ? null
                      : h("button", {
                          type: "button",
                          class: "button small",
                          "data-testid": "token-revoke",
                          "aria-label": `${t("revoke")}: ${tok.name}`,
                          onclick: async (e) => {
                            if (!confirm(t("revokeConfirm", { name: tok.name }))) return;
                            e.currentTarget.disabled = true;
                            const { r } = await env.api.query(REVOKE, { id: tok.id });
                            if (r.code) alert(r.message);
                            await reload(env);
                          },
                        }, t("revoke")),
                  ),
                ),
              ),
            ),
          )
        : empty(t("noTokens")),
    );
  } catch (error) {
    replace(view.list, h("div", { class: "banner error", role: "alert" }, error.message));
  }
}
