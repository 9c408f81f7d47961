// The meeting desk, for the secretariat and the committee: schedule a meeting, then record what it
// did in the order its minutes tell it — attendance, each agenda item with its resolutions (and the
// action items they assign), the adoption of earlier minutes with their corrections — mark action
// items done, and correct any recorded fact with a reason.
//
// Every entry names the meeting (`meeting:`), so it takes effect on the meeting's date and is
// reported at it, as `planledger import-minutes` records the same minutes. Resolutions are numbered
// as the importer numbers them ("<code>-<agenda item>.<n>", its action items "-1", "-2" …), so the
// same meeting recorded at the desk or imported from its minutes gives the same facts.
//
// The desk's element outlives a live refresh of the page: a form being filled keeps what was typed
// and the meeting version it was opened at.

import { h, replace } from "./dom.js";
import { commandForm, formMenu, rowsEditor } from "./forms.js";
import { eventLabel, formatDate, formatDateTime, label, t } from "./i18n.js";
import { card, empty, loading, select } from "./ui.js";

const ROLES = ["CHAIR", "MEMBER", "SECRETARY", "ASSISTANT_SECRETARY", "ATTENDEE"];
const PRESENCES = ["IN_ROOM", "ONLINE", "PRESENT", "ABSENT", "OTHER"];
const MODES = ["IN_PERSON", "ONLINE", "HYBRID"];
const KINDS = ["ACKNOWLEDGED", "APPROVED", "APPROVED_WITH_AMENDMENTS", "REJECTED", "ASSIGNED"];

const DESK_MEETING = `query DeskMeeting($id: String!) {
  meeting(id: $id) {
    id code body date version startsAt endsAt venue mode planId byReference extraordinary
    attendance { name position role presence }
    agenda { number title subject }
    minutesApprovals { ofCode corrections { where from to } }
    resolutions { id agendaItem kind text actionItems { id description owner dueOn dueMeeting doneOn state } }
  }
}`;

const STREAM_EVENTS = `query DeskEvents($stream: ID!) {
  events(filter: { streamId: $stream }, last: 100) { edges { node { version type effectiveOn recordedAt actor reason corrects payload } } }
}`;

const desk = { el: null, meetingId: null, meeting: null, env: null, summary: null, menu: null, menuHost: null };

function may(name) {
  return desk.env.viewer?.mutations.includes(name);
}

function enumOptions(family, values) {
  return values.map((v) => ({ value: v, label: label(family, v) }));
}

/** The desk view; `env`: { api, viewer, state, reloadMeetings }. */
export function renderDesk(env) {
  desk.env = env;
  if (!desk.el) build();
  return desk.el;
}

/** The desk forgets its element (signing out, another token). */
export function resetDesk() {
  Object.assign(desk, { el: null, meetingId: null, meeting: null, summary: null, menu: null, menuHost: null });
}

function build() {
  const { state } = desk.env;
  const picker = h("div", { class: "desk-picker" });
  desk.summary = h("div", { class: "desk-summary", "data-testid": "desk-summary", "aria-live": "polite" });
  desk.menuHost = h("div", { class: "desk-forms" });
  const schedule = may("scheduleMeeting")
    ? formMenu([{ name: "scheduleMeeting", label: t("formSchedule"), build: scheduleForm }], { testid: "desk-schedule" })
    : null;
  desk.scheduleMenu = schedule;
  desk.el = h(
    "div",
    { class: "desk", "data-testid": "desk" },
    card(t("tabDesk"), [h("p", { class: "lead" }, t("deskLead")), schedule, picker], { testid: "desk-card" }),
    card(t("deskMeeting"), [desk.summary, desk.menuHost], { testid: "desk-meeting" }),
  );
  desk.picker = picker;
  renderPicker();
  const own = state.meetings.filter((m) => m.planId === state.planId && !m.byReference);
  if (!desk.meetingId && own.length) choose(own.at(-1).id);
  else if (desk.meetingId) choose(desk.meetingId);
  else replace(desk.summary, empty(t("deskPick")));
}

