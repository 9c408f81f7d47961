// Every GraphQL document the page sends.

const SUMMARY = "total completed shareCompleted meanProgress progressKnown byStatus { status statusLabel count }";
const MILESTONE = `id title dueOn originalDueOn plannedOn achievedOn droppedOn status statusLabel slipDays overdue
  reschedules { from to reason effectiveOn }`;
const RISK = `id title likelihood impact score level levelLabel status statusLabel owner mitigation reviewOn notedOn
  closedOn activityId`;

export const PLANS = `query Plans {
  plans { id code title periodStart periodEnd periodStartYear periodEndYear }
  meetings(first: 500) { edges { node { id code body date byReference planId agenda { number } } } }
}`;

export const DASHBOARD = `query Dashboard($plan: ID!, $asOf: AsOf) {
  plan(id: $plan, asOf: $asOf) {
    id code title periodStart periodEnd periodStartYear periodEndYear vision asOf { date knownAt }
    actionPlans { fiscalYear approvedOn }
    summary { ${SUMMARY} }
    strategies { number title goal summary { ${SUMMARY} } }
    activities {
      id title fiscalYear kind kindLabel status statusLabel statusReason progress outcome responsibleUnits strategyNumber
      milestones { ${MILESTONE} }
    }
  }
  risks(planId: $plan, asOf: $asOf) { ${RISK} }
}`;

// The figures the minutes reported, asked apart from DASHBOARD: they name their meeting (a field
// with a resolver), and DASHBOARD stays plain data the server answers straight from the rows.
const FIGURE = "id label value unit unitLabel kind kindLabel fiscalYear reportedOn meeting { code }";

export const FIGURES = `query Figures($plan: ID!, $asOf: AsOf) {
  plan(id: $plan, asOf: $asOf) {
    reportedFigures { ${FIGURE} }
    strategies { number reportedFigures { ${FIGURE} } }
  }
}`;

export const CHANGES = `query Changes($plan: ID!, $from: AsOf!, $to: AsOf!) {
  changes(planId: $plan, from: $from, to: $to) {
    from { date } to { date }
    activities { activityId title changed before { status statusLabel progress outcome } after { status statusLabel progress outcome } }
    milestonesMet { id title achievedOn activityId }
    milestonesSlipped { milestone { id title dueOn activityId } dueBefore slippedDays }
    risksNoted { ${RISK} }
    risksRescored { risk { ${RISK} } scoreBefore levelBefore }
    risksClosed { ${RISK} }
    resolutionsPassed { id kind kindLabel text meeting { code date } }
  }
}`;

export const ACTIVITY = `query Activity($id: ID!, $asOf: AsOf) {
  activity(id: $id, asOf: $asOf) {
    id title fiscalYear kind kindLabel status statusLabel statusReason progress outcome responsibleUnits strategyNumber version
    strategy { number title }
    milestones { ${MILESTONE} }
    risks { ${RISK} }
    reportedFigures { ${FIGURE} }
    history(first: 200) {
      edges { node { cursor position type effectiveOn recordedAt actor meeting reason corrects void payload } }
      pageInfo { hasNextPage }
    }
  }
}`;

export const MEETING = `query Meeting($id: String!) {
  meeting(id: $id) {
    id code body date startsAt endsAt venue mode modeLabel byReference extraordinary
    attendance { name position role roleLabel presence presenceLabel }
    agenda { number title }
    comments { number text }
    minutesApprovals { ofCode corrections { where from to } }
    nextMeeting { code date startsAt }
    resolutions { id agendaItem kind kindLabel text actionItems { id description owner dueOn dueMeeting doneOn state } }
  }
}`;

export const PLAN_EVENTS = `subscription PlanEvents($plan: ID!, $after: Cursor) {
  planEvents(planId: $plan, after: $after) {
    cursor type streamId streamKind effectiveOn recordedAt actor meeting reason payload
  }
}`;

export const RISK_EVENTS = `subscription RiskEvents($plan: ID, $after: Cursor) {
  riskEvents(planId: $plan, after: $after) {
    cursor type level risk { id title likelihood impact score level levelLabel status activityId }
  }
}`;

// Health and key results, asked apart from DASHBOARD (computed fields, not plain rows): the plan's
// and each strategy's activities by health, each activity's health, every key result.
const HEALTH_SUMMARY = "on total notEvaluated byHealth { health healthLabel count }";
const KEY_RESULT = `id activityId strategyNumber fiscalYear title unit unitLabel baseline target direction directionLabel
  dueOn latestValue lastMeasuredOn measurementCount attainment expectedAttainment health healthLabel retiredOn`;

export const HEALTH = `query Health($plan: ID!, $asOf: AsOf) {
  plan(id: $plan, asOf: $asOf) {
    health { ${HEALTH_SUMMARY} }
    strategies { number health { ${HEALTH_SUMMARY} } }
    activities { id health healthLabel }
    keyResults { ${KEY_RESULT} }
  }
}`;

export const ACTIVITY_HEALTH = `query ActivityHealth($id: ID!, $asOf: AsOf) {
  activity(id: $id, asOf: $asOf) { id health healthLabel keyResults { ${KEY_RESULT} } }
}`;

// The action-item register: every item the plan's meetings assigned, its state judged on `on`.
export const ACTION_ITEMS = `query ActionItems($plan: ID!, $on: Date) {
  actionItems(planId: $plan, on: $on) { id description owner dueOn dueMeeting doneOn state meetingId meetingCode resolutionId }
}`;
