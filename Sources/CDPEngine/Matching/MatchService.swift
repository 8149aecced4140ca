import CDPCore
import CDPRepositories
import Foundation

/// Runs the matcher over a workspace's current customers and keeps golden records: loads records from
/// silver, applies steward decisions, scores and clusters, assigns stable golden ids, applies survivorship
/// and overrides, and writes candidates, golden records and cross-references in one transaction.
public struct MatchService: Sendable {
    public let workspace: Workspace
    public let environment: Environment
    public let threads: Int
    /// Past this share of records new or changed since the model was trained, an incremental run trains again.
    public var retrainShare = MatchService.defaultRetrainShare

    public init(workspace: Workspace, environment: Environment, threads: Int = 2) {
        self.workspace = workspace
        self.environment = environment
        self.threads = threads
    }

    public var configurationFile: URL { workspace.root.appendingPathComponent(MatchingConfigurationLoader.path) }

    /// The workspace's `governance/matching.toml`, or the shipped default when the workspace predates matching.
    /// - Throws: `EngineError.invalidConfiguration` listing every problem of the file.
    public func configuration() throws(EngineError) -> MatchingConfiguration {
        var file = configurationFile
        if !FileManager.default.fileExists(atPath: file.path), let template = WorkspaceInitializer.templateFolder {
            file = template.appendingPathComponent(MatchingConfigurationLoader.path)
        }
        let text = try Workspace.readText(file, label: MatchingConfigurationLoader.path)
        return try MatchingConfigurationLoader.load(
            tomlText: text, file: file.path, attributes: SourceConfiguration.customerAttributes(workspace.configuration))
    }

    /// Every current silver customer, ordered by source and key, whatever order the lake holds them in (so
    /// the match does not depend on the order input rows arrived in).
    /// - Parameter attributes: the extra attributes to read (those the configuration compares, blocks or stitches on).
    public func loadRecords(attributes: [String] = []) throws(EngineError) -> MatchRecords {
        let columns = try storeCall { () throws(StoreError) in
            try workspace.repositories.matching.currentCustomerColumns(attributes: attributes)
        }
        // Handed on, not copied: each step lets a column go once it has read it.
        return MatchRecords((consume columns).canonicallyOrdered(threads: threads), threads: threads)
    }

    public struct Report: Sendable, Codable {
        public var run: MatchRunID?
        public var statistics: MatchPipeline.Statistics
        public var model: FellegiSunterModel
        public var golden: Int
        public var written: MatchWriteSummary?
        public var evaluation: MatchEvaluation?
        /// With a truth table: how many of the review queue's pairs are true matches.
        public var reviewTrueMatches: Int?
        /// With a truth table: the review queue by explanation key, most common first, so a model that sends
        /// the steward many pairs of one kind shows which evidence it trusts too much.
        public var reviewByKey: [KeyTally]?
        /// With a truth table: the true pairs no blocking rule or hard identifier reached, by the explanation key
        /// they would have had, most common first: what those pairs lack that the blocking rules need.
        public var missedByKey: [KeyTally]?
        /// With a truth table: pairs of records put in one cluster that the truth keeps apart, by explanation key.
        public var falseMergesByKey: [KeyTally]?
        /// With a truth table: where recall went, every true pair the match did not put in one cluster.
        public var lostPairs: LostPairs?
        /// Why the run trained the model and scored every pair; nil when it used the model a match run before trained
        /// (`modelRun`).
        public var wholeBecause: String?
        /// The match run that trained the model used, when this run did not train it.
        public var modelRun: MatchRunID?
        /// Records new or changed since the last match run (when it used a pinned model).
        public var changedRecords: Int?
        /// The pairs an incremental run scored (those touching new or changed records); nil when every pair was scored.
        public var rescoredPairs: Int?
    }

    /// The true pairs the match did not put in one cluster, by where they were lost: a record the match never
    /// saw (held in quarantine, by the rules it failed; rejected; not in the lake), or the stage that lost a
    /// pair of two records it saw, with what the two records differ in.
    public struct LostPairs: Sendable, Codable, Equatable {
        /// True pairs with a record that has no golden record, by cause ("quarantined: customer_required").
        public var unmatched: [Cause]
        /// The pairs of `unmatched` held in quarantine, by rule: a pair counts for each rule its held record
        /// failed, so what each rule costs matching is visible (the rules' names as causes, most pairs first).
        public var heldByRule: [Cause] = []
        /// True pairs of two matched records, by the stage that lost them.
        public var stages: [Stage]
        /// Every lost true pair (what pairwise recall lacks).
        public var total: Int { unmatchedPairs + stages.reduce(0) { $0 + $1.pairs } }
        /// True pairs with a record the match never saw: no matching can find them.
        public var unmatchedPairs: Int { unmatched.reduce(0) { $0 + $1.pairs } }

