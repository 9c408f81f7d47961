// A small form builder for the commands a token may run: labelled fields, errors beside the field
// they name (aria-describedby, aria-invalid), focus on the first wrong field, and one submission
// path that carries an idempotency key made when the form opens (a double click, or a retry after
// a lost answer, records once) and the stream version the form was opened at (a stale form gets
// the conflict screen: what changed meanwhile, and an offer to re-apply on top of it).

import { h, replace } from "./dom.js";
import { eventLabel, formatDate, formatDateTime, getLang, t } from "./i18n.js";

let serial = 0;

/** 128 random bits as hex: crypto.getRandomValues works on plain http too (randomUUID does not). */
export function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `form-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** What every command answers with; the typed errors' own fields say where the fault is. */
const RESULT = `__typename
  ... on Recorded { streamId version replayed createdId position projected }
  ... on UserError { code message }
  ... on ValidationError { field }
  ... on VersionConflictError { expected actual }
  ... on PeriodLockedError { effectiveOn lockedThrough meeting }
  ... on InvalidTransitionError { current requested }
  ... on NotFoundError { kind key }`;

/** Runs one command mutation; resolves to its typed answer (a Recorded payload or a UserError). */
export async function runCommand(api, name, input) {
  const title = name[0].toUpperCase() + name.slice(1);
  const document = `mutation Run${title}($input: ${title}Input!) { r: ${name}(input: $input) { ${RESULT} } }`;
  const data = await api.query(document, { input: { ...input, consistency: "READ_YOUR_WRITES" } });
  return data.r;
}

const STREAM_EVENTS = `query StreamEvents($stream: ID!) {
  events(filter: { streamId: $stream }, last: 50) { edges { node { version type effectiveOn recordedAt actor reason payload } } }
}`;

// -- dates: Buddhist Era in Thai mode ---------------------------------------------------------------

/** "6/1/2564" (day/month/Buddhist Era year, Thai) or "2021-01-06" (ISO) to ISO; null if neither. */
export function parseDay(text) {
  const value = String(text || "").trim();
  let y;
  let m;
  let d;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  if (iso) [, y, m, d] = iso.map(Number);
  else if (dmy) [, d, m, y] = dmy.map(Number);
  else return null;
  if (y > 2400) y -= 543; // a Buddhist Era year
  const at = new Date(Date.UTC(y, m - 1, d));
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== m - 1 || at.getUTCDate() !== d) return null;
  return at.toISOString().slice(0, 10);
}

/** An ISO day as the date field shows it: d/m/BE in Thai, ISO in English. */
export function showDay(iso) {
  if (!iso) return "";
  if (getLang() !== "th") return iso;
  const [y, m, d] = iso.split("-").map(Number);
  return `${d}/${m}/${y + 543}`;
}

// -- the builder ------------------------------------------------------------------------------------

function control(spec, id, describedBy) {
  const common = { id, name: spec.name, "aria-describedby": describedBy, required: spec.required || null, "data-field": spec.name };
  switch (spec.type) {
    case "select":
      return h(
        "select",
        // (no value given: the first option stays chosen; "" would choose none of a required select)
        { ...common, value: spec.value ?? (spec.optional ? "" : null) },
        spec.optional ? h("option", { value: "" }, spec.placeholder || "—") : null,
        spec.options.map((o) => h("option", { value: o.value }, o.label)),
      );
    case "textarea":
      return h("textarea", { ...common, rows: spec.rows || 3, value: spec.value ?? "" });
    case "checkbox":
      return h("input", { ...common, type: "checkbox", checked: Boolean(spec.value), required: null });
    case "date":
      return h("input", {
        ...common,
        type: "text",
        inputmode: "numeric",
        autocomplete: "off",
        placeholder: getLang() === "th" ? t("datePlaceholderTh") : t("datePlaceholderEn"),
        value: showDay(spec.value),
        "data-kind": "date",
      });
    case "number":
      return h("input", { ...common, type: "number", min: spec.min, max: spec.max, step: spec.step || "any", value: spec.value ?? "" });
    case "time":
      return h("input", { ...common, type: "time", value: spec.value ?? "" });
    default:
      return h("input", { ...common, type: "text", autocomplete: "off", value: spec.value ?? "" });
  }
}

/**
 * One field: its label, control, hint and error line; `read()` gives its value (null when empty),
 * or throws { field, message } for a value that cannot be read (a day that is no day).
 */
export function fieldOf(spec, prefix) {
  const id = `${prefix}-${spec.name}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const input = control(spec, id, `${spec.hint || spec.type === "date" ? hintId + " " : ""}${errorId}`);
  const hint = h("div", { class: "form-hint", id: hintId }, spec.hint || "");
  if (spec.type === "date") {
    const say = () => {
      const iso = parseDay(input.value);
      replace(hint, iso ? formatDate(iso, "long") : spec.hint || (getLang() === "th" ? t("dateHintTh") : ""));
    };
    input.addEventListener("input", say);
    say();
  }
  const error = h("div", { class: "form-error", id: errorId, role: "alert", "data-error-for": spec.name });
  const wrap = h(
    "div",
    { class: ["form-field", spec.type === "checkbox" && "form-check", spec.wide && "wide"] },
    h("label", { for: id, class: "field-label" }, spec.label, spec.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    input,
    hint,
    error,
  );
  return {
    spec,
    el: wrap,
    input,
    read() {
      if (spec.type === "checkbox") return input.checked;
      const raw = input.value.trim();
      if (!raw) return null;
      if (spec.type === "number") return Number(raw);
      if (spec.type === "date") {
        const iso = parseDay(raw);
        if (!iso) throw { field: spec.name, message: t("badDate") };
        return iso;
      }
      return raw;
    },
    setError(message) {
      replace(error, message || "");
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    },
  };
}

