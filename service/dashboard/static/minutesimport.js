// Importing minutes from the browser, for the secretariat (and an admin): pick the file, see what
// the import would do (the preview of `import-minutes --dry-run`: what would be recorded and what
// already is, by kind, what stays unknown, the lines that could not be placed), then confirm.
//
// The file is read once; the same bytes go to the preview and the confirm, with the hash the
// preview answered, and the server records only that content (service/web/minutes_import.py). A
// double click on the confirm sends one request; a second import of the same file records nothing.
// Everything the view says as it goes (reading, a refusal, the result) is announced (aria-live).

import { h, replace } from "./dom.js";
import { addWords, formatDate, getLang, t } from "./i18n.js";
import { card } from "./ui.js";

addWords({
  th: {
    tabImport: "นำเข้ารายงานการประชุม",
    importLead: "เลือกไฟล์รายงานการประชุม (ข้อความ UTF-8, PDF หรือ DOCX) ตรวจดูสิ่งที่จะบันทึก แล้วจึงยืนยันการนำเข้า การนำเข้าไฟล์เดิมซ้ำจะไม่บันทึกซ้ำ",
    importFile: "ไฟล์รายงานการประชุม",
    importFileHint: "ข้อความไม่เกิน 5 MB; PDF หรือ DOCX ไม่เกิน 50 MB",
    importStrict: "เข้มงวด: ไม่บันทึกเลยหากมีบรรทัดที่จัดเข้าที่ไม่ได้",
    importPreviewButton: "ตรวจดูก่อนนำเข้า",
    importReading: "กำลังอ่านไฟล์ {name} …",
    importNoFile: "โปรดเลือกไฟล์ก่อน",
    importPreviewTitle: "สิ่งที่การนำเข้าจะทำ",
    importPreviewReady: "ตรวจดูแล้ว: {name} จะบันทึก {would} รายการ บันทึกไว้แล้ว {already} รายการ",
    importMeeting: "การประชุมครั้งที่ {code} วันที่ {date} ({body})",
    importWould: "จะบันทึก",
    importAlready: "บันทึกไว้แล้ว",
    importNotChecked: "ยังไม่ได้ตรวจกับฐานข้อมูล",
    importUnknown: "ค่าที่ไม่ทราบ (รายงานไม่ได้ระบุ จะบันทึกเป็นค่าว่าง ไม่คาดเดา)",
    importUnknownKinds: "ค่าที่ไม่ทราบ",
    importUnplaced: "บรรทัดที่จัดเข้าที่ไม่ได้",
    importNone: "ไม่มี",
    importKind: "ประเภท",
    importCount: "จำนวน",
    importLine: "บรรทัดที่ {line}",
    importRefusedWhole: "จะไม่บันทึกไฟล์นี้",
    importStrictWarning: "โหมดเข้มงวด",
    importConfirm: "ยืนยันนำเข้า {n} รายการ",
    importConfirmNothing: "ยืนยันนำเข้า (ไม่มีรายการใหม่)",
    importRecording: "กำลังบันทึก …",
    importResultTitle: "ผลการนำเข้า",
    importResult: "{file} ครั้งที่ {code}: บันทึก {recorded} รายการ บันทึกไว้แล้ว {already} ไม่เปลี่ยนแปลง {unchanged} ถูกปฏิเสธ {refused}",
    importRecorded: "บันทึกใหม่",
    importUnchanged: "ไม่เปลี่ยนแปลง",
    importRefused: "ถูกปฏิเสธ",
    importHeldBack: "ไม่ได้บันทึกเพราะมีรายการก่อนหน้าถูกปฏิเสธ",
    importShowActivities: "ดูกิจกรรมของแผน",
    importAgain: "นำเข้าไฟล์อื่น",
    importFailed: "นำเข้าไม่ได้",
  },
  en: {
    tabImport: "Import minutes",
    importLead: "Pick a minutes file (UTF-8 text, PDF or DOCX), look at what it would record, then confirm. Importing the same file again records nothing.",
    importFile: "Minutes file",
    importFileHint: "Text up to 5 MB; a PDF or DOCX up to 50 MB",
    importStrict: "Strict: record nothing if any line cannot be placed",
    importPreviewButton: "Preview the import",
    importReading: "Reading {name} …",
    importNoFile: "Pick a file first",
    importPreviewTitle: "What the import would do",
    importPreviewReady: "Previewed: {name} would record {would}; {already} already recorded",
    importMeeting: "Meeting {code} of {date} ({body})",
    importWould: "Would record",
    importAlready: "Already recorded",
    importNotChecked: "not checked against the database",
    importUnknown: "Left unknown (the minutes do not state them: recorded as null, never guessed)",
    importUnknownKinds: "Unknown values",
    importUnplaced: "Lines that could not be placed",
    importNone: "None",
    importKind: "Kind",
    importCount: "Count",
    importLine: "line {line}",
    importRefusedWhole: "This file would not be recorded",
    importStrictWarning: "Strict mode",
    importConfirm: "Confirm: import {n}",
    importConfirmNothing: "Confirm (nothing new to record)",
    importRecording: "Recording …",
    importResultTitle: "Imported",
    importResult: "{file}, meeting {code}: {recorded} recorded, {already} already recorded, {unchanged} unchanged, {refused} refused",
    importRecorded: "Recorded",
    importUnchanged: "Unchanged",
    importRefused: "Refused",
    importHeldBack: "Not recorded, as something before it was refused",
    importShowActivities: "Show the plan's activities",
    importAgain: "Import another file",
    importFailed: "Not imported",
  },
});

