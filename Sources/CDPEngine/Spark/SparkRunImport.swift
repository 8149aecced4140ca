import CDPCore
import CDPRepositories
import CDPStore
import Foundation

/// Brings a Spark run's work into the workspace's lake, so the steward console shows it: the files the run landed
/// (bronze) with their silver and quarantine rows, then its golden clusters and the review queue.
///
/// It reads the run as JSON lines, one folder per dataset (`bronze`, `silver`, `quarantine`, `batches`,
/// `golden_members`, `candidates`, `model`), the layout `cdp spark run --export DIR` (or `cdp_spark.py export`)
/// writes. Everything goes through the lake's repositories, as the embedded engine writes it:
/// - a file the lake already holds (the same source and SHA-256) is left as it is — so the same run imported twice
///   changes nothing, and a held record a steward has worked on since keeps its state; a new file is landed under
///   `lake/landing/` and its rows written with the batch writer the ingest uses, in the run's line order;
/// - the run's clusters replace the lake's golden records through the match writer (`writeMatchResult`), golden ids
///   granted by the embedded rule from the lake's current ids, survivorship and overrides applied by the engine, and
///   the review queue is the run's candidate pairs at or above the review weight across two clusters, less those a
///   steward has decided. A run that contradicts a decision in the lake (one made after the run read them) is refused.
public struct SparkRunImport: Sendable {
    public let workspace: Workspace
    public let environment: Environment
    /// The folder holding the run's datasets as JSON lines.
    public let folder: URL

    public init(workspace: Workspace, environment: Environment, folder: URL) {
        self.workspace = workspace
        self.environment = environment
        self.folder = folder
    }

    /// What an import changed.
    public struct Summary: Sendable, Codable {
        /// The Spark run the folder holds.
        public var run: String
        public var filesImported = 0
        /// Files the lake already held (imported before, or ingested by the embedded engine).
        public var filesAlreadyInLake = 0
        public var silverRows = 0
        public var quarantinedRows = 0
        /// Whether the golden records and the review queue were written (false: the lake already held the run's).
        public var matchWritten = false
        public var goldenRecords = 0
        public var reviewPairs = 0
        public var written: MatchWriteSummary?
    }

    /// Imports the run: needs `run_workflows` and `view_pii` (it writes silver, quarantine and golden records as a
    /// run does, from files holding personal values unmasked), holds the lake's run lock, and is audited as
    /// `spark.import`.
    /// - Throws: `.forbidden` without the permissions; `.refused` on a team store, or when the run contradicts a
    ///   steward's decision or does not cover the lake's customers; `.input` when a dataset is missing or malformed;
    ///   `.busy` when a run holds the lake.
    public func run() throws(EngineError) -> Summary {
        try workspace.authorize(.runWorkflows, environment, attempt: "spark.import")
        try workspace.authorize(.viewPII, environment, attempt: "spark.import")
        // A folder the user names is read as the account cdp runs as: never while acting for another user.
        try UserNamedFile.checkRead(folder.path, for: environment)
        guard !workspace.isOnTeamStore else {
            throw EngineError(
                .refused,
                "cdp spark import writes into the embedded lake only; this workspace's lake is the team store (PostgreSQL), "
                    + "where importing a Spark run is not supported yet: run `cdp run` on the store, or import into an embedded workspace")
        }
        let holder = RunLock.Holder(workflow: "cdp spark import", actor: environment.user, trigger: "cli", startedAt: environment.timestamp)
        let lock = try RunLock.acquire(in: workspace.lakeFolder, for: holder, waiting: nil)
        defer { lock.release() }
        var summary = try importBatches()
        try importMatch(into: &summary)
        let after =
            "\(summary.filesImported) files imported (\(summary.silverRows) silver, \(summary.quarantinedRows) quarantined), "
            + "\(summary.filesAlreadyInLake) already in the lake; "
            + (summary.matchWritten
                ? "\(summary.goldenRecords) golden records and \(summary.reviewPairs) pairs for review written"
                : "golden records and review queue already the run's")
        let draft = AuditDraft(actor: environment.user, action: "spark.import", target: "spark run \(summary.run)", after: after, reason: folder.path)
        try storeCall { () throws(StoreError) in _ = try workspace.repositories.audit.appendAudit(draft, at: environment.timestamp) }
        return summary
    }

