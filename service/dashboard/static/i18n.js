// Words and dates in Thai and English. Thai mode writes Buddhist Era dates and the Thai labels the
// API gives beside every enum (as the minutes write them); these tables are only the fallback for
// legends drawn before any data arrives, and the English wording.

const TH_MONTHS = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
  "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"];
const TH_MONTHS_SHORT = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.",
  "ต.ค.", "พ.ย.", "ธ.ค."];
const EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
const EN_MONTHS_SHORT = EN_MONTHS.map((m) => m.slice(0, 3));

const WORDS = {
  th: {
    appTitle: "แดชบอร์ดแผนยุทธศาสตร์",
    signInTitle: "เข้าสู่ระบบ",
    signInLead: "ใส่โทเค็น API ที่ได้จาก planledger token create",
    token: "โทเค็น",
    signIn: "เข้าสู่ระบบ",
    signOut: "ออกจากระบบ",
    badToken: "โทเค็นไม่ถูกต้องหรือถูกยกเลิกแล้ว",
    unreachable: "ติดต่อเซิร์ฟเวอร์ไม่ได้",
    plan: "แผน",
    asOf: "ข้อมูล ณ",
    now: "ปัจจุบัน",
    questionMeeting: "ตามที่คณะกรรมการทราบ ณ การประชุมครั้งที่ {meeting}",
    questionDate: "ตามที่ทราบในปัจจุบัน ณ วันที่ {date}",
    questionNow: "ตามที่ทราบในปัจจุบัน วันนี้ {date}",
    switchToDate: "ดูวันที่ {date} ตามที่ทราบในปัจจุบัน",
    switchToMeeting: "ดูตามที่คณะกรรมการทราบ ณ การประชุมครั้งที่ {meeting}",
    meeting: "การประชุม",
    date: "วันที่",
    knownAt: "ตามที่บันทึกไว้ ณ",
    compareWith: "เปรียบเทียบกับ",
    noCompare: "ไม่เปรียบเทียบ",
    otherBodies: "การประชุมของคณะอื่น",
    download: "ดาวน์โหลด",
    tabOverview: "ภาพรวม",
    tabActivities: "โครงการ/กิจกรรม",
    tabTimeline: "หมุดหมาย",
    tabRisks: "ความเสี่ยง",
    tabMeetings: "การประชุม",
    live: "เชื่อมต่อสด",
    connecting: "กำลังเชื่อมต่อ…",
    offline: "ไม่ได้เชื่อมต่อ",
    loading: "กำลังโหลด…",
    period: "ระยะเวลาของแผน",
    vision: "วิสัยทัศน์",
    activities: "โครงการ/กิจกรรม",
    completed: "แล้วเสร็จ",
    shareCompleted: "ร้อยละแล้วเสร็จ",
    meanProgress: "ความก้าวหน้าเฉลี่ย",
    openRisks: "ความเสี่ยงที่ยังเปิดอยู่",
    highRisks: "ระดับสูงขึ้นไป",
    slipped: "หมุดหมายที่เลื่อน",
    milestones: "หมุดหมาย",
    byStatus: "สถานะของโครงการ/กิจกรรม",
    strategies: "ยุทธศาสตร์",
    strategy: "ยุทธศาสตร์ที่",
    goal: "เป้าหมาย",
    ofTotal: "จาก",
    strategiesCount: "{n} ยุทธศาสตร์",
    ofMilestones: "จาก {n} หมุดหมาย",
    completedOf: "{n}/{total} แล้วเสร็จ",
    heatMap: "แผนภาพความเสี่ยง",
    likelihood: "โอกาสเกิด",
    impact: "ผลกระทบ",
    risksInCell: "ความเสี่ยงในช่องที่เลือก",
    clickCell: "คลิกช่องเพื่อดูรายการความเสี่ยง",
    noRisksHere: "ไม่มีความเสี่ยงในช่องนี้",
    changes: "การเปลี่ยนแปลง",
    changesFrom: "จาก {from} ถึง {to}",
    activityChanges: "โครงการ/กิจกรรมที่เปลี่ยน",
    milestonesMet: "หมุดหมายที่บรรลุ",
    milestonesSlipped: "หมุดหมายที่เลื่อน",
    risksNoted: "ความเสี่ยงใหม่",
    risksRescored: "ความเสี่ยงที่ประเมินใหม่",
    risksClosed: "ความเสี่ยงที่ปิด",
    resolutionsPassed: "มติที่ประชุม",
    nothingChanged: "ไม่มีการเปลี่ยนแปลง",
    newActivity: "ใหม่",
    liveFeed: "ความเคลื่อนไหวล่าสุด",
    liveEmpty: "เหตุการณ์ใหม่จะแสดงที่นี่ทันทีโดยไม่ต้องโหลดหน้าใหม่",
    allStatuses: "ทุกสถานะ",
    allKinds: "ทุกประเภท",
    allUnits: "ทุกหน่วยงาน",
    allYears: "ทุกปีงบประมาณ",
    allStrategies: "ทุกยุทธศาสตร์",
    search: "ค้นหา…",
    shown: "แสดง {n} จาก {total} รายการ",
    kind: "ประเภท",
    status: "สถานะ",
    progress: "ความก้าวหน้า",
    units: "หน่วยงานที่เกี่ยวข้อง",
    outcome: "ผลลัพธ์ที่ได้",
    reason: "เหตุผล",
    fiscalYear: "ปีงบประมาณ",
    noActivities: "ไม่มีโครงการ/กิจกรรมตามเงื่อนไขนี้",
    history: "ประวัติ",
    effective: "มีผล",
    recorded: "บันทึก",
    by: "โดย",
    close: "ปิด",
    corrects: "แก้ไขรายการที่ {n}",
    voided: "ยกเลิกรายการ",
    planned: "ตามแผน",
    due: "กำหนด",
    originalDue: "กำหนดเดิม",
    achieved: "บรรลุ",
    slip: "เลื่อน {n} วัน",
    overdue: "เกินกำหนด",
    todayLine: "ณ วันที่เลือก",
    noMilestones: "ยังไม่มีหมุดหมาย ณ วันที่เลือก (ข้อสังเกตของที่ประชุม: ให้กำหนดหมุดหมายและผลผลิตของแต่ละโครงการ)",
    riskRegister: "ทะเบียนความเสี่ยง",
    noRisks: "ไม่มีความเสี่ยง ณ วันที่เลือก",
    score: "คะแนน",
    level: "ระดับ",
    owner: "ผู้รับผิดชอบ",
    mitigation: "มาตรการจัดการ",
    review: "ทบทวน",
    activity: "โครงการ/กิจกรรม",
    clearFilter: "ล้างตัวกรอง",
    attendance: "ผู้เข้าประชุม",
    agenda: "ระเบียบวาระ",
    agendaItem: "ระเบียบวาระที่",
    resolutions: "มติ",
    actionItems: "งานที่มอบหมาย",
    minutesAdopted: "รับรองรายงานการประชุมครั้งที่ {code}",
    corrections: "แก้ไข",
    comments: "ข้อสังเกตของที่ประชุม",
    nextMeeting: "การประชุมครั้งต่อไป",
    byReference: "อ้างถึงในรายงานการประชุม (ไม่มีรายงานในระบบ)",
    noMinutes: "ยังไม่มีรายงานการประชุมครั้งนี้ในระบบ",
    time: "เวลา",
    venue: "สถานที่",
    noMeeting: "เลือกการประชุม",
    people: "{n} คน",
    noPlan: "ยังไม่มีแผนในระบบ นำเข้ารายงานการประชุมด้วย planledger import-minutes",
    planMissing: "แผนนี้ยังไม่มีอยู่ ณ วันที่เลือก",
    error: "เกิดข้อผิดพลาด",
    newEvent: "เหตุการณ์ใหม่",
    newRisk: "ความเสี่ยงใหม่",
    newEvents: "เหตุการณ์ใหม่ {n} รายการ",
    ownerLabel: "ผู้รับผิดชอบ",
    dueOn: "กำหนด",
    doneOn: "เสร็จเมื่อ",
    fy: "ปีงบ",
    meetingCode: "ครั้งที่ {code}",
    downloading: "กำลังเตรียมไฟล์…",
    downloadFailed: "ดาวน์โหลดไม่สำเร็จ",
    toAssess: "รอประเมิน",
    toAssessHint: "ความเสี่ยงที่ยังไม่ได้ประเมินโอกาสเกิดและผลกระทบ ไม่อยู่ในแผนภาพจนกว่าจะประเมิน",
    notAssessed: "ยังไม่ได้ประเมิน",
    periodYears: "พ.ศ. {from} – {to}",
    progressUnknown: "ยังไม่มีรายงานความก้าวหน้า",
    progressKnown: "รายงานความก้าวหน้า {n} จาก {total}",
    reportedFigures: "ผลการดำเนินงานตามที่รายงานในการประชุม",
    reported: "ตามที่รายงาน",
    computed: "คำนวณจากสถานะ",
    wholePlan: "ภาพรวมของแผน",
    noFigures: "ยังไม่มีตัวเลขที่รายงานในการประชุม ณ วันที่เลือก",
    atMeeting: "การประชุมครั้งที่ {code}",
    tabResults: "ผลลัพธ์หลัก",
    tabActions: "ติดตามมติ",
    allHealths: "ทุกสถานะตามเป้าหมาย",
    keyResults: "ผลลัพธ์หลัก (Key Results)",
    keyResult: "ผลลัพธ์หลัก",
    health: "สถานะตามเป้าหมาย",
    healthOfPlan: "สถานะตามเป้าหมายของโครงการ/กิจกรรม",
    healthByStrategy: "สถานะตามเป้าหมายรายยุทธศาสตร์",
    healthHint: "ประเมิน ณ วันที่ {on} ตามเกณฑ์การประเมินของแผน (คำนวณจากตัวเลข ไม่ใช่การระบุเอง)",
    activitiesByHealth: "จำนวนโครงการ/กิจกรรมตามสถานะ",
    notEvaluated: "ไม่ประเมิน {n} (ยกเลิก)",
    noHealth: "ไม่มีการประเมิน (ยกเลิกแล้ว)",
    baselineTarget: "ค่าฐาน → ค่าเป้าหมาย",
    latest: "ค่าล่าสุด",
    attainment: "ผลสัมฤทธิ์",
    expected: "ควรได้",
    notMeasured: "ยังไม่มีการวัด",
    onStrategy: "ระดับยุทธศาสตร์",
    noKeyResults: "ยังไม่มีผลลัพธ์หลัก ณ วันที่เลือก",
    actionRegister: "ทะเบียนติดตามงานที่มอบหมายตามมติ",
    actionItem: "งานที่มอบหมาย",
    allOwners: "ผู้รับผิดชอบทั้งหมด",
    dueCol: "กำหนดเสร็จ",
    doneCol: "เสร็จเมื่อ",
    assignedAt: "มอบหมายในการประชุม",
    noActionItems: "ไม่มีงานที่มอบหมายตามเงื่อนไขนี้",
    skipToContent: "ข้ามไปยังเนื้อหา",
    views: "มุมมอง",
    heatCell: "โอกาสเกิด {likelihood} × ผลกระทบ {impact} = คะแนน {score} ระดับ{level}: ความเสี่ยง {count} รายการ",
    dateDay: "วัน",
    dateMonth: "เดือน",
    dateYear: "ปี พ.ศ.",
    dateTime: "เวลา",
    clear: "ล้าง",
    activityDetails: "รายละเอียดโครงการ/กิจกรรม",
    changesList: "รายการ: {title}",
  },
  en: {
    appTitle: "Strategic plan dashboard",
    signInTitle: "Sign in",
    signInLead: "Paste an API token (from planledger token create)",
    token: "Token",
    signIn: "Sign in",
    signOut: "Sign out",
    badToken: "That token is not valid, or it was revoked",
    unreachable: "The server cannot be reached",
    plan: "Plan",
    asOf: "As of",
    now: "Now",
    questionMeeting: "As the committee knew it at {meeting}",
    questionDate: "As we know it now, on {date}",
    questionNow: "As we know it now, today {date}",
    switchToDate: "See {date} as we know it now",
    switchToMeeting: "See it as the committee knew it at {meeting}",
    meeting: "Meeting",
    date: "Date",
    knownAt: "as recorded by",
    compareWith: "Compare with",
    noCompare: "No comparison",
    otherBodies: "Other bodies' meetings",
    download: "Download",
    tabOverview: "Overview",
    tabActivities: "Activities",
    tabTimeline: "Milestones",
    tabRisks: "Risks",
    tabMeetings: "Meetings",
    live: "Live",
    connecting: "Connecting…",
    offline: "Offline",
    loading: "Loading…",
    period: "Plan period",
    vision: "Vision",
    activities: "Activities",
    completed: "Completed",
    shareCompleted: "Share completed",
    meanProgress: "Mean progress",
    openRisks: "Open risks",
    highRisks: "high or above",
    slipped: "Slipped milestones",
    milestones: "Milestones",
    byStatus: "Activities by status",
    strategies: "Strategies",
    strategy: "Strategy",
    goal: "Goal",
    ofTotal: "of",
    strategiesCount: "{n} strategies",
    ofMilestones: "of {n} milestones",
    completedOf: "{n} of {total} completed",
    heatMap: "Risk heat map",
    likelihood: "Likelihood",
    impact: "Impact",
    risksInCell: "Risks in the selected cell",
    clickCell: "Click a cell to list its risks",
    noRisksHere: "No risks in this cell",
    changes: "What changed",
    changesFrom: "from {from} to {to}",
    activityChanges: "Activities changed",
    milestonesMet: "Milestones met",
    milestonesSlipped: "Milestones slipped",
    risksNoted: "Risks noted",
    risksRescored: "Risks re-scored",
    risksClosed: "Risks closed",
    resolutionsPassed: "Resolutions passed",
    nothingChanged: "Nothing changed",
    newActivity: "new",
    liveFeed: "Latest events",
    liveEmpty: "New events appear here as they are recorded, without reloading",
    allStatuses: "All statuses",
    allKinds: "All kinds",
    allUnits: "All units",
    allYears: "All fiscal years",
    allStrategies: "All strategies",
    search: "Search…",
    shown: "{n} of {total} shown",
    kind: "Kind",
    status: "Status",
    progress: "Progress",
    units: "Responsible units",
    outcome: "Outcome",
    reason: "Reason",
    fiscalYear: "Fiscal year",
    noActivities: "No activities match",
    history: "History",
    effective: "effective",
    recorded: "recorded",
    by: "by",
    close: "Close",
    corrects: "corrects fact {n}",
    voided: "voids a fact",
    planned: "planned",
    due: "due",
    originalDue: "originally due",
    achieved: "achieved",
    slip: "slipped {n} days",
    overdue: "overdue",
    todayLine: "chosen point",
    noMilestones: "No milestones at this point yet (the committee asked for milestones and outputs per activity)",
    riskRegister: "Risk register",
    noRisks: "No risks at this point",
    score: "Score",
    level: "Level",
    owner: "Owner",
    mitigation: "Mitigation",
    review: "Review",
    activity: "Activity",
    clearFilter: "Clear filter",
    attendance: "Attendance",
    agenda: "Agenda",
    agendaItem: "Agenda item",
    resolutions: "Resolutions",
    actionItems: "Action items",
    minutesAdopted: "Minutes of {code} adopted",
    corrections: "Corrections",
    comments: "Members' comments",
    nextMeeting: "Next meeting",
    byReference: "Referred to in minutes (no minutes of its own here)",
    noMinutes: "No minutes of this meeting recorded yet",
    time: "Time",
    venue: "Venue",
    noMeeting: "Choose a meeting",
    people: "{n} people",
    noPlan: "No plan yet: import minutes with planledger import-minutes",
    planMissing: "The plan did not exist yet at this point",
    error: "Something went wrong",
    newEvent: "New event",
    newRisk: "New risk",
    newEvents: "{n} new events",
    ownerLabel: "Owner",
    dueOn: "due",
    doneOn: "done",
    fy: "FY",
    meetingCode: "meeting {code}",
    downloading: "Preparing the file…",
    downloadFailed: "The download failed",
    toAssess: "to assess",
    toAssessHint: "Risks whose likelihood and impact are not assessed yet stay off the map until they are",
    notAssessed: "not yet assessed",
    periodYears: "{from}–{to} BE",
    progressUnknown: "no progress reported",
    progressKnown: "progress reported for {n} of {total}",
    reportedFigures: "Figures reported in the minutes",
    reported: "as reported",
    computed: "computed from statuses",
    wholePlan: "The plan as a whole",
    noFigures: "No figures reported in the minutes at this point",
    atMeeting: "meeting {code}",
    tabResults: "Key results",
    tabActions: "Action items",
    allHealths: "Any health",
    keyResults: "Key results",
    keyResult: "Key result",
    health: "Health",
    healthOfPlan: "Activities by health",
    healthByStrategy: "Health by strategy",
    healthHint: "Judged on {on} by the plan's evaluation rules (computed from the numbers, never claimed)",
    activitiesByHealth: "Activities by health",
    notEvaluated: "{n} not evaluated (cancelled)",
    noHealth: "no health (cancelled or retired)",
    baselineTarget: "Baseline → target",
    latest: "Latest",
    attainment: "Attainment",
    expected: "expected",
    notMeasured: "not measured yet",
    onStrategy: "on the strategy",
    noKeyResults: "No key results at this point",
    actionRegister: "Action-item register",
    actionItem: "Action item",
    allOwners: "All owners",
    dueCol: "Due",
    doneCol: "Done",
    assignedAt: "Assigned at",
    noActionItems: "No action items match",
    skipToContent: "Skip to content",
    views: "Views",
    heatCell: "Likelihood {likelihood} × impact {impact} = score {score}, {level}: {count} risks",
    dateDay: "Day",
    dateMonth: "Month",
    dateYear: "Year",
    dateTime: "Time",
    clear: "Clear",
    activityDetails: "Activity details",
    changesList: "List: {title}",
  },
};

