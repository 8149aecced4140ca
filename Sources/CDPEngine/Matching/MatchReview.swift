import CDPCore
import CDPRepositories
import Foundation

/// What stewards do with matches, through the engine so every decision is audited: the review queue
/// (ordered by uncertainty), a candidate's detail, approve / reject / undo, golden records, unmerge and
/// override. The CLI and the console both call this.
public struct MatchReview: Sendable {
    public let workspace: Workspace
    public let environment: Environment
    /// Decide pairs someone else claimed or was assigned (after the user confirmed; each audited as
    /// `work.take_over`). Without it such a pair is refused with `.held`.
    public var takingOverHolds = false

    public init(workspace: Workspace, environment: Environment, takingOverHolds: Bool = false) {
        self.workspace = workspace
        self.environment = environment
        self.takingOverHolds = takingOverHolds
    }

    var lake: LakeRepositories { workspace.repositories }

    /// The current golden records against a truth table. Every record the truth names counts: one without a
    /// golden record (quarantined, rejected, ingested after the last match run, or not in the lake) is a
    /// cluster of its own, and the evaluation says how many there were, by why.
    /// - Throws: `EngineError.refused` when nothing has been matched yet.
    public func evaluate(truth: TruthTable) throws(EngineError) -> MatchEvaluation {
        let stored = try MatchService.storedClusters(lake.matching)
        return try MatchService.evaluate(truth, matched: stored.matched, clusters: stored.clusters, lake.matching).0
    }
}

extension MatchReview {
    /// The queue: candidates with `status` (all when nil), most uncertain first: probability nearest the
    /// middle of the two thresholds (``uncertaintyCentre()``), then by id.
    /// - Throws: `.invalidConfiguration` when `governance/matching.toml` is invalid.
    public func candidates(status: CandidateStatus? = .open, limit: Int = 100) throws(EngineError) -> [CandidateRow] {
        let centre = try uncertaintyCentre()
        return try storeCall { () throws(StoreError) in try lake.matching.candidates(status: status, limit: limit, around: centre) }
    }

    /// The probability the steward is least sure about: halfway between the review and auto-merge
    /// thresholds, since the queue holds the pairs between them.
    /// - Throws: `.invalidConfiguration` when `governance/matching.toml` is invalid.
    public func uncertaintyCentre() throws(EngineError) -> Double {
        let thresholds = try MatchService(workspace: workspace, environment: environment).configuration().thresholds
        return (thresholds.review + thresholds.autoMerge) / 2
    }

    public func counts() throws(EngineError) -> [CandidateStatus: Int] {
        try storeCall { () throws(StoreError) in try lake.matching.candidateCounts() }
    }

    /// A candidate with both records side by side and its explanation.
    public struct CandidateDetail: Sendable, Codable {
        public var candidate: CandidateRow
        public var recordA: MatchInput?
        public var recordB: MatchInput?
        public var explanation: MatchExplanation?
        public var goldenA: GoldenID?
        public var goldenB: GoldenID?
        /// Attributes both records hold with different values, decided on the values themselves (masked
        /// values can look alike when they differ).
        public var differingAttributes: [String]
    }

    /// - Throws: `EngineError.notFound` naming the candidate.
    public func detail(_ id: CandidateID) throws(EngineError) -> CandidateDetail {
        guard let candidate = try storeCall({ () throws(StoreError) in try lake.matching.candidate(id) }) else {
            throw EngineError(.notFound, "no candidate \(id); list them with `cdp candidates list`")
        }
        let records = try storeCall { () throws(StoreError) in try lake.matching.customers([candidate.a, candidate.b]) }
        let explanation = try? JSONDecoder().decode(MatchExplanation.self, from: Data(candidate.explanation.utf8))
        let masker = workspace.masker(for: environment)
        let recordA = records.first { $0.source == candidate.a.source && $0.sourceKey == candidate.a.key }
        let recordB = records.first { $0.source == candidate.b.source && $0.sourceKey == candidate.b.key }
        let differing = (Survivorship.attributes + ["crm_customer_id"]).filter { attribute in
            guard let a = recordA?.value(of: attribute), let b = recordB?.value(of: attribute) else { return false }
            return a != b
        }
        return CandidateDetail(
            candidate: candidate, recordA: recordA.map(masker.matchInput), recordB: recordB.map(masker.matchInput), explanation: explanation,
            goldenA: try storeCall { () throws(StoreError) in try lake.matching.goldenID(of: candidate.a) },
            goldenB: try storeCall { () throws(StoreError) in try lake.matching.goldenID(of: candidate.b) }, differingAttributes: differing)
    }

