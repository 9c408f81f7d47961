// The dashboard: sign in with a token, pick a plan and a point in time, and look.

import { Api, Live } from "./api.js";
import { h, replace } from "./dom.js";
import { eventLabel, formatDate, formatPeriod, getLang, label, meetingName, setLang, t } from "./i18n.js";
import { renderActivities, renderDrawer } from "./activities.js";
import { renderActionItems } from "./actionitems.js";
import { eraDateField } from "./datefield.js";
import { renderKeyResults } from "./keyresults.js";
import { renderMeetings } from "./meetings.js";
import { renderPack } from "./pack.js";
import { renderOverview } from "./overview.js";
import { ACTIVITY, CHANGES, DASHBOARD, FIGURES, MEETING, PLAN_EVENTS, PLANS, RISK_EVENTS } from "./queries.js";
import { ACTION_ITEMS, ACTIVITY_HEALTH, HEALTH } from "./queries.js";
import { renderRisks, renderTimeline } from "./registers.js";
import { field, loading, select } from "./ui.js";
import { renderDesk, resetDesk } from "./desk.js";
import { renderTokens, resetTokens } from "./tokens.js";
import { renderImport, resetImport } from "./minutesimport.js";
import { DUE_UPDATES, activityForms, forgetForms, renderUpdates } from "./updates.js";

const TOKEN_KEY = "planledger.token";
const LANG_KEY = "planledger.lang";
const TABS = ["overview", "activities", "timeline", "risks", "meetings", "pack"];
const TAB_WORDS = { overview: "tabOverview", activities: "tabActivities", timeline: "tabTimeline", risks: "tabRisks", meetings: "tabMeetings", pack: "tabPack" };
// the committee's views: key results with health, the action-item register
TABS.push("results", "actions");
Object.assign(TAB_WORDS, { results: "tabResults", actions: "tabActions" });
// the tabs of what a token may record (forms): shown only to a token that may (the viewer query)
const WORK_TABS = { updates: "tabUpdates", desk: "tabDesk", tokens: "tabTokens", import: "tabImport" };
Object.assign(TAB_WORDS, WORK_TABS);
TABS.push(...Object.keys(WORK_TABS));
const VIEWER = "query Viewer { viewer { name role unit mutations managesTokens } }";

const state = {
  token: null,
  plans: [],
  meetings: [],
  planId: null,
  point: { kind: "now" }, // or { kind: "meeting", id } or { kind: "date", date }
  knownAt: "",
  compare: "", // a meeting ID
  tab: "overview",
  data: null, // { plan, risks }
  figures: null, // the figures the minutes reported: { reportedFigures, strategies: [{ number, reportedFigures }] }
  changes: null,
  error: null,
  filters: { status: "", kind: "", unit: "", year: "", strategy: "", text: "" },
  riskFilter: { level: "", status: "" },
  cell: null, // "likelihood:impact"
  feed: [],
  live: "offline",
  meetingId: null,
  meeting: null,
  drawer: null, // { id, activity, loading }
  health: null, // { health, strategies: [{ number, health }], activities: [{ id, health }], keyResults }
  actionItems: null, // the register: every action item, judged on the point's day
  actionFilter: { state: "", owner: "" },
  viewer: null, // who the token is and what it may record: { name, role, unit, mutations, managesTokens }
  due: null, // a unit's dueUpdates
};

let api = null;
let live = null;
let stopSubscriptions = [];
let generation = 0;
let refreshTimer = null;
const root = document.getElementById("root");

// -- points in time -------------------------------------------------------------------------------

function asOf(point = state.point) {
  const value = {};
  if (point.kind === "meeting") value.meeting = point.id;
  if (point.kind === "date") value.date = point.date;
  if (state.knownAt) value.knownAt = new Date(state.knownAt).toISOString();
  return Object.keys(value).length ? value : null;
}

function pointKey(point = state.point) {
  if (point.kind === "meeting") return `m:${point.id}`;
  if (point.kind === "date") return `d:${point.date}`;
  return "now";
}

function parsePoint(text) {
  if (text?.startsWith("m:")) return { kind: "meeting", id: text.slice(2) };
  if (text?.startsWith("d:") && /^\d{4}-\d{2}-\d{2}$/.test(text.slice(2))) return { kind: "date", date: text.slice(2) };
  return { kind: "now" };
}

function hasMinutes(meeting) {
  return Boolean(meeting?.agenda?.length);
}

function meetingById(id) {
  return state.meetings.find((m) => m.id === id);
}

/** The meetings of the plan's committee (those of its bodies), then the others. */
function planMeetings() {
  const bodies = new Set(state.meetings.filter((m) => m.planId === state.planId).map((m) => m.body));
  const own = state.meetings.filter((m) => m.planId === state.planId || bodies.has(m.body));
  const others = state.meetings.filter((m) => !own.includes(m));
  return { own, others };
}