        /// The highest pairwise recall any matching of the records it saw could reach, out of `truePairs`.
        public func recallCeiling(truePairs: Int) -> Double {
            truePairs == 0 ? 1 : Double(truePairs - unmatchedPairs) / Double(truePairs)
        }

        public struct Cause: Sendable, Codable, Equatable {
            public var cause: String
            public var pairs: Int
        }

        public struct Stage: Sendable, Codable, Equatable {
            public var stage: LostPairStage
            public var pairs: Int
            /// The pairs by what their records differ in (`DOB within 366 days, EMAIL missing`), most first;
            /// `trueMatches` equals `pairs` (they are all true).
            public var kinds: [KeyTally]
        }
    }

    /// Review-queue pairs sharing one explanation key (`+FIRST +SURNAME -DOB`).
    public struct KeyTally: Sendable, Codable, Equatable {
        public var key: String
        public var pairs: Int
        public var trueMatches: Int
    }

    /// How many review-queue pairs are true matches, and the queue tallied by explanation key, most pairs
    /// first (at most `limit` keys).
    static func reviewTally(_ outcome: MatchPipeline.Outcome, labels: [Int32?], limit: Int = 12) -> (Int, [KeyTally]) {
        let pairs = outcome.reviewPairs.map { pair in
            (Int(pair.a), Int(pair.b), labels[Int(pair.a)].map { $0 == labels[Int(pair.b)] } ?? false)
        }
        return (pairs.count { $0.2 }, keyTally(pairs, outcome.scorer, limit: limit))
    }

    /// The pairs of records in one cluster whose truth entities differ (records not in the truth left out),
    /// at most `limit`, in record order.
    static func falseMerges(_ clusterOf: [Int32], labels: [Int32?], limit: Int = 100_000) -> [(Int, Int, Bool)] {
        var members: [Int32: [Int]] = [:]
        for (record, cluster) in clusterOf.enumerated() where labels[record] != nil { members[cluster, default: []].append(record) }
        var pairs: [(Int, Int, Bool)] = []
        for cluster in members.keys.sorted() {
            guard let records = members[cluster], records.count > 1 else { continue }
            for x in records.indices {
                for y in (x + 1)..<records.count where labels[records[x]] != labels[records[y]] && pairs.count < limit {
                    pairs.append((records[x], records[y], false))
                }
            }
        }
        return pairs
    }

    /// Lost true pairs of two matched records by stage (every stage, in order), each stage's pairs tallied by
    /// what their records differ in (the first `sample` pairs of a stage, at most `limit` kinds).
    static func lostStages(_ lost: [LostTruePair], _ scorer: PairScorer, sample: Int = 100_000, limit: Int = 8) -> [LostPairs.Stage] {
        LostPairStage.allCases.map { stage in
            let pairs = lost.filter { $0.stage == stage }
            var tallies: [String: Int] = [:]
            for pair in pairs.prefix(sample) { tallies[differences(scorer, Int(pair.a), Int(pair.b)), default: 0] += 1 }
            let kinds = tallies.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(limit)
                .map { KeyTally(key: $0.key, pairs: $0.value, trueMatches: $0.value) }
            return LostPairs.Stage(stage: stage, pairs: pairs.count, kinds: kinds)
        }
    }

    /// What two records differ in, comparison by comparison: each one not on an exact level, as its tag and
    /// level (`SURNAME names swapped, DOB within 366 days, EMAIL missing`; `CITY not counted` for one taken as
    /// null although both values are there: given another, or a household's); "all agree" when none.
    static func differences(_ scorer: PairScorer, _ a: Int, _ b: Int) -> String {
        let comparator = scorer.comparator
        let pattern = comparator.pattern(a, b)
        let parts = comparator.comparisons.enumerated().compactMap { c, comparison -> String? in
            let index = PairComparator.level(pattern, c)
            let level = comparison.levels[index]
            if level.kind == .exact { return nil }
            let ids = comparator.column(comparison.field).ids
            if index == 0 && ids[a] != InternedColumn.missing && ids[b] != InternedColumn.missing { return "\(comparison.tag) not counted" }
            return "\(comparison.tag) \(level.label)"
        }
        return parts.isEmpty ? "all agree" : parts.joined(separator: ", ")
    }