// the commands an import records, by name, as the secretariat knows them
const KINDS = {
  CreatePlan: ["Plan", "แผน"],
  AddStrategy: ["Strategy", "ยุทธศาสตร์"],
  ApproveActionPlan: ["Action plan approved", "อนุมัติแผนปฏิบัติการ"],
  ScheduleMeeting: ["Meeting", "การประชุม"],
  CorrectEvent: ["Correction", "การแก้ไข"],
  RecordMeetingTimes: ["Meeting time and place", "วันเวลาและสถานที่ประชุม"],
  StateMeetingKind: ["Extraordinary meeting", "การประชุมวิสามัญ"],
  RecordAttendance: ["Attendance", "ผู้เข้าประชุม"],
  AddAgendaItem: ["Agenda item", "ระเบียบวาระ"],
  AdoptResolution: ["Resolution", "มติที่ประชุม"],
  RecordComment: ["Comment", "ข้อสังเกต"],
  SetNextMeeting: ["Next meeting", "การประชุมครั้งต่อไป"],
  RecordMembershipChange: ["Membership change", "การเปลี่ยนแปลงกรรมการ"],
  RegisterActivity: ["Activity", "กิจกรรม"],
  ChangeActivityStatus: ["Activity status", "สถานะกิจกรรม"],
  RecordOutcome: ["Outcome", "ผลการดำเนินงาน"],
  ReportProgress: ["Progress", "ความก้าวหน้า"],
  NoteRisk: ["Risk", "ความเสี่ยง"],
  ReportFigure: ["Reported figure", "ตัวเลขที่รายงาน"],
  RecordProposal: ["Proposal", "ข้อเสนอ"],
  StateProposalUnits: ["Proposal's units", "หน่วยงานของข้อเสนอ"],
  ApproveMinutes: ["Minutes approved", "รับรองรายงานการประชุม"],
};

// what the importer leaves unknown (importer.py's UNKNOWN_GROUPS, its words the preview's keys), in Thai
const UNKNOWN_TH = {
  "progress (no percentage reported for the activity: null, never 0)": "ความก้าวหน้า (ไม่ได้รายงานร้อยละของกิจกรรม: ว่างไว้ ไม่ใช่ 0)",
  "activity kind (no kind heading above its row: recorded only if earlier minutes registered it)":
    "ประเภทกิจกรรม (ไม่มีหัวข้อประเภทเหนือแถว: บันทึกได้เฉพาะเมื่อรายงานการประชุมครั้งก่อนบันทึกกิจกรรมไว้)",
  "risk likelihood and impact (not yet assessed: reassessRisk assesses the risk)": "โอกาสและผลกระทบของความเสี่ยง (ยังไม่ประเมิน)",
  "risk owner (no responsible unit named)": "ผู้รับผิดชอบความเสี่ยง (ไม่ได้ระบุหน่วยงานรับผิดชอบ)",
  "risk mitigation": "มาตรการจัดการความเสี่ยง",
  "plan period: first and last day (only the years are stated)": "ระยะเวลาของแผน: วันเริ่มและวันสิ้นสุด (ระบุเพียงปี)",
  "plan period (neither days nor years stated)": "ระยะเวลาของแผน (ไม่ระบุทั้งวันและปี)",
  "plan vision": "วิสัยทัศน์ของแผน",
  "strategy goal": "เป้าประสงค์ของยุทธศาสตร์",
  "activity responsible units": "หน่วยงานรับผิดชอบกิจกรรม",
  "meeting mode (in person, online or both)": "รูปแบบการประชุม (ในห้องประชุม ออนไลน์ หรือทั้งสองแบบ)",
  "meeting start and end time": "เวลาเริ่มและเลิกประชุม",
  "meeting venue": "สถานที่ประชุม",
  "attendee's presence: in the room or online": "การเข้าประชุมของผู้มาประชุม: ในห้องประชุมหรือออนไลน์",
  "action item due date or meeting": "กำหนดเสร็จของงานที่มอบหมาย (วันที่หรือการประชุม)",
  "figures the text ties to no plan, kind, strategy (of these minutes) or activity (not recorded)":
    "ตัวเลขที่ข้อความไม่ได้ผูกกับแผน ประเภท ยุทธศาสตร์ หรือกิจกรรม (ไม่บันทึก)",
};