function pointLabel() {
  const plan = state.data?.plan;
  if (state.point.kind === "meeting") {
    const m = meetingById(state.point.id);
    return m ? `${formatDate(m.date, "long")} · ${meetingName(m)}` : "";
  }
  if (state.point.kind === "date") return formatDate(state.point.date, "long");
  return plan?.asOf?.date ? formatDate(plan.asOf.date, "long") : `${t("now")} · ${formatDate(today(), "long")}`;
}

/** Which question the page answers: what the committee had been told by a meeting, or the world
 * on a date as known now (issue 20's two readings of a day), and the other reading of the same day
 * where there is one (a meeting's date; a date a meeting of the plan's committee was held on). */
function pointQuestion() {
  if (state.point.kind === "meeting") {
    const m = meetingById(state.point.id);
    if (!m) return { text: "" };
    return { text: t("questionMeeting", { meeting: m.code }), other: { kind: "date", date: m.date }, word: t("switchToDate", { date: formatDate(m.date, "long") }) };
  }
  if (state.point.kind === "date") {
    const held = planMeetings().own.find((m) => m.date === state.point.date);
    const text = t("questionDate", { date: formatDate(state.point.date, "long") });
    return held ? { text, other: { kind: "meeting", id: held.id }, word: t("switchToMeeting", { meeting: held.code }) } : { text };
  }
  return { text: t("questionNow", { date: formatDate(today(), "long") }) };
}

// -- the address bar keeps the view: plan, point, comparison, tab ----------------------------------

function writeHash() {
  const params = new URLSearchParams();
  if (state.planId) params.set("plan", state.planId);
  params.set("at", pointKey());
  if (state.knownAt) params.set("known", state.knownAt);
  if (state.compare) params.set("compare", state.compare);
  params.set("tab", state.tab);
  history.replaceState(null, "", `#${params}`);
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  state.planId = params.get("plan") || null;
  state.point = parsePoint(params.get("at"));
  state.knownAt = params.get("known") || "";
  state.compare = params.get("compare") || "";
  const tab = params.get("tab");
  state.tab = TABS.includes(tab) ? tab : "overview";
}

// -- signing in -------------------------------------------------------------------------------------

function showLogin(message) {
  document.body.dataset.state = "login";
  const input = h("input", {
    id: "token",
    name: "token",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "plt_…",
    required: true,
  });
  const error = h("p", { class: "login-error", role: "alert", "data-testid": "login-error" }, message || "");
  const form = h(
    "form",
    {
      class: "login-card",
      onsubmit: async (event) => {
        event.preventDefault();
        const token = input.value.trim();
        if (!token) return;
        button.disabled = true;
        replace(error, "");
        performance.clearMarks();
        performance.clearMeasures();
        painted.clear();
        performance.mark(SIGNED_IN);
        const result = await tryToken(token);
        button.disabled = false;
        if (result === "ok") {
          sessionStorage.setItem(TOKEN_KEY, token);
          startSession(token, { focus: true });
        } else {
          replace(error, t(result));
        }
      },
    },
    h("div", { class: "brand brand-large" }, h("span", { class: "brand-mark" }), "planledger"),
    h("h1", null, t("appTitle")),
    h("p", { class: "login-lead" }, t("signInLead")),
    h("label", { for: "token", class: "field-label" }, t("token")),
    input,
    error,
  );
  const button = h("button", { type: "submit", class: "button primary" }, t("signIn"));
  form.append(button, langToggle(() => showLogin(message)));
  replace(root, h("main", { class: "login" }, form));
  input.focus();
}

async function tryToken(token) {
  try {
    await new Api(token).query("query SignIn { plans { id } }");
    return "ok";
  } catch (error) {
    return error.status === 401 ? "badToken" : "unreachable";
  }
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.viewer = null;
  state.due = null;
  resetDesk();
  resetTokens();
  resetImport();
  forgetForms("drawer");
  forgetForms("updates");
  live?.close();
  live = null;
  stopSubscriptions = [];
  state.token = null;
  state.data = null;
  showLogin(message);
}

async function startSession(token, { focus = false } = {}) {
  state.token = token;
  api = new Api(token, { onUnauthorized: () => signOut(t("badToken")) });
  document.body.dataset.state = "loading";
  renderShell();
  // the sign-in form is gone: focus moves into the app (its main region), never left on <body>
  if (focus) focusMain();
  try {
    await loadPlans();
    state.viewer = (await api.query(VIEWER)).viewer;
    // a unit lands on what it still has to report, unless the address names a view
    if (state.viewer.role === "unit" && !new URLSearchParams(location.hash.slice(1)).get("tab")) state.tab = "updates";
    if (!tabShown(state.tab)) state.tab = "overview";
  } catch (error) {
    state.error = error.message;
    renderView();
    return;
  }
  live = new Live(token, {
    onStatus: (status) => {
      state.live = status;
      renderLiveBadge();
    },
    onUnauthorized: () => signOut(t("badToken")),
  });
  subscribe();
  await load();
}