function renderPicker() {
  const { state } = desk.env;
  const options = [{ value: "", label: t("deskPick") }, ...[...state.meetings].reverse().map((m) => ({ value: m.id, label: `${m.code} · ${formatDate(m.date)} · ${m.body}` }))];
  const id = "desk-meeting-select";
  replace(
    desk.picker,
    h("label", { for: id, class: "field-label" }, t("deskMeeting")),
    select({ id, "data-testid": "desk-meeting-select", onchange: (e) => e.target.value && choose(e.target.value) }, options, desk.meetingId || ""),
  );
}

async function choose(id) {
  desk.meetingId = id;
  desk.menu = null;
  replace(desk.menuHost);
  replace(desk.summary, loading());
  await refresh();
  renderMenu();
}

async function refresh() {
  try {
    const data = await desk.env.api.query(DESK_MEETING, { id: desk.meetingId });
    desk.meeting = data.meeting;
  } catch (error) {
    replace(desk.summary, h("div", { class: "banner error", role: "alert" }, error.message));
    return;
  }
  renderSummary();
}

/** After a recorded entry: the meeting read again, the open form closed, its button focused. */
async function recorded() {
  await refresh();
  desk.menu?.close();
}

function renderSummary() {
  const m = desk.meeting;
  if (!m) {
    replace(desk.summary, empty(t("deskPick")));
    return;
  }
  const resolutionsOf = (n) => m.resolutions.filter((r) => r.agendaItem === n);
  replace(
    desk.summary,
    h("h3", { "data-testid": "desk-title", dataset: { id: m.id, version: m.version } }, `${m.code} · ${formatDate(m.date, "long")}`),
    h("p", { class: "muted" }, [m.body, m.venue, m.mode ? label("mode", m.mode) : null].filter(Boolean).join(" · ")),
    h("h4", null, `${t("attendance")} (${m.attendance.length})`),
    m.attendance.length
      ? h("ul", { class: "plain-list", "data-testid": "desk-attendance" }, m.attendance.map((a) => h("li", null, `${a.name}${a.position ? ` · ${a.position}` : ""} · ${label("role", a.role)} · ${label("presence", a.presence)}`)))
      : empty(t("nothingYet")),
    h("h4", null, t("agenda")),
    m.agenda.length
      ? h(
          "ol",
          { class: "desk-agenda", "data-testid": "desk-agenda" },
          m.agenda.map((item) =>
            h(
              "li",
              { dataset: { number: item.number } },
              h("strong", null, `${item.number}. ${item.title}`),
              item.subject ? h("div", { class: "muted" }, item.subject) : null,
              h(
                "ul",
                { class: "plain-list" },
                resolutionsOf(item.number).map((r) =>
                  h(
                    "li",
                    { "data-testid": "desk-resolution", dataset: { id: r.id } },
                    `${label("resolution", r.kind)}: ${r.text}`,
                    r.actionItems.length
                      ? h("ul", null, r.actionItems.map((i) => h("li", { "data-testid": "desk-action-item", dataset: { id: i.id, state: i.state } }, `${i.owner}: ${i.description}${i.dueOn ? ` · ${formatDate(i.dueOn)}` : ""} · ${label("actionState", i.state)}`)))
                      : null,
                  ),
                ),
              ),
            ),
          ),
        )
      : empty(t("nothingYet")),
    m.minutesApprovals.length
      ? [
          h("h4", null, t("minutesApproved")),
          h("ul", { class: "plain-list", "data-testid": "desk-approvals" }, m.minutesApprovals.map((a) => h("li", null, `${a.ofCode}${a.corrections.length ? ` · ${t("corrections")}: ${a.corrections.length}` : ""}`))),
        ]
      : null,
  );
}

