// The meeting pack as a page: what the secretariat circulates before a meeting — the plan as of
// that meeting, the API's progressReport (what was reported since the previous meeting, what is
// still missing, open action items) and the risk register — with the same pack as a PDF, and the
// plan as XLSX and CSV, beside it. Asks for its own data (one query per meeting and refresh of the
// page), so the rest of the page is unchanged by it.

import { Api } from "./api.js";
import { h, replace } from "./dom.js";
import { addWords, formatDate, formatNumber, formatTime, getLang, label, meetingName, t } from "./i18n.js";
import { card, empty, field, figureValue, levelChip, loading, plainChip, select, statusChip } from "./ui.js";

addWords({
  th: {
    tabPack: "เอกสารประกอบการประชุม",
    packTitle: "เอกสารประกอบการประชุม",
    packFor: "การประชุม",
    packNoMeeting: "แผนนี้ยังไม่มีการประชุม",
    packCommittee: "คณะกรรมการ",
    packDate: "วันประชุม",
    packTime: "เวลา",
    packVenue: "สถานที่",
    packPrevious: "การประชุมครั้งก่อน",
    packNone: "ไม่มี (การประชุมครั้งแรก)",
    packFiles: "ไฟล์",
    packAttendance: "ผู้เข้าประชุม",
    packNoAttendance: "ยังไม่มีข้อมูลผู้เข้าประชุม",
    packShowNames: "รายชื่อ ({n} คน)",
    packName: "ชื่อ",
    packPosition: "ตำแหน่ง",
    packRole: "บทบาท",
    packPresence: "การเข้าประชุม",
    packSummary: "สรุปผลการดำเนินงาน",
    packSummaryNote: "ค่าที่คำนวณจากรายกิจกรรม กับค่าตามที่รายงานในการประชุม แสดงคู่กัน ไม่นำมาแทนกัน",
    packAbout: "เรื่อง",
    packTotal: "จำนวน",
    packShare: "ร้อยละแล้วเสร็จ (คำนวณ)",
    packMean: "ความก้าวหน้าเฉลี่ย (คำนวณ)",
    packReported: "ตามที่รายงานในการประชุม",
    packWholePlan: "รวมทั้งแผน",
    packChanges: "สิ่งที่รายงานตั้งแต่การประชุมครั้งก่อน",
    packNoChanges: "ไม่มีการรายงานการเปลี่ยนแปลงในรอบนี้",
    packWhat: "เรื่องที่เปลี่ยน",
    packBefore: "เดิม",
    packAfter: "ล่าสุด",
    packHeardAt: "รายงานเมื่อ",
    packBetween: "ระหว่างรอบ",
    packActivities: "ผลการดำเนินงานรายยุทธศาสตร์",
    packReportedTag: "รายงานในรอบนี้",
    packActionItems: "งานตามมติที่ยังไม่แล้วเสร็จ",
    packNoActionItems: "ไม่มีงานตามมติที่ค้างอยู่",
    packWork: "งานที่มอบหมาย",
    packFrom: "มติการประชุม",
    packDue: "กำหนด",
    packNotUpdated: "ยังไม่ได้รายงานในรอบนี้",
    packAllUpdated: "ทุกหน่วยงานรายงานแล้ว",
    packNoUnit: "ไม่ระบุหน่วยงาน",
    packRisks: "ความเสี่ยง",
    packNotAssessed: "ยังไม่ประเมิน",
    packField_status: "สถานะ",
    packField_progress: "ความก้าวหน้า",
    packField_outcome: "ผลลัพธ์",
  },
  en: {
    tabPack: "Meeting pack",
    packTitle: "Meeting pack",
    packFor: "Meeting",
    packNoMeeting: "This plan has no meetings yet",
    packCommittee: "Committee",
    packDate: "Date",
    packTime: "Time",
    packVenue: "Venue",
    packPrevious: "Previous meeting",
    packNone: "none (the first meeting)",
    packFiles: "Files",
    packAttendance: "Attendance",
    packNoAttendance: "No attendance recorded yet",
    packShowNames: "Names ({n})",
    packName: "Name",
    packPosition: "Position",
    packRole: "Role",
    packPresence: "Presence",
    packSummary: "Summary",
    packSummaryNote: "Figures computed from the activities and figures as reported at meetings, side by side, never one for the other",
    packAbout: "About",
    packTotal: "Total",
    packShare: "Share completed (computed)",
    packMean: "Mean progress (computed)",
    packReported: "As reported at meetings",
    packWholePlan: "Whole plan",
    packChanges: "Reported since the previous meeting",
    packNoChanges: "Nothing changed was reported this period",
    packWhat: "What changed",
    packBefore: "Before",
    packAfter: "Now",
    packHeardAt: "Reported at",
    packBetween: "between meetings",
    packActivities: "Activities by strategy",
    packReportedTag: "reported this period",
    packActionItems: "Action items not done",
    packNoActionItems: "No open action items",
    packWork: "Work assigned",
    packFrom: "Resolution of",
    packDue: "Due",
    packNotUpdated: "Not reported this period",
    packAllUpdated: "Every unit has reported",
    packNoUnit: "no unit named",
    packRisks: "Risks",
    packNotAssessed: "Not assessed",
    packField_status: "Status",
    packField_progress: "Progress",
    packField_outcome: "Outcome",
  },
});