// Enum wording: English, and the Thai fallback (the domain's vocabulary) for legends.
const ENUMS = {
  status: {
    PLANNED: ["Planned", "อยู่ในแผน"], NOT_STARTED: ["Not started", "ยังไม่เริ่มดำเนินการ"],
    IN_PROGRESS: ["In progress", "อยู่ระหว่างดำเนินการ"], COMPLETED: ["Completed", "แล้วเสร็จ"],
    NOT_IMPLEMENTED: ["Not implemented", "ไม่ได้ดำเนินการ"], ON_HOLD: ["On hold", "ชะลอการดำเนินการ"],
    CANCELLED: ["Cancelled", "ยกเลิก"],
  },
  kind: { ONE_YEAR: ["One-year", "ดำเนินการ ๑ ปี"], CONTINUING: ["Continuing", "ดำเนินการต่อเนื่อง"] },
  level: { LOW: ["Low", "ต่ำ"], MEDIUM: ["Medium", "ปานกลาง"], HIGH: ["High", "สูง"], VERY_HIGH: ["Very high", "สูงมาก"] },
  riskStatus: { OPEN: ["Open", "เปิด"], MITIGATING: ["Mitigating", "อยู่ระหว่างบริหารความเสี่ยง"], CLOSED: ["Closed", "ปิด"] },
  milestone: { PLANNED: ["Planned", "ตามแผน"], ACHIEVED: ["Achieved", "บรรลุแล้ว"], DROPPED: ["Dropped", "ยกเลิก"] },
  resolution: {
    ACKNOWLEDGED: ["Acknowledged", "รับทราบ"], APPROVED: ["Approved", "เห็นชอบ"],
    APPROVED_WITH_AMENDMENTS: ["Approved with amendments", "เห็นชอบโดยให้แก้ไข"], REJECTED: ["Rejected", "ไม่เห็นชอบ"],
    ASSIGNED: ["Assigned", "มอบหมาย"],
  },
  presence: {
    IN_ROOM: ["In the room", "มาประชุม ณ ห้องประชุม"], ONLINE: ["Online", "มาประชุมผ่านสื่ออิเล็กทรอนิกส์"],
    PRESENT: ["Present", "มาประชุม"], ABSENT: ["Absent", "ผู้ไม่มาประชุม"], OTHER: ["In attendance", "ผู้เข้าร่วมประชุม"],
  },
  role: {
    CHAIR: ["Chair", "ประธาน"], MEMBER: ["Member", "อนุกรรมการ"], SECRETARY: ["Secretary", "เลขานุการ"],
    ASSISTANT_SECRETARY: ["Assistant secretary", "ผู้ช่วยเลขานุการ"], ATTENDEE: ["Attendee", "ผู้เข้าร่วมประชุม"],
  },
  mode: { IN_PERSON: ["In person", "ณ ห้องประชุม"], ONLINE: ["Online", "ผ่านสื่ออิเล็กทรอนิกส์"], HYBRID: ["Hybrid", "ผ่านสื่ออิเล็กทรอนิกส์ และ ณ ห้องประชุม"] },
  actionState: { OPEN: ["Open", "ยังไม่แล้วเสร็จ"], DONE: ["Done", "ดำเนินการแล้ว"], OVERDUE: ["Overdue", "เกินกำหนด"] },
  health: {
    ON_TRACK: ["On track", "เป็นไปตามเป้าหมาย"], AT_RISK: ["At risk", "มีความเสี่ยง"],
    OFF_TRACK: ["Off track", "ไม่เป็นไปตามเป้าหมาย"], NO_DATA: ["No data", "ไม่มีข้อมูล"],
  },
};