function meetingBase() {
  return {
    fixed: () => ({ meetingId: desk.meeting.id, meeting: desk.meeting.id }),
    version: () => desk.meeting.version,
    stream: () => desk.meeting.id,
    onDone: recorded,
  };
}

function renderMenu() {
  if (!desk.meeting) return;
  const list = [
    { name: "recordMeetingTimes", label: t("formHeld"), build: heldForm },
    { name: "stateMeetingKind", label: t("formKind"), build: kindForm },
    { name: "recordAttendance", label: t("formAttendance"), build: attendanceForm },
    { name: "addAgendaItem", label: t("formAgenda"), build: agendaForm },
    { name: "adoptResolution", label: t("formResolution"), build: resolutionForm },
    { name: "approveMinutes", label: t("formApproveMinutes"), build: approvalForm },
    { name: "completeActionItem", label: t("formCompleteItem"), build: completeForm },
    { name: "correctEvent", label: t("formCorrect"), build: () => correctionForm(desk.env.api, () => desk.meeting.id, recorded) },
  ].filter((e) => may(e.name));
  desk.menu = list.length ? formMenu(list, { testid: "desk-menu" }) : null;
  replace(desk.menuHost, desk.menu || h("p", { class: "muted" }, t("noFormsHere")));
}

function scheduleForm() {
  const { state } = desk.env;
  const bodies = [...new Set(state.meetings.filter((m) => m.planId === state.planId).map((m) => m.body))];
  return commandForm(desk.env.api, {
    name: "scheduleMeeting",
    title: t("formSchedule"),
    fields: [
      { name: "body", label: t("body"), required: true, value: bodies[0] || "", wide: true },
      { name: "code", label: t("meetingCodeField"), required: true, hint: t("meetingCodeHint") },
      { name: "date", label: t("date"), type: "date", required: true },
      { name: "startsAt", label: t("startsAt"), type: "time" },
      { name: "endsAt", label: t("endsAt"), type: "time" },
      { name: "venue", label: t("venue"), wide: true },
      { name: "mode", label: t("mode"), type: "select", optional: true, placeholder: t("notStated"), options: enumOptions("mode", MODES) },
      { name: "planId", label: t("plan"), type: "select", optional: true, placeholder: t("noPlanLinked"), value: state.planId || "", options: state.plans.map((p) => ({ value: p.id, label: p.title })) },
    ],
    onDone: async (answer) => {
      await desk.env.reloadMeetings();
      desk.scheduleMenu?.close();
      renderPicker();
      await choose(answer.streamId);
      renderPicker();
    },
  });
}

/** When and where it sat (a meeting announced ahead, or known only by reference, is now held). */
function heldForm() {
  const m = desk.meeting;
  const hhmm = (value) => (value ? value.slice(0, 5) : "");
  return commandForm(desk.env.api, {
    ...meetingBase(),
    name: "recordMeetingTimes",
    title: t("formHeld"),
    fields: [
      { name: "startsAt", label: t("startsAt"), type: "time", required: true, value: hhmm(m.startsAt) },
      { name: "endsAt", label: t("endsAt"), type: "time", required: true, value: hhmm(m.endsAt) },
      { name: "venue", label: t("venue"), wide: true, value: m.venue || "" },
      { name: "mode", label: t("mode"), type: "select", optional: true, placeholder: t("notStated"), value: m.mode || "", options: enumOptions("mode", MODES) },
    ],
  });
}

/** Extraordinary (วิสามัญ) or regular, as the minutes call it. */
function kindForm() {
  const m = desk.meeting;
  return commandForm(desk.env.api, {
    ...meetingBase(),
    name: "stateMeetingKind",
    title: t("formKind"),
    fields: [
      {
        name: "extraordinary",
        label: t("meetingKind"),
        type: "select",
        required: true,
        value: m.extraordinary == null ? "" : String(m.extraordinary),
        options: [
          { value: "false", label: t("regularMeeting") },
          { value: "true", label: t("extraordinaryMeeting") },
        ],
      },
    ],
    collect: (values) => ({ ...values, extraordinary: values.extraordinary === "true" }),
  });
}

