/// The `io.rationd` varlink interface: its method names and its description as
/// `org.varlink.service.GetInterfaceDescription` returns it.
public enum RationdInterface {
    public static let name = "io.rationd"

    public enum Method: String, Sendable, CaseIterable {
        case getStatus = "GetStatus"
        case listAlerts = "ListAlerts"
        case getAlert = "GetAlert"
        case listTemplates = "ListTemplates"
        case labelAlert = "LabelAlert"
        case labelTemplate = "LabelTemplate"
        case reload = "Reload"
        case acknowledgeRecoveries = "AcknowledgeRecoveries"

        public var qualifiedName: String { "\(RationdInterface.name).\(rawValue)" }

        /// Methods that change the daemon's state: callers must be root or the daemon's user.
        public var isMutating: Bool {
            switch self {
            case .labelAlert, .labelTemplate, .reload, .acknowledgeRecoveries: true
            case .getStatus, .listAlerts, .getAlert, .listTemplates: false
            }
        }
    }

    public static let description = """
    # rationd: log anomaly daemon. Times are microseconds since the Unix epoch.
    interface io.rationd

    type Source (
      name: string,
      kind: string,
      records: int,
      lagSeconds: ?float,
      checkpoint: ?string,
      errors: int,
      overflowLines: int
    )

    type Queue (name: string, depth: int, capacity: int)

    type Miner (templates: int, newTemplatesLastHour: int, merged: int, overflowLines: int, freshStart: ?string)

    type LLM (
      calls: int,
      cacheHits: int,
      failures: int,
      skipped: int,
      budgetPerMinute: int,
      budgetLeft: int,
      demo: bool
    )

    # removedBySource and carriedAlerts count since the daemon started (docs/store.md, quotas).
    type Store (
      alerts: int,
      bytes: int,
      capacityBytes: int,
      oldestAlert: ?int,
      removedBySource: ?[string]int,
      carriedAlerts: ?int,
      protectedAlerts: ?int
    )

    # threshold: the configured 0...1 value (triage.threshold); the others count windows.
    type Triage (threshold: float, warmupWindows: int, learnedWindows: int, assessed: int, escalated: int)

    type Event (time: int, template: int, message: string, priority: ?int, unit: ?string)

    type Template (id: int, text: string)

    type Reason (kind: string, score: float, template: ?int, previousTemplate: ?int, detail: string)

    type Verdict (
      label: ?string,
      status: string,
      reason: ?string,
      rationale: string,
      model: ?string,
      verifierScore: ?float,
      latencyMs: ?float,
      cached: bool
    )

    type Label (label: string, note: ?string, time: int)

    type Alert (
      id: int,
      firstSeen: int,
      lastSeen: int,
      count: int,
      host: ?string,
      source: string,
      sessionKey: string,
      windowStart: int,
      windowEnd: int,
      eventCount: int,
      events: []Event,
      templates: []Template,
      score: float,
      escalated: bool,
      reasons: []Reason,
      verdict: Verdict,
      operatorLabel: ?Label
    )

    type TemplateStats (
      id: int,
      text: string,
      count: int,
      firstSeen: int,
      lastSeen: int,
      verdict: ?string,
      operatorLabel: ?Label
    )

    # A damaged state file (checkpoint, snapshot, verdict cache) the daemon set aside to keep
    # running: what it was, where it went (movedTo absent: it could not be moved) and why.
    type Recovery (time: int, what: string, path: string, movedTo: ?string, reason: string)

    # Counters, lag, checkpoints, queue depths, LLM budget and store usage; recoveries since
    # start that no operator acknowledged yet (recoveriesDropped: older ones not kept).
    method GetStatus() -> (
      version: string,
      uptimeSeconds: float,
      sources: []Source,
      miner: Miner,
      queues: []Queue,
      llm: LLM,
      store: Store,
      lastAlert: ?int,
      lastAlertTime: ?int,
      triage: ?Triage,
      restartNeeded: ?[]string,
      recoveries: ?[]Recovery,
      recoveriesDropped: ?int
    )

    # Most recent alerts matching every given filter, newest first (by lastSeen, then id).
    # verdict: abnormal, normal, unknown or skipped; label: abnormal, normal or none. limit:
    # default 100, at most 1000 (more is InvalidRequest). A reply holds at most limit alerts
    # and stays under the daemon's message size; next is set when more match: pass it as
    # after to get the following page. With "more", the first reply holds one page of the
    # matching alerts (no next) and each later reply an alert as it is raised or updated.
    method ListAlerts(
      since: ?int,
      until: ?int,
      unit: ?string,
      source: ?string,
      verdict: ?string,
      minScore: ?float,
      label: ?string,
      text: ?string,
      limit: ?int,
      after: ?string
    ) -> (alerts: []Alert, next: ?string)

    method GetAlert(id: int) -> (alert: Alert)

    # Most frequent templates (by count, then id), or with newSince only those first seen
    # since a time (newest first). limit, after and next page as in ListAlerts (default 20).
    # A template whose count grows past the cursor while a client pages is not listed again.
    method ListTemplates(limit: ?int, newSince: ?int, after: ?string) -> (templates: []TemplateStats, next: ?string)

    # A template's operator label before and after a call. oldLabel and newLabel: normal,
    # abnormal, or absent (none before; withdrawn). match: exact (that text only) or pattern
    # (<*> matches any run of characters).
    type LabelChange (template: string, oldLabel: ?string, newLabel: ?string, match: ?string)

    # Operator verdicts (normal or abnormal) that override the model. Root or the daemon's user only.
    # An alert's label passes to the templates it implies as exact-text labels; a template's label
    # is a pattern. A template with fewer than two literal words (words other than <*>) is only
    # labelled with force: true (else LabelTooBroad, and nothing is labelled).
    method LabelAlert(id: int, label: string, note: ?string, force: ?bool) -> (alert: Alert, changes: []LabelChange)
    method LabelTemplate(id: int, label: string, note: ?string, force: ?bool) -> (template: TemplateStats, changes: []LabelChange)

    # Re-read the configuration file and apply it; the old one stays when the new one is invalid
    # or cannot be applied. Each change ends in "(applied)" or "(needs a restart; …)".
    method Reload() -> (changes: []string)

    # Clears the recoveries GetStatus lists; returns how many there were. Root or the daemon's user only.
    method AcknowledgeRecoveries() -> (acknowledged: int)

    error AlertNotFound (id: int)
    error TemplateNotFound (id: int)
    error InvalidRequest (reason: string)
    error MessageTooLarge (limit: int)
    # The connection limit is reached (the last connection slot is kept for root).
    error TooManyConnections (limit: int)
    # The handler did not answer within the daemon's request timeout.
    error Timeout (seconds: float)
    error ReloadFailed (reason: string)
    error InternalError (reason: string)
    error LabelTooBroad (template: string, literalWords: int, reason: string)
    # The labels file could not be written (reason: the call and errno). The label holds in
    # memory and the file is written again on the next save; nothing is on disk yet.
    error LabelsNotSaved (path: string, reason: string)
    """

    public static let serviceDescription = """
    # The Varlink Service Interface is provided by every varlink service.
    interface org.varlink.service

    method GetInfo() -> (
      vendor: string,
      product: string,
      version: string,
      url: string,
      interfaces: []string
    )

    method GetInterfaceDescription(interface: string) -> (description: string)

    error InterfaceNotFound (interface: string)
    error MethodNotFound (method: string)
    error MethodNotImplemented (method: string)
    error InvalidParameter (parameter: string)
    error PermissionDenied ()
    error ExpectedMore ()
    """
}