const SUMMARY = "total completed shareCompleted meanProgress progressKnown";
const FIGURE = "id label value unit unitLabel kind meeting { code }";
const VALUES = "status statusLabel progress outcome";
const PACK = `query Pack($plan: ID!, $meeting: String!, $asOf: AsOf!, $knownAt: DateTime) {
  plan(id: $plan, asOf: $asOf) {
    summary { ${SUMMARY} }
    reportedFigures { ${FIGURE} }
    strategies {
      number title summary { ${SUMMARY} } reportedFigures { ${FIGURE} }
      activities { id title kind status statusLabel progress outcome responsibleUnits }
    }
  }
  meeting(id: $meeting) {
    id code body date startsAt endsAt venue modeLabel
    attendance { name position role roleLabel presence presenceLabel }
  }
  progressReport(planId: $plan, meeting: $meeting, knownAt: $knownAt) {
    previousMeeting { code date }
    changedActivities { activityId title changed heardAt before { ${VALUES} } after { ${VALUES} } }
    notUpdated { unit activities { id title } keyResults { id title } }
    openActionItems { id description owner meetingCode dueOn dueMeeting state }
  }
  risks(planId: $plan, asOf: $asOf) { id title score likelihood impact level levelLabel status statusLabel owner activity { title } }
}`;

let chosen = null; // the meeting picked in the view (an ID); else the point's, else the latest held
const answers = new WeakMap(); // the page's data (new on every refresh) -> Map(key -> Promise)

function meetingFor(ctx, own) {
  if (chosen && own.some((m) => m.id === chosen)) return chosen;
  const { point } = ctx.state;
  if (point.kind === "meeting" && own.some((m) => m.id === point.id)) return point.id;
  const day = ctx.state.data.plan.asOf?.date || new Date().toISOString().slice(0, 10);
  const held = own.filter((m) => m.date <= day);
  return (held.filter(ctx.hasMinutes).at(-1) || held.at(-1) || own.at(-1)).id;
}

function fetchPack(ctx, meetingId) {
  const { state } = ctx;
  const knownAt = state.knownAt ? new Date(state.knownAt).toISOString() : null;
  const key = `${state.planId}|${meetingId}|${knownAt}`;
  if (!answers.has(state.data)) answers.set(state.data, new Map());
  const mine = answers.get(state.data);
  if (!mine.has(key)) {
    const asOf = knownAt ? { meeting: meetingId, knownAt } : { meeting: meetingId };
    mine.set(key, new Api(state.token).query(PACK, { plan: state.planId, meeting: meetingId, asOf, knownAt }));
  }
  return mine.get(key);
}

