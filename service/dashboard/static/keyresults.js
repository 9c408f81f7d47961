// The committee's view of results: the plan's and each strategy's activities by health, and every
// key result with its attainment beside the attainment expected by the point's day, and its health.
// Health is the server's (computed by the plan's evaluation rules), never judged here.

import { h } from "./dom.js";
import { formatDate, formatNumber, formatPercent, label, t } from "./i18n.js";
import { card, empty, loading, progressBar } from "./ui.js";

export const HEALTHS = ["OFF_TRACK", "AT_RISK", "ON_TRACK", "NO_DATA"];
const RANK = Object.fromEntries(HEALTHS.map((health, i) => [health, i]));

/** A health chip; none (a cancelled activity, a retired key result) is "—" with its reason. */
export function healthChip(health, apiLabel) {
  if (health == null) return h("span", { class: "chip chip-plain", title: t("noHealth") }, "—");
  return h("span", { class: ["chip", `hl-${health}`], dataset: { health } }, h("i", { class: ["hl-mark", `hl-${health}`], "aria-hidden": "true" }), label("health", health, apiLabel));
}

/** Counts by health as a row of chips: "2 on track · 1 at risk …", zeros left out. */
export function healthCounts(summary, testid) {
  if (!summary) return null;
  const counts = Object.fromEntries(summary.byHealth.map((c) => [c.health, c]));
  const shown = HEALTHS.filter((health) => counts[health]?.count);
  return h(
    "div",
    { class: "health-counts", "data-testid": testid },
    shown.length
      ? shown.map((health) =>
          h(
            "span",
            { class: "health-count", "data-testid": "health-count", dataset: { health, count: String(counts[health].count) } },
            healthChip(health, counts[health].healthLabel),
            h("strong", null, formatNumber(counts[health].count)),
          ),
        )
      : h("span", { class: "muted" }, "—"),
    summary.notEvaluated ? h("span", { class: "muted" }, t("notEvaluated", { n: summary.notEvaluated })) : null,
  );
}

function value(kr, number) {
  if (number == null) return "—";
  const digits = Number.isInteger(number) ? 0 : 2;
  return kr.unit === "PERCENT" ? `${formatNumber(number, digits)}%` : `${formatNumber(number, digits)} ${kr.unitLabel}`;
}

/** Attainment against what is expected by the day: a bar with a tick at the expected share. */
function attainmentCell(kr) {
  const expected = h("span", { class: "muted" }, `${t("expected")} ${formatPercent(kr.expectedAttainment)}`);
  if (kr.attainment == null) return h("div", { class: "attainment" }, h("span", { class: "progress-unknown", title: t("notMeasured") }, "—"), expected);
  return h(
    "div",
    { class: "attainment" },
    h(
      "div",
      { class: "attainment-bar" },
      progressBar(kr.attainment * 100, { title: `${t("attainment")} ${formatPercent(kr.attainment)}` }),
      h("i", { class: "expected-tick", style: { left: `${Math.max(0, Math.min(100, kr.expectedAttainment * 100))}%` }, "aria-hidden": "true" }),
    ),
    h("strong", null, formatPercent(kr.attainment)),
    expected,
  );
}

export function renderKeyResults(ctx) {
  const { state, actions } = ctx;
  const plan = state.data.plan;
  const health = state.health;
  if (!health) return loading();
  const titles = new Map(plan.activities.map((a) => [a.id, a.title]));
  const byStrategy = new Map((health.strategies || []).map((s) => [s.number, s]));

  const summary = card(
    `${t("healthOfPlan")} · ${ctx.pointLabel}`,
    [
      h("p", { class: "hint" }, t("healthHint", { on: formatDate(health.health.on) })),
      healthCounts(health.health, "plan-health"),
      h(
        "table",
        { class: "table strategy-health" },
        h("caption", { class: "sr-only" }, t("healthByStrategy")),
        h("thead", null, h("tr", null, h("th", { scope: "col" }, t("strategy")), h("th", { scope: "col" }, t("activitiesByHealth")))),
        h(
          "tbody",
          null,
          plan.strategies.map((s) =>
            h(
              "tr",
              { "data-testid": "strategy-health", dataset: { number: String(s.number) } },
              h("th", { scope: "row" }, h("button", { type: "button", class: "link", onclick: () => actions.showStrategy(s.number) }, `${s.number}. ${s.title}`)),
              h("td", null, healthCounts(byStrategy.get(s.number)?.health)),
            ),
          ),
        ),
      ),
    ],
    { testid: "health-summary" },
  );

  // worst first, then by strategy and title: what needs the committee's attention leads
  const rows = [...health.keyResults].sort(
    (a, b) => (RANK[a.health] ?? 9) - (RANK[b.health] ?? 9) || a.strategyNumber - b.strategyNumber || a.title.localeCompare(b.title),
  );
  const table = rows.length
    ? h(
        "table",
        { class: "table key-results" },
        h("caption", { class: "sr-only" }, t("keyResults")),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("health")),
            h("th", { scope: "col" }, t("keyResult")),
            h("th", { scope: "col" }, t("baselineTarget")),
            h("th", { scope: "col" }, t("latest")),
            h("th", { scope: "col" }, t("attainment")),
          ),
        ),
        h(
          "tbody",
          null,
          rows.map((kr) =>
            h(
              "tr",
              { "data-testid": "key-result", dataset: { keyResult: kr.id, health: kr.health ?? "", attainment: kr.attainment == null ? "" : String(kr.attainment) } },
              h("td", null, healthChip(kr.health, kr.healthLabel)),
              h(
                "td",
                { class: "title-cell" },
                h("div", { class: "row-title" }, kr.title),
                h(
                  "div",
                  { class: "row-meta" },
                  `${t("strategy")} ${kr.strategyNumber} · ${t("fy")} ${kr.fiscalYear} · `,
                  kr.activityId
                    ? h("button", { type: "button", class: "link", onclick: () => actions.openActivity(kr.activityId) }, titles.get(kr.activityId) || t("activity"))
                    : t("onStrategy"),
                ),
              ),
              h("td", null, `${value(kr, kr.baseline)} → ${value(kr, kr.target)}`, h("div", { class: "row-meta" }, `${t("dueOn")} ${formatDate(kr.dueOn)}`)),
              h(
                "td",
                null,
                value(kr, kr.latestValue),
                h("div", { class: "row-meta" }, kr.lastMeasuredOn ? formatDate(kr.lastMeasuredOn) : t("notMeasured")),
              ),
              h("td", { class: "attainment-cell" }, attainmentCell(kr)),
            ),
          ),
        ),
      )
    : empty(t("noKeyResults"));
  const results = card(`${t("keyResults")} · ${ctx.pointLabel}`, h("div", { class: "table-wrap" }, table), { testid: "key-results" });
  return h("div", { class: "results-view", "data-testid": "view-results" }, summary, results);
}