    /// "Match": the two golden records merge now (the smaller id survives) and the pair stays joined in later runs.
    /// - Returns: the golden record both records now belong to.
    /// - Throws: `.notFound`, or `.refused` when the candidate is already decided.
    @discardableResult
    public func approve(_ id: CandidateID, reason: String? = nil) throws(EngineError) -> GoldenID? {
        try workspace.authorize(.decideMerges, environment, attempt: "match.approve \(id)")
        try authorizeWritingGoldenValues(attempt: "match.approve \(id)")
        try WorkAssignments(workspace: workspace, environment: environment)
            .respectHold(on: .candidate(id), for: "match.approve", takingOver: takingOverHolds)
        let policy = try MatchService(workspace: workspace, environment: environment).configuration().survivorship
        return try decide(id, to: .approved, reason: reason) { transaction, candidate in
            try transaction.recordDecision(candidate.a, candidate.b, .match, reason: reason, by: environment.user, at: environment.timestamp)
            return try merge(candidate.a, candidate.b, transaction, policy: policy)
        }
    }

    /// "Not a match": the pair is never proposed or merged again.
    /// - Throws: `.notFound`, or `.refused` when the candidate is already decided.
    public func reject(_ id: CandidateID, reason: String? = nil) throws(EngineError) {
        try workspace.authorize(.decideMerges, environment, attempt: "match.reject \(id)")
        try WorkAssignments(workspace: workspace, environment: environment)
            .respectHold(on: .candidate(id), for: "match.reject", takingOver: takingOverHolds)
        _ = try decide(id, to: .rejected, reason: reason) { transaction, candidate in
            try transaction.recordDecision(candidate.a, candidate.b, .noMatch, reason: reason, by: environment.user, at: environment.timestamp)
            return nil
        }
    }

    /// Reopens a decided candidate and withdraws its decision. Golden records follow at the next `cdp match run`.
    /// - Throws: `.notFound`, or `.refused` when the candidate is open.
    public func undo(_ id: CandidateID) throws(EngineError) {
        try workspace.authorize(.decideMerges, environment, attempt: "match.undo \(id)")
        let actor = environment.user, at = environment.timestamp
        try transact("undo a decision") { transaction in
            guard let candidate = try transaction.candidate(id) else {
                throw EngineError(.notFound, "no candidate \(id); list them with `cdp candidates list --status all`")
            }
            guard candidate.status != .open else { throw EngineError(.refused, "\(id) is open; there is no decision to undo") }
            try transaction.setCandidateStatus(id, .open, by: nil, at: nil)
            try transaction.removeDecision(candidate.a, candidate.b)
            try transaction.audit(
                AuditDraft(actor: actor, action: "match.undo", target: id.description, before: candidate.status.rawValue, after: "open"), at: at)
        }
    }

    private func decide(
        _ id: CandidateID, to status: CandidateStatus, reason: String?,
        _ apply: @escaping (MatchTransaction, CandidateRow) throws -> GoldenID?
    ) throws(EngineError) -> GoldenID? {
        let actor = environment.user, at = environment.timestamp
        return try transact("decide a candidate") { transaction in
            guard let candidate = try transaction.candidate(id) else {
                throw EngineError(.notFound, "no candidate \(id); list them with `cdp candidates list`")
            }
            guard candidate.status == .open else {
                throw EngineError(.refused, "\(id) is already \(candidate.status.rawValue); `cdp candidates undo \(id)` first to change it")
            }
            try transaction.setCandidateStatus(id, status, by: actor, at: at)
            let golden = try apply(transaction, candidate)
            let outcome = "\(status.rawValue): \(candidate.a) + \(candidate.b)" + (golden.map { " → \($0)" } ?? "")
            try transaction.audit(
                AuditDraft(
                    actor: actor, action: status == .approved ? "match.approve" : "match.reject", target: id.description, before: "open",
                    after: outcome, reason: reason), at: at)
            return golden
        }
    }

