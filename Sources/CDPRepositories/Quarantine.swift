import CDPCore

/// Where a quarantined record was landed: its file, line and span of the landed file.
public struct LandedRecord: Sendable, Hashable {
    public var batch: BatchID
    /// The file's name as it was found (relative to the workspace).
    public var file: String
    /// The immutable copy in the lake's landing folder (relative to the workspace).
    public var landedPath: String
    public var line: Int
    /// Where the record lies in the landed copy; nil for a row landed before the lake kept spans.
    public var span: RecordSpan?
    /// The row's text as the lake stored it before it kept spans (bronze_row_v1); nil otherwise.
    public var storedText: String?
    /// The record as it stands in the landed file: read from its span, or the stored text; nil when the
    /// landed copy cannot be read.
    public var text: String?

    public init(
        batch: BatchID,
        file: String,
        landedPath: String,
        line: Int,
        span: RecordSpan? = nil,
        storedText: String? = nil,
        text: String? = nil
    ) {
        self.batch = batch
        self.file = file
        self.landedPath = landedPath
        self.line = line
        self.span = span
        self.storedText = storedText
        self.text = text
    }
}

/// A change to one quarantined record, applied with its history row and audit row in one transaction.
public struct QuarantineChange: Sendable {
    public var fields: [String: String]
    public var sourceKey: String
    public var failures: [RuleFailure]
    public var status: QuarantineStatus
    public var resolution: String?
    public var historyAction: String
    public var historyDetail: String
    public var audit: AuditDraft
    /// When releasing: the silver row to insert, by canonical field; for a customer of a source with extra
    /// attributes one value more, its `attributes` JSON (a store writes it to `silver_customer.attributes`).
    public var silverValues: [FieldValue?]?
    public var supersedes: Bool
    /// When reopening a released record: take its silver row out and make the row it replaced current again.
    public var withdrawsSilver: Bool

    public init(
        fields: [String: String], sourceKey: String, failures: [RuleFailure], status: QuarantineStatus,
        resolution: String? = nil, historyAction: String, historyDetail: String, audit: AuditDraft,
        silverValues: [FieldValue?]? = nil, supersedes: Bool = false, withdrawsSilver: Bool = false
    ) {
        self.fields = fields
        self.sourceKey = sourceKey
        self.failures = failures
        self.status = status
        self.resolution = resolution
        self.historyAction = historyAction
        self.historyDetail = historyDetail
        self.audit = audit
        self.silverValues = silverValues
        self.supersedes = supersedes
        self.withdrawsSilver = withdrawsSilver
    }
}

extension QuarantineChange {
    /// The history row's detail: this change's, and the failures it replaces when they differ (nothing a run found
    /// is overwritten unread).
    public func historyDetail(replacing previous: [RuleFailure]) -> String {
        let was = previous.map { "\($0.rule): \($0.message)" }.joined(separator: "; ")
        return historyDetail + (was.isEmpty || previous == failures ? "" : " [was failing: \(was)]")
    }
}

public struct QuarantineFilter: Sendable, Hashable {
    public var source: SourceName?
    /// An open record fails this rule now; a fixed, released or rejected one fails it or was held for it.
    public var rule: String?
    public var statuses: [QuarantineStatus]
    /// Matched against the key and the field values.
    public var text: String?
    /// Only records held after this instant (ISO 8601 UTC): "new since my last visit".
    public var heldAfter: String?
    public var limit: Int
    public var offset: Int

    public init(
        source: SourceName? = nil, rule: String? = nil, statuses: [QuarantineStatus] = [], text: String? = nil,
        heldAfter: String? = nil, limit: Int = 1000, offset: Int = 0
    ) {
        self.source = source
        self.rule = rule
        self.statuses = statuses
        self.text = text
        self.heldAfter = heldAfter
        self.limit = limit
        self.offset = offset
    }
}

/// A column the quarantine list can be ordered by.
public enum QuarantineOrder: String, Sendable, Hashable, CaseIterable {
    case id, status, source, key, name, line, rules, problem
    /// How long a record has been held: ascending is the newest first.
    case age
}
