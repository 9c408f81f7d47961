// A meeting: when and where, who attended, the agenda with its resolutions and the work they
// assigned (open, done, overdue), minutes adopted with corrections, and the members' comments.

import { h } from "./dom.js";
import { formatDate, formatTime, label, t } from "./i18n.js";
import { card, empty, loading, plainChip } from "./ui.js";

const PRESENCE_ORDER = ["IN_ROOM", "ONLINE", "PRESENT", "ABSENT", "OTHER"];

function meetingList(ctx) {
  const { own, others } = ctx.planMeetings();
  const item = (m, withBody) =>
    h(
      "li",
      null,
      h(
        "button",
        {
          type: "button",
          class: ["meeting-item", ctx.state.meetingId === m.id && "active", !ctx.hasMinutes(m) && "no-minutes"],
          "data-testid": "meeting-item",
          dataset: { meeting: m.id, code: m.code },
          onclick: () => ctx.actions.openMeeting(m.id),
        },
        h("span", { class: "meeting-code" }, m.code),
        h("span", { class: "meeting-date" }, formatDate(m.date)),
        withBody ? h("span", { class: "meeting-body" }, m.body) : null,
      ),
    );
  return h(
    "nav",
    { class: "meeting-list card", "aria-label": t("tabMeetings") },
    h("ul", null, [...own].reverse().map((m) => item(m, false))),
    others.length ? [h("h3", null, t("otherBodies")), h("ul", null, [...others].reverse().map((m) => item(m, true)))] : null,
  );
}

function attendance(meeting) {
  const groups = PRESENCE_ORDER.map((presence) => [presence, meeting.attendance.filter((p) => p.presence === presence)]).filter(([, people]) => people.length);
  if (!groups.length) return null;
  return card(
    `${t("attendance")} · ${t("people", { n: meeting.attendance.length })}`,
    groups.map(([presence, people]) =>
      h(
        "div",
        { class: "presence-group" },
        h("h3", null, label("presence", presence, people[0].presenceLabel), h("span", { class: "count-badge" }, String(people.length))),
        h(
          "ul",
          { class: "people" },
          people.map((p) =>
            h(
              "li",
              { "data-testid": "attendee", dataset: { presence: p.presence, role: p.role } },
              h("span", { class: ["avatar", `role-${p.role}`] }, p.name.replace(/^(นาย|นางสาว|นาง|ว่าที่ร้อยตรี|ดร\.)\s*/, "").slice(0, 1)),
              h("div", null, h("div", { class: "person-name" }, p.name), h("div", { class: "person-position" }, p.position)),
              p.role !== "MEMBER" && p.role !== "ATTENDEE" ? plainChip(label("role", p.role, p.roleLabel), `role-chip role-${p.role}`) : null,
            ),
          ),
        ),
      ),
    ),
    { extra: "attendance" },
  );
}

function resolution(r) {
  return h(
    "div",
    { class: "resolution", "data-testid": "resolution", dataset: { kind: r.kind } },
    h("div", { class: "resolution-head" }, plainChip(label("resolution", r.kind, r.kindLabel), `res-${r.kind}`)),
    h("p", { class: "resolution-text" }, r.text),
    r.actionItems.length
      ? h(
          "ul",
          { class: "action-items" },
          r.actionItems.map((item) =>
            h(
              "li",
              { "data-testid": "action-item", dataset: { state: item.state } },
              h("span", { class: ["state-dot", `state-${item.state}`] }),
              h(
                "div",
                null,
                h("div", null, item.description),
                h(
                  "div",
                  { class: "muted" },
                  `${t("ownerLabel")}: ${item.owner}`,
                  item.dueOn ? ` · ${t("dueOn")} ${formatDate(item.dueOn)}` : "",
                  item.dueMeeting ? ` · ${t("dueOn")} ${item.dueMeeting}` : "",
                  item.doneOn ? ` · ${t("doneOn")} ${formatDate(item.doneOn)}` : "",
                ),
              ),
              plainChip(label("actionState", item.state), `state-chip state-${item.state}`),
            ),
          ),
        )
      : null,
  );
}