    /// Pairs (a, b, is a true match) tallied by explanation key, most pairs first (at most `limit` keys).
    static func keyTally(_ pairs: [(Int, Int, Bool)], _ scorer: PairScorer, limit: Int = 12) -> [KeyTally] {
        var tallies: [String: KeyTally] = [:]
        for (a, b, isMatch) in pairs {
            let key = scorer.explain(a, b).key
            tallies[key, default: KeyTally(key: key, pairs: 0, trueMatches: 0)].pairs += 1
            if isMatch { tallies[key]?.trueMatches += 1 }
        }
        let ordered = tallies.values.sorted { ($0.pairs, $1.key) > ($1.pairs, $0.key) }
        return Array(ordered.prefix(limit))
    }

    /// Matches every current customer and, with `persist`, records the result. A match that records holds the
    /// lake's run lock as a workflow run does: one started during a run would write golden records from silver
    /// as it was before the run's ingest, retiring the new customers' links.
    /// - Parameter truth: when given, the clusters are evaluated against it (`source:key` → entity).
    /// - Throws: `.forbidden` without the run_workflows permission; `.busy` when a run holds the lake (and
    ///   `waiting`, if given, ran out).
    /// - Parameter peakMemory: the process's peak resident memory (MB) since it was last asked, asked as each phase
    ///   ends (see `MatchPipeline.run`).
    public func run(
        persist: Bool = true, truth: TruthTable? = nil, waiting: RunLock.Waiting? = nil,
        clock: @escaping () -> Double = Self.monotonicSeconds, peakMemory: @escaping () -> Double? = { nil }
    ) throws(EngineError) -> Report {
        try workspace.authorize(.runWorkflows, environment, attempt: "match.run")
        let scope = Scope.whole(because: "cdp match run trains the model")
        guard persist else { return try runAuthorized(persist: false, scope: scope, truth: truth, clock: clock, peakMemory: peakMemory) }
        let holder = RunLock.Holder(workflow: "cdp match run", actor: environment.user, trigger: "cli", startedAt: environment.timestamp)
        let lock = try RunLock.acquire(in: workspace.lakeFolder, for: holder, waiting: waiting)
        defer { lock.release() }
        // And the team store's, which runs on other machines take.
        let runs = workspace.repositories.runs
        try storeCall { () throws(StoreError) in try runs.takeStoreRunLock() }
        defer { runs.releaseStoreRunLock() }
        return try runAuthorized(persist: true, scope: scope, truth: truth, clock: clock, peakMemory: peakMemory)
    }

