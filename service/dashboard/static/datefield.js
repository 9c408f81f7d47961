// A date (and time) field that speaks the page's calendar: in Thai the year is the Buddhist Era
// (2564, not 2021) and the months are Thai, where the browser's own <input type=date> would show
// its locale's Gregorian mm/dd/yyyy. Day and month are selects, the year a number in the page's
// era, the time a 24-hour hh:mm; the value handed back is ISO ("2021-01-06T09:30", CE), so the API
// never sees an era. An incomplete entry changes nothing; "clear" empties it.

import { h } from "./dom.js";
import { ceYear, eraYear, monthNames, t } from "./i18n.js";

function pad(n) {
  return String(n).padStart(2, "0");
}

function daysIn(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" (CE) into parts; anything else gives empty parts. */
function partsOf(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(value || "");
  if (!match) return { y: "", m: "", d: "", time: "" };
  return { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]), time: match[4] ? `${match[4]}:${match[5]}` : "" };
}

/**
 * A fieldset named `legend`: day, month, year (in the page's era) and, with `withTime`, a time.
 * `onchange(iso)` is called with the ISO value once the parts make a real day ("" when cleared).
 */
export function eraDateField({ legend, value, withTime = false, testid, onchange }) {
  const now = partsOf(value);
  const id = `${testid || "date"}-${Math.random().toString(36).slice(2, 8)}`;
  const day = h(
    "select",
    { id: `${id}-d`, "data-testid": testid && `${testid}-day`, "aria-label": t("dateDay") },
    h("option", { value: "" }, "–"),
    Array.from({ length: 31 }, (_, i) => h("option", { value: String(i + 1) }, String(i + 1))),
  );
  const month = h(
    "select",
    { id: `${id}-m`, "data-testid": testid && `${testid}-month`, "aria-label": t("dateMonth") },
    h("option", { value: "" }, "–"),
    monthNames().map((name, i) => h("option", { value: String(i + 1) }, name)),
  );
  const year = h("input", {
    id: `${id}-y`,
    type: "number",
    inputmode: "numeric",
    min: String(eraYear(1900)),
    max: String(eraYear(2200)),
    class: "era-year",
    "data-testid": testid && `${testid}-year`,
    "aria-label": t("dateYear"),
    placeholder: String(eraYear(new Date().getFullYear())),
  });
  const time = withTime
    ? h("input", { id: `${id}-t`, type: "time", step: "60", class: "era-time", "data-testid": testid && `${testid}-time`, "aria-label": t("dateTime") })
    : null;
  day.value = now.d ? String(now.d) : "";
  month.value = now.m ? String(now.m) : "";
  year.value = now.y ? String(eraYear(now.y)) : "";
  if (time) time.value = now.time;

  const emit = () => {
    const d = Number(day.value);
    const m = Number(month.value);
    const shown = Number(year.value);
    if (!d || !m || !shown) return;
    const y = ceYear(shown);
    if (y < 1900 || y > 2200 || d > daysIn(y, m)) {
      year.setAttribute("aria-invalid", "true");
      return;
    }
    year.removeAttribute("aria-invalid");
    const date = `${y}-${pad(m)}-${pad(d)}`;
    onchange(withTime ? `${date}T${time.value || "23:59"}` : date);
  };
  for (const control of [day, month, year, time]) control?.addEventListener("change", emit);
  const clear = h(
    "button",
    {
      type: "button",
      class: "button ghost small",
      "data-testid": testid && `${testid}-clear`,
      hidden: !value,
      onclick: () => onchange(""),
    },
    t("clear"),
  );
  return h(
    "fieldset",
    { class: "era-date", "data-testid": testid },
    h("legend", { class: "field-label" }, legend),
    h("div", { class: "era-date-parts" }, day, month, year, time, clear),
  );
}
