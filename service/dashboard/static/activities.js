// The activities table (filter by status, kind, unit, fiscal year, strategy, text) and an
// activity's drawer: where it stands, its milestones and risks, and its whole history.

import { h } from "./dom.js";
import { eventLabel, formatDate, formatDateTime, formatNumber, formatPercent, label, t } from "./i18n.js";
import { healthChip, HEALTHS } from "./keyresults.js";
import { empty, field, figureValue, levelChip, loading, plainChip, progressShown, select, STATUSES, statusChip } from "./ui.js";

function matches(a, f) {
  if (f.status && a.status !== f.status) return false;
  if (f.kind && a.kind !== f.kind) return false;
  if (f.unit && !a.responsibleUnits.includes(f.unit)) return false;
  if (f.year && String(a.fiscalYear) !== f.year) return false;
  if (f.strategy && String(a.strategyNumber) !== f.strategy) return false;
  if (f.health && (a.health ?? "NONE") !== f.health) return false;
  if (f.text) {
    const text = f.text.toLowerCase();
    const hay = `${a.title} ${a.outcome || ""} ${a.statusReason || ""} ${a.responsibleUnits.join(" ")}`.toLowerCase();
    if (!hay.includes(text)) return false;
  }
  return true;
}

export function renderActivities(ctx) {
  const { state, actions } = ctx;
  const plan = state.data.plan;
  const f = state.filters;
  // each activity's health (asked apart, see HEALTH in queries.js): shown and filtered once it is there
  const healthOf = new Map((state.health?.activities || []).map((x) => [x.id, x]));
  const all = plan.activities.map((a) => (healthOf.has(a.id) ? { ...a, health: healthOf.get(a.id).health, healthLabel: healthOf.get(a.id).healthLabel } : a));
  const showHealth = healthOf.size > 0;
  const labels = Object.fromEntries(plan.summary.byStatus.map((s) => [s.status, s.statusLabel]));
  const kindLabels = Object.fromEntries(all.map((a) => [a.kind, a.kindLabel]));
  const units = [...new Set(all.flatMap((a) => a.responsibleUnits))].sort((x, y) => x.localeCompare(y, "th"));
  const years = [...new Set(all.map((a) => a.fiscalYear))].sort();
  const rows = all.filter((a) => matches(a, f));
  // columns the data has nothing for yet (no progress reported, no units assigned) stay out of the way
  const showProgress = all.some((a) => a.progress != null);
  const showUnits = units.length > 0;

  const set = (key) => (e) => actions.setFilters({ [key]: e.target.value });
  const search = h("input", {
    type: "search",
    class: "search",
    placeholder: t("search"),
    "aria-label": t("search"),
    value: f.text,
    "data-testid": "filter-text",
    oninput: (e) => {
      clearTimeout(search.timer);
      search.timer = setTimeout(() => {
        actions.setFilters({ text: e.target.value });
        const again = document.querySelector("[data-testid=filter-text]");
        again?.focus();
        again?.setSelectionRange(again.value.length, again.value.length);
      }, 250);
    },
  });
  const filters = h(
    "div",
    { class: "filters" },
    field(
      t("status"),
      select(
        { "data-testid": "filter-status", onchange: set("status") },
        [
          { value: "", label: t("allStatuses") },
          ...STATUSES.map((s) => ({ value: s, label: `${label("status", s, labels[s])} (${all.filter((a) => a.status === s).length})` })),
        ],
        f.status,
      ),
    ),
    field(
      t("kind"),
      select(
        { "data-testid": "filter-kind", onchange: set("kind") },
        [{ value: "", label: t("allKinds") }, ...["ONE_YEAR", "CONTINUING"].map((k) => ({ value: k, label: label("kind", k, kindLabels[k]) }))],
        f.kind,
      ),
    ),
    field(
      t("units"),
      select({ "data-testid": "filter-unit", onchange: set("unit") }, [{ value: "", label: t("allUnits") }, ...units.map((u) => ({ value: u, label: u }))], f.unit),
    ),
    field(
      t("fiscalYear"),
      select({ "data-testid": "filter-year", onchange: set("year") }, [{ value: "", label: t("allYears") }, ...years.map((y) => ({ value: String(y), label: String(y) }))], f.year),
    ),
    field(
      t("strategy"),
      select(
        { "data-testid": "filter-strategy", onchange: set("strategy") },
        [{ value: "", label: t("allStrategies") }, ...plan.strategies.map((s) => ({ value: String(s.number), label: `${s.number}. ${s.title}` }))],
        f.strategy,
      ),
    ),
    showHealth
      ? field(
          t("health"),
          select(
            { "data-testid": "filter-health", onchange: set("health") },
            [{ value: "", label: t("allHealths") }, ...HEALTHS.map((x) => ({ value: x, label: `${label("health", x)} (${all.filter((a) => a.health === x).length})` }))],
            f.health || "",
          ),
        )
      : null,
    field("\u00a0", search),
  );

  const table = rows.length
    ? h(
        "table",
        { class: "table activities" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { class: "num" }, "#"),
            h("th", null, t("activity")),
            h("th", null, t("kind")),
            h("th", null, t("status")),
            showHealth ? h("th", null, t("health")) : null,
            showProgress ? h("th", null, t("progress")) : null,
            h("th", null, t("outcome")),
            showUnits ? h("th", null, t("units")) : null,
          ),
        ),
        h(
          "tbody",
          null,
          rows.map((a) =>
            h(
              "tr",
              {
                "data-testid": "activity-row",
                dataset: { activityId: a.id, status: a.status, kind: a.kind },
                tabindex: "0",
                onclick: () => actions.openActivity(a.id),
                onkeydown: (e) => {
                  // the drawer takes focus now: no keypress may follow onto its close button
                  if (e.key === "Enter") {
                    e.preventDefault();
                    actions.openActivity(a.id);
                  }
                },
              },
              h("td", { class: "num" }, h("span", { class: "strategy-pill", title: `${t("strategy")} ${a.strategyNumber}` }, String(a.strategyNumber))),
              h(
                "td",
                { class: "title-cell" },
                h("div", { class: "row-title" }, a.title),
                a.statusReason ? h("div", { class: "row-reason" }, `${t("reason")}: ${a.statusReason}`) : null,
                h("div", { class: "row-meta" }, `${t("fy")} ${a.fiscalYear}${a.milestones.length ? ` · ${a.milestones.length} ${t("milestones")}` : ""}`),
              ),
              h("td", null, plainChip(label("kind", a.kind, a.kindLabel), `kind-${a.kind}`)),
              h("td", null, statusChip(a.status, a.statusLabel)),
              showHealth ? h("td", { "data-testid": "activity-health", dataset: { health: a.health ?? "" } }, healthChip(a.health, a.healthLabel)) : null,
              showProgress ? h("td", { class: "progress-cell" }, progressShown(a.progress)) : null,
              h("td", { class: "outcome-cell" }, h("div", { class: "clamp" }, a.outcome || "—")),
              showUnits ? h("td", { class: "units-cell" }, a.responsibleUnits.length ? a.responsibleUnits.join(", ") : h("span", { class: "muted" }, "—")) : null,
            ),
          ),
        ),
      )
    : empty(t("noActivities"));

  const any = Object.values(f).some(Boolean);
  return h(
    "div",
    { class: "activities-view" },
    h(
      "section",
      { class: "card" },
      filters,
      h(
        "div",
        { class: "table-caption" },
        h("span", { "data-testid": "activities-shown", dataset: { shown: String(rows.length), total: String(all.length) } }, t("shown", { n: rows.length, total: all.length })),
        any ? h("button", { type: "button", class: "link", onclick: () => actions.setFilters({ status: "", kind: "", unit: "", year: "", strategy: "", health: "", text: "" }) }, t("clearFilter")) : null,
      ),
      h("div", { class: "table-wrap" }, table),
    ),
  );
}

