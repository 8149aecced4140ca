import CDPCore
import CDPRepositories
import Foundation

/// The open pairs a bulk decision applies to: one explanation key (`+FIRST +SURNAME -DOB`), exactly, with a
/// probability above a floor, optionally of one pair of sources.
public struct PairSelection: Sendable, Hashable {
    /// The explanation key, as the queue shows it.
    public var key: String
    /// Only pairs whose probability is strictly above this.
    public var above: Double
    /// Only pairs between these two sources (either way round); nil for every pair of sources.
    public var sources: SourcePair?

    public init(key: String, above: Double, sources: SourcePair? = nil) {
        self.key = key
        self.above = above
        self.sources = sources
    }

    /// `key +FIRST +SURNAME above 0.9` (and the sources when given), for previews and the audit log.
    public var summary: String {
        "key \(key.isEmpty ? "(none)" : key) above \(String(format: "%g", above))" + (sources.map { " between \($0)" } ?? "")
    }

    /// True when `row` is selected (its status is not looked at).
    public func matches(_ row: CandidateRow) -> Bool {
        row.key == key && row.probability > above && (sources?.matches(row) ?? true)
    }
}

/// Two sources, either way round: the queue's source-pair filter.
public struct SourcePair: Sendable, Hashable, CustomStringConvertible {
    public var first: SourceName
    public var second: SourceName

    public init(_ first: SourceName, _ second: SourceName) {
        // Kept in name order, so `crm+web` and `web+crm` are one pair.
        (self.first, self.second) = first.rawValue <= second.rawValue ? (first, second) : (second, first)
    }

    /// `crm_customers+web_signups` as the CLI and the palette take it; nil when it is not two names joined by `+`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "+", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(SourceName(parts[0]), SourceName(parts[1]))
    }

    /// The pair of a candidate's two records.
    public init(_ row: CandidateRow) { self.init(row.a.source, row.b.source) }

    public func matches(_ row: CandidateRow) -> Bool { SourcePair(row) == self }

    public var description: String { "\(first)+\(second)" }
}

/// What a bulk decision on open pairs would do, before anything is written.
public struct BulkPairPlan: Sendable {
    public let decision: CandidateStatus
    public let selection: PairSelection
    public let reason: String?
    /// The pairs it decides, most probable first.
    public let candidates: [CandidateRow]
}

/// What a bulk decision (or its undo) did.
public struct BulkPairOutcome: Sendable {
    public let decision: CandidateStatus
    public let selection: PairSelection
    /// Pairs decided (or, for an undo, reopened), in the order they were.
    public internal(set) var applied: [CandidateID] = []
    /// Pairs the engine refused at the time (decided meanwhile), with why.
    public internal(set) var refused: [CandidateID: String] = [:]
    /// True when it stopped because it was asked to, before the last pair.
    public internal(set) var stopped = false
}

extension MatchReview {
    /// Pairs are decided in batches of this many between progress reports; each pair is its own transaction
    /// with its audit row, so a stop or a crash leaves whole decisions.
    public static let bulkBatchSize = 100

    /// Checks the user may decide merges (and, to approve, save golden values) before a prompt opens; a refusal is audited.
    /// - Throws: `.forbidden` naming the missing permission.
    public func authorizeBulk(_ decision: CandidateStatus, count: Int) throws(EngineError) {
        try workspace.authorize(.decideMerges, environment, attempt: "match.bulk.\(Self.verb(decision)) \(count) pairs")
        if decision == .approved { try authorizeWritingGoldenValues(attempt: "match.bulk.\(Self.verb(decision)) \(count) pairs") }
    }

    /// The open pairs `selection` picks, to approve or reject them all, without writing anything.
    /// - Throws: `.forbidden` without `decide_merges` (audited); `.refused` for a decision other than approved or
    ///   rejected, or a probability outside 0…1; `.invalidConfiguration` when `governance/matching.toml` is invalid.
    public func planBulk(_ decision: CandidateStatus, _ selection: PairSelection, reason: String? = nil) throws(EngineError) -> BulkPairPlan {
        guard decision == .approved || decision == .rejected else {
            throw EngineError(.refused, "a bulk decision approves or rejects; \(decision.rawValue) is neither")
        }
        guard selection.above >= 0, selection.above < 1 else {
            throw EngineError(.refused, "the probability floor must be at least 0 and below 1, not \(selection.above)")
        }
        let open = try candidates(status: .open, limit: Int.max)
        try authorizeBulk(decision, count: open.count { selection.matches($0) })
        let chosen = open.filter(selection.matches).sorted { ($0.probability, $1.id.rawValue) > ($1.probability, $0.id.rawValue) }
        let trimmed = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        return BulkPairPlan(decision: decision, selection: selection, reason: trimmed?.isEmpty == false ? trimmed : nil, candidates: chosen)
    }