/**
 * A command form. `spec`:
 *   name        the mutation (e.g. "reportProgress")
 *   title       the heading
 *   fields      [{ name, label, type, required, options, value, hint, min, max, step }]
 *   extra       () => [elements] placed after the fields (row editors); `collect` reads them
 *   collect     (values) => input: the mutation's input from the fields' values (default: them)
 *   fixed       () => the input's fixed part (activityId …)
 *   version     () => the stream's version the form was opened at (null: not checked)
 *   stream      () => the stream's ID (for the conflict screen)
 *   onDone      (answer) => after a recorded answer (refresh the page's data)
 *   keep        keep the form open after success (a desk takes several entries)
 * Returns the form element; `el.reset()` gives it a fresh key.
 */
export function commandForm(api, spec) {
  const prefix = `f${++serial}-${spec.name}`;
  const fields = spec.fields.map((f) => fieldOf(f, prefix));
  const byName = new Map(fields.map((f) => [f.spec.name, f]));
  let key = newKey();
  let expected = spec.version ? spec.version() : null;
  const headingId = `${prefix}-title`;
  const status = h("div", { class: "form-status", role: "status", "aria-live": "polite", "data-testid": "form-status" });
  const problem = h("div", { class: "form-problem", role: "alert", "data-testid": "form-problem" });
  const conflict = h("div", { class: "conflict", "data-testid": "conflict", hidden: true });
  const submit = h("button", { type: "submit", class: "button primary", "data-testid": "form-submit" }, spec.submitLabel || t("record"));
  const extras = spec.extra ? spec.extra() : [];

  const form = h(
    "form",
    {
      class: "command-form",
      "aria-labelledby": headingId,
      novalidate: true,
      "data-testid": `form-${spec.name}`,
      dataset: { mutation: spec.name, key, version: expected ?? "" },
      onsubmit: (event) => {
        event.preventDefault();
        send();
      },
    },
    h("h3", { id: headingId, class: "form-title" }, spec.title),
    spec.lead ? h("p", { class: "form-lead" }, spec.lead) : null,
    h("div", { class: "form-grid" }, fields.map((f) => f.el)),
    extras,
    problem,
    conflict,
    h("div", { class: "form-actions" }, submit, status),
  );

  function clearErrors() {
    for (const f of fields) f.setError("");
    for (const el of form.querySelectorAll("[data-row-error]")) replace(el, "");
    replace(problem, "");
  }

  function showError(name, message) {
    const f = byName.get(name);
    if (f) {
      f.setError(message);
      f.input.focus();
      return;
    }
    const nested = form.querySelector(`[data-row-error="${CSS.escape(name)}"]`);
    if (nested) {
      replace(nested, message);
      nested.previousElementSibling?.focus?.();
      return;
    }
    replace(problem, message);
    problem.setAttribute("tabindex", "-1");
    problem.focus();
  }

  function values() {
    const found = {};
    for (const f of fields) found[f.spec.name] = f.read();
    return found;
  }

  async function send(again = false) {
    clearErrors();
    let input;
    try {
      const own = values();
      const missing = fields.find((f) => f.spec.required && (own[f.spec.name] == null || own[f.spec.name] === ""));
      if (missing) throw { field: missing.spec.name, message: t("required") };
      input = { ...(spec.fixed ? spec.fixed() : {}), ...(spec.collect ? spec.collect(own) : own) };
    } catch (fault) {
      if (fault && fault.field) {
        showError(fault.field, fault.message);
        return;
      }
      throw fault;
    }
    for (const [k, v] of Object.entries(input)) if (v === null || v === undefined) delete input[k];
    input.idempotencyKey = key;
    if (expected != null) input.expectedVersion = expected;
    submit.setAttribute("aria-busy", "true");
    replace(status, t("saving"));
    let answer;
    try {
      answer = await runCommand(api, spec.name, input);
    } catch (error) {
      submit.removeAttribute("aria-busy");
      replace(status, "");
      showError("", `${t("error")}: ${error.message}`);
      return;
    }
    submit.removeAttribute("aria-busy");
    if (answer.__typename === "VersionConflictError") {
      replace(status, "");
      await showConflict(answer);
      return;
    }
    if (answer.code) {
      replace(status, "");
      const field = answer.field || (answer.__typename === "PeriodLockedError" ? "effectiveOn" : answer.__typename === "InvalidTransitionError" ? "status" : "");
      showError(field || "", answer.message);
      return;
    }
    conflict.hidden = true;
    replace(status, answer.replayed ? t("recordedOnce") : t("recordedDone"));
    form.dataset.recorded = String(Number(form.dataset.recorded || 0) + 1);
    expected = answer.version ?? expected;
    key = newKey();
    form.dataset.key = key;
    form.dataset.version = expected ?? "";
    if (!spec.keep) for (const f of fields) if (f.spec.type !== "select" && f.spec.type !== "checkbox" && !f.spec.sticky) f.input.value = "";
    await spec.onDone?.(answer, { again });
  }

  async function showConflict(answer) {
    conflict.hidden = false;
    const list = h("ol", { class: "conflict-events" });
    replace(
      conflict,
      h("h4", { tabindex: "-1", class: "conflict-title" }, t("conflictTitle")),
      h("p", null, t("conflictLead", { expected: answer.expected, actual: answer.actual })),
      list,
      h(
        "div",
        { class: "form-actions" },
        h("button", {
          type: "button",
          class: "button primary",
          "data-testid": "conflict-reapply",
          onclick: () => {
            expected = answer.actual;
            form.dataset.version = expected;
            send(true);
          },
        }, t("reapply")),
        h("button", {
          type: "button",
          class: "button",
          "data-testid": "conflict-dismiss",
          onclick: () => {
            conflict.hidden = true;
            submit.focus();
          },
        }, t("cancel")),
      ),
    );
    conflict.querySelector("h4").focus();
    if (!spec.stream) return;
    try {
      const data = await api.query(STREAM_EVENTS, { stream: spec.stream() });
      const newer = data.events.edges.map((e) => e.node).filter((e) => e.version > answer.expected);
      if (!newer.length) {
        // the read side has not shown them yet (it follows the log within moments)
        replace(list, h("li", null, t("conflictNotYet")));
        return;
      }
      replace(
        list,
        newer.map((e) =>
          h(
            "li",
            { "data-testid": "conflict-event", dataset: { type: e.type, version: e.version } },
            h("strong", null, eventLabel(e.type)),
            ` · ${summarise(e.payload)} · ${formatDate(e.effectiveOn)} · ${t("by")} ${e.actor} · ${formatDateTime(e.recordedAt)}`,
            e.reason ? ` · ${t("reason")}: ${e.reason}` : "",
          ),
        ),
      );
    } catch (error) {
      replace(list, h("li", null, `${t("error")}: ${error.message}`));
    }
  }

  form.reset = () => {
    key = newKey();
    form.dataset.key = key;
    expected = spec.version ? spec.version() : null;
    form.dataset.version = expected ?? "";
    clearErrors();
  };
  form.focusFirst = () => fields[0]?.input.focus();
  return form;
}

