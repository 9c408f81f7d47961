// What a unit reports, where the thing lives: the forms of one activity (progress, status, outcome,
// milestones, risks, key-result measurements) for the activity drawer, and "My updates": what the
// signed-in unit still has to report before the committee's next meeting (`dueUpdates`), each
// with its forms. Only the forms the token may run are built (the viewer's mutations, and for a
// unit only on activities it is responsible for); the API refuses the rest anyway.

import { h, replace } from "./dom.js";
import { correctionForm } from "./desk.js";
import { commandForm, formMenu } from "./forms.js";
import { formatDate, label, t } from "./i18n.js";
import { STATUSES, card, empty, loading, progressShown, statusChip } from "./ui.js";

const RISK_STATUSES = ["OPEN", "MITIGATING"];
const SCORES = [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: String(n) }));

const KEY_RESULTS = `query ActivityKeyResults($plan: ID!, $activity: ID!) {
  keyResults(planId: $plan, activityId: $activity) { id title unitLabel latestValue target version retiredOn }
}`;

export const DUE_UPDATES = `query DueUpdates($plan: ID!, $unit: String!) {
  dueUpdates(planId: $plan, unit: $unit) {
    unit on
    lastMeeting { code date } nextMeeting { code date }
    activities { id title status statusLabel progress version responsibleUnits strategyNumber fiscalYear
      milestones { id title dueOn status achievedOn droppedOn overdue }
      risks { id title likelihood impact level status } }
    keyResults { id title unitLabel latestValue target version activityId }
    milestones { id title dueOn overdue activityId }
    risksToReview { id title reviewOn activityId }
    actionItems { id description owner dueOn dueMeeting state meetingCode }
  }
}`;

/** May this token run `name` on this activity? (A unit only on its own activities.) */
export function mayOn(viewer, name, activity) {
  if (!viewer || !viewer.mutations.includes(name)) return false;
  if (viewer.role === "unit") return (activity?.responsibleUnits || []).includes(viewer.unit);
  return true;
}

const common = () => [
  { name: "effectiveOn", label: t("effectiveOn"), type: "date", hint: t("effectiveHint") },
];

