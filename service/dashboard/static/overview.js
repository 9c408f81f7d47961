// The overview: the plan at a glance, strategies, the heat map, what changed, and live events.

import { heatMap, levelLegend, mapped, toAssess } from "./charts.js";
import { h } from "./dom.js";
import { eventLabel, formatDate, formatDateTime, formatNumber, formatPercent, formatPeriod, label, t } from "./i18n.js";
import { healthCounts } from "./keyresults.js";
import { card, empty, figureValue, kpi, levelChip, plainChip, progressBar, STATUSES, share, statusBar, statusChip } from "./ui.js";

function count(summary, status) {
  return summary.byStatus.find((s) => s.status === status)?.count ?? 0;
}

function hero(ctx) {
  const plan = ctx.state.data.plan;
  return h(
    "section",
    { class: "hero" },
    h(
      "div",
      { class: "hero-main" },
      h("div", { class: "hero-kicker", "data-testid": "plan-period" }, `${t("period")} ${formatPeriod(plan)}`),
      h("h1", { class: "hero-title", "data-testid": "hero-title" }, plan.title),
      plan.vision ? h("p", { class: "hero-vision" }, h("strong", null, `${t("vision")} `), plan.vision) : null,
    ),
    h(
      "div",
      { class: "hero-point" },
      h("div", { class: "hero-point-label" }, t("asOf")),
      h("div", { class: "hero-point-value" }, ctx.pointLabel),
      plan.actionPlans.length
        ? h(
            "div",
            { class: "hero-years" },
            plan.actionPlans.map((a) => plainChip(`${t("fy")} ${a.fiscalYear}`)),
          )
        : null,
    ),
  );
}

function kpis(ctx) {
  const { plan, risks } = ctx.state.data;
  const summary = plan.summary;
  const open = mapped(risks);
  const high = open.filter((r) => r.level === "HIGH" || r.level === "VERY_HIGH").length;
  const unassessed = toAssess(risks).length;
  const milestones = plan.activities.flatMap((a) => a.milestones);
  const slipped = milestones.filter((m) => m.slipDays > 0).length;
  return h(
    "div",
    { class: "kpis" },
    kpi(t("activities"), formatNumber(summary.total), t("strategiesCount", { n: plan.strategies.length }), { testid: "kpi-total" }),
    kpi(t("completed"), formatNumber(summary.completed), `${formatPercent(summary.shareCompleted, 1)} ${t("ofTotal")} ${summary.total}`, {
      tone: "good",
      testid: "kpi-completed",
    }),
    kpi(label("status", "IN_PROGRESS", summary.byStatus.find((s) => s.status === "IN_PROGRESS")?.statusLabel), formatNumber(count(summary, "IN_PROGRESS")), share(count(summary, "IN_PROGRESS"), summary.total), { tone: "info" }),
    kpi(label("status", "NOT_IMPLEMENTED", summary.byStatus.find((s) => s.status === "NOT_IMPLEMENTED")?.statusLabel), formatNumber(count(summary, "NOT_IMPLEMENTED")), share(count(summary, "NOT_IMPLEMENTED"), summary.total), { tone: "bad" }),
    kpi(t("openRisks"), formatNumber(open.length), `${high} ${t("highRisks")}${unassessed ? ` · ${unassessed} ${t("toAssess")}` : ""}`, {
      tone: high ? "warn" : null,
      testid: "kpi-risks",
    }),
    kpi(t("slipped"), formatNumber(slipped), t("ofMilestones", { n: milestones.length }), { tone: slipped ? "warn" : null }),
  );
}

function byStatus(ctx) {
  const summary = ctx.state.data.plan.summary;
  const legend = h(
    "div",
    { class: "status-legend" },
    STATUSES.map((status) => {
      const entry = summary.byStatus.find((s) => s.status === status);
      const n = entry?.count ?? 0;
      return h(
        "div",
        { class: ["status-count", !n && "zero"], "data-testid": "status-count", dataset: { status, count: String(n) } },
        h("i", { class: ["swatch", `st-${status}`] }),
        h("span", { class: "status-name" }, label("status", status, entry?.statusLabel)),
        h("strong", { class: "status-n" }, String(n)),
      );
    }),
  );
  return card(t("byStatus"), [statusBar(summary.byStatus, summary.total, { large: true }), legend], { testid: "status-card" });
}

/** The figures the minutes reported, as reported (never computed here): the plan's and its kinds'. */
function figuresCard(ctx) {
  const figures = ctx.state.figures?.reportedFigures ?? [];
  if (!figures.length) return null;
  return card(
    t("reportedFigures"),
    h(
      "ul",
      { class: "figures-list" },
      figures.map((f) =>
        h(
          "li",
          { "data-testid": "plan-figure", dataset: { value: String(f.value), kind: f.kind || "" } },
          h("span", { class: "figure-value" }, figureValue(f)),
          h(
            "div",
            null,
            h("div", null, f.kind ? label("kind", f.kind, f.kindLabel) : t("wholePlan")),
            h("div", { class: "muted" }, [f.label, f.meeting ? t("atMeeting", { code: f.meeting.code }) : null].filter(Boolean).join(" · ")),
          ),
        ),
      ),
    ),
    { testid: "figures" },
  );
}