// -- the drawer ---------------------------------------------------------------------------------------

function payloadFacts(event) {
  const p = event.payload || {};
  const facts = [];
  if (p.status) facts.push(statusChip(p.status));
  if (p.progress != null) facts.push(plainChip(`${formatNumber(p.progress, 0)}%`));
  if (p.title && !event.type.endsWith("Registered")) facts.push(h("span", null, p.title));
  if (p.outcome) facts.push(h("span", { class: "clamp" }, p.outcome));
  if (p.due_on) facts.push(h("span", null, `${t("due")} ${formatDate(p.due_on)}`));
  if (p.achieved_on) facts.push(h("span", null, `${t("achieved")} ${formatDate(p.achieved_on)}`));
  if (p.likelihood && p.impact) facts.push(plainChip(`${p.likelihood}×${p.impact}`));
  if (p.responsible_units?.length) facts.push(h("span", null, p.responsible_units.join(", ")));
  return facts;
}

export function renderDrawer(ctx) {
  const { state, actions, meetingById } = ctx;
  const drawer = state.drawer;
  const a = drawer.activity;
  let body;
  if (drawer.error) body = h("div", { class: "banner error" }, drawer.error);
  else if (!a) body = loading();
  else {
    const history = a.history.edges.map((e) => e.node);
    body = [
      h("div", { class: "drawer-kicker" }, `${t("strategy")} ${a.strategyNumber} · ${t("fy")} ${a.fiscalYear}`),
      h("h2", { class: "drawer-title", id: "drawer-title" }, a.title),
      h("div", { class: "drawer-chips" }, statusChip(a.status, a.statusLabel), plainChip(label("kind", a.kind, a.kindLabel)), a.health !== undefined ? h("span", { "data-testid": "drawer-health", dataset: { health: a.health ?? "" } }, healthChip(a.health, a.healthLabel)) : null),
      h("div", { class: "drawer-progress", "data-testid": "drawer-progress" }, progressShown(a.progress), a.progress == null ? h("span", { class: "muted" }, t("progressUnknown")) : null),
      ctx.forms ? ctx.forms(a) : null,
      a.reportedFigures?.length
        ? h(
            "div",
            { class: "drawer-block" },
            h("h3", null, t("reportedFigures")),
            h(
              "ul",
              { class: "plain-list" },
              a.reportedFigures.map((f) =>
                h("li", { "data-testid": "activity-figure" }, h("strong", null, figureValue(f)), ` ${f.label}`, f.meeting ? h("span", { class: "muted" }, ` · ${t("atMeeting", { code: f.meeting.code })}`) : null),
              ),
            ),
          )
        : null,
      a.keyResults?.length
        ? h(
            "div",
            { class: "drawer-block" },
            h("h3", null, t("keyResults")),
            h(
              "ul",
              { class: "plain-list" },
              a.keyResults.map((kr) =>
                h(
                  "li",
                  { "data-testid": "drawer-key-result", dataset: { keyResult: kr.id } },
                  healthChip(kr.health, kr.healthLabel),
                  ` ${kr.title} `,
                  h("span", { class: "muted" }, `(${t("attainment")} ${formatPercent(kr.attainment)} · ${t("expected")} ${formatPercent(kr.expectedAttainment)})`),
                ),
              ),
            ),
          )
        : null,
      a.outcome ? h("div", { class: "drawer-block" }, h("h3", null, t("outcome")), h("p", null, a.outcome)) : null,
      a.statusReason ? h("div", { class: "drawer-block" }, h("h3", null, t("reason")), h("p", null, a.statusReason)) : null,
      a.responsibleUnits.length ? h("div", { class: "drawer-block" }, h("h3", null, t("units")), h("p", null, a.responsibleUnits.join(", "))) : null,
      a.milestones.length
        ? h(
            "div",
            { class: "drawer-block" },
            h("h3", null, t("milestones")),
            h(
              "ul",
              { class: "plain-list" },
              a.milestones.map((m) =>
                h(
                  "li",
                  null,
                  h("strong", null, m.title),
                  h(
                    "span",
                    { class: "muted" },
                    ` · ${t("due")} ${formatDate(m.dueOn)}`,
                    m.slipDays ? ` (${t("slip", { n: m.slipDays })})` : "",
                    m.achievedOn ? ` · ${t("achieved")} ${formatDate(m.achievedOn)}` : "",
                  ),
                  m.overdue ? h("span", { class: "chip lv-VERY_HIGH" }, t("overdue")) : null,
                ),
              ),
            ),
          )
        : null,
      a.risks.length
        ? h(
            "div",
            { class: "drawer-block" },
            h("h3", null, t("tabRisks")),
            h(
              "ul",
              { class: "plain-list" },
              a.risks.map((r) =>
                h(
                  "li",
                  null,
                  levelChip(r.level, r.levelLabel),
                  ` ${r.title} `,
                  h("span", { class: "muted" }, `(${r.level == null ? t("notAssessed") : `${r.likelihood}×${r.impact}`}, ${label("riskStatus", r.status, r.statusLabel)})`),
                ),
              ),
            ),
          )
        : null,
      h(
        "div",
        { class: "drawer-block" },
        h("h3", null, `${t("history")} (${history.length}${a.history.pageInfo.hasNextPage ? "+" : ""})`),
        h(
          "ol",
          { class: "history", "data-testid": "history" },
          history.map((e) => {
            const meeting = e.meeting ? meetingById(e.meeting) : null;
            return h(
              "li",
              { class: ["history-item", e.corrects != null && "correction"], "data-testid": "history-item", dataset: { type: e.type } },
              h("div", { class: "history-date" }, formatDate(e.effectiveOn)),
              h(
                "div",
                { class: "history-body" },
                h("div", { class: "history-type" }, eventLabel(e.type), meeting ? h("span", { class: "chip chip-plain" }, meeting.code) : null),
                h("div", { class: "history-facts" }, payloadFacts(e)),
                e.reason ? h("div", { class: "history-reason" }, `${t("reason")}: ${e.reason}`) : null,
                e.corrects != null ? h("div", { class: "history-reason" }, e.void ? t("voided") : t("corrects", { n: e.corrects })) : null,
                h("div", { class: "history-meta" }, `${t("recorded")} ${formatDateTime(e.recordedAt)} · ${t("by")} ${e.actor}`),
              ),
            );
          }),
        ),
      ),
    ];
  }
  return h(
    "div",
    { class: "drawer-backdrop", onclick: (e) => e.target === e.currentTarget && actions.closeDrawer() },
    h(
      "div",
      // named by its title once loaded, by what it is while loading (axe: aria-dialog-name)
      { class: "drawer", "data-testid": "drawer", role: "dialog", "aria-modal": "true", ...(a ? { "aria-labelledby": "drawer-title" } : { "aria-label": t("activityDetails") }) },
      h("button", { type: "button", class: "drawer-close", "aria-label": t("close"), onclick: actions.closeDrawer }, "×"),
      body,
    ),
  );
}