export function renderPack(ctx) {
  const { own } = ctx.planMeetings();
  if (!own.length) return h("div", { class: "pack-view", "data-testid": "pack" }, empty(t("packNoMeeting")));
  const meetingId = meetingFor(ctx, own);
  const body = h("div", { class: "pack-body", "aria-live": "polite", "aria-busy": "true" }, loading());
  const view = h("div", { class: "pack-view", "data-testid": "pack", dataset: { meeting: meetingId, state: "loading" } }, toolbar(ctx, own, meetingId), body);
  fetchPack(ctx, meetingId).then(
    (data) => {
      replace(body, packBody(data));
      body.setAttribute("aria-busy", "false");
      view.dataset.state = "ready";
    },
    (error) => {
      replace(body, h("div", { class: "banner error", role: "alert" }, `${t("error")}: ${error.message}`));
      body.setAttribute("aria-busy", "false");
      view.dataset.state = "error";
    },
  );
  return view;
}

function toolbar(ctx, own, meetingId) {
  const options = [...own].reverse().map((m) => ({ value: m.id, label: `${m.code} · ${formatDate(m.date)}` }));
  const picker = select(
    {
      "data-testid": "pack-meeting",
      onchange: (e) => {
        chosen = e.target.value;
        ctx.actions.setTab("pack");
      },
    },
    options,
    meetingId,
  );
  const file = (path, name, testid) =>
    h("button", { type: "button", class: "button", "data-testid": testid, onclick: (e) => download(ctx, path, meetingId, e.currentTarget) }, name);
  return h(
    "div",
    { class: "filters pack-toolbar" },
    field(t("packFor"), picker),
    h(
      "div",
      { class: "downloads", role: "group", "aria-label": t("packFiles") },
      h("span", { class: "field-label" }, t("packFiles")),
      h(
        "div",
        { class: "download-buttons" },
        file("pack.pdf", "PDF", "pack-pdf"),
        file("plan.xlsx", "XLSX", "pack-xlsx"),
        file("plan.csv", "CSV", "pack-csv"),
      ),
    ),
  );
}

async function download(ctx, path, meetingId, button) {
  const params = new URLSearchParams({ plan: ctx.state.planId, meeting: meetingId, lang: getLang() });
  if (ctx.state.knownAt) params.set("knownAt", new Date(ctx.state.knownAt).toISOString());
  button.disabled = true;
  try {
    const { blob, filename } = await new Api(ctx.state.token).download(`/reports/${path}?${params}`);
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (error) {
    button.after(h("span", { class: "login-error", role: "alert" }, `${t("downloadFailed")}: ${error.message}`));
  } finally {
    button.disabled = false;
  }
}

// -- the pack's sections ----------------------------------------------------------------------------

function table(headers, rows, attrs = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table pack-table", ...attrs },
      h("thead", null, h("tr", null, headers.map(([text, cls]) => h("th", { scope: "col", class: cls }, text)))),
      h("tbody", null, rows),
    ),
  );
}

function number(value) {
  return value == null ? h("span", { class: "progress-unknown", title: t("progressUnknown") }, "—") : formatNumber(value, 2);
}

function packBody(data) {
  const { plan, meeting, progressReport: report } = data;
  if (!plan || !meeting) return empty(t("planMissing"));
  return [
    cover(meeting, report),
    attendance(meeting),
    summary(plan),
    changes(report),
    activities(plan, report),
    actionItems(report),
    notUpdated(report),
    risks(data.risks),
  ];
}

