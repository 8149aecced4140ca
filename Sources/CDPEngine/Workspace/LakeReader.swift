import CDPCore
import CDPRepositories
import CDPStore
import Foundation

/// What one principal may read of a workspace's lake, already masked: the console and the CLI read the
/// lake through a reader or the engine's services, never through the store.
///
/// A reader is bound to a workspace and an environment (the user, whom the access policy makes a
/// principal). It decides once, when made, which columns it masks: the data dictionary's `PII.*` tags
/// (``Workspace/personalData``), so a newly tagged column is masked by every read at once. Make a new
/// reader after the dictionary changed. Reads are plain and keep no state, so a reader may be used from
/// a background thread.
///
/// ```swift
/// let reader = workspace.reader(for: environment)
/// let held = try reader.quarantineRecords(QuarantineFilter(statuses: [.open], limit: 20))
/// ```
public struct LakeReader: Sendable {
    public let workspace: Workspace
    public let environment: Environment
    /// Who reads, under `governance/access.toml`.
    public let principal: Principal
    /// How this principal sees personal values (masks nothing with `view_pii`). For values the user typed
    /// and the reader echoes back; everything a reader returns is masked already.
    public let masker: PIIMasker

    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
        principal = workspace.principal(environment)
        masker = workspace.masker(for: environment)
    }

    /// True when personal values are masked for this principal.
    public var masksPersonalData: Bool { masker.isActive }

    private var lake: LakeRepositories { workspace.repositories }

    // MARK: Quarantine

    /// Quarantined records matching `filter`, by id, masked. Without `view_pii` the filter's text is
    /// searched in the masked values, so a search cannot confirm a value the user may not see.
    /// - Throws: `EngineError.store` when the lake cannot be read.
    public func quarantineRecords(_ filter: QuarantineFilter) throws(EngineError) -> [QuarantineRecord] {
        guard searchesMaskedText(filter) else {
            return try storeCall { () throws(StoreError) in try lake.quarantine.quarantineRecords(filter) }.map(masker.record)
        }
        let ids = try maskedTextMatches(filter, order: .id, ascending: true).dropFirst(max(0, filter.offset)).prefix(max(0, filter.limit))
        return try quarantineRecords(ids: ids.map { QuarantineID($0) })
    }

    /// How many quarantined records match `filter` (its text searched as ``quarantineRecords(_:)`` does).
    /// - Throws: `EngineError.store` when the lake cannot be read.
    public func quarantineCount(_ filter: QuarantineFilter) throws(EngineError) -> Int {
        guard searchesMaskedText(filter) else {
            return try storeCall { () throws(StoreError) in try lake.quarantine.quarantineCount(filter) }
        }
        return try maskedTextMatches(filter, order: .id, ascending: true).count
    }

    /// The ids of the records matching `filter`, in the order asked for (the quarantine table's rows). Without
    /// `view_pii`, an order by a column holding personal values (the name, the first problem) sorts by the values
    /// as this user sees them, masked: an order by the real values would tell what the mask hides ("Sanders"
    /// before "Smith" though both show as `S…`). Ties stay in id order.
    /// - Throws: `EngineError.store` when the lake cannot be read.
    public func quarantineIDs(_ filter: QuarantineFilter, order: QuarantineOrder = .id, ascending: Bool = true)
        throws(EngineError) -> [Int64]
    {
        if masker.isActive, let sortKey = Self.maskedSortKey(order) {
            let ids = try quarantineIDs(filter, order: .id, ascending: true)
            var keyed: [(key: String, id: Int64)] = []
            keyed.reserveCapacity(ids.count)
            for start in stride(from: 0, to: ids.count, by: Self.sortChunk) {
                let chunk = ids[start..<min(ids.count, start + Self.sortChunk)].map { QuarantineID($0) }
                for record in try quarantineRecords(ids: chunk) { keyed.append((sortKey(record), record.id.rawValue)) }
            }
            keyed.sort { $0.key != $1.key ? ($0.key < $1.key) == ascending : $0.id < $1.id }
            return keyed.map(\.id)
        }
        guard searchesMaskedText(filter) else {
            return try storeCall { () throws(StoreError) in try lake.quarantine.quarantineIDs(filter, order: order, ascending: ascending) }
        }
        return try maskedTextMatches(filter, order: order, ascending: ascending)
    }

    /// The records with these ids, in the order given (missing ones left out), masked.
    /// - Throws: `EngineError.store` when the lake cannot be read.
    public func quarantineRecords(ids: [QuarantineID]) throws(EngineError) -> [QuarantineRecord] {
        try storeCall { () throws(StoreError) in try lake.quarantine.quarantineRecords(ids: ids) }.map(masker.record)
    }

    /// Visits every quarantined record's id (ascending) with the text a free-text search looks in (key,
    /// field values, failure values and messages, as UTF-8), personal values masked.
    /// - Throws: `EngineError.store` when the lake cannot be read.
    public func forEachQuarantineSearchText(_ body: (Int64, UnsafeBufferPointer<UInt8>) -> Void) throws(EngineError) {
        let masker = self.masker
        let rewrite: ((String) -> String)? = masker.isActive ? { masker.json($0) ?? $0 } : nil
        try storeCall { () throws(StoreError) in try lake.quarantine.forEachQuarantineSearchText(rewritingJSON: rewrite, body) }
    }

    /// Open records per failing rule, most first (the dashboard).
    public func openQuarantineByRule() throws(EngineError) -> [(rule: String, count: Int)] {
        try storeCall { () throws(StoreError) in try lake.quarantine.openQuarantineByRule() }
    }

    /// Records read at a time when sorting by masked values.
    static let sortChunk = 1000

    /// What a masked record sorts by for an order over personal values; nil for an order over values nobody
    /// masks (id, status, source, key, line, rules), which the store sorts.
    static func maskedSortKey(_ order: QuarantineOrder) -> ((QuarantineRecord) -> String)? {
        switch order {
        case .name: { $0.fields["last_name"] ?? "" }
        case .problem: { record in record.failures.first.map { "\($0.field ?? ""): \($0.message)" } ?? "" }
        case .id, .status, .source, .key, .line, .rules, .age: nil
        }
    }

    private func searchesMaskedText(_ filter: QuarantineFilter) -> Bool {
        masker.isActive && !(filter.text ?? "").isEmpty
    }

    /// Ids matching `filter` without its text, narrowed to records whose masked text holds the text
    /// (ASCII case-insensitive, like SQLite's `LIKE`).
    private func maskedTextMatches(_ filter: QuarantineFilter, order: QuarantineOrder, ascending: Bool)
        throws(EngineError) -> [Int64]
    {
        var base = filter
        base.text = nil
        let ids = try storeCall { () throws(StoreError) in try lake.quarantine.quarantineIDs(base, order: order, ascending: ascending) }
        let needle = Array((filter.text ?? "").utf8).map(Self.lowercased)
        var matching = Set<Int64>()
        try forEachQuarantineSearchText { id, text in
            if Self.contains(text, needle) { matching.insert(id) }
        }
        return ids.filter(matching.contains)
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) {
            var index = 0
            while index < needle.count, lowercased(haystack[start + index]) == needle[index] { index += 1 }
            if index == needle.count { return true }
        }
        return false
    }

    // MARK: Runs

    /// The latest runs, newest first; errors withheld without `view_pii` (``PIIMasker/runSummary(_:)``).
    public func runs(limit: Int = 50) throws(EngineError) -> [RunSummary] {
        try storeCall { () throws(StoreError) in try lake.runs.runs(limit: limit) }.map(masker.runSummary)
    }

    /// One run with its tasks; nil when there is no such run. Errors withheld as in ``runs(limit:)``.
    public func run(_ id: RunID) throws(EngineError) -> RunSummary? {
        try storeCall { () throws(StoreError) in try lake.runs.run(id) }.map(masker.runSummary)
    }

    /// The newest alert a workflow raised (``AlertLog``), nil when none. A failed run's alert is its error, withheld
    /// without `view_pii` as ``runs(limit:)`` withholds it; health and data-quality alerts name no value.
    public func lastAlert() throws(EngineError) -> AlertLog.Alert? {
        guard var alert = try AlertLog(lakeFolder: workspace.lakeFolder).last() else { return nil }
        if alert.event == .failure { alert.text = masker.runError(alert.text) }
        return alert
    }

    /// A run's events after `afterEventID`, oldest first; what failures say withheld without `view_pii`.
    public func events(of run: RunID, after afterEventID: Int64 = 0, limit: Int = 1000) throws(EngineError) -> [RunEvent] {
        try storeCall { () throws(StoreError) in try lake.runs.events(of: run, after: afterEventID, limit: limit) }.map(masker.runEvent)
    }

    // MARK: Audit

    /// Audit rows matching `filter`, newest first, with personal values in before/after/reason masked.
    public func auditEntries(_ filter: AuditFilter = AuditFilter()) throws(EngineError) -> [AuditEntry] {
        try storeCall { () throws(StoreError) in try lake.audit.auditEntries(filter) }.map(masker.auditEntry)
    }

    /// What is wrong with the audit log's hash chain; empty when it is intact.
    public func auditChainProblems() throws(EngineError) -> [String] {
        try storeCall { () throws(StoreError) in try lake.audit.auditChainProblems() }
    }

    /// Every version of `governance/access.toml` the lake recorded, oldest first.
    public func accessPolicyHistory() throws(EngineError) -> [AccessPolicyVersion] {
        try storeCall { () throws(StoreError) in try lake.accessPolicy.accessPolicyHistory() }
    }

    // MARK: Status and analytics

    /// Counts per layer of every source of `cdp.toml`.
    /// - Parameter includingScans: also the counts that scan a table (the dashboard leaves them out).
    public func sourceStatuses(includingScans: Bool = true) throws(EngineError) -> [SourceStatus] {
        let sources = workspace.configuration.sources.map { ($0.name, $0.entity) }
        return try storeCall { () throws(StoreError) in try lake.status.sourceStatuses(sources, includingScans: includingScans) }
    }

    /// Each rule's pass rate over every batch.
    public func rulePassRates() throws(EngineError) -> [RulePassRate] {
        try storeCall { () throws(StoreError) in try lake.status.rulePassRates() }
    }

    /// The pass rate of the latest runs, oldest first.
    public func passRateTrend(limit: Int = 20) throws(EngineError) -> [(run: RunID, passRate: Double)] {
        try storeCall { () throws(StoreError) in try lake.status.passRateTrend(limit: limit) }
    }

    /// The pass rate of the latest runs per source.
    public func passRateTrendBySource(limit: Int = 20) throws(EngineError) -> [(source: String, rates: [(run: RunID, passRate: Double)])] {
        try storeCall { () throws(StoreError) in try lake.status.passRateTrendBySource(limit: limit) }
    }

    /// Campaign figures from the gold layer.
    public func campaignPerformance() throws(EngineError) -> [CampaignPerformance] {
        try storeCall { () throws(StoreError) in try lake.customer360.campaignPerformance() }
    }

    /// The last match run's figures; nil before the first.
    public func latestMatchSummary() throws(EngineError) -> MatchSummary? {
        try storeCall { () throws(StoreError) in try lake.customer360.latestMatchSummary() }
    }

    /// How many golden customers the gold layer holds.
    public func customer360Count() throws(EngineError) -> Int {
        try storeCall { () throws(StoreError) in try lake.customer360.customer360Count() }
    }

    // MARK: Matching

    /// Candidates with `status` (all when nil), nearest `centre` first: the review queue.
    public func candidates(status: CandidateStatus?, limit: Int, around centre: Double) throws(EngineError) -> [CandidateRow] {
        try storeCall { () throws(StoreError) in try lake.matching.candidates(status: status, limit: limit, around: centre) }
    }

    /// Candidates per status.
    public func candidateCounts() throws(EngineError) -> [CandidateStatus: Int] {
        try storeCall { () throws(StoreError) in try lake.matching.candidateCounts() }
    }

    /// The golden record each record is in and how many members it has.
    public func goldenMemberships(of records: [SourceRecordID]) throws(EngineError) -> [SourceRecordID: GoldenMembership] {
        try storeCall { () throws(StoreError) in try lake.matching.goldenMemberships(of: records) }
    }

    /// Source records' current silver values as the matcher reads them, masked; records gone from
    /// silver are left out.
    public func customerRecords(_ ids: [SourceRecordID]) throws(EngineError) -> [MatchInput] {
        try storeCall { () throws(StoreError) in try lake.matching.customers(ids) }.map(masker.matchInput)
    }
}

extension Workspace {
    /// A reader of this workspace's lake for an environment's user, masking what the user may not see.
    public func reader(for environment: Environment) -> LakeReader {
        LakeReader(workspace: self, environment: environment)
    }

    /// Caps what SQLite may keep in memory in this process (page caches of every connection); the
    /// console sets it.
    public func limitSQLiteMemory(bytes: Int) {
        embeddedLake?.limitSQLiteMemory(bytes: bytes)
    }

    /// Stops SQLite counting its memory in this process, for headless runs that write in bulk (`cdp run`,
    /// `cdp bench`); see ``LakeStore/stopCountingSQLiteMemory()``. Call it first thing, before any lake opens.
    /// Returns false, changing nothing, when SQLite is already in use.
    @discardableResult
    public static func stopCountingSQLiteMemory() -> Bool {
        LakeStore.stopCountingSQLiteMemory()
    }
}