    /// Joins the golden records of `a` and `b`, keeping the smaller id.
    private func merge(_ a: SourceRecordID, _ b: SourceRecordID, _ transaction: MatchTransaction, policy: SurvivorshipPolicy) throws -> GoldenID? {
        guard let ga = try transaction.goldenID(of: a), let gb = try transaction.goldenID(of: b), let run = try transaction.latestRun() else { return nil }
        guard ga != gb else { return ga }
        let (survivor, retired) = ga < gb ? (ga, gb) : (gb, ga)
        for member in try transaction.members(of: retired) { try transaction.relink(member, to: survivor, run: run) }
        try transaction.retireGolden(retired, run: run)
        try rebuild(survivor, transaction, policy: policy, run: run)
        return survivor
    }

    /// Recomputes a golden record's attributes from its current members and overrides.
    private func rebuild(_ golden: GoldenID, _ transaction: MatchTransaction, policy: SurvivorshipPolicy, run: MatchRunID) throws {
        let members = try transaction.members(of: golden)
        let records = MatchRecords(try transaction.customers(members))
        let attributes = Survivorship(policy: policy, records: records).goldenAttributes(Array(0..<records.count), overrides: try transaction.overrides(of: golden))
        try transaction.saveGolden(golden, attributesJSON: GoldenAttribute.json(attributes), memberCount: members.count, run: run)
    }

    /// A golden record: attributes with provenance, current members, past members, overrides.
    public struct GoldenDetail: Sendable, Codable {
        public var id: GoldenID
        public var attributes: [GoldenAttribute]
        public var members: [SourceRecordID]
        public var history: [GoldenLink]
        public var overrides: [GoldenOverride]
        public var retiredRun: MatchRunID?
    }

    /// A golden record as this environment's user may see it (personal values masked without view_pii).
    /// - Throws: `.notFound` naming the id.
    public func golden(_ id: GoldenID) throws(EngineError) -> GoldenDetail {
        var detail = try unmaskedGolden(id)
        let masker = workspace.masker(for: environment)
        guard masker.isActive else { return detail }
        detail.attributes = detail.attributes.map(masker.goldenAttribute)
        detail.overrides = detail.overrides.map { override in
            var masked = override
            masked.value = masker.value(override.value, column: override.attribute)
            return masked
        }
        return detail
    }

    private func unmaskedGolden(_ id: GoldenID) throws(EngineError) -> GoldenDetail {
        guard let found = try storeCall({ () throws(StoreError) in try lake.matching.goldenRecord(id) }) else {
            throw EngineError(.notFound, "no golden record \(id); find one with `cdp query \"SELECT golden_id FROM golden_xref LIMIT 5\"`")
        }
        return GoldenDetail(
            id: id, attributes: GoldenAttribute.decode(found.record.attributesJSON), members: found.links.filter { $0.validTo == nil }.map(\.record),
            history: found.links, overrides: found.overrides, retiredRun: found.record.retiredRun)
    }