// -- loading ----------------------------------------------------------------------------------------

async function loadPlans() {
  const data = await api.query(PLANS);
  state.plans = data.plans;
  state.meetings = data.meetings.edges.map((e) => e.node);
  if (!state.plans.some((p) => p.id === state.planId)) state.planId = state.plans[0]?.id ?? null;
  renderHeader();
}

/** Everything the current point shows; `quiet` keeps the old view until the new one arrives. */
async function load({ quiet = false, touched = null } = {}) {
  writeHash();
  const mine = ++generation;
  if (!state.planId) {
    state.data = null;
    document.body.dataset.state = "ready";
    renderAll();
    return;
  }
  if (!quiet) {
    document.body.dataset.state = "loading";
    renderTimebar();
    if (!state.data) renderView();
  }
  try {
    const variables = { plan: state.planId, asOf: asOf() };
    const compare = state.compare
      ? api.query(CHANGES, { plan: state.planId, from: { meeting: state.compare }, to: asOf() || { date: today() } })
      : Promise.resolve(null);
    // health and the register are asked at once but never hold up the plan's first paint: they
    // are computed (health over every activity and key result), and arrive when they arrive
    if (!quiet) {
      state.health = null;
      state.actionItems = null;
    }
    document.body.dataset.extras = "loading";
    const extras = Promise.all([api.query(HEALTH, variables), api.query(ACTION_ITEMS, { plan: state.planId, on: pointDate() })]);
    extras.then(
      ([health, register]) => {
        if (mine !== generation) return;
        state.health = health.plan;
        state.actionItems = register.actionItems;
        document.body.dataset.extras = "ready";
        renderView();
        markPainted();
      },
      (error) => {
        if (mine !== generation) return;
        state.error = error.message;
        document.body.dataset.extras = "ready";
        renderView();
      },
    );
    const [data, figures, changes] = await Promise.all([api.query(DASHBOARD, variables), api.query(FIGURES, variables), compare]);
    if (mine !== generation) return;
    state.data = data;
    state.figures = figures.plan;
    state.changes = changes?.changes ?? null;
    state.error = null;
    if (state.tab === "meetings") await loadMeeting();
    if (state.tab === "updates") await loadDue();
  } catch (error) {
    if (mine !== generation) return;
    state.error = error.message;
  }
  document.body.dataset.point = pointKey();
  document.body.dataset.state = "ready";
  renderAll();
  markPainted();
  if (state.drawer && (!touched || touched.has(state.drawer.id))) openActivity(state.drawer.id, { quiet: true });
}

/** The day the point stands on, for questions that take a day only (null: today). */
function pointDate() {
  if (state.point.kind === "meeting") return meetingById(state.point.id)?.date ?? null;
  if (state.point.kind === "date") return state.point.date;
  return null;
}

function today() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

async function loadMeeting() {
  if (!state.meetingId) {
    const pointed = state.point.kind === "meeting" ? state.point.id : null;
    const { own } = planMeetings();
    const held = own.filter(hasMinutes);
    state.meetingId = pointed || held[held.length - 1]?.id || own[own.length - 1]?.id || null;
  }
  if (!state.meetingId) {
    state.meeting = null;
    return;
  }
  const data = await api.query(MEETING, { id: state.meetingId });
  state.meeting = data.meeting;
}

/** Is the tab for this token? The work tabs only where the viewer may record something there. */
function tabShown(tab) {
  const v = state.viewer;
  if (!(tab in WORK_TABS)) return true;
  if (!v) return false;
  if (tab === "updates") return v.role === "unit";
  if (tab === "desk") return v.mutations.includes("scheduleMeeting") || v.mutations.includes("recordAttendance");
  // the importer records as the secretariat: the secretariat and an admin (the server says so too)
  if (tab === "import") return v.role === "secretariat" || v.role === "admin";
  return v.managesTokens;
}

async function loadDue() {
  if (!state.viewer?.unit || !state.planId) return;
  state.due = (await api.query(DUE_UPDATES, { plan: state.planId, unit: state.viewer.unit })).dueUpdates;
}

/** What the forms need of the page: the API, who signs, and how to show what they recorded. */
function workEnv() {
  return {
    api,
    viewer: state.viewer,
    state,
    planId: state.planId,
    refresh: () => load({ quiet: true }),
    reloadMeetings: () => loadPlans(),
    // after an import: a plan that was not there before is picked (the first one), followed live,
    // and read afresh
    reloadPlans: async () => {
      const before = state.planId;
      await loadPlans();
      if (before !== state.planId) subscribe();
      await load({ quiet: Boolean(before) && before === state.planId });
    },
    showTab: (tab) => {
      actions.setTab(tab);
      document.getElementById(`tab-${tab}`)?.focus();
    },
  };
}