function unknownLabel(group) {
  return getLang() === "th" ? UNKNOWN_TH[group] || group : group;
}

function kindLabel(kind) {
  const pair = KINDS[kind];
  if (!pair) return kind;
  return getLang() === "th" ? `${pair[1]} (${kind})` : `${pair[0]} (${kind})`;
}

function total(grouped) {
  return Object.values(grouped || {}).reduce((n, steps) => n + steps.length, 0);
}

const view = { el: null, env: null, lang: "", bytes: null, name: "", preview: null, result: null, busy: false, parts: null };

/** The import view; `env`: { api, viewer, reloadPlans, showTab }. Its element outlives a live
 * refresh of the page (the preview stays); in the other language it is drawn anew, preview kept. */
export function renderImport(env) {
  view.env = env;
  if (!view.el || view.lang !== getLang()) {
    build();
    if (view.preview) showPreview(view.preview);
    if (view.result) showResult(view.result);
  }
  return view.el;
}

/** Forgets the view and the file (signing out). */
export function resetImport() {
  Object.assign(view, { el: null, lang: "", bytes: null, name: "", preview: null, result: null, busy: false, parts: null });
}

function build() {
  view.lang = getLang();
  const file = h("input", {
    id: "import-file",
    type: "file",
    accept: ".txt,.pdf,.docx,text/plain,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "aria-describedby": "import-file-hint import-problem",
    "data-testid": "import-file",
    onchange: () => forget(),
  });
  const strict = h("input", { id: "import-strict", type: "checkbox", "data-testid": "import-strict", onchange: () => forget() });
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite", "data-testid": "import-status" });
  const problem = h("div", { class: "form-problem", id: "import-problem", role: "alert", "data-testid": "import-problem" });
  const submit = h("button", { type: "submit", class: "button primary", "data-testid": "import-preview" }, t("importPreviewButton"));
  const form = h(
    "form",
    { class: "command-form", "aria-labelledby": "import-title", novalidate: true, "data-testid": "import-form", onsubmit: onPreview },
    h("p", { class: "form-lead" }, t("importLead")),
    h(
      "div",
      { class: "form-grid" },
      h(
        "div",
        { class: "form-field wide" },
        h("label", { for: "import-file", class: "field-label" }, t("importFile")),
        file,
        h("div", { class: "form-hint", id: "import-file-hint" }, t("importFileHint")),
      ),
      h("div", { class: "form-field form-check wide" }, h("label", { for: "import-strict", class: "field-label" }, t("importStrict")), strict),
    ),
    problem,
    h("div", { class: "form-actions" }, submit, status),
  );
  const preview = h("div", { class: "import-preview", "data-testid": "import-preview-host" });
  const result = h("div", { class: "import-result", "data-testid": "import-result-host" });
  view.parts = { file, strict, status, problem, submit, preview, result };
  view.el = h(
    "div",
    { class: "import", "data-testid": "import" },
    h("section", { class: "card" }, h("header", { class: "card-head" }, h("h2", { id: "import-title" }, t("tabImport"))), form),
    preview,
    result,
  );
}

/** Another file (or the strict box changed): the preview shown is no longer the one to confirm. */
function forget() {
  view.bytes = null;
  view.preview = null;
  view.result = null;
  replace(view.parts.preview);
  replace(view.parts.result);
  replace(view.parts.problem);
  replace(view.parts.status);
}

function say(text) {
  replace(view.parts.status, text || "");
}