function agenda(meeting) {
  const byItem = new Map();
  for (const r of meeting.resolutions) {
    const key = r.agendaItem ?? 0;
    if (!byItem.has(key)) byItem.set(key, []);
    byItem.get(key).push(r);
  }
  const items = [...meeting.agenda].sort((a, b) => a.number - b.number);
  const blocks = items.map((item) =>
    h(
      "div",
      { class: "agenda-item", "data-testid": "agenda-item" },
      h("div", { class: "agenda-number" }, String(item.number)),
      h(
        "div",
        { class: "agenda-body" },
        h("h3", null, `${t("agendaItem")} ${item.number} ${item.title}`),
        minutes(meeting, item.number),
        (byItem.get(item.number) || []).map(resolution),
      ),
    ),
  );
  if (!items.some((item) => item.number === 2) && meeting.minutesApprovals.length) {
    blocks.unshift(h("div", { class: "agenda-item" }, h("div", { class: "agenda-number" }, "•"), h("div", { class: "agenda-body" }, minutes(meeting, 2))));
  }
  const loose = byItem.get(0) || [];
  if (loose.length) blocks.push(h("div", { class: "agenda-item" }, h("div", { class: "agenda-number" }, "•"), h("div", { class: "agenda-body" }, loose.map(resolution))));
  return card(t("agenda"), blocks.length ? blocks : empty(t("noMinutes")), { extra: "agenda" });
}

function minutes(meeting, number) {
  if (number !== 2 || !meeting.minutesApprovals.length) return null;
  return meeting.minutesApprovals.map((approval) =>
    h(
      "div",
      { class: "minutes-approval" },
      h("div", { class: "minutes-title" }, t("minutesAdopted", { code: approval.ofCode })),
      approval.corrections.length
        ? h(
            "ol",
            { class: "corrections" },
            approval.corrections.map((c) => h("li", null, h("span", { class: "muted" }, `${c.where}: `), h("del", null, c.from), " → ", h("ins", null, c.to))),
          )
        : null,
    ),
  );
}

export function renderMeetings(ctx) {
  const meeting = ctx.state.meeting;
  let detail;
  if (!ctx.state.meetingId) detail = empty(t("noMeeting"));
  else if (!meeting || meeting.id !== ctx.state.meetingId) detail = loading();
  else {
    const when = [formatDate(meeting.date, "long")];
    if (meeting.startsAt) when.push(`${formatTime(meeting.startsAt)}${meeting.endsAt ? ` – ${formatTime(meeting.endsAt)}` : ""}`);
    detail = h(
      "div",
      { class: "meeting-detail", "data-testid": "meeting-detail", dataset: { meeting: meeting.id, code: meeting.code } },
      h(
        "section",
        { class: "meeting-hero" },
        h("div", { class: "hero-kicker" }, meeting.body),
        h("h1", null, `${t("meeting")} ${meeting.code}`),
        h(
          "div",
          { class: "meeting-facts" },
          h("span", null, when.join(" · ")),
          meeting.venue ? h("span", null, `${t("venue")}: ${meeting.venue}`) : null,
          meeting.byReference || !meeting.mode ? null : plainChip(label("mode", meeting.mode, meeting.modeLabel)),
          meeting.extraordinary ? plainChip(t("extraordinaryMeeting")) : null,
        ),
        meeting.byReference ? h("p", { class: "hint" }, t("byReference")) : null,
        !meeting.byReference && !meeting.agenda.length ? h("p", { class: "hint" }, t("noMinutes")) : null,
        meeting.nextMeeting
          ? h("p", { class: "next-meeting" }, `${t("nextMeeting")}: ${meeting.nextMeeting.code} · ${formatDate(meeting.nextMeeting.date, "long")}${meeting.nextMeeting.startsAt ? ` · ${formatTime(meeting.nextMeeting.startsAt)}` : ""}`)
          : null,
      ),
      h(
        "div",
        { class: "columns" },
        h("div", { class: "col-main" }, agenda(meeting), meeting.comments.length ? card(t("comments"), h("ol", { class: "comments" }, meeting.comments.map((c) => h("li", null, c.text)))) : null),
        h("div", { class: "col-side" }, attendance(meeting)),
      ),
    );
  }
  return h("div", { class: "meetings-view" }, meetingList(ctx), detail);
}