    /// The match itself, for a workflow run already authorized when it started (its steps act as `pipeline`).
    /// - Parameter shouldStop: asked between phases (load, pairs and clusters, golden records, before writing);
    ///   an error stops the match with it before anything is written.
    /// - Parameter scope: whole (training the model), or incremental (see `Scope`); a run with a truth table is whole.
    func runAuthorized(
        persist: Bool = true, scope: Scope = .whole(because: "cdp match run trains the model"), truth: TruthTable? = nil,
        clock: @escaping () -> Double = Self.monotonicSeconds,
        peakMemory: @escaping () -> Double? = { nil }, shouldStop: () -> EngineError? = { nil }
    ) throws(EngineError) -> Report {
        func checkStop() throws(EngineError) { if let stop = shouldStop() { throw stop } }
        try checkStop()
        let configuration = try configuration()
        var started = clock()
        func phase(_ name: String) -> MatchPipeline.Statistics.Phase {
            let now = clock()
            defer { started = now }
            return MatchPipeline.Statistics.Phase(name: name, seconds: now - started, peakMegabytes: peakMemory())
        }
        let records = try loadRecords(attributes: configuration.attributeNames)
        let index = SourceRecordIndex(records)
        let decisions = try storeCall { () throws(StoreError) in try workspace.repositories.matching.pairDecisions() }
        let overrides = try storeCall { () throws(StoreError) in try workspace.repositories.matching.goldenOverrides() }
        let previous = try storeCall { () throws(StoreError) in try workspace.repositories.matching.currentGoldenIDs(index, count: records.count) }
        let nextID = try storeCall { () throws(StoreError) in try workspace.repositories.matching.nextGoldenID() }
        let keepsState = persist && workspace.repositories.matching.keepsMatchState
        // Versions name the records in what the run leaves, and tell an incremental run which records changed.
        let isWhole = if case .whole = scope { true } else { false }
        let versions = keepsState || (!isWhole && truth == nil) ? records.versions() : []
        let start =
            truth == nil
            ? try self.start(scope, records: records, versions: versions, configuration: configuration)
            : .whole(because: "a run measured against a truth table trains the model")
        let load = phase("load")
        try checkStop()

        let pipeline = MatchPipeline(configuration: configuration, threads: threads)
        let labels = truth.map { truth in (0..<records.count).map { truth[records.id(of: $0)] } }
        let pipelineDecisions = Self.pipelineDecisions(decisions, index)
        let outcome: MatchPipeline.Outcome
        switch start {
        case .whole:
            outcome = pipeline.run(records, decisions: pipelineDecisions, truth: labels, now: clock, peakMemory: peakMemory)
        case .pinned(let state, let scope, _):
            if let scope {
                outcome = pipeline.runIncremental(records, decisions: pipelineDecisions, pinned: state.pinned, scope: scope, now: clock)
            } else {
                outcome = pipeline.run(records, decisions: pipelineDecisions, pinned: state.pinned, now: clock, peakMemory: peakMemory)
            }
        }
        started = clock()
        try checkStop()

        // Golden records: clusters in order of their first record, survivorship per attribute on both cores,
        // ids kept stable. Their text is written only when persisting, and only where it changed.
        let survivorship = Survivorship(policy: configuration.survivorship, records: records)
        let golden = GoldenRecordSet(clusterOf: outcome.clusterOf, survivorship: survivorship, threads: threads)
        let ids = GoldenIDAssignment.assign(memberStart: golden.memberStart, members: golden.members, previous: previous, nextID: nextID.rawValue)

        var statistics = outcome.statistics
        statistics.phases = [load] + statistics.phases + [phase("golden")]
        var report = Report(run: nil, statistics: statistics, model: outcome.model, golden: golden.count)
        report.wholeBecause = start.wholeBecause
        if case .pinned(let state, let scope, let changed) = start {
            report.modelRun = MatchRunID(rawValue: state.trainedRun)
            report.changedRecords = changed
            if scope != nil { report.rescoredPairs = outcome.statistics.comparisons }
        }
        if let truth, let labels {
            let whereabouts: [(SourceRecordID, CustomerWhereabouts)]
            (report.evaluation, whereabouts) = try Self.evaluate(
                truth, matched: (0..<records.count).map(records.id(of:)), clusters: outcome.clusterOf, workspace.repositories.matching)
            report.lostPairs = Self.lostPairs(truth, whereabouts: whereabouts, labels: labels, outcome: outcome)
            (report.reviewTrueMatches, report.reviewByKey) = Self.reviewTally(outcome, labels: labels)
            report.missedByKey = Self.keyTally(outcome.missedTruePairs.map { (Int($0 >> 32), Int($0 & 0xFFFF_FFFF), true) }, outcome.scorer)
            report.falseMergesByKey = Self.keyTally(Self.falseMerges(outcome.clusterOf, labels: labels), outcome.scorer)
            report.statistics.phases.append(phase(Self.evaluationPhase))
        }
        guard persist else { return report }
        try checkStop()

        let threads = threads
        let candidates = CandidateBatches(count: outcome.reviewPairs.count) { range in
            Self.candidateDrafts(outcome, records, range: range, threads: threads)
        }
        let actor = environment.user
        let run = try storeCall { () throws(StoreError) in try workspace.repositories.matching.startMatchRun(actor: actor, at: environment.timestamp) }
        report.run = run
        let statisticsJSON = Self.json(statistics)
        let modelJSON = Self.json(outcome.model)
        let timestamp = environment.timestamp
        let write = GoldenWrite(
            set: golden, records: records, index: index, ids: ids,
            writer: GoldenJSONWriter(set: golden, records: records, policy: configuration.survivorship), overrides: overrides)
        report.written = try storeCall { () throws(StoreError) in
            try workspace.repositories.matching.writeMatchResult(
                run: run, candidates: candidates, golden: write, statisticsJSON: statisticsJSON, modelJSON: modelJSON, at: timestamp)
        }
        try storeCall { () throws(StoreError) in
            try workspace.repositories.audit.appendAudit(
                AuditDraft(
                    actor: actor, action: "match.run", target: run.description,
                    after: "\(records.count) records, \(golden.count) golden records, \(candidates.count) candidates for review"),
                at: timestamp)
        }
        if keepsState {
            let state = Self.leftState(after: start, run: run, outcome: outcome, versions: versions, configuration: configuration)
            try storeCall { () throws(StoreError) in try workspace.repositories.matching.saveMatchState(state.encoded(), run: run) }
        }
        report.statistics.phases.append(phase("persist"))
        return report
    }

