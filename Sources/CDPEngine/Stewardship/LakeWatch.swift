import CDPCore
import CDPRepositories

/// What other sessions changed in the lake since a console last looked, named by what the console shows, so two
/// stewards at one queue see each other's claims and decisions without re-reading on every tick. Asking costs one
/// index probe when nothing changed (``ChangeFeedRepository``), on either store and across processes.
public struct LakeWatch: Sendable {
    /// What a change touches, as the console shows it.
    public enum Area: String, Sendable, Hashable, CaseIterable {
        /// Held records, their statuses and who holds them (the workbench, the Dashboard's counts).
        case quarantine
        /// Candidate pairs, golden records and who holds the pairs (Review's queue).
        case review
        case dictionary
        case runs
    }

    /// What changed after a mark, and the mark to ask from next.
    public struct Change: Sendable, Hashable {
        public var mark: AuditEntryID
        /// Empty when nothing a console shows changed (or on the first look, which only takes the mark).
        public var areas: Set<Area>
    }

    let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// What changed after `mark` (nil: only take the mark).
    /// - Throws: `EngineError.store` when the store cannot be read.
    public func changes(after mark: AuditEntryID?) throws(EngineError) -> Change {
        let audited = try storeCall { () throws(StoreError) in try workspace.repositories.changes.auditedChanges(after: mark) }
        return Change(mark: audited.head, areas: Set(audited.actions.flatMap(Self.areas(touchedBy:))))
    }

    /// The areas an audited action changes. Reads that are audited (visits, exports, lookups, refusals) and saved
    /// views change nothing another steward's screens show.
    static func areas(touchedBy action: String) -> [Area] {
        let family = action.split(separator: ".", maxSplits: 1).first.map(String.init) ?? action
        switch family {
        case "quarantine": return action == "quarantine.export" ? [] : [.quarantine]
        // A claim, an assignment or a comment is on a record or a pair; the action does not say which.
        case "work": return [.quarantine, .review]
        case "match", "golden": return [.review]
        case "dictionary": return [.dictionary]
        case "run": return [.runs]
        default: return []
        }
    }
}