async function openActivity(id, { quiet = false } = {}) {
  if (!quiet) {
    state.drawer = { id, activity: null };
    renderDrawerNow();
  }
  try {
    const [data, health] = await Promise.all([api.query(ACTIVITY, { id, asOf: asOf() }), api.query(ACTIVITY_HEALTH, { id, asOf: asOf() })]);
    if (state.drawer?.id !== id) return;
    state.drawer = { id, activity: data.activity && { ...data.activity, ...(health.activity || {}) } };
  } catch (error) {
    state.drawer = { id, error: error.message };
  }
  renderDrawerNow();
}

function closeDrawer() {
  state.drawer = null;
  forgetForms("drawer");
  renderDrawerNow();
  returnFocus();
}

// -- live -------------------------------------------------------------------------------------------

function subscribe() {
  for (const stop of stopSubscriptions) stop();
  stopSubscriptions = [];
  if (!live || !state.planId) return;
  stopSubscriptions.push(
    live.subscribe(PLAN_EVENTS, { plan: state.planId }, { next: onPlanEvent }),
    live.subscribe(RISK_EVENTS, { plan: state.planId }, { next: onRiskEvent }),
  );
}

// Events arrive one by one (an import of minutes sends hundreds): the page refreshes once per
// burst, and a burst of more than a few shows as one notice.
const pending = { touched: new Set(), meetings: false, notices: [] };

function onPlanEvent(event) {
  const activity = state.data?.plan?.activities.find((a) => a.id === event.streamId);
  const meeting = meetingById(event.streamId);
  const subject = event.payload?.title || activity?.title || (meeting && meetingName(meeting)) || "";
  state.feed.unshift({ ...event, subject, seenAt: Date.now() });
  state.feed = state.feed.slice(0, 25);
  if (!event.type.includes("Risk")) notify(t("newEvent"), `${eventLabel(event.type)} · ${subject}`);
  pending.touched.add(event.streamId);
  if (event.streamKind === "meeting" || event.type.startsWith("Meeting.")) pending.meetings = true;
  scheduleRefresh();
}

function onRiskEvent(event) {
  const risk = event.risk;
  if (!risk) return;
  const scored = risk.level == null ? t("notAssessed") : `${label("level", risk.level, risk.levelLabel)} (${risk.likelihood}×${risk.impact})`;
  notify(event.type.endsWith("RiskNoted") ? t("newRisk") : eventLabel(event.type), `${risk.title} · ${scored}`, `lv-${risk.level ?? "none"}`);
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    const touched = new Set(pending.touched);
    const meetings = pending.meetings;
    pending.touched.clear();
    pending.meetings = false;
    if (meetings) await loadPlans().catch(() => {});
    await load({ quiet: true, touched });
  }, 250);
}

let noticeTimer = null;

function notify(title, text, tone) {
  pending.notices.push({ title, text, tone });
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    const notices = pending.notices.splice(0);
    if (notices.length <= 3) for (const n of notices) toast(n.title, n.text, n.tone);
    else toast(t("newEvents", { n: notices.length }), notices.map((n) => n.text).slice(0, 2).join(" · "));
  }, 200);
}

function toast(title, text, tone) {
  const box = document.getElementById("toasts");
  if (!box) return;
  const item = h("div", { class: ["toast", tone], role: "status" }, h("strong", null, title), h("span", null, text));
  box.prepend(item);
  while (box.children.length > 4) box.lastElementChild.remove();
  setTimeout(() => item.classList.add("leaving"), 6000);
  setTimeout(() => item.remove(), 6600);
}

// -- downloads --------------------------------------------------------------------------------------