function refuse(message) {
  replace(view.parts.problem, message ? `${t("importFailed")}: ${message}` : "");
}

async function onPreview(event) {
  event.preventDefault();
  if (view.busy) return;
  const { file, strict } = view.parts;
  const picked = file.files?.[0];
  forget();
  if (!picked) {
    refuse(t("importNoFile"));
    file.focus();
    return;
  }
  view.busy = true;
  view.parts.submit.disabled = true;
  say(t("importReading", { name: picked.name }));
  try {
    view.bytes = await picked.arrayBuffer(); // read once: the confirm sends these same bytes
    view.name = picked.name;
    view.preview = await view.env.api.upload("/imports/minutes/preview", view.bytes, { name: picked.name, strict: String(strict.checked) });
    showPreview(view.preview);
    const shown = view.preview.files;
    say(
      t("importPreviewReady", {
        name: view.preview.file,
        would: shown.reduce((n, f) => n + total(f.would_record), 0),
        already: shown.reduce((n, f) => n + total(f.already_recorded), 0),
      }),
    );
    document.getElementById("import-preview-title")?.focus();
  } catch (error) {
    view.bytes = null;
    say("");
    refuse(error.message);
    file.focus();
  } finally {
    view.busy = false;
    view.parts.submit.disabled = false;
  }
}

function groupTable(caption, grouped, testid) {
  const kinds = Object.entries(grouped || {});
  if (!kinds.length) return h("p", { class: "form-hint", "data-testid": `${testid}-none` }, `${caption}: ${t("importNone")}`);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table import-table", "data-testid": testid },
      h("caption", { class: "import-caption" }, caption),
      h("thead", null, h("tr", null, h("th", { scope: "col" }, t("importKind")), h("th", { scope: "col", class: "num" }, t("importCount")))),
      h(
        "tbody",
        null,
        kinds.map(([kind, steps]) =>
          h(
            "tr",
            { "data-testid": `${testid}-kind`, dataset: { kind, count: String(steps.length) } },
            h(
              "td",
              null,
              h(
                "details",
                null,
                h("summary", null, kindLabel(kind)),
                h("ul", { class: "import-steps" }, steps.map((step) => h("li", null, step.describe))),
              ),
            ),
            h("td", { class: "num" }, String(steps.length)),
          ),
        ),
      ),
    ),
  );
}

function showPreview(answer) {
  const sections = answer.files.map((shown, n) => {
    const would = total(shown.would_record);
    const unknown = Object.entries(shown.unknown || {});
    return h(
      "div",
      { class: "import-file", "data-testid": "import-file-preview", dataset: { meeting: shown.meeting.code, would: String(would) } },
      h(
        "h3",
        { class: "form-title", id: n ? null : "import-preview-title", tabindex: n ? null : "-1" },
        `${shown.file} · ${t("importMeeting", { code: shown.meeting.code, date: formatDate(shown.meeting.date, "long"), body: shown.meeting.body })}`,
      ),
      shown.refused.length
        ? h("div", { class: "banner error", "data-testid": "import-refused-whole" }, h("strong", null, t("importRefusedWhole")), ": ", shown.refused.join("; "))
        : null,
      h(
        "ul",
        { class: "import-counts", "data-testid": "import-counts" },
        h("li", { "data-testid": "count-would", dataset: { count: String(would) } }, `${t("importWould")}: ${would}`),
        h(
          "li",
          { "data-testid": "count-already", dataset: { count: shown.already_recorded ? String(total(shown.already_recorded)) : "" } },
          `${t("importAlready")}: ${shown.already_recorded ? total(shown.already_recorded) : t("importNotChecked")}`,
        ),
        h("li", { "data-testid": "count-unknown", dataset: { count: String(unknown.length) } }, `${t("importUnknownKinds")}: ${unknown.length}`),
        h("li", { "data-testid": "count-unplaced", dataset: { count: String(shown.unplaced.length) } }, `${t("importUnplaced")}: ${shown.unplaced.length}`),
      ),
      groupTable(t("importWould"), shown.would_record, "would-record"),
      groupTable(t("importAlready"), shown.already_recorded, "already-recorded"),
      h("h4", { class: "import-subtitle" }, t("importUnknown")),
      unknown.length
        ? h(
            "ul",
            { class: "import-unknown", "data-testid": "import-unknown" },
            unknown.map(([group, items]) =>
              h(
                "li",
                { "data-testid": "unknown-group", dataset: { group, count: String(items.length) } },
                h("details", null, h("summary", null, `${unknownLabel(group)}: ${items.length}`), h("ul", null, items.map((item) => h("li", null, item)))),
              ),
            ),
          )
        : h("p", { class: "form-hint" }, t("importNone")),
      h("h4", { class: "import-subtitle" }, t("importUnplaced")),
      shown.unplaced.length
        ? h(
            "ul",
            { class: "import-unplaced", "data-testid": "import-unplaced" },
            shown.unplaced.map((line) =>
              h("li", { "data-testid": "unplaced-line", dataset: { line: String(line.line) } }, h("strong", null, `${t("importLine", { line: line.line })}: `), `${line.why} — `, h("q", null, line.text)),
            ),
          )
        : h("p", { class: "form-hint" }, t("importNone")),
    );
  });
  const would = answer.files.reduce((n, f) => n + total(f.would_record), 0);
  const confirm = h(
    "button",
    { type: "button", class: "button primary", "data-testid": "import-confirm", onclick: onConfirm },
    would ? t("importConfirm", { n: would }) : t("importConfirmNothing"),
  );
  replace(
    view.parts.preview,
    card(t("importPreviewTitle"), [
      answer.strictRefusal
        ? h("div", { class: "banner error", "data-testid": "import-strict-refusal" }, h("strong", null, t("importStrictWarning")), ": ", answer.strictRefusal)
        : null,
      sections,
      h("div", { class: "form-actions" }, confirm),
    ], { testid: "import-preview-card" }),
  );
}

