// The risk heat map (likelihood × impact) and the milestone timeline (planned against actual).

import { h, s } from "./dom.js";
import { formatDate, formatMonth, label, t } from "./i18n.js";
import { levelOf } from "./ui.js";

/** Risks still to manage: all but closed ones. */
export function mapped(risks) {
  return risks.filter((r) => r.status !== "CLOSED");
}

/** Whether a risk has been assessed (likelihood and impact); one not yet assessed has no cell. */
export function assessed(risk) {
  return risk.likelihood != null && risk.impact != null;
}

/** Open risks not yet assessed: counted beside the map, never put in a cell. */
export function toAssess(risks) {
  return mapped(risks).filter((r) => !assessed(r));
}

/** A 5 × 5 grid, likelihood up, impact across, each cell with its count; click to pick a cell.
 * Only assessed risks have a cell. */
export function heatMap(risks, { selected, onSelect }) {
  const counts = new Map();
  for (const r of mapped(risks).filter(assessed)) {
    const key = `${r.likelihood}:${r.impact}`;
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  // a group of toggle buttons (not role=grid, which would need rows and gridcells around them):
  // each cell says what it means, not only its number; the axis numbers are for the eye
  const grid = h("div", { class: "heat-grid", role: "group", "aria-label": `${t("heatMap")}: ${t("likelihood")} × ${t("impact")}`, onkeydown: moveInHeatMap });
  // one tab stop for the 25 cells (the picked one, else the riskiest with risks, else the top left);
  // the arrow keys move between them
  const withRisks = [...counts.keys()].sort((a, b) => b.split(":").reduce((x, y) => x * y) - a.split(":").reduce((x, y) => x * y));
  const stop = selected || withRisks[0] || "5:1";
  for (let likelihood = 5; likelihood >= 1; likelihood -= 1) {
    grid.append(h("div", { class: "heat-axis heat-axis-y", "aria-hidden": "true" }, String(likelihood)));
    for (let impact = 1; impact <= 5; impact += 1) {
      const key = `${likelihood}:${impact}`;
      const count = counts.get(key) || 0;
      const score = likelihood * impact;
      const isSelected = selected === key;
      grid.append(
        h(
          "button",
          {
            type: "button",
            class: ["heat-cell", `lv-${levelOf(score)}`, count && "has-risks", isSelected && "selected"],
            "data-testid": "heat-cell",
            dataset: { likelihood: String(likelihood), impact: String(impact), count: String(count) },
            title: `${t("likelihood")} ${likelihood} × ${t("impact")} ${impact} = ${score}`,
            "aria-pressed": isSelected ? "true" : "false",
            tabindex: key === stop ? "0" : "-1",
            onclick: () => onSelect(isSelected ? null : key),
          },
          h("span", { class: "heat-count", "aria-hidden": "true" }, count ? String(count) : ""),
          h("span", { class: "heat-score", "aria-hidden": "true" }, String(score)),
          // its name, from its content: what the cell means, not only its numbers
          h("span", { class: "sr-only" }, t("heatCell", { likelihood, impact, score, level: label("level", levelOf(score)), count })),
        ),
      );
    }
  }
  grid.append(h("div", { class: "heat-axis", "aria-hidden": "true" }));
  for (let impact = 1; impact <= 5; impact += 1) grid.append(h("div", { class: "heat-axis heat-axis-x", "aria-hidden": "true" }, String(impact)));
  return h(
    "div",
    { class: "heat" },
    h("div", { class: "heat-label-y" }, t("likelihood")),
    h("div", { class: "heat-body" }, grid, h("div", { class: "heat-label-x" }, t("impact"))),
  );
}

/** Arrow keys move across the map (likelihood up, impact across); Home and End to its corners. */
function moveInHeatMap(event) {
  const cell = event.target.closest?.("[data-testid=heat-cell]");
  if (!cell) return;
  let likelihood = Number(cell.dataset.likelihood);
  let impact = Number(cell.dataset.impact);
  const moves = { ArrowUp: [1, 0], ArrowDown: [-1, 0], ArrowRight: [0, 1], ArrowLeft: [0, -1] };
  if (moves[event.key]) {
    likelihood = Math.min(5, Math.max(1, likelihood + moves[event.key][0]));
    impact = Math.min(5, Math.max(1, impact + moves[event.key][1]));
  } else if (event.key === "Home") [likelihood, impact] = [5, 1];
  else if (event.key === "End") [likelihood, impact] = [1, 5];
  else return;
  event.preventDefault();
  const next = event.currentTarget.querySelector(`[data-likelihood="${likelihood}"][data-impact="${impact}"]`);
  if (!next) return;
  for (const other of event.currentTarget.querySelectorAll("[data-testid=heat-cell]")) other.tabIndex = other === next ? 0 : -1;
  next.focus();
}

export function levelLegend() {
  return h(
    "div",
    { class: "legend" },
    ["LOW", "MEDIUM", "HIGH", "VERY_HIGH"].map((level) =>
      h("span", { class: "legend-item" }, h("i", { class: ["swatch", `lv-${level}`] }), label("level", level)),
    ),
  );
}

// -- the timeline ---------------------------------------------------------------------------------

const DAY = 86400000;

function day(iso) {
  return Date.parse(`${iso.slice(0, 10)}T00:00:00Z`);
}

function diamond(x, cls, title) {
  return s(
    "svg",
    { x: `${x}%`, y: "15", overflow: "visible", class: cls },
    s("polygon", { points: "0,-7 7,0 0,7 -7,0" }),
    title ? s("title", null, title) : null,
  );
}

/**
 * A Gantt-like chart: per activity, its milestones as rows. The planned span ends at the original
 * due date; a slip runs from there to the current due date (each reschedule a tick); achieved
 * milestones are filled diamonds, late ones with the lateness drawn; a line marks the chosen point.
 */
export function timeline(groups, pointDate) {
  const dates = [];
  for (const g of groups) {
    for (const m of g.milestones) {
      for (const d of [m.plannedOn, m.originalDueOn, m.dueOn, m.achievedOn, m.droppedOn]) if (d) dates.push(day(d));
      for (const r of m.reschedules) dates.push(day(r.from), day(r.to));
    }
  }
  // the chosen point is drawn when it falls near the milestones; far after (or before) them, an
  // arrow at the edge says where it is, so months of empty axis do not squeeze the bars
  const point = day(pointDate || new Date().toISOString());
  let start = Math.min(...dates);
  let end = Math.max(...dates);
  const near = 240 * DAY;
  const pointSide = point > end + near ? "after" : point < start - near ? "before" : "inside";
  if (pointSide === "inside") {
    start = Math.min(start, point);
    end = Math.max(end, point);
  }
  const pad = Math.max(20 * DAY, (end - start) * 0.04);
  start -= pad;
  end += pad;
  const x = (iso) => (((typeof iso === "number" ? iso : day(iso)) - start) / (end - start)) * 100;

  const first = new Date(start);
  const months = [];
  for (let y = first.getUTCFullYear(), m = first.getUTCMonth() + 1; ; m += 1) {
    if (m > 12) {
      m = 1;
      y += 1;
    }
    const at = Date.UTC(y, m - 1, 1);
    if (at > end) break;
    if (at >= start) months.push({ y, m, at });
  }
  const step = Math.max(1, Math.ceil(months.length / 12));
  const ticks = months.filter((_, i) => i % step === 0);
  const grid = () => ticks.map((tk) => s("line", { x1: `${x(tk.at)}%`, x2: `${x(tk.at)}%`, y1: "0", y2: "100%", class: "tl-grid" }));
  const pointAt = pointSide === "after" ? 100 : pointSide === "before" ? 0 : x(point);
  const nowLine = () => s("line", { x1: `${pointAt}%`, x2: `${pointAt}%`, y1: "0", y2: "100%", class: ["tl-now", pointSide !== "inside" && "tl-now-edge"].filter(Boolean).join(" ") });
  const pointText =
    pointSide === "after" ? `${t("todayLine")} ${formatDate(pointDate || new Date().toISOString())} →` : pointSide === "before" ? `← ${t("todayLine")} ${formatDate(pointDate)}` : t("todayLine");

  const axis = s(
    "svg",
    { class: "tl-axis", height: "28", width: "100%" },
    ticks.map((tk) => s("text", { x: `${x(tk.at)}%`, y: "18", class: "tl-tick" }, formatMonth(tk.y, tk.m))),
    s("text", { x: `${pointAt}%`, y: "8", class: `tl-now-label tl-now-${pointSide}` }, pointText),
  );

  const rows = [h("div", { class: "tl-label tl-head" }), h("div", { class: "tl-chart tl-head" }, axis)];
  for (const g of groups) {
    rows.push(
      h(
        "div",
        { class: "tl-group", title: g.title },
        h("span", { class: "tl-group-number" }, String(g.strategyNumber)),
        h("span", { class: "tl-group-title" }, g.title),
      ),
    );
    for (const m of g.milestones) {
      const parts = [];
      if (m.plannedOn && m.plannedOn < m.originalDueOn) {
        const a = x(m.plannedOn);
        parts.push(s("rect", { x: `${a}%`, width: `${x(m.originalDueOn) - a}%`, y: "10", height: "10", rx: "3", class: "tl-plan" }));
      }
      if (m.slipDays > 0) {
        const a = x(m.originalDueOn);
        parts.push(s("rect", { x: `${a}%`, width: `${x(m.dueOn) - a}%`, y: "12", height: "6", class: "tl-slip" }));
        for (const r of m.reschedules) parts.push(s("line", { x1: `${x(r.to)}%`, x2: `${x(r.to)}%`, y1: "8", y2: "22", class: "tl-resched" }));
        const after = m.achievedOn && m.achievedOn > m.dueOn ? m.achievedOn : m.dueOn;
        parts.push(s("text", { x: `${x(after)}%`, dx: "10", y: "19", class: "tl-slip-label" }, `+${m.slipDays}`));
      }
      parts.push(diamond(x(m.originalDueOn), "tl-original", `${t("originalDue")} ${formatDate(m.originalDueOn)}`));
      if (m.achievedOn) {
        if (m.achievedOn > m.dueOn) {
          const a = x(m.dueOn);
          parts.push(s("rect", { x: `${a}%`, width: `${x(m.achievedOn) - a}%`, y: "14", height: "2", class: "tl-late" }));
        }
        parts.push(diamond(x(m.achievedOn), "tl-achieved", `${t("achieved")} ${formatDate(m.achievedOn)}`));
      } else if (m.droppedOn) {
        parts.push(s("text", { x: `${x(m.droppedOn)}%`, y: "20", class: "tl-dropped" }, "✕"));
      } else {
        parts.push(diamond(x(m.dueOn), m.overdue ? "tl-due tl-overdue" : "tl-due", `${t("due")} ${formatDate(m.dueOn)}`));
      }
      const facts = [`${t("originalDue")} ${formatDate(m.originalDueOn)}`];
      if (m.slipDays > 0) facts.push(`${t("due")} ${formatDate(m.dueOn)} (${t("slip", { n: m.slipDays })})`);
      if (m.achievedOn) facts.push(`${t("achieved")} ${formatDate(m.achievedOn)}`);
      if (m.overdue) facts.push(t("overdue"));
      rows.push(
        h(
          "div",
          { class: "tl-label", title: `${m.title}\n${facts.join("\n")}` },
          h("span", { class: ["tl-dot", `ms-${m.overdue ? "OVERDUE" : m.status}`] }),
          h("span", { class: "tl-title" }, m.title),
          h("span", { class: "tl-facts" }, facts.join(" · ")),
        ),
        h(
          "div",
          {
            class: "tl-chart",
            "data-testid": "milestone-row",
            dataset: { milestone: m.id, slipDays: String(m.slipDays), status: m.status },
          },
          s("svg", { class: "tl-row", height: "30", width: "100%" }, parts),
        ),
      );
    }
  }
  // the month lines and the point's line, drawn once over the whole chart column (not once per
  // row: on a plan of 1,042 activities that was 14 of each row's ~20 SVG elements, ~35,000 nodes)
  const overlay = h("div", { class: "tl-overlay", "aria-hidden": "true" }, s("svg", { width: "100%", height: "100%" }, grid(), nowLine()));
  return h("div", { class: "timeline" }, overlay, rows);
}

export function timelineLegend() {
  const item = (cls, text) => h("span", { class: "legend-item" }, h("i", { class: ["tl-key", cls] }), text);
  return h(
    "div",
    { class: "legend" },
    item("key-plan", t("planned")),
    item("key-original", t("originalDue")),
    item("key-slip", t("slip", { n: "N" })),
    item("key-due", t("due")),
    item("key-achieved", t("achieved")),
    item("key-overdue", t("overdue")),
    item("key-now", t("todayLine")),
  );
}