const EVENT_TYPES = {
  "Plan.Created": ["Plan created", "สร้างแผน"],
  "Plan.StrategyAdded": ["Strategy added", "เพิ่มยุทธศาสตร์"],
  "Plan.VisionStated": ["Vision stated", "กำหนดวิสัยทัศน์"],
  "Plan.ActionPlanApproved": ["Action plan approved", "อนุมัติแผนปฏิบัติราชการประจำปี"],
  "Plan.ProposalRecorded": ["Proposal recorded", "บันทึกข้อเสนอ"],
  "Plan.FigureReported": ["Figure reported", "รายงานผลการดำเนินงาน"],
  "Activity.Registered": ["Activity registered", "ลงทะเบียนโครงการ/กิจกรรม"],
  "Activity.Retitled": ["Retitled", "แก้ไขชื่อ"],
  "Activity.UnitsAssigned": ["Units assigned", "กำหนดหน่วยงานที่เกี่ยวข้อง"],
  "Activity.StatusChanged": ["Status changed", "เปลี่ยนสถานะ"],
  "Activity.ProgressReported": ["Progress reported", "รายงานความก้าวหน้า"],
  "Activity.OutcomeRecorded": ["Outcome recorded", "บันทึกผลลัพธ์"],
  "Activity.MilestonePlanned": ["Milestone planned", "กำหนดหมุดหมาย"],
  "Activity.MilestoneRescheduled": ["Milestone rescheduled", "เลื่อนหมุดหมาย"],
  "Activity.MilestoneAchieved": ["Milestone achieved", "บรรลุหมุดหมาย"],
  "Activity.MilestoneDropped": ["Milestone dropped", "ยกเลิกหมุดหมาย"],
  "Activity.RiskNoted": ["Risk noted", "บันทึกความเสี่ยง"],
  "Activity.RiskReassessed": ["Risk reassessed", "ประเมินความเสี่ยงใหม่"],
  "Activity.RiskClosed": ["Risk closed", "ปิดความเสี่ยง"],
  "Meeting.Scheduled": ["Meeting scheduled", "กำหนดการประชุม"],
  "Meeting.Held": ["Meeting held", "จัดการประชุม"],
  "Meeting.AttendanceRecorded": ["Attendance recorded", "บันทึกผู้เข้าประชุม"],
  "Meeting.AgendaItemAdded": ["Agenda item added", "เพิ่มระเบียบวาระ"],
  "Meeting.ResolutionAdopted": ["Resolution adopted", "มีมติ"],
  "Meeting.ActionItemCompleted": ["Action item completed", "งานที่มอบหมายแล้วเสร็จ"],
  "Meeting.MinutesApproved": ["Minutes adopted", "รับรองรายงานการประชุม"],
  "Meeting.CommentRecorded": ["Comment recorded", "บันทึกข้อสังเกต"],
  "Meeting.NextMeetingSet": ["Next meeting set", "กำหนดการประชุมครั้งต่อไป"],
};