function cover(meeting, report) {
  const previous = report?.previousMeeting;
  const facts = [
    [t("packCommittee"), meeting.body],
    [t("packDate"), formatDate(meeting.date, "long")],
    [t("packTime"), [meeting.startsAt, meeting.endsAt].filter(Boolean).map(formatTime).join(" – ") || "—"],
    [t("packVenue"), [meeting.venue, meeting.modeLabel].filter(Boolean).join(" · ") || "—"],
    [t("packPrevious"), previous ? `${meetingName(previous)} · ${formatDate(previous.date, "long")}` : t("packNone")],
  ];
  return card(
    `${t("packTitle")} · ${meetingName(meeting)}`,
    h("dl", { class: "pack-facts", "data-testid": "pack-cover" }, facts.map(([name, value]) => [h("dt", null, name), h("dd", null, value)])),
    { testid: "pack-cover-card" },
  );
}

function attendance(meeting) {
  const people = meeting.attendance;
  if (!people.length) return card(t("packAttendance"), empty(t("packNoAttendance")));
  const counts = new Map();
  for (const p of people) counts.set(p.presence, [label("presence", p.presence, p.presenceLabel), (counts.get(p.presence)?.[1] || 0) + 1]);
  const rows = people.map((p) =>
    h("tr", { "data-testid": "pack-attendee" }, h("td", null, p.name), h("td", null, p.position), h("td", null, label("role", p.role, p.roleLabel)), h("td", null, label("presence", p.presence, p.presenceLabel))),
  );
  return card(t("packAttendance"), [
    h("p", { class: "pack-counts" }, [...counts.values()].map(([name, n]) => plainChip(`${name}: ${n}`))),
    h(
      "details",
      null,
      h("summary", null, t("packShowNames", { n: people.length })),
      table([[t("packName")], [t("packPosition")], [t("packRole")], [t("packPresence")]], rows),
    ),
  ]);
}

function figuresText(figures) {
  if (!figures.length) return "—";
  return figures.map((f) => h("div", null, `${f.label}: `, h("strong", null, figureValue(f)), f.meeting ? ` (${meetingName(f.meeting)})` : ""));
}

function summary(plan) {
  const row = (name, s, figures, extra) =>
    h(
      "tr",
      { class: extra, "data-testid": "pack-summary-row" },
      h("th", { scope: "row" }, name),
      h("td", { class: "num" }, String(s.total)),
      h("td", { class: "num" }, String(s.completed)),
      h("td", { class: "num" }, s.total && s.shareCompleted != null ? number(s.shareCompleted * 100) : number(null)),
      h("td", { class: "num" }, number(s.meanProgress)),
      h("td", { class: "pack-reported" }, figuresText(figures)),
    );
  const rows = plan.strategies.map((s) => row(`${t("strategy")} ${s.number} ${s.title}`, s.summary, s.reportedFigures));
  rows.push(row(t("packWholePlan"), plan.summary, plan.reportedFigures, "pack-total"));
  return card(t("packSummary"), [
    h("p", { class: "muted" }, t("packSummaryNote")),
    table([[t("packAbout")], [t("packTotal"), "num"], [t("completed"), "num"], [t("packShare"), "num"], [t("packMean"), "num"], [t("packReported")]], rows),
  ]);
}

function shown(values, name) {
  if (!values) return "—";
  if (name === "status") return values.status ? label("status", values.status, values.statusLabel) : "—";
  if (name === "progress") return number(values.progress);
  return values[name] || "—";
}

function changes(report) {
  const changed = report?.changedActivities || [];
  if (!changed.length) return card(t("packChanges"), empty(t("packNoChanges")), { testid: "pack-changes" });
  const rows = changed.flatMap((c) =>
    c.changed.map((name) =>
      h(
        "tr",
        { "data-testid": "pack-change", dataset: { activity: c.activityId, field: name } },
        h("td", null, c.title),
        h("td", { class: "pack-nowrap" }, t(`packField_${name}`)),
        h("td", { class: "pack-value" }, h("div", { class: "clamp" }, shown(c.before, name))),
        h("td", { class: "pack-value" }, h("div", { class: "clamp" }, shown(c.after, name))),
        h("td", { class: "pack-nowrap" }, c.heardAt ? t("meetingCode", { code: c.heardAt }) : t("packBetween")),
      ),
    ),
  );
  return card(t("packChanges"), table([[t("activity")], [t("packWhat")], [t("packBefore")], [t("packAfter")], [t("packHeardAt")]], rows), { testid: "pack-changes" });
}