function attendanceForm() {
  const rows = rowsEditor({
    name: "attendees",
    title: t("attendee"),
    addLabel: t("addAttendee"),
    columns: [
      { name: "name", label: t("personName"), required: true },
      { name: "position", label: t("position") },
      { name: "role", label: t("meetingRole"), type: "select", value: "MEMBER", options: enumOptions("role", ROLES) },
      { name: "presence", label: t("presence"), type: "select", value: "IN_ROOM", options: enumOptions("presence", PRESENCES) },
      // a member who is also the secretary ("อ.ก.ก. และเลขานุการ"): both roles, as the minutes say
      { name: "alsoRole", label: t("alsoRole"), type: "select", value: "", options: [{ value: "", label: "—" }, ...enumOptions("role", ROLES)] },
      { name: "absenceReason", label: t("absenceReason") },
    ],
  });
  return commandForm(desk.env.api, {
    ...meetingBase(),
    name: "recordAttendance",
    title: t("formAttendance"),
    lead: t("attendanceLead"),
    fields: [],
    extra: () => [rows.el],
    collect: () => ({
      attendees: rows
        .read()
        .filter((a) => a.name)
        .map(({ alsoRole, absenceReason, ...a }) => ({
          ...a,
          position: a.position || "",
          absenceReason: absenceReason || null,
          roles: alsoRole && alsoRole !== a.role ? [alsoRole, a.role] : null,
        })),
    }),
  });
}

function agendaForm() {
  const next = (desk.meeting.agenda.at(-1)?.number || 0) + 1;
  return commandForm(desk.env.api, {
    ...meetingBase(),
    name: "addAgendaItem",
    title: t("formAgenda"),
    fields: [
      { name: "number", label: t("agendaNumber"), type: "number", min: 1, step: "1", required: true, value: String(next) },
      { name: "title", label: t("agendaTitle"), required: true, wide: true },
      { name: "subject", label: t("agendaSubject"), wide: true },
      { name: "text", label: t("agendaText"), type: "textarea", wide: true, rows: 4 },
    ],
  });
}

/** The resolution's id as the importer gives it: "<code>-<agenda item>.<n>" (n: its place on the item). */
function resolutionId(agendaItem) {
  const on = desk.meeting.resolutions.filter((r) => r.agendaItem === agendaItem).length;
  return `${desk.meeting.code}-${agendaItem}.${on + 1}`;
}

function resolutionForm() {
  const last = desk.meeting.agenda.at(-1)?.number;
  const items = rowsEditor({
    name: "actionItems",
    title: t("actionItem"),
    addLabel: t("addActionItem"),
    initial: 0,
    columns: [
      { name: "description", label: t("work"), required: true, type: "textarea", wide: true },
      { name: "owner", label: t("owner"), required: true },
      { name: "dueOn", label: t("due"), type: "date" },
      { name: "dueMeeting", label: t("dueMeeting") },
      { name: "periodic", label: t("periodic"), type: "checkbox" },
    ],
  });
  return commandForm(desk.env.api, {
    ...meetingBase(),
    name: "adoptResolution",
    title: t("formResolution"),
    fields: [
      { name: "agendaItem", label: t("agendaNumber"), type: "number", min: 1, step: "1", value: last == null ? "" : String(last), sticky: true },
      { name: "kind", label: t("resolutionKind"), type: "select", required: true, options: enumOptions("resolution", KINDS) },
      { name: "text", label: t("resolutionText"), type: "textarea", required: true, wide: true, rows: 4 },
    ],
    extra: () => [items.el],
    collect: (values) => {
      const agendaItem = values.agendaItem == null ? null : Number(values.agendaItem);
      const id = agendaItem == null ? null : resolutionId(agendaItem);
      const actionItems = items.read().map((a, n) => {
        const item = { description: a.description, owner: a.owner, periodic: Boolean(a.periodic) };
        if (a.dueOn) item.dueOn = a.dueOn;
        if (a.dueMeeting) item.dueMeeting = a.dueMeeting;
        if (id) item.id = `${id}-${n + 1}`;
        return item;
      });
      return { ...values, agendaItem, actionItems, resolutionId: id };
    },
  });
}