/** The activity's forms, one open at a time; `env`: { api, viewer, planId, refresh, current: () => activity }. */
function entries(env) {
  const a = () => env.current();
  const activityId = () => ({ activityId: a().id });
  const version = () => a().version;
  const stream = () => a().id;
  // what it recorded is the activity's version from now on, before the page has read it again
  // (a form opened meanwhile would otherwise expect the version before: a conflict with oneself)
  const done = (answer) => {
    env.bump(answer.version);
    return env.refresh();
  };
  const base = { fixed: activityId, version, stream, onDone: done };
  const openMilestones = () => a().milestones.filter((m) => !m.achievedOn && !m.droppedOn);
  const openRisks = () => (a().risks || []).filter((r) => r.status !== "CLOSED");
  const list = [
    {
      name: "reportProgress",
      label: t("formProgress"),
      build: () =>
        commandForm(env.api, {
          ...base,
          name: "reportProgress",
          title: t("formProgress"),
          fields: [
            { name: "progress", label: t("progressPercent"), type: "number", min: 0, max: 100, step: "0.01", required: true, value: a().progress ?? "" },
            ...common(),
          ],
        }),
    },
    {
      name: "changeActivityStatus",
      label: t("formStatus"),
      build: () =>
        commandForm(env.api, {
          ...base,
          name: "changeActivityStatus",
          title: t("formStatus"),
          fields: [
            { name: "status", label: t("status"), type: "select", required: true, value: a().status, options: STATUSES.map((s) => ({ value: s, label: label("status", s) })) },
            { name: "reason", label: t("reason"), type: "textarea", hint: t("reasonHint"), wide: true },
            ...common(),
          ],
        }),
    },
    {
      name: "recordOutcome",
      label: t("formOutcome"),
      build: () =>
        commandForm(env.api, {
          ...base,
          name: "recordOutcome",
          title: t("formOutcome"),
          fields: [{ name: "outcome", label: t("outcome"), type: "textarea", required: true, wide: true }, ...common()],
        }),
    },
    {
      name: "planMilestone",
      label: t("formPlanMilestone"),
      build: () =>
        commandForm(env.api, {
          ...base,
          name: "planMilestone",
          title: t("formPlanMilestone"),
          fields: [{ name: "title", label: t("milestoneTitle"), required: true, wide: true }, { name: "dueOn", label: t("due"), type: "date", required: true }, ...common()],
        }),
    },
    {
      name: "rescheduleMilestone",
      label: t("formReschedule"),
      when: () => openMilestones().length > 0,
      build: () =>
        commandForm(env.api, {
          ...base,
          name: "rescheduleMilestone",
          title: t("formReschedule"),
          fields: [
            { name: "milestoneId", label: t("milestone"), type: "select", required: true, options: openMilestones().map((m) => ({ value: m.id, label: `${m.title} · ${formatDate(m.dueOn)}` })) },
            { name: "dueOn", label: t("newDue"), type: "date", required: true },
            { name: "reason", label: t("reason"), type: "textarea", required: true, wide: true },
            ...common(),
          ],
        }),
    },
    {
      name: "achieveMilestone",
      label: t("formAchieve"),
      when: () => openMilestones().length > 0,
      build: () =>
        commandForm(env.api, {
          ...base,
          name: "achieveMilestone",
          title: t("formAchieve"),
          fields: [
            { name: "milestoneId", label: t("milestone"), type: "select", required: true, options: openMilestones().map((m) => ({ value: m.id, label: `${m.title} · ${formatDate(m.dueOn)}` })) },
            { name: "achievedOn", label: t("achievedOn"), type: "date", required: true },
            ...common(),
          ],
        }),
    },
    {
      name: "noteRisk",
      label: t("formNoteRisk"),
      build: () =>
        commandForm(env.api, {
          ...base,
          name: "noteRisk",
          title: t("formNoteRisk"),
          lead: t("noteRiskLead"),
          fields: [
            { name: "title", label: t("riskTitle"), required: true, wide: true },
            { name: "likelihood", label: t("likelihood"), type: "select", optional: true, options: SCORES },
            { name: "impact", label: t("impact"), type: "select", optional: true, options: SCORES },
            { name: "owner", label: t("riskOwner") },
            { name: "mitigation", label: t("mitigation"), type: "textarea", wide: true },
            { name: "reviewOn", label: t("reviewOn"), type: "date" },
            ...common(),
          ],
          collect: scored,
        }),
    },
    {
      name: "reassessRisk",
      label: t("formAssessRisk"),
      when: () => openRisks().length > 0,
      build: () =>
        commandForm(env.api, {
          ...base,
          name: "reassessRisk",
          title: t("formAssessRisk"),
          fields: [
            { name: "riskId", label: t("risk"), type: "select", required: true, options: openRisks().map((r) => ({ value: r.id, label: r.title })) },
            { name: "likelihood", label: t("likelihood"), type: "select", optional: true, options: SCORES },
            { name: "impact", label: t("impact"), type: "select", optional: true, options: SCORES },
            { name: "status", label: t("status"), type: "select", optional: true, options: RISK_STATUSES.map((s) => ({ value: s, label: label("riskStatus", s) })) },
            { name: "mitigation", label: t("mitigation"), type: "textarea", wide: true },
            { name: "reviewOn", label: t("reviewOn"), type: "date" },
            ...common(),
          ],
          collect: scored,
        }),
    },
    {
      name: "recordMeasurement",
      label: t("formMeasure"),
      build: () => measurementForm(env),
    },
    {
      name: "correctEvent",
      label: t("formCorrect"),
      build: () => correctionForm(env.api, () => a().id, done),
    },
  ];
  // (all the forms the token may run: one that needs a milestone or a risk says when there is none)
  return list
    .filter((e) => mayOn(env.viewer, e.name, a()))
    .map((e) => (e.when ? { ...e, build: () => (e.when() ? e.build() : nothingToPick()) } : e));
}

function nothingToPick() {
  const note = h("p", { class: "muted", "data-testid": "nothing-to-pick" }, t("nothingToPick"));
  note.focusFirst = () => {};
  return note;
}

function scored(values) {
  const out = { ...values };
  for (const k of ["likelihood", "impact"]) if (out[k] != null) out[k] = Number(out[k]);
  return out;
}

/** The measurement form: the activity's key results are asked for when it opens. */
function measurementForm(env) {
  const host = h("div", { class: "form-slot" }, loading());
  env.api
    .query(KEY_RESULTS, { plan: env.planId, activity: env.current().id })
    .then((data) => {
      const live = data.keyResults.filter((k) => !k.retiredOn);
      if (!live.length) {
        replace(host, empty(t("noKeyResults")));
        return;
      }
      let chosen = live[0];
      const form = commandForm(env.api, {
        name: "recordMeasurement",
        title: t("formMeasure"),
        fields: [
          {
            name: "keyResultId",
            label: t("keyResult"),
            type: "select",
            required: true,
            sticky: true,
            options: live.map((k) => ({ value: k.id, label: `${k.title} (${t("target")} ${k.target} ${k.unitLabel})` })),
          },
          { name: "value", label: t("measuredValue"), type: "number", required: true },
          { name: "source", label: t("source") },
          { name: "note", label: t("note"), type: "textarea", wide: true },
          ...common(),
        ],
        version: () => chosen.version,
        stream: () => chosen.id,
        onDone: () => env.refresh(),
      });
      form.querySelector("[name=keyResultId]").addEventListener("change", (e) => {
        chosen = live.find((k) => k.id === e.target.value) || live[0];
        form.reset();
      });
      replace(host, form);
      form.focusFirst();
    })
    .catch((error) => replace(host, h("div", { class: "banner error" }, error.message)));
  host.focusFirst = () => {};
  return host;
}