    /// Splits `record` out of `golden` into a golden record of its own, and records "not a match" between it
    /// and every other member, so no later run merges them again.
    /// - Returns: the new golden record's id.
    /// - Throws: `.notFound` when the record is not in that golden record, `.refused` when it is its only member.
    @discardableResult
    public func unmerge(_ golden: GoldenID, record: SourceRecordID, reason: String? = nil) throws(EngineError) -> GoldenID {
        try workspace.authorize(.decideMerges, environment, attempt: "golden.unmerge \(golden) \(record)")
        try authorizeWritingGoldenValues(attempt: "golden.unmerge \(golden) \(record)")
        let policy = try MatchService(workspace: workspace, environment: environment).configuration().survivorship
        let actor = environment.user, at = environment.timestamp
        return try transact("unmerge a record") { transaction in
            guard try transaction.goldenID(of: record) == golden else {
                throw EngineError(.notFound, "\(record) is not in \(golden); see its members with `cdp golden show \(golden)`")
            }
            let others = try transaction.members(of: golden).filter { $0 != record }
            guard !others.isEmpty else { throw EngineError(.refused, "\(record) is the only record of \(golden); there is nothing to split") }
            guard let run = try transaction.latestRun() else { throw EngineError(.refused, "no match run yet; run `cdp match run` first") }
            let fresh = try transaction.nextGoldenID()
            try transaction.relink(record, to: fresh, run: run)
            for other in others {
                try transaction.recordDecision(record, other, .noMatch, reason: reason ?? "unmerged from \(golden)", by: actor, at: at)
            }
            try rebuild(golden, transaction, policy: policy, run: run)
            try rebuild(fresh, transaction, policy: policy, run: run)
            try transaction.audit(
                AuditDraft(actor: actor, action: "golden.unmerge", target: golden.description, before: record.description, after: "\(record) → \(fresh)", reason: reason),
                at: at)
            return fresh
        }
    }

    /// Sets an attribute of a golden record by hand; the override survives later runs.
    /// - Throws: `.notFound`, or `.refused` for an unknown attribute.
    public func override(_ golden: GoldenID, attribute: String, value: String, reason: String? = nil) throws(EngineError) {
        try workspace.authorize(.decideMerges, environment, attempt: "golden.override \(golden).\(attribute)")
        try authorizeWritingGoldenValues(attempt: "golden.override \(golden).\(attribute)")
        guard Survivorship.attributes.contains(attribute) else {
            throw EngineError(.refused, "'\(attribute)' is not a golden attribute (one of: \(Survivorship.attributes.joined(separator: ", ")))")
        }
        let policy = try MatchService(workspace: workspace, environment: environment).configuration().survivorship
        let before = try unmaskedGolden(golden).attributes.first { $0.name == attribute }?.value
        let actor = environment.user, at = environment.timestamp
        try transact("override a golden attribute") { transaction in
            guard let run = try transaction.latestRun() else { throw EngineError(.refused, "no match run yet; run `cdp match run` first") }
            try transaction.setOverride(golden, attribute: attribute, value: value, by: actor, at: at)
            try rebuild(golden, transaction, policy: policy, run: run)
            try transaction.audit(
                AuditDraft(actor: actor, action: "golden.override", target: "\(golden).\(attribute)", before: before, after: value, reason: reason), at: at)
        }
    }

    /// Approving (which merges), unmerging and overriding save a golden record's surviving values, computed from its
    /// members' personal values: a role that reads them masked would save masked values (the team store reads masked
    /// rows for it), so these need `view_pii` besides `decide_merges`, on both stores (the team store's functions
    /// refuse them too). Rejecting and undoing save no values.
    /// - Throws: `.forbidden` naming view_pii, audited as `access.refused`.
    func authorizeWritingGoldenValues(attempt: String) throws(EngineError) {
        do {
            try workspace.authorize(.viewPII, environment, attempt: attempt)
        } catch where error.code == .forbidden {
            var refused = error
            refused.message += "; \(attempt.prefix { $0 != " " }) saves a golden record's values, which are computed from personal data"
            throw refused
        }
    }

    /// Runs `body` in one store transaction; an `EngineError` thrown inside comes out unchanged.
    private func transact<T>(_ operation: String, _ body: @escaping (MatchTransaction) throws -> T) throws(EngineError) -> T {
        do {
            return try lake.matching.transaction(operation, body)
        } catch let error as EngineError {
            throw error
        } catch let error as StoreError {
            throw EngineError.store(error)
        } catch {
            throw EngineError(.store, "\(operation) failed: \(error)")
        }
    }
}