async function onConfirm(event) {
  if (view.busy || !view.bytes || !view.preview) return;
  const button = event.currentTarget;
  view.busy = true;
  button.disabled = true;
  refuse("");
  say(t("importRecording"));
  try {
    const done = await view.env.api.upload("/imports/minutes/confirm", view.bytes, {
      name: view.name,
      sha256: view.preview.sha256,
      strict: String(view.preview.strict),
    });
    showResult(done);
    say(
      done.results
        .map((r) => t("importResult", { file: r.file, code: r.meeting.code, recorded: r.recorded, already: r.already, unchanged: r.unchanged, refused: r.refused.length }))
        .join(" · "),
    );
    document.getElementById("import-result-title")?.focus();
    await view.env.reloadPlans();
  } catch (error) {
    say("");
    refuse(error.message);
    button.focus();
  } finally {
    view.busy = false;
    button.disabled = false;
  }
}

function showResult(done) {
  view.result = done;
  replace(
    view.parts.result,
    h(
      "section",
      { class: "card", "data-testid": "import-result", "aria-labelledby": "import-result-title" },
      h("header", { class: "card-head" }, h("h2", { id: "import-result-title", tabindex: "-1" }, t("importResultTitle"))),
      done.results.map((r) =>
        h(
          "div",
          { class: "import-file", "data-testid": "import-result-file", dataset: { meeting: r.meeting.code, recorded: String(r.recorded), already: String(r.already) } },
          h("h3", { class: "form-title" }, `${r.file} · ${t("importMeeting", { code: r.meeting.code, date: formatDate(r.meeting.date, "long"), body: r.meeting.body })}`),
          h(
            "ul",
            { class: "import-counts" },
            h("li", { "data-testid": "result-recorded" }, `${t("importRecorded")}: ${r.recorded}`),
            h("li", { "data-testid": "result-already" }, `${t("importAlready")}: ${r.already}`),
            h("li", null, `${t("importUnchanged")}: ${r.unchanged}`),
            h("li", { "data-testid": "result-refused", dataset: { count: String(r.refused.length) } }, `${t("importRefused")}: ${r.refused.length}`),
          ),
          r.refused.length ? h("ul", { class: "import-refusals" }, r.refused.map((line) => h("li", null, line))) : null,
          r.held_back.length ? h("div", null, h("h4", { class: "import-subtitle" }, t("importHeldBack")), h("ul", null, r.held_back.map((line) => h("li", null, line)))) : null,
        ),
      ),
      h(
        "div",
        { class: "form-actions" },
        h("button", { type: "button", class: "button primary", "data-testid": "import-show-activities", onclick: () => view.env.showTab("activities") }, t("importShowActivities")),
        h(
          "button",
          {
            type: "button",
            class: "button",
            "data-testid": "import-again",
            onclick: () => {
              view.parts.file.value = "";
              forget();
              view.parts.file.focus();
            },
          },
          t("importAgain"),
        ),
      ),
    ),
  );
}
