/// A landed file: one batch of a source, kept as landed with its SHA-256.
public struct BatchRecord: Hashable, Codable, Sendable {
    public var id: BatchID
    public var source: SourceName
    public var fileName: String
    public var landedPath: String
    public var sha256: String
    public var bytes: Int64
    public var landedAt: String
    public var run: RunID?
    public var state: BatchState
    public var rowsRead: Int
    public var rowsUnchanged: Int
    public var rowsSilver: Int
    public var rowsQuarantined: Int
    public var rowsWarned: Int
    public var error: String?

    public init(
        id: BatchID, source: SourceName, fileName: String, landedPath: String, sha256: String, bytes: Int64,
        landedAt: String, run: RunID?, state: BatchState, rowsRead: Int = 0, rowsUnchanged: Int = 0,
        rowsSilver: Int = 0, rowsQuarantined: Int = 0, rowsWarned: Int = 0, error: String? = nil
    ) {
        self.id = id
        self.source = source
        self.fileName = fileName
        self.landedPath = landedPath
        self.sha256 = sha256
        self.bytes = bytes
        self.landedAt = landedAt
        self.run = run
        self.state = state
        self.rowsRead = rowsRead
        self.rowsUnchanged = rowsUnchanged
        self.rowsSilver = rowsSilver
        self.rowsQuarantined = rowsQuarantined
        self.rowsWarned = rowsWarned
        self.error = error
    }
}

public enum BatchState: String, Codable, Sendable, Hashable, CaseIterable {
    /// Copied into the lake; rows not yet read.
    case landed
    /// Rows being written; a batch left in this state by a killed run is discarded and redone.
    case ingesting
    case ingested
    /// Refused whole (a fatal rule or an unreadable header); no rows written.
    case refused
}

public enum QuarantineStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Failing at least one rule.
    case open
    /// Edited (or re-checked) and now passing; waiting for release.
    case fixed
    /// Moved to silver.
    case released
    /// Judged unusable by a steward, with a reason.
    case rejected

    /// Still held in quarantine (not in silver).
    public var isHeld: Bool { self != .released }
}

/// Where a source record lies in its landed file: `length` bytes from `offset`, as the record stands in
/// the file (quotes and all, without its line end). Bronze keeps a row as this span of the immutable
/// landed file rather than as a copy of its text.
public struct RecordSpan: Hashable, Codable, Sendable {
    public var offset: Int64
    public var length: Int64

    public init(offset: Int64, length: Int64) {
        self.offset = offset
        self.length = length
    }
}

/// A quarantined record as a steward sees it.
public struct QuarantineRecord: Hashable, Codable, Sendable {
    public var id: QuarantineID
    public var bronzeRow: BronzeRowID
    public var batch: BatchID
    public var run: RunID?
    public var source: SourceName
    public var entity: CanonicalEntity
    public var sourceKey: String
    public var line: Int
    public var status: QuarantineStatus
    /// Current raw values by canonical field (edits applied).
    public var fields: [String: String]
    public var failures: [RuleFailure]
    public var createdAt: String
    public var updatedAt: String
    /// Why it was rejected, or who released it.
    public var resolution: String?

    public init(
        id: QuarantineID, bronzeRow: BronzeRowID, batch: BatchID, run: RunID?, source: SourceName,
        entity: CanonicalEntity, sourceKey: String, line: Int, status: QuarantineStatus,
        fields: [String: String], failures: [RuleFailure], createdAt: String, updatedAt: String,
        resolution: String? = nil
    ) {
        self.id = id
        self.bronzeRow = bronzeRow
        self.batch = batch
        self.run = run
        self.source = source
        self.entity = entity
        self.sourceKey = sourceKey
        self.line = line
        self.status = status
        self.fields = fields
        self.failures = failures
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.resolution = resolution
    }

    /// Rule names, comma separated, for tables.
    public var ruleNames: [String] { failures.map(\.rule) }
}

public struct QuarantineHistoryEntry: Hashable, Codable, Sendable {
    public var at: String
    public var actor: String
    public var action: String
    public var detail: String

    public init(at: String, actor: String, action: String, detail: String) {
        self.at = at
        self.actor = actor
        self.action = action
        self.detail = detail
    }
}

/// One row of the append-only, hash-chained audit log.
public struct AuditEntry: Hashable, Codable, Sendable {
    public var id: AuditEntryID
    public var at: String
    public var actor: String
    public var action: String
    public var target: String
    public var before: String?
    public var after: String?
    public var reason: String?
    public var previousHash: String
    public var hash: String

    public init(
        id: AuditEntryID, at: String, actor: String, action: String, target: String, before: String?,
        after: String?, reason: String?, previousHash: String, hash: String
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.before = before
        self.after = after
        self.reason = reason
        self.previousHash = previousHash
        self.hash = hash
    }

    /// How a row's canonical text is built. Rows keep the version they were hashed with: the lake records
    /// from which row on the current one applies, so rows hashed by an older release still verify.
    public enum Hashing: Int, Sendable, CaseIterable {
        /// Up to 0.x: a missing value was written as the text `∅`, so NULL and the string '∅' hashed alike.
        case v1 = 1
        /// A version tag first, and a missing value as `~`, which no length-prefixed string can be.
        case v2 = 2
        public static let current = Hashing.v2
    }

    /// The text the hash covers; any edit of a field changes it (with `.v2`, NULL included).
    public static func canonicalText(
        _ hashing: Hashing = .current,
        id: Int64, at: String, actor: String, action: String, target: String, before: String?, after: String?,
        reason: String?, previousHash: String
    ) -> String {
        switch hashing {
        case .v1:
            return [String(id), at, actor, action, target, before ?? "∅", after ?? "∅", reason ?? "∅", previousHash]
                .map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        case .v2:
            let fields: [String?] = ["v2", String(id), at, actor, action, target, before, after, reason, previousHash]
            return fields.map { $0.map { "\($0.utf8.count):\($0)" } ?? "~" }.joined(separator: "|")
        }
    }

    /// What the audit check says of a run whose row stands without its `run.start` row (both stores record the two
    /// in one transaction, so such a row was written outside `cdp run`).
    public static func runWithoutItsStart(_ run: RunID, actor: String, state: String) -> String {
        "run \(run) of \(actor) (\(state)) has no run.start in the audit log: the run's row was written outside cdp run"
    }
}