function activities(plan, report) {
  const heard = new Set((report?.changedActivities || []).map((c) => c.activityId));
  const sections = plan.strategies.map((s) =>
    h(
      "section",
      { class: "pack-strategy", "data-testid": "pack-strategy", dataset: { number: String(s.number) } },
      h("h3", null, `${t("strategy")} ${s.number} ${s.title}`),
      s.activities.length
        ? table(
            [[t("activity")], [t("status")], [`${t("packField_progress")} (%)`, "num"], [t("packField_outcome")]],
            s.activities.map((a) =>
              h(
                "tr",
                { "data-testid": "pack-activity", dataset: { activity: a.id, status: a.status } },
                h("td", { class: "title-cell" }, h("div", { class: "row-title" }, a.title), heard.has(a.id) ? plainChip(t("packReportedTag")) : null),
                h("td", null, statusChip(a.status, a.statusLabel)),
                h("td", { class: "num" }, number(a.progress)),
                h("td", { class: "outcome-cell" }, h("div", { class: "clamp" }, a.outcome || "—")),
              ),
            ),
          )
        : empty("—"),
    ),
  );
  return card(t("packActivities"), sections, { testid: "pack-activities" });
}

function actionItems(report) {
  const items = [...(report?.openActionItems || [])].sort((a, b) => (b.state === "OVERDUE") - (a.state === "OVERDUE"));
  if (!items.length) return card(t("packActionItems"), empty(t("packNoActionItems")), { testid: "pack-action-items" });
  const rows = items.map((i) =>
    h(
      "tr",
      { "data-testid": "pack-action-item", dataset: { state: i.state } },
      h("td", null, plainChip(label("actionState", i.state), i.state === "OVERDUE" ? "lv-VERY_HIGH" : null)),
      h("td", null, i.description),
      h("td", null, i.owner),
      h("td", null, t("meetingCode", { code: i.meetingCode })),
      h("td", null, [i.dueOn ? formatDate(i.dueOn) : null, i.dueMeeting ? t("meetingCode", { code: i.dueMeeting }) : null].filter(Boolean).join(" · ") || "—"),
    ),
  );
  return card(t("packActionItems"), table([[t("status")], [t("packWork")], [t("owner")], [t("packFrom")], [t("packDue")]], rows), { testid: "pack-action-items" });
}

function notUpdated(report) {
  const units = report?.notUpdated || [];
  if (!units.length) return card(t("packNotUpdated"), empty(t("packAllUpdated")));
  return card(
    t("packNotUpdated"),
    h(
      "ul",
      { class: "pack-units" },
      units.map((u) =>
        h("li", { "data-testid": "pack-unit" }, h("strong", null, u.unit || t("packNoUnit")), `: ${[...u.activities, ...u.keyResults].map((x) => x.title).join(" · ")}`),
      ),
    ),
  );
}

function risks(list) {
  if (!list.length) return card(t("packRisks"), empty(t("noRisks")), { testid: "pack-risks" });
  const rows = list.map((r) =>
    h(
      "tr",
      { "data-testid": "pack-risk", dataset: { risk: r.id, level: r.level ?? "" } },
      h("td", null, r.level == null ? plainChip(t("packNotAssessed"), "lv-none") : levelChip(r.level, r.levelLabel)),
      h("td", { class: "num" }, r.score == null ? "—" : `${r.score} (${r.likelihood}×${r.impact})`),
      h("td", null, r.title),
      h("td", null, r.activity?.title || "—"),
      h("td", null, label("riskStatus", r.status, r.statusLabel)),
      h("td", null, r.owner || "—"),
    ),
  );
  return card(t("packRisks"), table([[t("level")], [t("score"), "num"], [t("tabRisks")], [t("activity")], [t("status")], [t("owner")]], rows), { testid: "pack-risks" });
}