    /// The phase that measures the clusters against a truth table (after the match; not part of its time).
    public static let evaluationPhase = "evaluation"

    /// Steward decisions between records of `index` as the pipeline takes them (others left out).
    static func pipelineDecisions(_ decisions: [PairDecision], _ index: SourceRecordIndex) -> MatchPipeline.Decisions {
        var mustLink: [(Int32, Int32)] = []
        var cannotLink: [(Int32, Int32)] = []
        for decision in decisions {
            guard let a = index[decision.a], let b = index[decision.b] else { continue }
            if decision.decision == .match { mustLink.append((a, b)) } else { cannotLink.append((a, b)) }
        }
        return .init(mustLink: mustLink, cannotLink: cannotLink)
    }

    /// Clusters (`clusters[i]` the cluster of `matched[i]`) against a truth table, every record of the truth
    /// counted, and where each record of the truth without a cluster stands.
    static func evaluate(
        _ truth: TruthTable, matched: [SourceRecordID], clusters: [Int32], _ matching: any MatchingRepository
    ) throws(EngineError) -> (MatchEvaluation, [(SourceRecordID, CustomerWhereabouts)]) {
        var whereabouts: [(SourceRecordID, CustomerWhereabouts)] = []
        let evaluation = try truth.evaluate(matched: matched, clusters: clusters) {
            (missing: [SourceRecordID]) throws(EngineError) -> [MatchEvaluation.NotMatchedReason] in
            let found = try storeCall { () throws(StoreError) in try matching.customerWhereabouts(of: missing) }
            whereabouts = Array(zip(missing, found))
            return found.map(\.notMatchedReason)
        }
        return (evaluation, whereabouts)
    }

    /// Where recall went: pairs lost to a record of the truth without a cluster (`whereabouts`, by cause), and the
    /// outcome's lost pairs of two matched records by stage. `labels`: per matched record, its entity.
    static func lostPairs(
        _ truth: TruthTable, whereabouts: [(SourceRecordID, CustomerWhereabouts)], labels: [Int32?], outcome: MatchPipeline.Outcome
    ) -> LostPairs {
        let (causes, byRule) = truth.pairsLost(toUnmatched: whereabouts, matchedLabels: labels)
        return LostPairs(unmatched: causes, heldByRule: byRule, stages: lostStages(outcome.lostTruePairs, outcome.scorer))
    }

    /// Every record with a current golden record, and its cluster: golden ids as dense labels (an id past Int32
    /// would otherwise wrap), `count` of them.
    /// - Throws: `.refused` when nothing has been matched yet.
    static func storedClusters(_ matching: any MatchingRepository) throws(EngineError) -> (matched: [SourceRecordID], clusters: [Int32], count: Int) {
        var matched: [SourceRecordID] = []
        var clusters: [Int32] = []
        var labels: [GoldenID: Int32] = [:]
        try storeCall { () throws(StoreError) in
            try matching.forEachGoldenLink { record, golden in
                matched.append(record)
                if let label = labels[golden] {
                    clusters.append(label)
                } else {
                    let label = Int32(labels.count)
                    labels[golden] = label
                    clusters.append(label)
                }
            }
        }
        guard !matched.isEmpty else {
            throw EngineError(.refused, "there are no golden records to evaluate yet; run `cdp match run` first")
        }
        return (matched, clusters, labels.count)
    }

    /// The golden records as stored, against a truth table, with where recall went.
    public struct GoldenEvaluation: Sendable, Codable {
        public var evaluation: MatchEvaluation
        public var lostPairs: LostPairs
    }