function summarise(payload) {
  if (!payload) return "";
  return Object.entries(payload)
    .filter(([k, v]) => v != null && v !== "" && !/(_id|Id)$/.test(k) && typeof v !== "object")
    .map(([k, v]) => `${k}: ${v}`)
    .slice(0, 4)
    .join(", ");
}

/**
 * Buttons that open one form at a time under them (a disclosure each): the forms a role may run on
 * one thing. `entries`: [{ name, label, build: () => form }] already filtered by the viewer.
 */
export function formMenu(entries, { testid } = {}) {
  if (!entries.length) return null;
  const host = h("div", { class: "form-host" });
  let open = null;
  const buttons = entries.map((entry) => {
    const button = h(
      "button",
      {
        type: "button",
        class: "button",
        "aria-expanded": "false",
        "data-testid": `open-${entry.name}`,
        onclick: () => {
          for (const b of buttons) b.setAttribute("aria-expanded", "false");
          if (open === entry.name) {
            open = null;
            replace(host);
            return;
          }
          open = entry.name;
          button.setAttribute("aria-expanded", "true");
          const form = entry.build();
          replace(host, form);
          // a note instead of a form (nothing to act on) keeps the focus on its button
          if (typeof form.focusFirst === "function") form.focusFirst();
        },
      },
      entry.label,
    );
    return button;
  });
  const menu = h("div", { class: "form-menu", "data-testid": testid }, h("div", { class: "form-menu-buttons" }, buttons), host);
  /** Closes the open form (after it recorded), focus back on the button that opened it. */
  menu.close = () => {
    const button = buttons.find((b) => b.getAttribute("aria-expanded") === "true");
    open = null;
    replace(host);
    for (const b of buttons) b.setAttribute("aria-expanded", "false");
    button?.focus();
  };
  return menu;
}