function approvalForm() {
  const m = desk.meeting;
  const earlier = desk.env.state.meetings.filter((x) => x.body === m.body && x.date < m.date).reverse();
  const corrections = rowsEditor({
    name: "corrections",
    title: t("correction"),
    addLabel: t("addCorrection"),
    columns: [
      { name: "where", label: t("where"), required: true },
      { name: "from", label: t("fromText"), required: true, type: "textarea" },
      { name: "to", label: t("toText"), required: true, type: "textarea" },
    ],
  });
  return commandForm(desk.env.api, {
    ...meetingBase(),
    name: "approveMinutes",
    title: t("formApproveMinutes"),
    fields: [{ name: "ofMeetingId", label: t("minutesOf"), type: "select", required: true, options: earlier.map((x) => ({ value: x.id, label: `${x.code} · ${formatDate(x.date)}` })) }],
    extra: () => [corrections.el],
    collect: (values) => ({ ...values, corrections: corrections.read() }),
  });
}

function completeForm() {
  const open = desk.meeting.resolutions.flatMap((r) => r.actionItems).filter((i) => !i.doneOn);
  if (!open.length) return h("p", { class: "muted", "data-testid": "no-open-items" }, t("noOpenItems"));
  return commandForm(desk.env.api, {
    ...meetingBase(),
    name: "completeActionItem",
    title: t("formCompleteItem"),
    fields: [
      { name: "actionItemId", label: t("actionItem"), type: "select", required: true, options: open.map((i) => ({ value: i.id, label: `${i.owner}: ${i.description}` })) },
      { name: "doneOn", label: t("doneOn"), type: "date", required: true },
    ],
    // done on its own date, not the meeting's: no meeting is named
    fixed: () => ({ meetingId: desk.meeting.id }),
  });
}

/**
 * Correct (or void) one recorded fact of a stream, with a reason: the stream's facts to pick from,
 * the corrected fields as JSON. Used on the desk (a meeting) and in the activity drawer.
 */
export function correctionForm(api, streamId, onDone) {
  const host = h("div", { class: "form-slot" }, loading());
  api
    .query(STREAM_EVENTS, { stream: streamId() })
    .then((data) => {
      const facts = data.events.edges.map((e) => e.node).filter((e) => e.corrects == null);
      const form = commandForm(api, {
        name: "correctEvent",
        title: t("formCorrect"),
        lead: t("correctLead"),
        fields: [
          { name: "version", label: t("factToCorrect"), type: "select", required: true, options: [...facts].reverse().map((e) => ({ value: String(e.version), label: `${e.version} · ${eventLabel(e.type)} · ${formatDate(e.effectiveOn)} · ${e.actor} · ${formatDateTime(e.recordedAt)}` })) },
          { name: "changes", label: t("changesJson"), type: "textarea", hint: t("changesHint"), wide: true },
          { name: "void", label: t("voidFact"), type: "checkbox" },
          { name: "reason", label: t("reason"), type: "textarea", required: true, wide: true },
        ],
        collect: (values) => {
          let changes = null;
          if (values.changes) {
            try {
              changes = JSON.parse(values.changes);
            } catch {
              throw { field: "changes", message: t("badJson") };
            }
          }
          if (!values.reason) throw { field: "reason", message: t("reasonNeeded") };
          return { streamId: streamId(), version: Number(values.version), changes, void: values.void, reason: values.reason };
        },
        onDone,
      });
      replace(host, form);
      form.focusFirst();
    })
    .catch((error) => replace(host, h("div", { class: "banner error" }, error.message)));
  host.focusFirst = () => {};
  return host;
}