async function download(kind, button) {
  const params = new URLSearchParams({ plan: state.planId, lang: getLang() });
  const point = asOf();
  for (const [key, value] of Object.entries(point || {})) params.set(key, value);
  button.disabled = true;
  try {
    const { blob, filename } = await api.download(`/reports/plan.${kind}?${params}`);
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (error) {
    toast(t("downloadFailed"), error.message, "lv-VERY_HIGH");
  } finally {
    button.disabled = false;
  }
}

// -- actions the views call -------------------------------------------------------------------------

const actions = {
  setTab(tab) {
    if (tab !== state.tab) performance.mark(`planledger:tab:${tab}`);
    state.tab = tab;
    writeHash();
    renderTabs();
    if (tab === "updates") {
      renderView();
      loadDue()
        .then(renderView)
        .catch((e) => {
          state.error = e.message;
          renderView();
        });
      return;
    }
    if (tab === "meetings" && !state.meeting) {
      renderView();
      loadMeeting()
        .then(() => {
          renderView();
          markPainted();
        })
        .catch((e) => {
          state.error = e.message;
          renderView();
        });
      return;
    }
    renderView();
    markPainted();
  },
  setFilters(change) {
    Object.assign(state.filters, change);
    renderView();
  },
  setRiskFilter(change) {
    Object.assign(state.riskFilter, change);
    renderView();
  },
  selectCell(key) {
    state.cell = key;
    renderView();
  },
  openActivity(id) {
    rememberFocus();
    return openActivity(id);
  },
  closeDrawer,
  setActionFilter(change) {
    Object.assign(state.actionFilter, change);
    renderView();
  },
  showMeeting(id) {
    actions.setTab("meetings");
    actions.openMeeting(id);
  },
  async openMeeting(id) {
    state.meetingId = id;
    state.meeting = null;
    renderView();
    try {
      await loadMeeting();
    } catch (error) {
      state.error = error.message;
    }
    renderView();
  },
  showStrategy(number) {
    state.filters = { ...state.filters, strategy: String(number) };
    actions.setTab("activities");
  },
  setPoint(point) {
    state.point = point;
    load();
  },
};

// -- the shell --------------------------------------------------------------------------------------

function langToggle(after) {
  const pick = (value) => () => {
    setLang(value);
    localStorage.setItem(LANG_KEY, value);
    after();
  };
  return h(
    "div",
    { class: "lang", role: "group", "aria-label": "ภาษา / Language" },
    h("button", { type: "button", class: ["lang-btn", getLang() === "th" && "active"], "data-testid": "lang-th", lang: "th", "aria-pressed": String(getLang() === "th"), onclick: pick("th") }, "ไทย"),
    h("button", { type: "button", class: ["lang-btn", getLang() === "en" && "active"], "data-testid": "lang-en", lang: "en", "aria-pressed": String(getLang() === "en"), onclick: pick("en") }, "EN"),
  );
}

function renderShell() {
  replace(
    root,
    // the first stop of the keyboard: past the header and time bar, straight to the view
    h("a", { class: "skip-link", id: "skip-link", href: "#main", "data-testid": "skip-link", onclick: (e) => (e.preventDefault(), focusMain()) }, t("skipToContent")),
    h("header", { class: "topbar", id: "topbar" }),
    h("section", { class: "timebar", id: "timebar", "aria-labelledby": "timebar-label" }),
    h("nav", { id: "tabs-nav", "aria-label": t("views") }, h("div", { class: "tabs", id: "tabs", role: "tablist", "aria-label": t("views") })),
    h("main", { class: "main", id: "main", tabindex: "-1" }, h("div", { class: "view", id: "view", role: "tabpanel" })),
    h("div", { id: "drawer-host" }),
  );
  renderAll();
}

function focusMain() {
  document.getElementById("main")?.focus();
}

function renderAll() {
  if (!document.getElementById("view")) return;
  renderHeader();
  renderTimebar();
  renderTabs();
  renderView();
  renderDrawerNow();
}

function renderHeader() {
  const host = document.getElementById("topbar");
  if (!host) return;
  const plan = state.plans.find((p) => p.id === state.planId);
  replace(
    host,
    h("div", { class: "brand" }, h("span", { class: "brand-mark" }), "planledger"),
    h(
      "div",
      { class: "topbar-plan" },
      state.plans.length > 1
        ? select(
            {
              class: "plan-select",
              "data-testid": "plan-select",
              "aria-label": t("plan"),
              onchange: (e) => {
                state.planId = e.target.value;
                state.compare = "";
                state.meetingId = null;
                state.meeting = null;
                subscribe();
                load();
              },
            },
            state.plans.map((p) => ({ value: p.id, label: p.title })),
            state.planId,
          )
        : h("span", { class: "plan-name", "data-testid": "plan-title", title: plan?.title || "" }, plan?.title || ""),
      plan ? h("span", { class: "plan-code" }, formatPeriod(plan)) : null,
    ),
    h("div", { class: "topbar-right" }, h("span", { id: "live-badge" }), langToggle(renderAll), h("button", { type: "button", class: "button ghost", onclick: () => signOut() }, t("signOut"))),
  );
  renderLiveBadge();
}

function renderLiveBadge() {
  const host = document.getElementById("live-badge");
  if (!host) return;
  const words = { live: t("live"), connecting: t("connecting"), offline: t("offline") };
  replace(
    host,
    h("span", { class: ["live", `live-${state.live}`], "data-testid": "live-status", dataset: { live: state.live } }, h("i"), words[state.live]),
  );
}

function dayNumber(iso) {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / 86400000);
}

