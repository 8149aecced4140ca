import CDPCore
import CDPStore
import Foundation

/// Runs the matcher over a workspace's current customers and keeps golden records: loads records from
/// silver, applies steward decisions, scores and clusters, assigns stable golden ids, applies survivorship
/// and overrides, and writes candidates, golden records and cross-references in one transaction.
public struct MatchService: Sendable {
    public let workspace: Workspace
    public let environment: Environment
    public let threads: Int

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
        return try MatchingConfigurationLoader.load(tomlText: text, file: file.path)
    }

    /// Every current silver customer, in lake row order.
    public func loadRecords() throws(EngineError) -> MatchRecords {
        var builder = MatchRecords.Builder()
        try storeCall { () throws(StoreError) in try workspace.store.forEachCurrentCustomer { builder.append($0) } }
        return MatchRecords(builder)
    }

    public struct Report: Sendable, Codable {
        public var run: MatchRunID?
        public var statistics: MatchPipeline.Statistics
        public var model: FellegiSunterModel
        public var golden: Int
        public var written: LakeStore.MatchWriteSummary?
        public var evaluation: MatchEvaluation?
    }

    /// Matches every current customer and, with `persist`, records the result.
    /// - Parameter truth: when given, the clusters are evaluated against it (`source:key` → entity).
    /// - Throws: `.forbidden` without the run_workflows permission.
    public func run(persist: Bool = true, truth: TruthTable? = nil, clock: @escaping () -> Double = Self.monotonicSeconds) throws(EngineError) -> Report {
        try workspace.authorize(.runWorkflows, environment, attempt: "match.run")
        return try runAuthorized(persist: persist, truth: truth, clock: clock)
    }

    /// The match itself, for a workflow run already authorized when it started (its steps act as `pipeline`).
    func runAuthorized(persist: Bool = true, truth: TruthTable? = nil, clock: @escaping () -> Double = Self.monotonicSeconds) throws(EngineError) -> Report {
        let configuration = try configuration()
        var started = clock()
        var phases: [MatchPipeline.Statistics.Phase] = []
        func phase(_ name: String) {
            let now = clock()
            phases.append(MatchPipeline.Statistics.Phase(name: name, seconds: now - started))
            started = now
        }
        let records = try loadRecords()
        let decisions = try storeCall { () throws(StoreError) in try workspace.store.pairDecisions() }
        let overrides = try storeCall { () throws(StoreError) in try workspace.store.goldenOverrides() }
        let previous = try previousGoldenIDs(records)
        let nextID = try storeCall { () throws(StoreError) in try workspace.store.nextGoldenID() }
        phase("load")

        let index = RecordIndex(records)
        var mustLink: [(Int32, Int32)] = []
        var cannotLink: [(Int32, Int32)] = []
        for decision in decisions {
            guard let a = index[decision.a], let b = index[decision.b] else { continue }
            if decision.decision == .match { mustLink.append((a, b)) } else { cannotLink.append((a, b)) }
        }
        let pipeline = MatchPipeline(configuration: configuration, threads: threads)
        let outcome = pipeline.run(records, decisions: .init(mustLink: mustLink, cannotLink: cannotLink), now: clock)
        started = clock()

        // Golden records: clusters in order of their first record, ids kept stable, survivorship per attribute.
        var members: [[Int]] = []
        var clusterIndex = [Int32](repeating: -1, count: records.count)
        for record in 0..<records.count {
            let label = Int(outcome.clusterOf[record])
            if clusterIndex[label] < 0 {
                clusterIndex[label] = Int32(members.count)
                members.append([])
            }
            members[Int(clusterIndex[label])].append(record)
        }
        let ids = GoldenIDAssignment.assign(clusters: members, previous: { previous[$0] == 0 ? nil : previous[$0] }, nextID: nextID.rawValue)
        let survivorship = Survivorship(policy: configuration.survivorship, records: records)
        // Survivorship on both cores: each thread fills its own contiguous range of clusters.
        let clusters = members
        let attributesJSON = Self.parallelMap(count: clusters.count, threads: threads) { cluster in
            GoldenAttribute.json(survivorship.goldenAttributes(clusters[cluster], overrides: overrides[GoldenID(ids[cluster])] ?? [:]))
        }
        var drafts: [LakeStore.GoldenDraft] = []
        drafts.reserveCapacity(members.count)
        for (cluster, group) in members.enumerated() {
            drafts.append(LakeStore.GoldenDraft(id: GoldenID(ids[cluster]), attributesJSON: attributesJSON[cluster], members: persist ? group.map(records.id) : []))
        }
        phase("golden")

        var statistics = outcome.statistics
        statistics.phases = [phases[0]] + statistics.phases + [phases[1]]
        var report = Report(run: nil, statistics: statistics, model: outcome.model, golden: drafts.count)
        if let truth {
            report.evaluation = MatchEvaluation(predicted: outcome.clusterOf, truth: (0..<records.count).map { truth[records.id(of: $0)] })
        }
        guard persist else { return report }

        let candidates = outcome.reviewPairs.map { pair -> LakeStore.CandidateDraft in
            let explanation = outcome.scorer.explain(Int(pair.a), Int(pair.b))
            return LakeStore.CandidateDraft(
                a: records.id(of: Int(pair.a)), b: records.id(of: Int(pair.b)), probability: explanation.probability, key: explanation.key,
                explanation: Self.json(explanation))
        }
        let actor = environment.user
        let run = try storeCall { () throws(StoreError) in try workspace.store.startMatchRun(actor: actor, at: environment.timestamp) }
        report.run = run
        let statisticsJSON = Self.json(statistics)
        let modelJSON = Self.json(outcome.model)
        let timestamp = environment.timestamp
        report.written = try storeCall { () throws(StoreError) in
            try workspace.store.writeMatchResult(
                run: run, candidates: candidates, golden: drafts, statisticsJSON: statisticsJSON, modelJSON: modelJSON, at: timestamp)
        }
        try storeCall { () throws(StoreError) in
            try workspace.store.appendAudit(
                LakeStore.AuditDraft(
                    actor: actor, action: "match.run", target: run.description,
                    after: "\(records.count) records, \(drafts.count) golden records, \(candidates.count) candidates for review"),
                at: timestamp)
        }
        phase("persist")
        report.statistics.phases.append(phases[2])
        return report
    }

    /// Per record, its current golden id (0 when none).
    func previousGoldenIDs(_ records: MatchRecords) throws(EngineError) -> [Int64] {
        var result = [Int64](repeating: 0, count: records.count)
        let index = RecordIndex(records)
        try storeCall { () throws(StoreError) in
            try workspace.store.forEachGoldenLink { record, golden in
                if let position = index[record] { result[Int(position)] = golden.rawValue }
            }
        }
        return result
    }

    /// `transform` of 0..<count, computed on `threads` threads over contiguous ranges, in order.
    static func parallelMap(count: Int, threads: Int, _ transform: @Sendable (Int) -> String) -> [String] {
        let slices = max(1, min(threads, count))
        let chunk = (count + slices - 1) / slices
        let parts = (0..<slices).map { _ in LockedBox([String]()) }
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let range = (slice * chunk)..<min(count, (slice + 1) * chunk)
            parts[slice].value = range.map(transform)
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

/// Finds a record's position from its source and key.
struct RecordIndex {
    private var positions: [SourceName: [String: Int32]] = [:]

    init(_ records: MatchRecords) {
        for record in 0..<records.count {
            positions[records.sources[Int(records.sourceIndex[record])], default: [:]][records.keys[record]] = Int32(record)
        }
    }

    subscript(_ id: SourceRecordID) -> Int32? { positions[id.source]?[id.key] }
}

/// A ground truth: source record → true entity, read from a `source,record_id,entity_id` CSV.
public struct TruthTable: Sendable {
    private var entities: [SourceName: [String: Int32]] = [:]
    public private(set) var count = 0

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
            entities[SourceName(String(fields[0])), default: [:]][String(fields[1])] = entity
            count += 1
        }
    }

    public subscript(_ id: SourceRecordID) -> Int32? { entities[id.source]?[id.key] }
}

