import CDPCore
import CDPRepositories

/// A steward's match decisions on the team store. The engine's decision (`MatchReview`) runs against a
/// ``PostgresMatchDecision``: its reads go to the store (seeing the decision's own moves so far), its writes are kept,
/// and when it is done they go to the store as one call of the function for that decision
/// (``PostgresSchema/matchDecisionObjects``), which checks the role and that what the engine read is still so, makes
/// the writes and appends the audit row in one transaction. No login role writes a link, a golden record or a
/// decision any other way.
extension PostgresLake {
    public func transaction<T>(_ operation: String, _ body: (any MatchTransaction) throws -> T) throws -> T {
        let decision = PostgresMatchDecision(lake: self)
        let result = try body(decision)
        try decision.commit(operation)
        return result
    }

    /// The newest match run, or nil before the first.
    func latestMatchRun() throws(StoreError) -> MatchRunID? {
        let sql = "SELECT max(m.id)::text FROM \(relation("match_run", as: "m"))"
        let id = try work("read the latest match run") { session async throws(PostgresStoreError) in try await session.value(sql) }
        return try optionalInteger(id, "a match run id").map(MatchRunID.init)
    }
}

/// One match decision as the engine makes it: reads through the lake, writes kept until ``commit(_:)``.
final class PostgresMatchDecision: MatchTransaction {
    let lake: PostgresLake
    private var candidates: [CandidateID: CandidateRow] = [:]
    private var statusChange: (id: CandidateID, status: CandidateStatus)?
    /// Records moved to another golden record, in order.
    private var moves: [(record: SourceRecordID, golden: GoldenID)] = []
    /// Golden records whose values the engine computed, with the members it computed them from.
    private var saved: [(golden: GoldenID, attributesJSON: String, members: [SourceRecordID])] = []
    private var retired: [GoldenID] = []
    private var override: (golden: GoldenID, attribute: String, value: String)?
    private var audit: AuditDraft?

    init(lake: PostgresLake) { self.lake = lake }

    // MARK: Reads, seeing the decision's own moves

    func candidate(_ id: CandidateID) throws -> CandidateRow? {
        let row = try lake.candidate(id)
        if let row { candidates[id] = row }
        return row
    }

    func goldenID(of record: SourceRecordID) throws -> GoldenID? {
        if let moved = moves.last(where: { $0.record == record }) { return moved.golden }
        return try lake.goldenID(of: record)
    }

    func members(of golden: GoldenID) throws -> [SourceRecordID] {
        let movedNow = Dictionary(moves.map { ($0.record, $0.golden) }, uniquingKeysWith: { $1 })
        let stayed = try lake.goldenMembers(of: golden).filter { movedNow[$0] == nil }
        let arrived = movedNow.filter { $0.value == golden }.map(\.key)
        return (stayed + arrived).sorted()
    }

    func customers(_ ids: [SourceRecordID]) throws -> [MatchInput] { try lake.customers(ids) }

    func overrides(of golden: GoldenID) throws -> [String: String] {
        var values = try lake.goldenOverrides()[golden] ?? [:]
        if let override, override.golden == golden { values[override.attribute] = override.value }
        return values
    }

    func latestRun() throws -> MatchRunID? { try lake.latestMatchRun() }

    func nextGoldenID() throws -> GoldenID { try lake.nextGoldenID() }

    // MARK: Writes, kept for the decision's function

    func setCandidateStatus(_ id: CandidateID, _ status: CandidateStatus, by actor: String?, at: String?) throws {
        statusChange = (id, status)
    }

    /// The function records the pair's decision itself (from the candidate, or every other member on an unmerge).
    func recordDecision(_ a: SourceRecordID, _ b: SourceRecordID, _ decision: PairDecisionKind, reason: String?, by actor: String, at: String) throws {}

    /// The undo function removes the pair's decision itself.
    func removeDecision(_ a: SourceRecordID, _ b: SourceRecordID) throws {}

    func relink(_ record: SourceRecordID, to golden: GoldenID, run: MatchRunID) throws { moves.append((record, golden)) }

    func saveGolden(_ id: GoldenID, attributesJSON: String, memberCount: Int, run: MatchRunID) throws {
        saved.append((id, attributesJSON, try members(of: id)))
    }

    func retireGolden(_ id: GoldenID, run: MatchRunID) throws { retired.append(id) }

    func setOverride(_ golden: GoldenID, attribute: String, value: String, by actor: String, at: String) throws {
        override = (golden, attribute, value)
    }

    func audit(_ draft: AuditDraft, at: String) throws { audit = draft }

    // MARK: Commit

    /// Sends the decision to the store's function for it.
    /// - Throws: `StoreError` `.conflict` when what the engine read changed meanwhile, `.notAuthorized` without
    ///   `decide_merges` (the database's refusal), `.unsupported` for writes no decision of the engine makes.
    func commit(_ operation: String) throws(StoreError) {
        guard let audit else { throw unknown(operation) }
        let call: (sql: String, arguments: [String?])
        switch audit.action {
        case "match.approve", "match.reject":
            guard let change = statusChange else { throw unknown(operation) }
            let merged = saved.first
            call = (
                "SELECT cdp.candidate_decide_as_read($1::bigint, $2, $3, $4::bigint, $5::bigint, $6::text[], $7)",
                [
                    String(change.id.rawValue), change.status.rawValue, audit.reason, merged.map { String($0.golden.rawValue) },
                    retired.first.map { String($0.rawValue) }, merged.map { PostgresLake.textArray($0.members.map(\.description)) },
                    merged?.attributesJSON,
                ]
            )
        case "match.undo":
            guard let change = statusChange, let read = candidates[change.id] else { throw unknown(operation) }
            call = ("SELECT cdp.candidate_undo($1::bigint, $2)", [String(change.id.rawValue), read.status.rawValue])
        case "golden.unmerge":
            guard let move = moves.first, saved.count == 2, let kept = saved.first(where: { $0.golden != move.golden }),
                let fresh = saved.first(where: { $0.golden == move.golden })
            else { throw unknown(operation) }
            call = (
                "SELECT cdp.golden_unmerge_as_read($1::bigint, $2, $3::bigint, $4::text[], $5, $6, $7)",
                [
                    String(kept.golden.rawValue), move.record.description, String(move.golden.rawValue),
                    PostgresLake.textArray(kept.members.map(\.description)), kept.attributesJSON, fresh.attributesJSON, audit.reason,
                ]
            )
        case "golden.override":
            guard let override, let values = saved.first(where: { $0.golden == override.golden }) else { throw unknown(operation) }
            call = (
                "SELECT cdp.golden_override_as_read($1::bigint, $2, $3, $4::text[], $5, $6)",
                [
                    String(override.golden.rawValue), override.attribute, override.value,
                    PostgresLake.textArray(values.members.map(\.description)), values.attributesJSON, audit.reason,
                ]
            )
        default:
            throw unknown(operation)
        }
        let attempt = "\(audit.action) \(audit.target)"
        _ = try lake.work(operation) { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.stewardAction(session, attempt: attempt, call.sql, call.arguments)
        }
    }

    private func unknown(_ operation: String) -> StoreError {
        StoreError(
            .unsupported,
            "\(operation): the team store makes a steward's match decisions through its functions (approve, reject, undo, unmerge, "
                + "override), and this one is none of them; nothing was written")
    }
}