function isoOfDay(n) {
  return new Date(n * 86400000).toISOString().slice(0, 10);
}

function renderTimebar() {
  const host = document.getElementById("timebar");
  if (!host) return;
  const plan = state.plans.find((p) => p.id === state.planId);
  if (!plan) {
    replace(host);
    return;
  }
  const { own, others } = planMeetings();
  const option = (m) => ({ value: `m:${m.id}`, label: `${m.code} · ${formatDate(m.date)}${m.byReference ? " ·" : ""}` });
  const otherOption = (m) => ({ value: `m:${m.id}`, label: `${m.code} · ${formatDate(m.date)} · ${m.body}` });
  const options = [{ value: "now", label: t("now") }];
  if (state.point.kind === "date") options.push({ value: pointKey(), label: `${t("date")}: ${formatDate(state.point.date)}` });
  options.push({ group: t("meeting"), options: [...own].reverse().map(option) });
  if (others.length) options.push({ group: t("otherBodies"), options: [...others].reverse().map(otherOption) });

  const meetingSelect = select(
    {
      "data-testid": "point-select",
      "aria-label": t("asOf"),
      onchange: (e) => actions.setPoint(parsePoint(e.target.value)),
    },
    options,
    pointKey(),
  );

  // the slider: one step a day, from the first of the committee's meetings (or the plan's start) to today
  const dates = own.map((m) => m.date);
  // (a period stated only as years gives no day to start or end at: the meetings do, else today)
  const starts = [plan.periodStart, ...dates].filter(Boolean);
  const ends = [plan.periodEnd, ...dates].filter(Boolean);
  const first = (starts.length ? starts : [today()]).sort()[0];
  const last = (ends.length ? ends : [today()]).sort().at(-1);
  const lo = dayNumber(first);
  const hi = dayNumber(last);
  const current = state.point.kind === "date" ? state.point.date : state.point.kind === "meeting" ? meetingById(state.point.id)?.date : state.data?.plan?.asOf?.date || today();
  const shown = h("output", { class: "slider-value", "data-testid": "slider-value" }, formatDate(current || today()));
  let debounce = null;
  const slider = h("input", {
    type: "range",
    min: String(lo),
    max: String(hi),
    step: "1",
    value: String(Math.min(hi, dayNumber(current || today()))),
    "data-testid": "date-slider",
    "aria-label": t("date"),
    // the label follows the thumb; the page moves when it is let go (or after a key press)
    oninput: (e) => replace(shown, formatDate(isoOfDay(Number(e.target.value)))),
    onchange: (e) => {
      const iso = isoOfDay(Number(e.target.value));
      clearTimeout(debounce);
      debounce = setTimeout(() => actions.setPoint({ kind: "date", date: iso }), 200);
    },
  });
  const ticks = h(
    "div",
    { class: "slider-ticks", "aria-hidden": "true" },
    own.map((m) =>
      h("button", {
        type: "button",
        tabindex: "-1",
        class: ["tick", state.point.kind === "meeting" && state.point.id === m.id && "active", m.byReference && "by-reference"],
        style: { left: `${((dayNumber(m.date) - lo) / Math.max(1, hi - lo)) * 100}%` },
        title: `${m.code} · ${formatDate(m.date)}`,
        onclick: () => actions.setPoint({ kind: "meeting", id: m.id }),
      }),
    ),
  );

  const compareSelect = select(
    {
      "data-testid": "compare-select",
      "aria-label": t("compareWith"),
      onchange: (e) => {
        state.compare = e.target.value;
        load();
      },
    },
    [{ value: "", label: t("noCompare") }, ...[...own].reverse().map((m) => ({ value: m.id, label: `${m.code} · ${formatDate(m.date)}` }))],
    state.compare,
  );

  // "as recorded by": the page's calendar (Buddhist Era in Thai), not the browser's mm/dd/yyyy
  const known = eraDateField({
    legend: t("knownAt"),
    value: state.knownAt,
    withTime: true,
    testid: "known-at",
    onchange: (value) => {
      state.knownAt = value;
      load();
    },
  });

  const xlsx = h("button", { type: "button", class: "button", "data-testid": "download-xlsx", onclick: (e) => download("xlsx", e.currentTarget) }, "XLSX");
  const csv = h("button", { type: "button", class: "button", "data-testid": "download-csv", onclick: (e) => download("csv", e.currentTarget) }, "CSV");

  replace(
    host,
    h(
      "div",
      { class: "timebar-point" },
      h("div", { class: "as-of-label", id: "timebar-label" }, t("asOf")),
      h("div", { class: "as-of", "data-testid": "as-of", dataset: { point: pointKey() } }, pointLabel()),
      question(),
      document.body.dataset.state === "loading" ? h("span", { class: "spinner small" }) : null,
    ),
    h("div", { class: "tb-meeting" }, field(t("meeting"), meetingSelect)),
    h("div", { class: "slider" }, h("span", { class: "field-label" }, t("date")), h("div", { class: "slider-row" }, h("div", { class: "slider-track" }, slider, ticks), shown)),
    h("div", { class: "tb-compare" }, field(t("compareWith"), compareSelect)),
    h("div", { class: "tb-known" }, known),
    h("div", { class: "downloads" }, h("span", { class: "field-label" }, t("download")), h("div", { class: "download-buttons" }, xlsx, csv)),
  );
}

