import CDPCore

/// What a steward can claim or be assigned: a quarantined record or a merge candidate pair.
public enum WorkItem: Sendable, Hashable, Comparable, CustomStringConvertible {
    case quarantine(QuarantineID)
    case candidate(CandidateID)

    /// The list an item belongs to, as stored (`quarantine`, `candidate`).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case quarantine, candidate
    }

    public init(kind: Kind, id: Int64) {
        switch kind {
        case .quarantine: self = .quarantine(QuarantineID(id))
        case .candidate: self = .candidate(CandidateID(id))
        }
    }

    public var kind: Kind {
        switch self {
        case .quarantine: .quarantine
        case .candidate: .candidate
        }
    }

    /// The record's or pair's row id.
    public var id: Int64 {
        switch self {
        case .quarantine(let id): id.rawValue
        case .candidate(let id): id.rawValue
        }
    }

    /// `Q12` or `P7`, as the CLI and the audit log name them.
    public var description: String {
        switch self {
        case .quarantine(let id): id.description
        case .candidate(let id): id.description
        }
    }

    public static func < (lhs: WorkItem, rhs: WorkItem) -> Bool {
        (lhs.kind.rawValue, lhs.id) < (rhs.kind.rawValue, rhs.id)
    }
}

/// Who holds a work item: a steward's own claim ("sam is on it"), which lapses, or an assignment, which stays
/// until someone unassigns it.
public struct WorkClaim: Sendable, Hashable {
    public enum Hold: String, Sendable, Hashable {
        /// Taken by the owner themselves; released when they quit, and lapses at ``WorkClaim/expiresAt``.
        case claim
        /// Given to the owner by someone allowed to assign; kept until unassigned.
        case assignment
    }

    public var item: WorkItem
    public var owner: String
    public var hold: Hold
    /// Who claimed or assigned it.
    public var by: String
    /// When (ISO 8601 UTC).
    public var since: String
    /// When a claim lapses (ISO 8601 UTC); nil for an assignment.
    public var expiresAt: String?

    public init(item: WorkItem, owner: String, hold: Hold, by: String, since: String, expiresAt: String? = nil) {
        self.item = item
        self.owner = owner
        self.hold = hold
        self.by = by
        self.since = since
        self.expiresAt = expiresAt
    }

    /// Whether the claim still holds at `now` (ISO 8601 UTC, compared as text as the store does).
    public func isLive(at now: String) -> Bool { expiresAt.map { $0 > now } ?? true }

    /// `claimed by sam until 2026-12-07T10:30:00Z` / `assigned to sam by lee`, as the audit log says it.
    public var summary: String {
        switch hold {
        case .claim: "claimed by \(owner) until \(expiresAt ?? "?")"
        case .assignment: "assigned to \(owner) by \(by)"
        }
    }
}

/// A change to who holds one item, written with its audit row.
public struct WorkClaimChange: Sendable {
    public var item: WorkItem
    /// The owner the engine read when it decided (nil: nobody); the store refuses the change when someone else
    /// holds the item now, so two stewards claiming at once cannot both win.
    public var expectedOwner: String?
    /// The new hold; nil takes the item's hold away.
    public var claim: WorkClaim?
    public var audit: AuditDraft

    public init(item: WorkItem, expectedOwner: String?, claim: WorkClaim?, audit: AuditDraft) {
        self.item = item
        self.expectedOwner = expectedOwner
        self.claim = claim
        self.audit = audit
    }
}