    // MARK: - Reading the run

    /// The JSON lines of one dataset (every `*.json` file of its folder, by name, as Spark writes parts), each parsed.
    /// - Throws: `.input` naming the file and line of a line that is not a JSON object, or a missing dataset.
    func rows(_ dataset: String, required: Bool = true) throws(EngineError) -> [Row] {
        let directory = folder.appendingPathComponent(dataset)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }.sorted()
        } catch {
            if !required { return [] }
            throw EngineError(
                .input,
                "\(directory.path) is missing: a Spark run's folder for `cdp spark import` holds its datasets as JSON lines "
                    + "(`cdp spark run --export DIR`, or `spark-submit cdp_spark.py export --job job.json --run RUN --to DIR`)")
        }
        var rows: [Row] = []
        for name in names {
            let file = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw EngineError(.input, "cannot read \(file.path); check its permissions")
            }
            for (offset, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
                do throws(JSONLineError) {
                    rows.append(Row(fields: try JSONLineParser.parseDictionary(String(decoding: line, as: UTF8.self)), file: file.path, line: offset + 1))
                } catch {
                    throw EngineError(.input, "\(file.path):\(offset + 1): not a JSON object: \(error.message)")
                }
            }
        }
        return rows
    }

    /// One line of a dataset, with where it was read for messages.
    struct Row {
        var fields: [String: JSONScalar]
        var file: String
        var line: Int

        func text(_ name: String) throws(EngineError) -> String {
            guard let value = fields[name]?.text else { throw problem("has no \"\(name)\"") }
            return value
        }

        func optionalText(_ name: String) -> String? { fields[name]?.text }

        func integer(_ name: String) throws(EngineError) -> Int64 {
            guard case .number(let text)? = fields[name], let value = Int64(text) else { throw problem("\"\(name)\" must be a whole number") }
            return value
        }

        func number(_ name: String) throws(EngineError) -> Double {
            guard case .number(let text)? = fields[name], let value = Double(text) else { throw problem("\"\(name)\" must be a number") }
            return value
        }

        func problem(_ message: String) -> EngineError { EngineError(.input, "\(file):\(line): \(message)") }
    }

    // MARK: - Files, silver and quarantine

    /// Lands every file of the run the lake does not hold yet and writes its rows, source by source in the
    /// workspace's order and file by file in the run's (by name), as the run read them.
    func importBatches() throws(EngineError) -> Summary {
        let batchRows = try rows("batches")
        guard let first = batchRows.first else {
            throw EngineError(.input, "\(folder.appendingPathComponent("batches").path) lists no file: not a Spark run's export")
        }
        var summary = Summary(run: try first.text("run"))
        let order = Dictionary(uniqueKeysWithValues: workspace.configuration.sources.enumerated().map { ($0.element.name.rawValue, $0.offset) })
        var pending: [(source: SourceConfiguration, row: Row)] = []
        for row in batchRows {
            let name = try row.text("source")
            guard let source = workspace.configuration.sources.first(where: { $0.name.rawValue == name }) else {
                throw row.problem("the run read source '\(name)', which this workspace's cdp.toml does not configure; import into the workspace the run was planned from")
            }
            guard try row.text("run") == summary.run else {
                throw row.problem("the folder holds more than one Spark run (\(summary.run) and \(try row.text("run"))); export one run per folder")
            }
            let sha256 = try row.text("sha256")
            let existing = try storeCall { () throws(StoreError) in try workspace.repositories.batches.batch(source: source.name, sha256: sha256) }
            if existing?.state == .ingested {
                summary.filesAlreadyInLake += 1
                continue
            }
            pending.append((source, row))
        }
        pending.sort { (order[$0.source.name.rawValue] ?? 0, (try? $0.row.text("file")) ?? "") < (order[$1.source.name.rawValue] ?? 0, (try? $1.row.text("file")) ?? "") }
        guard !pending.isEmpty else { return summary }

        // A batch is a file's hash: two sources may land the same bytes, so rows are found by source and batch.
        func batchKey(_ row: Row) throws(EngineError) -> String { "\(try row.text("source"))\u{1}\(try row.text("batch"))" }
        var wanted = Set<String>()
        for (_, row) in pending { wanted.insert(try batchKey(row)) }
        var contents: [String: Row] = [:]
        for row in try rows("bronze") where wanted.contains(try batchKey(row)) { contents[try batchKey(row)] = row }
        var silver: [String: [Row]] = [:]
        for row in try rows("silver") where wanted.contains(try batchKey(row)) { silver[try batchKey(row), default: []].append(row) }
        var quarantine: [String: [Row]] = [:]
        for row in try rows("quarantine") where wanted.contains(try batchKey(row)) { quarantine[try batchKey(row), default: []].append(row) }
        for (source, row) in pending {
            let batch = try batchKey(row)
            guard let bronze = contents[batch] else {
                throw row.problem("the run's bronze has no file \((try? row.text("file")) ?? batch); export the run again (its export holds bronze)")
            }
            // Silver and quarantine rows of a file in its line order, as the worker gave them.
            let rows = ((silver[batch] ?? []) + (quarantine[batch] ?? [])).sorted { ((try? $0.integer("line")) ?? 0) < ((try? $1.integer("line")) ?? 0) }
            let counts = try importBatch(source: source, batch: row, bronze: bronze, rows: rows)
            summary.filesImported += 1
            summary.silverRows += counts.silver
            summary.quarantinedRows += counts.quarantined
        }
        return summary
    }

    /// Lands one file and writes its rows (silver and quarantine, in line order) as one batch.
    func importBatch(source: SourceConfiguration, batch: Row, bronze: Row, rows: [Row]) throws(EngineError) -> BatchCounts {
        let store = workspace.repositories.batches
        let file = try batch.text("file")
        let sha256 = try batch.text("sha256")
        guard let content = Data(base64Encoded: try bronze.text("content")) else {
            throw bronze.problem("\"content\" of \(file) is not base64 (as Spark writes a binary column in JSON)")
        }
        guard FileDigest.sha256(of: content) == sha256 else {
            throw bronze.problem("the content of \(file) does not have the SHA-256 the run recorded (\(sha256)); the export is damaged: export the run again")
        }
        let landedPath = try land(content, source: source.name, file: file, sha256: sha256)
        let existing = try storeCall { () throws(StoreError) in try store.batch(source: source.name, sha256: sha256) }
        let id: BatchID
        if let existing {
            id = existing.id
            // Left half-written by an interrupted import: start the batch over, as the ingest does.
            try storeCall { () throws(StoreError) in try store.discardRows(of: id) }
        } else {
            id = try storeCall { () throws(StoreError) in
                try store.createBatch(
                    source: source.name, fileName: file, landedPath: landedPath, sha256: sha256, bytes: Int64(content.count),
                    landedAt: environment.timestamp, run: nil)
            }
        }
        try storeCall { () throws(StoreError) in try store.setBatchState(id, .ingesting, run: nil, error: nil) }
        var keys = try storeCall { () throws(StoreError) in try store.currentKeys(source: source.name, entity: source.entity) }
        let fields = source.entity.fields + (source.attributes.isEmpty ? [] : [CanonicalField("attributes", .text)])
        var chunk = IngestChunk(expectedRows: rows.count)
        var counts = BatchCounts()
        let decoder = JSONDecoder()
        for row in rows {
            let key = try row.text("source_key")
            let record = RecordSpan(offset: try row.integer("record_offset"), length: try row.integer("record_length"))
            let line = Int(try row.integer("line"))
            let hash = try row.integer("content_hash")
            if let valuesText = row.optionalText("values") {
                let values: [String: JSONScalar]
                do throws(JSONLineError) { values = try JSONLineParser.parseDictionary(valuesText) } catch {
                    throw row.problem("\"values\" of \(source.name):\(key) is not a JSON object: \(error.message)")
                }
                let typed = try fields.map { (field) throws(EngineError) in try Self.value(values[field.name], kind: field.kind, row: row, field: field.name) }
                let warnings = try Self.failures(row.optionalText("warnings") ?? "[]", row: row, decoder: decoder)
                chunk.appendSilver(
                    line: line, sourceKey: key, contentHash: hash, record: record, values: typed, supersedes: !keys.insert(key),
                    warnings: warnings)
                counts.silver += 1
            } else {
                guard let fieldsText = row.optionalText("fields"), let held = try? decoder.decode([String: String].self, from: Data(fieldsText.utf8)) else {
                    throw row.problem("a quarantine row needs \"fields\", a JSON object of texts")
                }
                let failures = try Self.failures(try row.text("failures"), row: row, decoder: decoder)
                chunk.appendQuarantine(
                    line: line, sourceKey: key, contentHash: hash, record: record, sortedFields: held.sorted { $0.key < $1.key }, failures: failures)
                counts.quarantined += 1
            }
        }
        counts.read = Int(try batch.integer("read"))
        counts.unchanged = Int(try batch.integer("unchanged"))
        counts.warned = Int(try batch.integer("warned"))
        let writer = try storeCall { () throws(StoreError) in
            try store.rowWriter(
                batch: id, run: nil, source: source.name, entity: source.entity, timestamp: environment.timestamp,
                keepsAttributes: !source.attributes.isEmpty)
        }
        return try SourceIngestor.closing(writer) { () throws(EngineError) -> BatchCounts in
            try storeCall { () throws(StoreError) in
                try writer.write(chunk, event: nil)
                try writer.finish()
                // The run's counts; rule tallies are not part of a Spark run's output yet.
                try store.finishBatch(id, source: source.name, run: nil, counts: counts, tallies: [])
            }
            return counts
        }
    }

    /// A silver value as the ingest typed it: the JSON's type, a number an integer where the field is one.
    static func value(_ scalar: JSONScalar?, kind: FieldKind, row: Row, field: String) throws(EngineError) -> FieldValue? {
        switch scalar {
        case nil, .null?: return nil
        case .string(let text)?: return .text(text)
        case .bool(let flag)?: return .boolean(flag)
        case .number(let text)?:
            if kind == .integer, let number = Int64(text) { return .integer(number) }
            guard let number = Double(text) else { throw row.problem("\(field) '\(text)' is not a number") }
            return .decimal(number)
        case .nested(let text)?: return .text(text)
        }
    }

    static func failures(_ text: String, row: Row, decoder: JSONDecoder) throws(EngineError) -> [RuleFailure] {
        do { return try decoder.decode([RuleFailure].self, from: Data(text.utf8)) } catch {
            throw row.problem("failures are not the list of rule failures the lake keeps: \(text.prefix(120))")
        }
    }

    /// Keeps the file's bytes where the ingest lands files (read-only, named by its hash); returns the path relative
    /// to the workspace.
    func land(_ content: Data, source: SourceName, file: String, sha256: String) throws(EngineError) -> String {
        let relative = workspace.landedPath(source: source, fileName: (file as NSString).lastPathComponent, sha256: sha256)
        let target = workspace.root.appendingPathComponent(relative)
        let manager = FileManager.default
        guard !manager.fileExists(atPath: target.path) else { return relative }
        let partial = target.appendingPathExtension("partial")
        do {
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? manager.removeItem(at: partial)
            try content.write(to: partial)
            try manager.moveItem(at: partial, to: target)
            try manager.setAttributes([.posixPermissions: 0o444], ofItemAtPath: target.path)
        } catch {
            throw EngineError(.input, "cannot land \(file) in \(target.deletingLastPathComponent().path): \(error.localizedDescription)")
        }
        return relative
    }

    // MARK: - Golden records and the review queue

    /// Writes the run's clusters and review queue, unless the lake already holds them.
    func importMatch(into summary: inout Summary) throws(EngineError) {
        // A run without matching (no customer source) has no golden records to bring.
        let memberRows = try rows("golden_members", required: false)
        guard !memberRows.isEmpty else { return }
        let service = MatchService(workspace: workspace, environment: environment)
        let configuration = try service.configuration()
        let records = try service.loadRecords(attributes: configuration.attributeNames)
        let index = SourceRecordIndex(records)
        let matching = workspace.repositories.matching

        // Each record's cluster in the run, as a label the golden record set takes: the cluster's smallest record.
        var sparkCluster = [Int64](repeating: -1, count: records.count)
        var missing: [String] = []
        for row in memberRows {
            let id = SourceRecordID(source: SourceName(try row.text("source")), key: try row.text("source_key"))
            guard let record = index[id] else {
                missing.append(id.description)
                continue
            }
            sparkCluster[Int(record)] = try row.integer("cluster")
        }
        let unmatched = (0..<records.count).filter { sparkCluster[$0] < 0 }.map { records.id(of: $0).description }
        guard missing.isEmpty, unmatched.isEmpty else {
            throw EngineError(
                .refused,
                "the Spark run \(summary.run) did not match the lake's current customers: "
                    + (missing.isEmpty ? "" : "\(missing.count) of its customers are not in the lake's silver (\(missing.prefix(3).joined(separator: ", "))); ")
                    + (unmatched.isEmpty ? "" : "\(unmatched.count) of the lake's are not in the run (\(unmatched.prefix(3).joined(separator: ", "))); ")
                    + "import runs in the order they were made, or run Spark again on the lake's input")
        }
        var firstOf: [Int64: Int32] = [:]
        for record in 0..<records.count where firstOf[sparkCluster[record]] == nil { firstOf[sparkCluster[record]] = Int32(record) }
        let clusterOf = (0..<records.count).map { firstOf[sparkCluster[$0]] ?? Int32($0) }

        // The steward's decisions hold: a run made before one of them would undo it.
        let decisions = try storeCall { () throws(StoreError) in try matching.pairDecisions() }
        var decided = Set<UInt64>()
        for decision in decisions {
            guard let a = index[decision.a], let b = index[decision.b] else { continue }
            decided.insert(Self.pairKey(a, b))
            let together = clusterOf[Int(a)] == clusterOf[Int(b)]
            if together != (decision.decision == .match) {
                throw EngineError(
                    .refused,
                    "the Spark run \(summary.run) \(together ? "joins" : "keeps apart") \(decision.a) and \(decision.b), which "
                        + "\(decision.decidedBy) decided \(decision.decision.rawValue) at \(decision.decidedAt), after the run read the lake's decisions: "
                        + "run Spark again (`cdp spark run`) and import that run")
            }
        }

        // The review queue: the run's candidate pairs at or above the review weight across two clusters, undecided,
        // each explained by the run's model over the lake's records (term frequencies are the whole set's: the same).
        let model = try Self.model(try rows("model"))
        let pipeline = MatchPipeline(configuration: configuration)
        let scorer = PairScorer(comparator: PairComparator(comparisons: configuration.comparisons, records: records), model: model)
        var queue: [(rule: Int64, a: Int32, b: Int32)] = []
        for row in try rows("candidates") where try row.number("weight") >= pipeline.reviewWeight {
            let a = SourceRecordID(source: SourceName(try row.text("a_source")), key: try row.text("a_key"))
            let b = SourceRecordID(source: SourceName(try row.text("b_source")), key: try row.text("b_key"))
            guard let x = index[a], let y = index[b] else {
                throw row.problem("the candidate pair \(a) and \(b) names a customer the lake's silver does not hold")
            }
            let (low, high) = x < y ? (x, y) : (y, x)
            guard clusterOf[Int(low)] != clusterOf[Int(high)], !decided.contains(Self.pairKey(low, high)) else { continue }
            queue.append((try row.integer("rule"), low, high))
        }
        queue.sort { ($0.rule, $0.a, $0.b) < ($1.rule, $1.a, $1.b) }

        let survivorship = Survivorship(policy: configuration.survivorship, records: records)
        let golden = GoldenRecordSet(clusterOf: clusterOf, survivorship: survivorship)
        let previous = try storeCall { () throws(StoreError) in try matching.currentGoldenIDs(index, count: records.count) }
        let nextID = try storeCall { () throws(StoreError) in try matching.nextGoldenID() }
        let ids = GoldenIDAssignment.assign(memberStart: golden.memberStart, members: golden.members, previous: previous, nextID: nextID.rawValue)
        summary.goldenRecords = golden.count
        summary.reviewPairs = queue.count

        // The same run (or one giving the same result) imported again changes nothing.
        if summary.filesImported == 0, try holdsAlready(golden: golden, ids: ids, previous: previous, queue: queue, records: records) { return }

        let drafts = queue.map { pair in
            let explanation = scorer.explain(Int(pair.a), Int(pair.b))
            return CandidateDraft(
                a: records.id(of: Int(pair.a)), b: records.id(of: Int(pair.b)), probability: explanation.probability, key: explanation.key,
                explanation: explanation.json)
        }
        let overrides = try storeCall { () throws(StoreError) in try matching.goldenOverrides() }
        let run = try storeCall { () throws(StoreError) in try matching.startMatchRun(actor: environment.user, at: environment.timestamp) }
        let statistics = MatchService.json(["spark_run": summary.run, "records": String(records.count), "golden": String(golden.count)])
        let write = GoldenWrite(
            set: golden, records: records, index: index, ids: ids,
            writer: GoldenJSONWriter(set: golden, records: records, policy: configuration.survivorship), overrides: overrides)
        let timestamp = environment.timestamp
        summary.written = try storeCall { () throws(StoreError) in
            try matching.writeMatchResult(
                run: run, candidates: CandidateBatches(drafts), golden: write, statisticsJSON: statistics, modelJSON: MatchService.json(model),
                at: timestamp)
        }
        summary.matchWritten = true
    }

    /// Whether every record already has the golden id the run gives it and the open queue is the run's.
    func holdsAlready(
        golden: GoldenRecordSet, ids: [Int64], previous: [Int64], queue: [(rule: Int64, a: Int32, b: Int32)], records: MatchRecords
    ) throws(EngineError) -> Bool {
        for cluster in 0..<golden.count {
            for member in golden.members(of: cluster) where previous[Int(member)] != ids[cluster] { return false }
        }
        let open = try storeCall { () throws(StoreError) in
            try workspace.repositories.matching.candidates(status: .open, limit: Int.max, around: 0.5)
        }
        let stored = Set(open.map { "\($0.a)\u{1}\($0.b)" })
        let wanted = Set(queue.map { pair -> String in
            let (a, b) = (records.id(of: Int(pair.a)), records.id(of: Int(pair.b)))
            return a < b ? "\(a)\u{1}\(b)" : "\(b)\u{1}\(a)"
        })
        return stored == wanted
    }

    /// Two records as one key, in either order.
    static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(min(a, b))) << 32 | UInt64(UInt32(max(a, b))) }

    /// The model the run trained (its `model` dataset: the text `cdp spark worker train` printed).
    static func model(_ rows: [Row]) throws(EngineError) -> FellegiSunterModel {
        guard let row = rows.first else { throw EngineError(.input, "the run's model dataset is empty; export the run again") }
        struct Trained: Decodable { var model: FellegiSunterModel }
        let text = try row.text("model")
        guard let trained = try? JSONDecoder().decode(Trained.self, from: Data(text.utf8)) else {
            throw row.problem("\"model\" is not the model `cdp spark worker train` writes")
        }
        return trained.model
    }
}