    /// The golden records as stored against a truth table: the evaluation counts every record of the truth (one
    /// without a golden record is a cluster of its own, and why is said), and where recall went is reported as
    /// `cdp bench match` reports it. Which true pairs are lost is the stored golden records' say; the stage that
    /// lost each pair of two matched records (never compared, below the queue, in it, kept apart) comes from
    /// matching the current silver customers again in memory, nothing written. A record ingested after the last
    /// match run counts as not matched yet.
    /// - Throws: `.refused` when nothing has been matched yet; `.invalidConfiguration` for a broken `matching.toml`.
    public func evaluateGoldenRecords(truth: TruthTable) throws(EngineError) -> GoldenEvaluation {
        let matching = workspace.repositories.matching
        let (matched, clusters, count) = try Self.storedClusters(matching)
        let (evaluation, whereabouts) = try Self.evaluate(truth, matched: matched, clusters: clusters, matching)

        let configuration = try configuration()
        let records = try loadRecords(attributes: configuration.attributeNames)
        let index = SourceRecordIndex(records)
        // Per current record its stored cluster; one without a golden record is a cluster of its own, and out of
        // the truth here (its pairs are counted by where it stands).
        var stored = [Int32](repeating: -1, count: records.count)
        for (position, record) in matched.enumerated() {
            if let r = index[record] { stored[Int(r)] = clusters[position] }
        }
        var labels = [Int32?](repeating: nil, count: records.count)
        var next = Int32(count)
        for r in 0..<records.count {
            if stored[r] >= 0 {
                labels[r] = truth[records.id(of: r)]
            } else {
                stored[r] = next
                next += 1
            }
        }
        let decisions = try storeCall { () throws(StoreError) in try matching.pairDecisions() }
        let outcome = MatchPipeline(configuration: configuration, threads: threads)
            .run(records, decisions: Self.pipelineDecisions(decisions, index), truth: labels, lostAgainst: stored)
        return GoldenEvaluation(evaluation: evaluation, lostPairs: Self.lostPairs(truth, whereabouts: whereabouts, labels: labels, outcome: outcome))
    }

    /// The review queue's rows `range`, each with its explanation, built on `threads` threads in pair order.
    static func candidateDrafts(
        _ outcome: MatchPipeline.Outcome, _ records: MatchRecords, range queue: Range<Int>, threads: Int
    ) -> [CandidateDraft] {
        let pairs = outcome.reviewPairs
        let ranges = Parallel.ranges(count: queue.count, parts: threads)
        let parts = ranges.map { _ in LockedBox([CandidateDraft]()) }
        Parallel.forEachRange(count: queue.count, threads: threads) { range, slice in
            parts[slice].value = range.map { offset in
                let pair = pairs[queue.lowerBound + offset]
                let explanation = outcome.scorer.explain(Int(pair.a), Int(pair.b))
                return CandidateDraft(
                    a: records.id(of: Int(pair.a)), b: records.id(of: Int(pair.b)), probability: explanation.probability, key: explanation.key,
                    explanation: explanation.json)
            }
        }
        return parts.flatMap(\.value)
    }

    public static func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// A ground truth: source record → true entity, read from a `source,record_id,entity_id` CSV.
public struct TruthTable: Sendable {
    /// Per record, its position in `records`.
    private var positions: [SourceName: [String: Int32]] = [:]
    /// Every record the file names, in file order (a record named twice keeps its last entity).
    public private(set) var records: [SourceRecordID] = []
    /// Per record of `records`, its entity.
    private var entityAt: [Int32] = []
    public var count: Int { records.count }

