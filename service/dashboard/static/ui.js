// Small pieces every view uses: chips, bars, cards, empty states.

import { h } from "./dom.js";
import { formatNumber, formatPercent, label, t } from "./i18n.js";

export const STATUSES = ["COMPLETED", "IN_PROGRESS", "NOT_IMPLEMENTED", "ON_HOLD", "NOT_STARTED", "PLANNED", "CANCELLED"];
export const LEVELS = ["LOW", "MEDIUM", "HIGH", "VERY_HIGH"];

/** The risk level of a score, as the domain has it: 1–4 low, 5–9 medium, 10–16 high, 17–25 very high. */
export function levelOf(score) {
  if (score >= 17) return "VERY_HIGH";
  if (score >= 10) return "HIGH";
  if (score >= 5) return "MEDIUM";
  return "LOW";
}

export function statusChip(status, apiLabel) {
  return h("span", { class: ["chip", `st-${status}`], dataset: { status } }, label("status", status, apiLabel));
}

/** A risk's level; a risk not yet assessed has none: "to assess", never a level made up. */
export function levelChip(level, apiLabel) {
  if (level == null) return h("span", { class: ["chip", "lv-none"], title: t("notAssessed") }, t("toAssess"));
  return h("span", { class: ["chip", `lv-${level}`] }, label("level", level, apiLabel));
}

/** A progress in percent with its bar; an unknown one (nothing reported) is "—", with no bar. */
export function progressShown(value, { digits = 0 } = {}) {
  if (value == null) return h("span", { class: "progress-unknown", title: t("progressUnknown"), "data-testid": "progress-unknown" }, "—");
  return [progressBar(value), h("span", { class: "muted" }, `${formatNumber(value, digits)}%`)];
}

/** A figure as reported: its value and unit (as the minutes give them). */
export function figureValue(figure) {
  const digits = Number.isInteger(figure.value) ? 0 : 2;
  const unit = figure.unit === "PERCENT" ? "%" : ` ${figure.unitLabel || ""}`;
  return `${formatNumber(figure.value, digits)}${unit}`;
}

export function plainChip(text, extra) {
  return h("span", { class: ["chip", "chip-plain", extra] }, text);
}

/** A stacked bar of counts by status; `byStatus` as the API's summary gives it. */
export function statusBar(byStatus, total, { large = false } = {}) {
  const counts = Object.fromEntries(byStatus.map((s) => [s.status, s]));
  const bar = h("div", { class: ["statusbar", large && "statusbar-large"], role: "img" });
  const described = [];
  for (const status of STATUSES) {
    const entry = counts[status];
    if (!entry || !entry.count || !total) continue;
    const text = `${label("status", status, entry.statusLabel)}: ${entry.count}`;
    described.push(text);
    bar.append(
      h("div", {
        class: ["seg", `st-${status}`],
        style: { "flex-grow": String(entry.count) },
        title: text,
      }),
    );
  }
  if (!described.length) bar.append(h("div", { class: "seg seg-empty", style: { "flex-grow": "1" } }));
  bar.setAttribute("aria-label", described.join(", ") || "—");
  return bar;
}

export function progressBar(value, { title } = {}) {
  const pct = Math.max(0, Math.min(100, Number(value) || 0));
  return h(
    "div",
    { class: "progress", title: title || `${pct.toFixed(0)}%` },
    h("div", { class: "progress-fill", style: { width: `${pct}%` } }),
  );
}

export function card(title, body, { extra, actions, testid } = {}) {
  return h(
    "section",
    { class: ["card", extra], "data-testid": testid },
    title ? h("header", { class: "card-head" }, h("h2", null, title), actions || null) : null,
    body,
  );
}

export function empty(text) {
  return h("p", { class: "empty" }, text);
}

export function kpi(title, value, sub, { tone, testid } = {}) {
  return h(
    "div",
    { class: ["kpi", tone && `kpi-${tone}`], "data-testid": testid },
    h("div", { class: "kpi-title" }, title),
    h("div", { class: "kpi-value" }, value),
    sub ? h("div", { class: "kpi-sub" }, sub) : null,
  );
}

export function share(part, whole) {
  return whole ? formatPercent(part / whole) : "—";
}

export function select(attrs, options, value) {
  return h(
    "select",
    { ...attrs, value },
    options.map((o) =>
      o.group
        ? h("optgroup", { label: o.group }, o.options.map((x) => h("option", { value: x.value }, x.label)))
        : h("option", { value: o.value }, o.label),
    ),
  );
}

export function field(name, control) {
  return h("label", { class: "field" }, h("span", { class: "field-label" }, name), control);
}

export function loading() {
  return h("div", { class: "loading" }, h("div", { class: "spinner" }), t("loading"));
}
