// The action-item register: the work the committee's resolutions assigned, judged on the point's
// day (the API's state: OPEN, DONE, OVERDUE), overdue first (the longest overdue at the top), then
// open by due date, then done (the latest first). Filter by state and by owner.

import { h } from "./dom.js";
import { formatDate, formatNumber, label, t } from "./i18n.js";
import { card, empty, field, loading, plainChip, select } from "./ui.js";

const STATES = ["OVERDUE", "OPEN", "DONE"];
const RANK = { OVERDUE: 0, OPEN: 1, DONE: 2 };

/** The register's order; items with no due date come after those with one (never guessed). */
export function registerOrder(a, b) {
  if (RANK[a.state] !== RANK[b.state]) return RANK[a.state] - RANK[b.state];
  if (a.state === "DONE") return (b.doneOn || "").localeCompare(a.doneOn || "");
  if (a.dueOn && b.dueOn && a.dueOn !== b.dueOn) return a.dueOn.localeCompare(b.dueOn);
  if (Boolean(a.dueOn) !== Boolean(b.dueOn)) return a.dueOn ? -1 : 1;
  return a.meetingCode.localeCompare(b.meetingCode) || a.id.localeCompare(b.id);
}

function due(item) {
  if (item.dueOn) return formatDate(item.dueOn);
  if (item.dueMeeting) return item.dueMeeting; // as the resolution words it (a code, or "the next meeting")
  return "—";
}

export function renderActionItems(ctx) {
  const { state, actions } = ctx;
  const all = state.actionItems;
  if (!all) return loading();
  const f = state.actionFilter;
  const owners = [...new Set(all.map((i) => i.owner))].sort((x, y) => x.localeCompare(y, "th"));
  const rows = all.filter((i) => (!f.state || i.state === f.state) && (!f.owner || i.owner === f.owner)).sort(registerOrder);
  const counts = Object.fromEntries(STATES.map((s) => [s, all.filter((i) => i.state === s).length]));
  const filters = h(
    "div",
    { class: "filters" },
    field(
      t("status"),
      select(
        { "data-testid": "action-state", onchange: (e) => actions.setActionFilter({ state: e.target.value }) },
        [{ value: "", label: t("allStatuses") }, ...STATES.map((s) => ({ value: s, label: `${label("actionState", s)} (${counts[s]})` }))],
        f.state,
      ),
    ),
    field(
      t("ownerLabel"),
      select({ "data-testid": "action-owner", onchange: (e) => actions.setActionFilter({ owner: e.target.value }) }, [{ value: "", label: t("allOwners") }, ...owners.map((o) => ({ value: o, label: o }))], f.owner),
    ),
  );
  const tally = h(
    "p",
    { class: "register-tally", "data-testid": "action-tally" },
    STATES.map((s) => h("span", { class: "tally-item" }, plainChip(label("actionState", s), `state-chip state-${s}`), ` ${formatNumber(counts[s])}`)),
  );
  const table = rows.length
    ? h(
        "table",
        { class: "table action-register" },
        h("caption", { class: "sr-only" }, t("actionRegister")),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("status")),
            h("th", { scope: "col" }, t("actionItem")),
            h("th", { scope: "col" }, t("ownerLabel")),
            h("th", { scope: "col" }, t("dueCol")),
            h("th", { scope: "col" }, t("assignedAt")),
            h("th", { scope: "col" }, t("doneCol")),
          ),
        ),
        h(
          "tbody",
          null,
          rows.map((item) =>
            h(
              "tr",
              { "data-testid": "register-item", dataset: { state: item.state, item: item.id, meeting: item.meetingId, dueOn: item.dueOn || "" } },
              h("td", null, plainChip(label("actionState", item.state), `state-chip state-${item.state}`)),
              h("td", { class: "outcome-cell" }, item.description),
              h("td", null, item.owner),
              h("td", { class: "date-cell" }, due(item)),
              h(
                "td",
                null,
                h("button", { type: "button", class: "link", onclick: () => actions.showMeeting(item.meetingId) }, t("atMeeting", { code: item.meetingCode })),
              ),
              h("td", { class: "date-cell" }, item.doneOn ? formatDate(item.doneOn) : "—"),
            ),
          ),
        ),
      )
    : empty(t("noActionItems"));
  return h(
    "div",
    { class: "actions-view", "data-testid": "view-actions" },
    card(`${t("actionRegister")} · ${ctx.pointLabel}`, [filters, tally, h("div", { class: "table-wrap" }, table)], { testid: "action-register" }),
  );
}