function strategyFigures(ctx, number) {
  return ctx.state.figures?.strategies?.find((s) => s.number === number)?.reportedFigures ?? [];
}

/** A strategy's activities by health (the server's), once the health query has answered. */
function strategyHealth(ctx, number) {
  const summary = ctx.state.health?.strategies?.find((s) => s.number === number)?.health;
  return summary ? h("div", { class: "strategy-health-line" }, healthCounts(summary, "strategy-card-health")) : null;
}

function strategies(ctx) {
  const plan = ctx.state.data.plan;
  const list = h(
    "div",
    { class: "strategies" },
    plan.strategies.map((s) => {
      const sum = s.summary;
      const chips = STATUSES.filter((status) => count(sum, status)).map((status) =>
        h(
          "span",
          { class: ["mini-count", `st-${status}`], dataset: { status, count: String(count(sum, status)) }, title: label("status", status) },
          h("i", { class: ["swatch", `st-${status}`] }),
          String(count(sum, status)),
        ),
      );
      return h(
        "button",
        {
          type: "button",
          class: "strategy",
          "data-testid": "strategy",
          dataset: { number: String(s.number), total: String(sum.total), completed: String(sum.completed) },
          title: s.goal ? `${t("goal")}: ${s.goal}` : s.title,
          onclick: () => ctx.actions.showStrategy(s.number),
        },
        h("div", { class: "strategy-number" }, String(s.number)),
        h(
          "div",
          { class: "strategy-body" },
          h("div", { class: "strategy-title" }, s.title),
          statusBar(sum.byStatus, sum.total),
          h("div", { class: "strategy-counts" }, chips.length ? chips : h("span", { class: "muted" }, "—")),
          strategyHealth(ctx, s.number),
          sum.meanProgress != null
            ? h(
                "div",
                { class: "strategy-progress", title: t("progressKnown", { n: sum.progressKnown, total: sum.total }) },
                h("span", null, `${t("meanProgress")} ${formatNumber(sum.meanProgress, 1)}%`),
                progressBar(sum.meanProgress),
              )
            : null,
        ),
        h(
          "div",
          { class: "strategy-share" },
          h("div", { class: "share-value", "data-testid": "strategy-share" }, sum.total ? formatPercent(sum.shareCompleted) : "—"),
          h("div", { class: "share-sub" }, t("completedOf", { n: sum.completed, total: sum.total })),
          h("div", { class: "share-kind" }, t("computed")),
          strategyFigures(ctx, s.number).length
            ? h(
                "div",
                { class: "reported-figures" },
                strategyFigures(ctx, s.number).map((f) =>
                  h(
                    "div",
                    { class: "reported-figure", "data-testid": "strategy-figure", dataset: { value: String(f.value) }, title: f.meeting ? t("atMeeting", { code: f.meeting.code }) : "" },
                    h("strong", null, figureValue(f)),
                    " ",
                    h("span", { class: "muted" }, `${f.label} (${t("reported")})`),
                  ),
                ),
              )
            : null,
        ),
      );
    }),
  );
  return card(t("strategies"), list);
}

function risksCard(ctx) {
  const { risks, plan } = ctx.state.data;
  const selected = ctx.state.cell;
  const titles = new Map(plan.activities.map((a) => [a.id, a.title]));
  let listing;
  if (!selected) listing = h("p", { class: "hint" }, t("clickCell"));
  else {
    const [likelihood, impact] = selected.split(":").map(Number);
    const inCell = mapped(risks).filter((r) => r.likelihood === likelihood && r.impact === impact);
    listing = h(
      "div",
      { class: "cell-risks", "data-testid": "cell-risks" },
      h("div", { class: "cell-risks-head" }, `${t("risksInCell")} · ${t("likelihood")} ${likelihood} × ${t("impact")} ${impact}`),
      inCell.length
        ? h(
            "ul",
            { tabindex: "0", "aria-label": t("risksInCell") },
            inCell.map((r) =>
              h(
                "li",
                { "data-testid": "cell-risk", dataset: { risk: r.id } },
                h("div", { class: "risk-title" }, r.title),
                h(
                  "div",
                  { class: "risk-meta" },
                  levelChip(r.level, r.levelLabel),
                  plainChip(label("riskStatus", r.status, r.statusLabel)),
                  r.owner ? h("span", { class: "muted" }, `${t("owner")}: ${r.owner}`) : null,
                ),
                h(
                  "button",
                  { type: "button", class: "link", onclick: () => ctx.actions.openActivity(r.activityId) },
                  titles.get(r.activityId) || t("activity"),
                ),
              ),
            ),
          )
        : empty(t("noRisksHere")),
    );
  }
  const pending = toAssess(risks);
  const waiting = h(
    "div",
    { class: "to-assess", "data-testid": "to-assess", dataset: { count: String(pending.length) }, title: t("toAssessHint") },
    h("strong", null, String(pending.length)),
    ` ${t("toAssess")}`,
    pending.length
      ? h(
          "ul",
          null,
          pending.map((r) =>
            h(
              "li",
              { "data-testid": "to-assess-risk", dataset: { risk: r.id } },
              h("button", { type: "button", class: "link", onclick: () => ctx.actions.openActivity(r.activityId) }, r.title),
              h("span", { class: "muted" }, ` · ${titles.get(r.activityId) || t("activity")}`),
            ),
          ),
        )
      : null,
  );
  return card(t("heatMap"), [heatMap(risks, { selected, onSelect: ctx.actions.selectCell }), levelLegend(), waiting, listing], { testid: "heat-card" });
}