    /// Decides every pair of `plan`, one transaction each (audited as `match.approve` / `match.reject`), plus one
    /// `match.bulk.approve` / `match.bulk.reject` entry. A pair decided by someone else meanwhile is refused and
    /// counted, never overwritten.
    /// - Parameter progress: after each batch; return false to stop there (what is done stays done, and undoable).
    /// - Throws: `.forbidden` without `decide_merges`; `EngineError.store` when the lake cannot be written.
    public func applyBulk(_ plan: BulkPairPlan, progress: (BulkProgress) -> Bool = { _ in true }) throws(EngineError) -> BulkPairOutcome {
        try authorizeBulk(plan.decision, count: plan.candidates.count)
        let reason = plan.reason ?? "bulk \(Self.verb(plan.decision)): \(plan.selection.summary)"
        var outcome = BulkPairOutcome(decision: plan.decision, selection: plan.selection)
        let ids = plan.candidates.map(\.id)
        outcome.stopped = try inBatches(ids.count, progress: progress) { index throws(EngineError) in
            let id = ids[index]
            do throws(EngineError) {
                if plan.decision == .approved { try approve(id, reason: reason) } else { try reject(id, reason: reason) }
                outcome.applied.append(id)
            } catch where error.code == .refused || error.code == .notFound || error.code == .held {
                outcome.refused[id] = error.message
            }
        }
        try recordBulk(
            "match.bulk.\(Self.verb(plan.decision))", outcome, asked: ids.count, detail: plan.selection.summary, reason: plan.reason)
        return outcome
    }

    /// Reopens every pair a bulk decision decided (each audited as `match.undo`), plus one `match.bulk.undo`
    /// entry. Golden records follow at the next `cdp match run`.
    /// - Returns: what the undo did (``BulkPairOutcome/applied`` are the pairs reopened).
    public func undoBulk(_ outcome: BulkPairOutcome, progress: (BulkProgress) -> Bool = { _ in true }) throws(EngineError) -> BulkPairOutcome {
        try workspace.authorize(.decideMerges, environment, attempt: "match.bulk.undo \(outcome.applied.count) pairs")
        var undone = BulkPairOutcome(decision: outcome.decision, selection: outcome.selection)
        let ids = outcome.applied
        undone.stopped = try inBatches(ids.count, progress: progress) { index throws(EngineError) in
            do throws(EngineError) {
                try undo(ids[index])
                undone.applied.append(ids[index])
            } catch where error.code == .refused || error.code == .notFound {
                undone.refused[ids[index]] = error.message
            }
        }
        try recordBulk(
            "match.bulk.undo", undone, asked: ids.count, detail: "undo of bulk \(Self.verb(outcome.decision)) (\(outcome.selection.summary))",
            reason: nil)
        return undone
    }

    /// Runs `body` for 0..<count in batches, reporting after each; true when progress asked to stop early.
    private func inBatches(
        _ count: Int, progress: (BulkProgress) -> Bool, _ body: (Int) throws(EngineError) -> Void
    ) throws(EngineError) -> Bool {
        var done = 0
        for start in stride(from: 0, to: count, by: Self.bulkBatchSize) {
            for index in start..<min(count, start + Self.bulkBatchSize) {
                try body(index)
                done += 1
            }
            if !progress(BulkProgress(done: done, total: count)), done < count { return true }
        }
        return false
    }

    private func recordBulk(_ action: String, _ outcome: BulkPairOutcome, asked: Int, detail: String, reason: String?) throws(EngineError) {
        let ids = outcome.applied.map(\.rawValue).sorted()
        let range = ids.first.map { first in "\(CandidateID(rawValue: first))…\(CandidateID(rawValue: ids.last ?? first))" } ?? "none"
        let draft = AuditDraft(
            actor: environment.user, action: action, target: "\(outcome.applied.count) pairs (\(range))", before: "\(asked) asked",
            after: "\(detail): \(outcome.applied.count) decided, \(outcome.refused.count) refused\(outcome.stopped ? ", stopped" : "")",
            reason: reason)
        try storeCall { () throws(StoreError) in _ = try lake.audit.appendAudit(draft, at: environment.timestamp) }
    }

    static func verb(_ decision: CandidateStatus) -> String {
        switch decision {
        case .approved: "approve"
        case .rejected: "reject"
        case .open: "reopen"
        }
    }
}