/** WAI-ARIA tabs: one tab stop (the selected tab); arrows, Home and End move and select. */
function onTabKey(event) {
  const keys = { ArrowRight: 1, ArrowLeft: -1, Home: "first", End: "last" };
  const move = keys[event.key];
  if (move == null) return;
  event.preventDefault();
  const shown = TABS.filter(tabShown); // (a work tab the token may not use is not there to move to)
  const at = shown.indexOf(state.tab);
  const next = move === "first" ? 0 : move === "last" ? shown.length - 1 : (at + move + shown.length) % shown.length;
  actions.setTab(shown[next]);
  document.getElementById(`tab-${shown[next]}`)?.focus();
}

function question() {
  const asked = pointQuestion();
  return h(
    "div",
    { class: "as-of-question" },
    h("span", { "data-testid": "as-of-question" }, asked.text),
    asked.other
      ? h("button", { type: "button", class: "link", "data-testid": "question-switch", onclick: () => actions.setPoint(asked.other) }, asked.word)
      : null,
  );
}

function renderTabs() {
  const host = document.getElementById("tabs");
  if (!host) return;
  host.setAttribute("aria-label", t("views"));
  document.getElementById("tabs-nav")?.setAttribute("aria-label", t("views"));
  const skip = document.getElementById("skip-link");
  if (skip) replace(skip, t("skipToContent"));
  replace(
    host,
    TABS.filter(tabShown).map((tab) =>
      h(
        "button",
        {
          type: "button",
          id: `tab-${tab}`,
          class: ["tab", state.tab === tab && "active"],
          role: "tab",
          "data-testid": `tab-${tab}`,
          "aria-selected": state.tab === tab ? "true" : "false",
          "aria-controls": "view",
          tabindex: state.tab === tab ? "0" : "-1",
          onclick: () => actions.setTab(tab),
          onkeydown: onTabKey,
        },
        t(TAB_WORDS[tab]),
      ),
    ),
  );
}

function renderView() {
  keepingFocus(drawView, "view");
}

function drawView() {
  const host = document.getElementById("view");
  if (!host) return;
  host.dataset.view = state.tab;
  host.setAttribute("aria-labelledby", `tab-${state.tab}`);
  if (state.tab === "import") {
    // needs no plan: the first import on an empty ledger is what makes one
    replace(host, state.error ? h("div", { class: "banner error", role: "alert" }, `${t("error")}: ${state.error}`) : null, renderImport(workEnv()));
    return;
  }
  if (!state.plans.length && !state.error) {
    replace(host, document.body.dataset.state === "loading" ? loading() : h("p", { class: "empty" }, t("noPlan")));
    return;
  }
  const banner = state.error ? h("div", { class: "banner error", role: "alert" }, `${t("error")}: ${state.error}`) : null;
  if (!state.data) {
    replace(host, banner || loading());
    return;
  }
  if (!state.data.plan) {
    replace(host, banner, h("p", { class: "empty big", "data-testid": "plan-missing" }, t("planMissing")));
    return;
  }
  const ctx = { state, actions, pointLabel: pointLabel(), meetingById, planMeetings, hasMinutes };
  const focus = focusKey(document.activeElement);
  const views = { overview: renderOverview, activities: renderActivities, timeline: renderTimeline, risks: renderRisks, meetings: renderMeetings, pack: renderPack, results: renderKeyResults, actions: renderActionItems };
  views.updates = () => renderUpdates(workEnv(), state.due);
  views.desk = () => renderDesk(workEnv());
  views.tokens = () => renderTokens(workEnv());
  replace(host, banner, views[state.tab](ctx));
  // a keyboard user who changed a filter or picked a cell stays where they were
  const again = focus && host.querySelector(focus);
  if (again) {
    again.focus({ preventScroll: true });
    if (again.type === "search" || again.type === "text") again.setSelectionRange(again.value.length, again.value.length);
  }
}

const FOCUS_KEYS = ["data-testid", "data-likelihood", "data-impact", "data-activity-id", "data-meeting", "data-key-result", "data-number"];