/**
 * Rows of sub-fields (attendees, action items, corrections): add and remove rows; `read()` gives
 * their values, each row's errors shown beside it (data-row-error="<name>.<index>.<field>").
 */
export function rowsEditor({ name, title, columns, addLabel, initial = 1 }) {
  const prefix = `r${++serial}-${name}`;
  const body = h("div", { class: "rows-body" });
  const rows = [];
  function addRow(values = {}) {
    const index = rows.length;
    const fields = columns.map((c) => fieldOf({ ...c, value: values[c.name] ?? c.value }, `${prefix}-${index}`));
    const remove = h("button", { type: "button", class: "button ghost small", "aria-label": `${t("remove")} ${index + 1}`, onclick: () => {
      rows.splice(rows.indexOf(row), 1);
      rowEl.remove();
    } }, "×");
    const rowEl = h("fieldset", { class: "rows-row", "data-testid": `${name}-row` }, h("legend", null, `${title} ${index + 1}`), fields.map((f) => f.el), remove);
    const row = { fields, el: rowEl };
    rows.push(row);
    body.append(rowEl);
    return row;
  }
  for (let i = 0; i < initial; i++) addRow();
  const el = h(
    "div",
    { class: "rows", "data-testid": `rows-${name}` },
    h("div", { class: "rows-title" }, title),
    body,
    h("div", { class: "form-error", role: "alert", "data-row-error": name }),
    h("button", { type: "button", class: "button small", "data-testid": `add-${name}`, onclick: () => addRow().fields[0].input.focus() }, addLabel),
  );
  return {
    el,
    addRow,
    read() {
      return rows
        .map((row) => Object.fromEntries(row.fields.map((f) => [f.spec.name, f.read()])))
        .filter((values) => Object.values(values).some((v) => v !== null && v !== false && v !== ""));
    },
  };
}