extension GoldenAttribute {
    /// Attributes as a JSON array, written by hand: a million golden records make JSONEncoder the slowest phase.
    public static func json(_ attributes: [GoldenAttribute]) -> String {
        var text = "["
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { text += "," }
            text += "{\"name\":"
            appendQuoted(attribute.name, to: &text)
            text += ",\"rule\":"
            appendQuoted(attribute.rule, to: &text)
            if let source = attribute.source {
                text += ",\"source\":"
                appendQuoted(source.description, to: &text)
            }
            text += ",\"value\":"
            appendQuoted(attribute.value, to: &text)
            text += "}"
        }
        return text + "]"
    }

    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            text += value
            text += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            default:
                if scalar.value < 0x20 {
                    text += String(format: "\\u%04x", scalar.value)
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }

    /// Reads attributes written by `json(_:)`.
    public static func decode(_ json: String) -> [GoldenAttribute] {
        struct Stored: Decodable {
            var name: String
            var rule: String
            var source: String?
            var value: String
        }
        guard let stored = try? JSONDecoder().decode([Stored].self, from: Data(json.utf8)) else { return [] }
        return stored.map { GoldenAttribute(name: $0.name, value: $0.value, source: $0.source.flatMap(SourceRecordID.init(parsing:)), rule: $0.rule) }
    }
}