/** A selector that finds the focused control again after the view is drawn anew (null: none). */
function focusKey(el) {
  if (!el?.hasAttribute?.("data-testid") || !document.getElementById("view")?.contains(el)) return null;
  return FOCUS_KEYS.filter((name) => el.hasAttribute(name))
    .map((name) => `[${name}="${CSS.escape(el.getAttribute(name))}"]`)
    .join("");
}

/**
 * Runs a re-render that may move kept elements (an open form) to a new parent: the field being
 * typed in keeps the focus and the caret, so a live refresh never eats a keystroke.
 */
function keepingFocus(render, hostId) {
  const active = document.activeElement;
  const caret = active && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null;
  render();
  // only a control the render moved (inside its host) gets the focus back: focus the render itself
  // placed (the drawer's close button when it opens) is never taken from it
  const host = document.getElementById(hostId);
  if (!active || active === document.body || !active.isConnected || document.activeElement === active) return;
  if (!host?.contains(active)) return;
  active.focus({ preventScroll: true });
  try {
    if (caret && caret[0] != null) active.setSelectionRange(caret[0], caret[1]);
  } catch {
    /* a field without a caret (a number field) */
  }
}

function renderDrawerNow() {
  keepingFocus(drawNow, "drawer-host");
}

function drawNow() {
  const host = document.getElementById("drawer-host");
  if (!host) return;
  const scrolled = host.querySelector(".drawer")?.scrollTop ?? 0;
  const wasOpen = Boolean(host.querySelector(".drawer"));
  const forms = (activity) => (state.viewer ? activityForms(workEnv(), activity) : null);
  replace(host, state.drawer ? renderDrawer({ state, actions, meetingById, forms }) : null);
  const drawer = host.querySelector(".drawer");
  // it slides in once: a re-render (its data arriving, a live update) does not animate it again
  if (drawer && wasOpen) host.firstElementChild.classList.add("settled");
  if (drawer && scrolled) drawer.scrollTop = scrolled;
  // the dialog takes focus (its close button) and keeps it across re-renders
  if (drawer && !drawer.contains(document.activeElement)) drawer.querySelector(".drawer-close")?.focus({ preventScroll: true });
}

// -- focus: where it returns after the drawer, kept inside the drawer while it is open -----------

let drawerReturn = null;

function rememberFocus() {
  if (state.drawer) return;
  const el = document.activeElement;
  drawerReturn = el && el !== document.body ? { el, activityId: el.closest?.("[data-activity-id]")?.dataset.activityId } : null;
}

function returnFocus() {
  const back = drawerReturn;
  drawerReturn = null;
  if (back?.el.isConnected) back.el.focus();
  else if (back?.activityId) document.querySelector(`[data-activity-id="${CSS.escape(back.activityId)}"]`)?.focus();
  else focusMain();
}

function trapFocus(event) {
  const drawer = document.querySelector("#drawer-host .drawer");
  if (!drawer || event.key !== "Tab") return;
  const focusable = [...drawer.querySelectorAll("button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])")].filter((el) => !el.disabled && el.offsetParent !== null);
  if (!focusable.length) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (!drawer.contains(document.activeElement)) {
    event.preventDefault();
    first.focus();
  } else if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

// -- first paint of each view, measured (reported by the browser tests, never asserted) ------------

const SIGNED_IN = "planledger:signed-in";
const painted = new Set();

/** After the view with its data is on screen: the second animation frame follows the first paint. */
function markPainted() {
  const view = state.tab;
  if (!state.data || document.body.dataset.state !== "ready") return;
  if ((view === "results" && !state.health) || (view === "actions" && !state.actionItems) || (view === "meetings" && !state.meeting)) return;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      const mark = `planledger:painted:${view}`;
      performance.mark(mark);
      const tab = performance.getEntriesByName(`planledger:tab:${view}`, "mark").at(-1);
      if (tab) performance.measure(`tab-to-paint:${view}`, tab.name, mark);
      if (painted.has(view)) return;
      painted.add(view);
      const signedIn = performance.getEntriesByName(SIGNED_IN, "mark").length;
      performance.measure(`first-paint-after-sign-in:${view}`, signedIn ? SIGNED_IN : undefined, mark);
    }),
  );
}

// -- start ------------------------------------------------------------------------------------------

// a link pasted into the address bar (or edited there) moves the page without a reload
window.addEventListener("hashchange", () => {
  const plan = state.planId;
  readHash();
  if (!state.plans.some((p) => p.id === state.planId)) state.planId = plan ?? state.plans[0]?.id ?? null;
  if (!state.token || !api) return;
  if (plan !== state.planId) subscribe();
  renderTabs();
  load();
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && state.drawer) closeDrawer();
  trapFocus(event);
});

setLang(localStorage.getItem(LANG_KEY) || "th");
readHash();
document.body.append(h("div", { id: "toasts", class: "toasts", "aria-live": "polite" }));
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) startSession(saved);
else showLogin();