let lang = "th";

export function setLang(value) {
  lang = value === "en" ? "en" : "th";
  document.documentElement.lang = lang;
}

export function getLang() {
  return lang;
}

/** A word of the interface, with {placeholders} filled. */
export function t(key, params = {}) {
  const text = WORDS[lang][key] ?? WORDS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** Words a view module brings of its own (pack.js), merged into the tables above, per language. */
export function addWords(words) {
  for (const [language, entries] of Object.entries(words)) Object.assign(WORDS[language], entries);
}

/** An enum value's wording: in Thai the API's label when given (as the minutes write it). */
export function label(family, value, apiLabel) {
  if (value == null) return "—";
  const pair = ENUMS[family]?.[value];
  if (lang === "th") return apiLabel || (pair ? pair[1] : value);
  return pair ? pair[0] : value;
}

export function enumValues(family) {
  return Object.keys(ENUMS[family]);
}

export function eventLabel(type) {
  const pair = EVENT_TYPES[type] ?? EVENT_TYPES[Object.keys(EVENT_TYPES).find((k) => k.endsWith("." + type))];
  if (!pair) return type.replace(/^\w+\./, "").replace(/([a-z])([A-Z])/g, "$1 $2");
  return lang === "th" ? pair[1] : pair[0];
}

function parts(iso) {
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  return { y, m, d };
}

/** "6 ม.ค. 2564" (Buddhist Era) or "6 Jan 2021"; style "long" spells the month out. */
export function formatDate(iso, style = "short") {
  if (!iso) return "—";
  const { y, m, d } = parts(iso);
  if (lang === "th") return `${d} ${(style === "long" ? TH_MONTHS : TH_MONTHS_SHORT)[m - 1]} ${y + 543}`;
  return `${d} ${(style === "long" ? EN_MONTHS : EN_MONTHS_SHORT)[m - 1]} ${y}`;
}

/** The twelve months' names in the page's language (for date pickers). */
export function monthNames(style = "long") {
  if (lang === "th") return style === "long" ? TH_MONTHS : TH_MONTHS_SHORT;
  return style === "long" ? EN_MONTHS : EN_MONTHS_SHORT;
}

/** The year as the page writes it: Buddhist Era in Thai (CE + 543), CE in English. */
export function eraYear(y) {
  return lang === "th" ? y + 543 : y;
}

/** Back from a year as the page writes it to CE. */
export function ceYear(y) {
  return lang === "th" ? y - 543 : y;
}

/** Month and year for an axis: "ม.ค. 64" / "Jan 2021". */
export function formatMonth(y, m) {
  if (lang === "th") return `${TH_MONTHS_SHORT[m - 1]} ${String(y + 543).slice(2)}`;
  return `${EN_MONTHS_SHORT[m - 1]} ${y}`;
}

export function formatYear(y) {
  return lang === "th" ? `พ.ศ. ${y + 543}` : String(y);
}

/** "09.30 น." as the minutes write times, or "09:30". */
export function formatTime(value) {
  if (!value) return "";
  const [h, min] = value.split(":");
  return lang === "th" ? `${h}.${min} น.` : `${h}:${min}`;
}

/** A recorded time in the reader's time zone. */
export function formatDateTime(iso) {
  if (!iso) return "—";
  const at = new Date(iso);
  const local = `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, "0")}-${String(at.getDate()).padStart(2, "0")}`;
  const time = `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
  return `${formatDate(local)} ${formatTime(time)}`;
}

export function formatPercent(share, digits = 0) {
  if (share == null) return "—";
  return `${(share * 100).toFixed(digits)}%`;
}

/** The plan's period as stated: its days, else its Buddhist Era years, else "—" (nothing is made up). */
export function formatPeriod(plan) {
  if (plan.periodStart && plan.periodEnd) return `${formatDate(plan.periodStart)} – ${formatDate(plan.periodEnd)}`;
  if (plan.periodStartYear && plan.periodEndYear) return t("periodYears", { from: plan.periodStartYear, to: plan.periodEndYear });
  return "—";
}

export function formatNumber(value, digits = 0) {
  if (value == null) return "—";
  return Number(value).toLocaleString(lang === "th" ? "th-TH" : "en-GB", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function meetingName(meeting) {
  if (!meeting) return "";
  return t("meetingCode", { code: meeting.code });
}