    /// - Throws: `EngineError.input` naming the file and line of the first malformed row.
    public init(contentsOf file: URL) throws(EngineError) {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw EngineError(.input, "cannot read the truth file \(file.path); pass a CSV of source,record_id,entity_id")
        }
        var entityIDs: [Substring: Int32] = [:]
        let text = String(decoding: data, as: UTF8.self)
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            if number == 0 && line.hasPrefix("source,") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                throw EngineError(.input, "\(file.path):\(number + 1): expected source,record_id,entity_id, found \(fields.count) fields")
            }
            let entity: Int32
            if let known = entityIDs[fields[2]] {
                entity = known
            } else {
                entity = Int32(entityIDs.count)
                entityIDs[fields[2]] = entity
            }
            let record = SourceRecordID(source: SourceName(String(fields[0])), key: String(fields[1]))
            if let known = position(of: record) {
                entityAt[Int(known)] = entity
            } else {
                positions[record.source, default: [:]][record.key] = Int32(records.count)
                records.append(record)
                entityAt.append(entity)
            }
        }
    }

    /// The clusters of matched records against this truth, counting every record the truth names: one
    /// without a cluster is a cluster of its own, and `whyNotMatched` says why it has none.
    /// - Parameters:
    ///   - clusterOf: a matched record's cluster label (any non-negative number), nil for one not matched.
    ///   - whyNotMatched: asked once with every record of the truth that has no cluster.
    func evaluate<E: Error>(
        matched: [SourceRecordID], clusters: [Int32], whyNotMatched: ([SourceRecordID]) throws(E) -> [MatchEvaluation.NotMatchedReason]
    ) throws(E) -> MatchEvaluation {
        // Marked by position, not gathered in a set of ids: at a million records such a set weighs about 80 MB.
        var seen = [Bool](repeating: false, count: records.count)
        var labels: [Int32?] = []
        labels.reserveCapacity(matched.count)
        for record in matched {
            let position = position(of: record)
            if let position { seen[Int(position)] = true }
            labels.append(position.map { entityAt[Int($0)] })
        }
        let missing = records.indices.filter { !seen[$0] }.map { records[$0] }
        let reasons = try whyNotMatched(missing)
        var tallies: [MatchEvaluation.NotMatchedReason: Int] = [:]
        for reason in reasons { tallies[reason, default: 0] += 1 }
        let notMatched = MatchEvaluation.NotMatchedReason.allCases.compactMap { reason in
            tallies[reason].map { MatchEvaluation.NotMatchedTally(reason: reason, records: $0) }
        }
        return MatchEvaluation(predicted: clusters, truth: labels, unmatched: missing.compactMap { self[$0] }, notMatched: notMatched)
    }

    public subscript(_ id: SourceRecordID) -> Int32? { position(of: id).map { entityAt[Int($0)] } }

    /// The record's position in `records`, or nil when the truth does not name it.
    private func position(of id: SourceRecordID) -> Int32? { positions[id.source]?[id.key] }

    /// The true pairs that have a record without a golden record, by cause (the reason, and for a quarantined
    /// record the rules it failed), most pairs first. A pair of two such records counts once, for the first of
    /// them in `unmatched`'s order. Also the same pairs of quarantined records by rule, each pair once for every
    /// rule its record failed.
    /// - Parameters:
    ///   - unmatched: the records of the truth without a golden record and where each stands.
    ///   - matchedLabels: the truth's entity of each matched record (nil: not in the truth).
    func pairsLost(toUnmatched unmatched: [(SourceRecordID, CustomerWhereabouts)], matchedLabels: [Int32?])
        -> (causes: [MatchService.LostPairs.Cause], byRule: [MatchService.LostPairs.Cause])
    {
        var matchedCount: [Int32: Int] = [:]
        for label in matchedLabels { if let label { matchedCount[label, default: 0] += 1 } }
        var unmatchedLeft: [Int32: Int] = [:]
        for (record, _) in unmatched { if let entity = self[record] { unmatchedLeft[entity, default: 0] += 1 } }
        var pairs: [String: Int] = [:]
        var byRule: [String: Int] = [:]
        for (record, whereabouts) in unmatched {
            guard let entity = self[record] else { continue }
            unmatchedLeft[entity, default: 1] -= 1
            let partners = (matchedCount[entity] ?? 0) + (unmatchedLeft[entity] ?? 0)
            guard partners > 0 else { continue }
            let reason = whereabouts.notMatchedReason
            let cause = reason == .quarantined && !whereabouts.quarantineRules.isEmpty
                ? "\(reason.label): \(whereabouts.quarantineRules.joined(separator: ", "))" : reason.label
            pairs[cause, default: 0] += partners
            if reason == .quarantined { for rule in whereabouts.quarantineRules { byRule[rule, default: 0] += partners } }
        }
        func causes(_ tally: [String: Int]) -> [MatchService.LostPairs.Cause] {
            tally.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { MatchService.LostPairs.Cause(cause: $0.key, pairs: $0.value) }
        }
        return (causes(pairs), causes(byRule))
    }
}
