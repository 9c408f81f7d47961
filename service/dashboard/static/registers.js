// The milestone timeline and the risk register.

import { mapped, timeline, timelineLegend } from "./charts.js";
import { h } from "./dom.js";
import { formatDate, label, t } from "./i18n.js";
import { card, empty, field, levelChip, LEVELS, plainChip, select } from "./ui.js";

export function renderTimeline(ctx) {
  const plan = ctx.state.data.plan;
  const groups = plan.activities
    .filter((a) => a.milestones.length)
    .map((a) => ({
      id: a.id,
      title: a.title,
      strategyNumber: a.strategyNumber,
      milestones: [...a.milestones].sort((x, y) => x.originalDueOn.localeCompare(y.originalDueOn)),
    }));
  const pointDate = plan.asOf.date;
  const body = groups.length ? [timelineLegend(), timeline(groups, pointDate)] : empty(t("noMilestones"));
  return h("div", { class: "timeline-view" }, card(`${t("milestones")} · ${ctx.pointLabel}`, body, { testid: "timeline" }));
}

export function renderRisks(ctx) {
  const { state, actions } = ctx;
  const { risks, plan } = state.data;
  const titles = new Map(plan.activities.map((a) => [a.id, a.title]));
  const f = state.riskFilter;
  // highest score first; risks not yet assessed (no score) after them, never ranked as 0
  let rows = [...risks].sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.title.localeCompare(b.title));
  if (f.level === "UNASSESSED") rows = rows.filter((r) => r.level == null);
  else if (f.level) rows = rows.filter((r) => r.level === f.level);
  if (f.status) rows = rows.filter((r) => r.status === f.status);
  if (state.cell) {
    const [likelihood, impact] = state.cell.split(":").map(Number);
    rows = mapped(rows).filter((r) => r.likelihood === likelihood && r.impact === impact);
  }
  const filters = h(
    "div",
    { class: "filters" },
    field(
      t("level"),
      select(
        { "data-testid": "risk-level", onchange: (e) => actions.setRiskFilter({ level: e.target.value }) },
        [{ value: "", label: "—" }, ...LEVELS.map((l) => ({ value: l, label: label("level", l) })), { value: "UNASSESSED", label: t("toAssess") }],
        f.level,
      ),
    ),
    field(
      t("status"),
      select(
        { "data-testid": "risk-status", onchange: (e) => actions.setRiskFilter({ status: e.target.value }) },
        [{ value: "", label: "—" }, ...["OPEN", "MITIGATING", "CLOSED"].map((s) => ({ value: s, label: label("riskStatus", s) }))],
        f.status,
      ),
    ),
    state.cell
      ? h(
          "div",
          { class: "cell-filter" },
          plainChip(`${t("likelihood")} ${state.cell.split(":")[0]} × ${t("impact")} ${state.cell.split(":")[1]}`),
          h("button", { type: "button", class: "link", onclick: () => actions.selectCell(null) }, t("clearFilter")),
        )
      : null,
  );
  const table = rows.length
    ? h(
        "table",
        { class: "table risks" },
        h(
          "thead",
          null,
          h("tr", null, h("th", null, t("level")), h("th", { class: "num" }, t("score")), h("th", null, t("tabRisks")), h("th", null, t("activity")), h("th", null, t("status")), h("th", null, t("owner")), h("th", null, t("mitigation")), h("th", null, t("review"))),
        ),
        h(
          "tbody",
          null,
          rows.map((r) =>
            h(
              "tr",
              {
                "data-testid": "risk-row",
                dataset: { risk: r.id, level: r.level ?? "" },
                onclick: () => actions.openActivity(r.activityId),
                onkeydown: (e) => {
                  if (e.key === "Enter") {
                    e.preventDefault();
                    actions.openActivity(r.activityId);
                  }
                },
                tabindex: "0",
              },
              h("td", null, levelChip(r.level, r.levelLabel)),
              h("td", { class: "num" }, r.score == null ? h("span", { class: "muted", title: t("notAssessed") }, "—") : [h("strong", null, String(r.score)), h("span", { class: "muted" }, ` ${r.likelihood}×${r.impact}`)]),
              h("td", { class: "title-cell" }, h("div", { class: "row-title" }, r.title), r.notedOn ? h("div", { class: "row-meta" }, formatDate(r.notedOn)) : null),
              h("td", { class: "outcome-cell" }, h("div", { class: "clamp" }, titles.get(r.activityId) || "—")),
              h("td", null, plainChip(label("riskStatus", r.status, r.statusLabel))),
              h("td", null, r.owner || "—"),
              h("td", { class: "outcome-cell" }, h("div", { class: "clamp" }, r.mitigation || "—")),
              h("td", { class: "date-cell" }, r.reviewOn ? formatDate(r.reviewOn) : "—"),
            ),
          ),
        ),
      )
    : empty(t("noRisks"));
  return h("div", { class: "risks-view" }, card(`${t("riskRegister")} · ${ctx.pointLabel}`, [filters, h("div", { class: "table-wrap" }, table)], { testid: "risk-register" }));
}