function changesCard(ctx) {
  const changes = ctx.state.changes;
  if (!changes) return null;
  const compared = ctx.meetingById(ctx.state.compare);
  const heading = `${t("changes")} · ${t("changesFrom", {
    from: compared ? `${compared.code} (${formatDate(compared.date)})` : formatDate(changes.from.date),
    to: ctx.pointLabel,
  })}`;
  const section = (title, items, render, testid) =>
    items.length
      ? h(
          "div",
          { class: "change-section" },
          h("h3", null, title, h("span", { class: "count-badge" }, String(items.length))),
          // a list that scrolls is a tab stop of its own, named (axe: scrollable-region-focusable)
          h("ul", { class: "change-list", "data-testid": testid, tabindex: "0", "aria-label": t("changesList", { title }) }, items.slice(0, 60).map(render)),
          items.length > 60 ? h("p", { class: "muted" }, `… +${items.length - 60}`) : null,
        )
      : null;
  const body = [
    section(
      t("activityChanges"),
      changes.activities,
      (c) =>
        h(
          "li",
          { "data-testid": "change-activity", dataset: { activity: c.activityId } },
          h("button", { type: "button", class: "link change-title", onclick: () => ctx.actions.openActivity(c.activityId) }, c.title),
          h(
            "span",
            { class: "change-arrow" },
            c.before?.status ? statusChip(c.before.status, c.before.statusLabel) : plainChip(t("newActivity"), "chip-new"),
            h("span", { class: "arrow" }, "→"),
            statusChip(c.after.status, c.after.statusLabel),
          ),
        ),
      "changes-activities",
    ),
    section(t("milestonesMet"), changes.milestonesMet, (m) => h("li", null, m.title, h("span", { class: "muted" }, ` · ${formatDate(m.achievedOn)}`))),
    section(t("milestonesSlipped"), changes.milestonesSlipped, (m) =>
      h("li", null, m.milestone.title, h("span", { class: "slip-badge" }, `+${m.slippedDays}`), h("span", { class: "muted" }, ` ${formatDate(m.dueBefore)} → ${formatDate(m.milestone.dueOn)}`)),
    ),
    section(t("risksNoted"), changes.risksNoted, (r) => h("li", null, levelChip(r.level, r.levelLabel), " ", r.title)),
    section(t("risksRescored"), changes.risksRescored, (r) =>
      h("li", null, levelChip(r.levelBefore), h("span", { class: "arrow" }, "→"), levelChip(r.risk.level, r.risk.levelLabel), " ", r.risk.title),
    ),
    section(t("risksClosed"), changes.risksClosed, (r) => h("li", null, r.title)),
    section(t("resolutionsPassed"), changes.resolutionsPassed, (r) =>
      h("li", null, plainChip(label("resolution", r.kind, r.kindLabel)), " ", r.text, r.meeting ? h("span", { class: "muted" }, ` · ${r.meeting.code}`) : null),
    ),
  ].filter(Boolean);
  return card(heading, body.length ? body : empty(t("nothingChanged")), { extra: "changes", testid: "changes" });
}

function feedCard(ctx) {
  const feed = ctx.state.feed;
  return card(
    t("liveFeed"),
    feed.length
      ? h(
          "ul",
          { class: "feed", tabindex: "0", "aria-label": t("liveFeed") },
          feed.map((e) =>
            h(
              "li",
              { "data-testid": "feed-item", dataset: { type: e.type } },
              h("span", { class: ["feed-dot", e.type.includes("Risk") && "risk"] }),
              h(
                "div",
                null,
                h("div", { class: "feed-type" }, eventLabel(e.type)),
                e.subject ? h("div", { class: "feed-subject" }, e.subject) : null,
                h("div", { class: "feed-meta" }, `${formatDateTime(e.recordedAt)} · ${t("by")} ${e.actor}`),
              ),
            ),
          ),
        )
      : h("p", { class: "hint" }, t("liveEmpty")),
    { extra: "feed-card", testid: "feed" },
  );
}

export function renderOverview(ctx) {
  return h(
    "div",
    { class: "overview" },
    hero(ctx),
    kpis(ctx),
    h(
      "div",
      { class: "columns" },
      h("div", { class: "col-main" }, changesCard(ctx), byStatus(ctx), figuresCard(ctx), strategies(ctx)),
      h("div", { class: "col-side" }, risksCard(ctx), feedCard(ctx)),
    ),
  );
}