const kept = new Map(); // activity id -> { el, activity }: an open form outlives the drawer's refresh

/**
 * The forms section of an activity (null when the token may run none). The same element is given
 * back while the drawer shows the same activity, so a form being filled survives a live refresh
 * and still carries the version it was opened at (a submit then meets the conflict screen).
 */
export function activityForms(env, activity, scope = "drawer") {
  const id = `${scope}:${activity.id}`;
  const known = kept.get(id);
  if (known) {
    // a read that has not caught up with what was just recorded keeps the newer version
    if ((activity.version ?? 0) >= (known.activity.version ?? 0)) known.activity = activity;
    return known.el;
  }
  const holder = { activity, el: null };
  const bump = (version) => {
    if (version != null && version > (holder.activity.version ?? 0)) holder.activity = { ...holder.activity, version };
  };
  const list = entries({ ...env, current: () => holder.activity, bump });
  if (!list.length) return null;
  holder.el = h(
    "section",
    { class: "drawer-block drawer-forms", "data-testid": "activity-forms", "aria-label": t("recordUpdate") },
    h("h3", null, t("recordUpdate")),
    formMenu(list, { testid: "activity-form-menu" }),
  );
  kept.set(id, holder);
  return holder.el;
}

/** Forget the kept forms of a scope (the drawer closed, the view left): the next ones start afresh. */
export function forgetForms(scope = "drawer") {
  for (const id of [...kept.keys()]) if (id.startsWith(`${scope}:`)) kept.delete(id);
}

/** "My updates": what the unit still has to report before the next meeting, each with its forms. */
export function renderUpdates(env, due) {
  if (!env.viewer?.unit) return empty(t("updatesNeedUnit"));
  if (!due) return h("div", { class: "updates" }, loading());
  const by = (id) => due.activities.find((a) => a.id === id);
  const head = h(
    "p",
    { class: "lead", "data-testid": "updates-lead" },
    t("updatesLead", {
      unit: due.unit,
      next: due.nextMeeting ? `${due.nextMeeting.code} · ${formatDate(due.nextMeeting.date)}` : t("noNextMeeting"),
      last: due.lastMeeting ? `${due.lastMeeting.code} · ${formatDate(due.lastMeeting.date)}` : "—",
    }),
  );
  const activities = due.activities.length
    ? h(
        "ul",
        { class: "due-list" },
        due.activities.map((a) => {
          const forms = activityForms(env, a, "updates");
          return h(
            "li",
            { class: "due-item", "data-testid": "due-activity", dataset: { id: a.id } },
            h("div", { class: "due-head" }, h("strong", null, a.title), " ", statusChip(a.status, a.statusLabel), h("span", { class: "due-progress" }, progressShown(a.progress))),
            h("div", { class: "muted" }, `${t("strategy")} ${a.strategyNumber} · ${t("fy")} ${a.fiscalYear}`),
            renderOwnForms(env, a, forms),
          );
        }),
      )
    : empty(t("nothingDue"));
  const others = [
    due.milestones.length
      ? card(t("milestonesDue"), h("ul", { class: "plain-list" }, due.milestones.map((m) => h("li", null, `${m.title} · ${t("due")} ${formatDate(m.dueOn)}`, m.overdue ? h("span", { class: "chip lv-VERY_HIGH" }, t("overdue")) : null, by(m.activityId) ? null : h("span", { class: "muted" }, ` · ${t("openActivityHint")}`)))))
      : null,
    due.risksToReview.length
      ? card(t("risksToReview"), h("ul", { class: "plain-list" }, due.risksToReview.map((r) => h("li", null, `${r.title} · ${t("reviewOn")} ${formatDate(r.reviewOn)}`))))
      : null,
    due.keyResults.length
      ? card(t("keyResultsDue"), h("ul", { class: "plain-list" }, due.keyResults.map((k) => h("li", null, `${k.title} · ${t("latest")} ${k.latestValue ?? "—"} / ${k.target} ${k.unitLabel}`))))
      : null,
    due.actionItems.length
      ? card(t("actionItemsOwned"), h("ul", { class: "plain-list" }, due.actionItems.map((i) => h("li", null, `${i.description} · ${i.meetingCode} · ${i.dueOn ? formatDate(i.dueOn) : i.dueMeeting || "—"} · ${label("actionState", i.state)}`))))
      : null,
  ];
  return h("div", { class: "updates", "data-testid": "my-updates" }, card(t("tabUpdates"), [head, activities], { testid: "due-activities" }), others);
}

function renderOwnForms(env, activity, forms) {
  if (forms) return forms;
  return h("p", { class: "muted" }, t("noFormsHere"));
}
