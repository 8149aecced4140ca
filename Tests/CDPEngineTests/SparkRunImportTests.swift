import CDPCore
import CDPRepositories
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// `cdp spark import` end to end without a JVM: a Spark run's export folder is written here in Spark's layout (JSON
/// lines per dataset) from the engine's own Spark stages — the ingest worker's rows, and the clusters, candidate
/// pairs and model matching gives — then imported into a workspace whose lake has never ingested, and read back
/// through the reader and review service the console uses.
@Suite(.serialized) struct SparkRunImportTests {
    static let environment = Environment.fixed(at: 1_765_000_000, user: "ann")

    /// A generated data set: the Spark side's inbox and the importing workspace's configuration.
    static let generated: Result<URL, any Error> = Result {
        let folder = EngineFixture.temporaryFolder("spark-import-data")
        _ = try SampleDataGenerator(options: GeneratorOptions(customers: 400, seed: 7)).write(to: folder)
        return folder
    }

    /// A new workspace over the generated data, its lake empty; `users` given roles of the shipped access file.
    static func workspace(_ name: String, users: [String: String] = [:]) throws -> Workspace {
        let folder = EngineFixture.temporaryFolder(name)
        try WorkspaceInitializer.initialize(at: folder.path, from: try generated.get().path, administrator: "ann")
        let workspace = try Workspace(at: folder.path)
        return try EngineFixture.withAccess(
            workspace, roles: ["steward": ["view_pii", "remediate_quarantine", "decide_merges", "run_workflows"], "analyst": ["run_workflows"]],
            users: users)
    }

    /// The keys `source`'s reference rules read, as the lake holds them now (what the driver hands a worker).
    static func referenceKeys(of source: SourceConfiguration, in workspace: Workspace) throws -> [SourceName: KeySet] {
        let checks = SourceChecks(source: source, rules: workspace.rules, defaultCountry: workspace.configuration.defaultCountry)
        var keys: [SourceName: KeySet] = [:]
        for target in checks.referencedSources {
            keys[target] = try workspace.store.currentKeys(source: target, entity: try workspace.source(target).entity)
        }
        return keys
    }

    /// What a Spark run gave, and the folder it was exported to.
    struct Run {
        var folder: URL
        var id: String
        /// Each customer's golden id in the run.
        var golden: [SourceRecordID: Int64]
        /// The pairs the run leaves for review (weight at or above the review weight, two clusters).
        var review: Set<String>
        var quarantined: Int
    }

    /// Spark's run over `workspace`'s inbox (another workspace reads the same files): the ingest worker's rows
    /// source by source (as the driver's waves feed it), then the match of those rows, exported as JSON lines.
    /// `splitting` records are taken out of their cluster into one of their own, as if Spark's clustering had
    /// decided so, so the test can tell the run's clusters from a match the import might make itself.
    /// - Parameter matches: false for a run without matching (no golden records, candidates or model).
    static func sparkRun(
        _ id: String, over spark: Workspace, folder name: String, sources: [SourceName] = SparkIngestWorkerTests.order,
        decisions: [PairDecision] = [], splitting: Int = 1, matches: Bool = true
    ) throws -> Run {
        let folder = EngineFixture.temporaryFolder(name)
        var datasets: [String: [String]] = [:]
        func add(_ dataset: String, _ object: [String: Any]) throws {
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            datasets[dataset, default: []].append(String(decoding: data, as: UTF8.self))
        }
        // Ingest: the embedded lake of the Spark side gives each worker the reference keys it would be handed.
        var quarantined = 0
        for name in sources {
            let source = try spark.source(name)
            let keys = try referenceKeys(of: source, in: spark)
            _ = try SourceIngestor(workspace: spark, source: source, environment: environment, run: nil).ingest()
            let worker = try SparkIngestWorker(
                configuration: spark.configuration, rules: spark.rules, source: name, today: environment.today, referenceKeys: keys)
            let files = try spark.files(for: source).files.map { (spark.relativePath($0), try Data(contentsOf: $0)) }
            var framed: [UInt8] = []
            var batchOf: [String: (sha: String, bytes: Int)] = [:]
            for (file, content) in files {
                let sha = FileDigest.sha256(of: content)
                let batch = String(sha.prefix(16))
                batchOf[batch] = (sha, content.count)
                framed += Array(#"{"batch":"\#(batch)","file":"\#(file)","bytes":\#(content.count)}"#.utf8) + [10] + [UInt8](content)
                try add("bronze", ["source": name.rawValue, "batch": batch, "file": file, "path": "file:///in/\(file)", "sha256": sha,
                                   "bytes": content.count, "content": content.base64EncodedString()])
            }
            for line in try SparkIngestWorkerTests.run(worker, framed) {
                var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let kind = object.removeValue(forKey: "kind") as? String
                if kind == "batch" {
                    let batch = try #require(object["batch"] as? String)
                    object["sha256"] = batchOf[batch]?.sha
                    object["bytes"] = batchOf[batch]?.bytes
                    object["run"] = id
                    try add("batches", object)
                    continue
                }
                // Spark reads the worker's `values` object into a text column: its JSON text.
                if let values = object["values"] {
                    object["values"] = String(decoding: try JSONSerialization.data(withJSONObject: values, options: [.sortedKeys]), as: UTF8.self)
                }
                if kind == "quarantine" { quarantined += 1 }
                try add(kind == "silver" ? "silver" : "quarantine", object)
            }
        }
        func writeDatasets() throws {
            for (dataset, lines) in datasets {
                let directory = folder.appendingPathComponent(dataset)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                // Spark's parts: more than one, read in name order.
                let half = lines.count / 2
                try (lines[..<half].joined(separator: "\n") + "\n").write(
                    to: directory.appendingPathComponent("part-00000-x.json"), atomically: true, encoding: .utf8)
                try (lines[half...].joined(separator: "\n") + "\n").write(
                    to: directory.appendingPathComponent("part-00001-x.json"), atomically: true, encoding: .utf8)
                _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("_SUCCESS").path, contents: Data())
            }
        }
        guard matches else {
            try writeDatasets()
            return Run(folder: folder, id: id, golden: [:], review: [], quarantined: quarantined)
        }
        // Matching, with the stages' result (SparkMatchWorkerTests proves the stages give the embedded one).
        let service = MatchService(workspace: spark, environment: environment)
        let configuration = try service.configuration()
        let records = try service.loadRecords(attributes: configuration.attributeNames)
        let index = SourceRecordIndex(records)
        var mustLink: [(Int32, Int32)] = []
        var cannotLink: [(Int32, Int32)] = []
        for decision in decisions {
            guard let a = index[decision.a], let b = index[decision.b] else { continue }
            if decision.decision == .match { mustLink.append((a, b)) } else { cannotLink.append((a, b)) }
        }
        let pipeline = MatchPipeline(configuration: configuration)
        let outcome = pipeline.run(records, decisions: .init(mustLink: mustLink, cannotLink: cannotLink))
        var clusterOf = outcome.clusterOf
        var sizes: [Int32: Int] = [:]
        for label in clusterOf { sizes[label, default: 0] += 1 }
        // Take the last member of the first `splitting` clusters of three or more into a cluster of its own.
        var split = 0
        for label in sizes.keys.sorted() where sizes[label] ?? 0 >= 3 && split < splitting {
            let last = try #require(clusterOf.lastIndex(of: label))
            clusterOf[last] = Int32(last)
            split += 1
        }
        try #require(split == splitting)
        var firstIDs: [Int32: Int64] = [:]
        var golden: [SourceRecordID: Int64] = [:]
        for record in 0..<records.count {
            let label = clusterOf[record]
            let id = firstIDs[label] ?? Int64(firstIDs.count + 1)
            firstIDs[label] = id
            let recordID = records.id(of: record)
            golden[recordID] = id
            try add("golden_members", ["source": recordID.source.rawValue, "source_key": recordID.key, "record": record, "cluster": Int(label),
                                        "golden_id": id])
        }
        let blocked = Blocker(records: records, blocking: configuration.blocking).candidatePairs()
        let comparator = PairComparator(comparisons: configuration.comparisons, records: records)
        let decided = Set(decisions.map { "\(min($0.a, $0.b)) \(max($0.a, $0.b))" })
        var review = Set<String>()
        var start = 0
        for (rule, count) in blocked.pairsPerRule.enumerated() {
            for pair in blocked.pairs[start..<start + count] {
                let a = Int(pair >> 32), b = Int(pair & 0xFFFF_FFFF)
                let pattern = comparator.pattern(a, b)
                let weight = outcome.scorer.weight(a, b, pattern: pattern)
                let (x, y) = (records.id(of: a), records.id(of: b))
                try add("candidates", [
                    "a_source": x.source.rawValue, "a_key": x.key, "b_source": y.source.rawValue, "b_key": y.key, "a": a, "b": b, "rule": rule,
                    "pattern": Int64(bitPattern: pattern), "weight": weight, "probability": FellegiSunterModel.probability(weight: weight),
                ])
                let key = "\(min(x, y)) \(max(x, y))"
                if weight >= pipeline.reviewWeight, clusterOf[a] != clusterOf[b], !decided.contains(key) { review.insert(key) }
            }
            start += count
        }
        let model = String(decoding: try JSONEncoder().encode(["model": outcome.model]), as: UTF8.self)
        try add("model", ["run": id, "model": model])
        try writeDatasets()
        return Run(folder: folder, id: id, golden: golden, review: review, quarantined: quarantined)
    }

    /// Each current customer's golden id in `workspace`'s lake, grouped as clusters (ids may differ, grouping may not).
    static func clusters(_ golden: [SourceRecordID: Int64]) -> Set<Set<SourceRecordID>> {
        Set(Dictionary(grouping: golden.keys, by: { golden[$0] ?? 0 }).values.map(Set.init))
    }

    static func lakeGolden(_ workspace: Workspace, _ records: [SourceRecordID]) throws -> [SourceRecordID: Int64] {
        let memberships = try workspace.reader(for: environment).goldenMemberships(of: records)
        return memberships.mapValues(\.golden.rawValue)
    }

    static func openQueue(_ workspace: Workspace) throws -> [CandidateRow] {
        try workspace.reader(for: environment).candidates(status: .open, limit: 100_000, around: 0.5)
    }

    static func key(_ row: CandidateRow) -> String { "\(min(row.a, row.b)) \(max(row.a, row.b))" }

    @Test func anImportedRunIsWhatTheConsoleShowsAndImportingItAgainChangesNothing() throws {
        let spark = try Self.workspace("spark-import-side")
        let run = try Self.sparkRun("20261208T000000Z-aaaaaa", over: spark, folder: "spark-import-run1")
        let lake = try Self.workspace("spark-import-lake")
        let summary = try SparkRunImport(workspace: lake, environment: Self.environment, folder: run.folder).run()
        #expect(summary.run == run.id)
        #expect(summary.filesImported == 5 && summary.filesAlreadyInLake == 0)
        #expect(summary.matchWritten)

        // Quarantine: the run's held records, with the fields and reasons the embedded ingest gives the same files.
        let reader = lake.reader(for: Self.environment)
        let held = try reader.quarantineRecords(QuarantineFilter(limit: 100_000))
        let embeddedHeld = try spark.reader(for: Self.environment).quarantineRecords(QuarantineFilter(limit: 100_000))
        #expect(held.count == run.quarantined && run.quarantined > 10)
        let comparable = { (records: [QuarantineRecord]) in
            records.map { "\($0.source) \($0.sourceKey) \($0.line) \($0.fields.sorted { $0.key < $1.key }) \($0.failures)" }.sorted()
        }
        #expect(comparable(held) == comparable(embeddedHeld))
        // A held record's text is read from the landed file, as the console's Record screen reads it.
        let firstHeld = try #require(held.first)
        let landed = try #require(try lake.repositories.quarantine.landedRecord(of: firstHeld.id))
        #expect(!(landed.text ?? "").isEmpty)

        // Silver: the same current customers; golden records: the run's clusters (one split from what a match in the
        // lake would give), ids as the run gave them.
        let service = MatchService(workspace: lake, environment: Self.environment)
        let customers = try service.loadRecords(attributes: try service.configuration().attributeNames)
        let ids = (0..<customers.count).map { customers.id(of: $0) }
        #expect(Set(ids) == Set(run.golden.keys))
        let golden = try Self.lakeGolden(lake, ids)
        #expect(golden == run.golden)
        let embedded = try MatchService(workspace: spark, environment: Self.environment).runAuthorized(persist: true)
        #expect(embedded.golden == Set(run.golden.values).count - 1)

        // The review queue: the run's pairs, each explained.
        let queue = try Self.openQueue(lake)
        #expect(Set(queue.map(Self.key)) == run.review && !run.review.isEmpty)
        #expect(queue.allSatisfy { $0.explanation.contains("\"terms\"") && !$0.key.isEmpty })
        let audit = try lake.repositories.audit.auditEntries(AuditFilter(action: "spark.import"))
        #expect(audit.count == 1 && audit.first?.target == "spark run \(run.id)")

        // Again: nothing changes — the same candidates (ids included), batches and golden records.
        let batches = try lake.repositories.batches.batches()
        let again = try SparkRunImport(workspace: lake, environment: Self.environment, folder: run.folder).run()
        #expect(again.filesImported == 0 && again.filesAlreadyInLake == 5 && !again.matchWritten)
        #expect(try Self.openQueue(lake) == queue)
        #expect(try lake.repositories.batches.batches() == batches)
        #expect(try Self.lakeGolden(lake, ids) == golden)
        #expect(try reader.quarantineRecords(QuarantineFilter(limit: 100_000)) == held)
    }

    /// A steward's decision made in the lake between two runs is kept: the next run (which read it) is imported, the
    /// decided pair leaves the queue and the earlier import's queue is replaced. A run made before a decision that it
    /// contradicts is refused, naming the pair.
    @Test func aLaterRunReplacesTheEarlierImportAndStewardDecisionsHold() throws {
        let spark = try Self.workspace("spark-import-side2")
        let first = try Self.sparkRun("20261208T000000Z-bbbbbb", over: spark, folder: "spark-import-run2a")
        let lake = try Self.workspace("spark-import-lake2", users: ["sam": "steward"])
        _ = try SparkRunImport(workspace: lake, environment: Self.environment, folder: first.folder).run()

        // sam approves the first pair of the queue in the lake, as the console's review does.
        let queue = try Self.openQueue(lake)
        let approved = try #require(queue.first)
        let sam = Environment.fixed(at: 1_765_000_100, user: "sam")
        _ = try MatchReview(workspace: lake, environment: sam).approve(approved.id)
        let decisions = try lake.repositories.matching.pairDecisions()
        #expect(decisions.count == 1)

        // The first run again (made before the approval, which it contradicts): refused, nothing written.
        let refused = SparkRunImport(workspace: lake, environment: Self.environment, folder: try Self.rerun(first, "spark-import-run2b")).run
        #expect {
            _ = try refused()
        } throws: { error in
            let error = try #require(error as? EngineError)
            return error.code == .refused && error.message.contains("\(approved.a)") && error.message.contains("decided match")
        }

        // The next run read the decision: imported; the pair is together, out of the queue, and the decision stays.
        // It also read a new file: one new customer.
        let laterSide = try Self.workspace("spark-import-side3")
        // The file holds a Latin-1 line (a deliberate problem): read its first line as bytes.
        let existing = try Data(contentsOf: laterSide.root.appendingPathComponent("inbox/crm/customers.csv"))
        let header = String(decoding: try #require(existing.split(separator: UInt8(ascii: "\n")).first), as: UTF8.self)
            .trimmingCharacters(in: .newlines)
        try (header + "\nC9999999,Zed,Newman,zed.newman@example.com,,1971-03-04,1 New Street,Leeds,LS1 1AA,GB,2026-12-01 10:00:00,2026-12-01 10:00:00,gold,Y,N\n")
            .write(to: laterSide.root.appendingPathComponent("inbox/crm/customers_new.csv"), atomically: true, encoding: .utf8)
        let second = try Self.sparkRun("20261208T010000Z-cccccc", over: laterSide, folder: "spark-import-run2c", decisions: decisions)
        let summary = try SparkRunImport(workspace: lake, environment: Self.environment, folder: second.folder).run()
        #expect(summary.matchWritten && summary.filesImported == 1 && summary.filesAlreadyInLake == 5 && summary.silverRows == 1)
        let newcomer = SourceRecordID(source: "crm_customers", key: "C9999999")
        #expect(try Self.lakeGolden(lake, [newcomer])[newcomer] != nil)
        let after = try Self.openQueue(lake)
        #expect(Set(after.map(Self.key)) == second.review)
        #expect(!after.contains { Self.key($0) == Self.key(approved) })
        let together = try Self.lakeGolden(lake, [approved.a, approved.b])
        #expect(together[approved.a] != nil && together[approved.a] == together[approved.b])
        #expect(try lake.repositories.matching.pairDecisions() == decisions)
    }

    /// A run folder exported again under a new name (the same run): what a steward imports a second time.
    static func rerun(_ run: Run, _ name: String) throws -> URL {
        let folder = EngineFixture.temporaryFolder(name)
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.copyItem(at: run.folder, to: folder)
        return folder
    }

    /// Importing writes silver and quarantine unmasked and replaces golden records: an analyst (no `view_pii`) is
    /// refused and the refusal audited; so is acting for another user, who would have cdp read a folder they name.
    @Test func importingNeedsToRunWorkflowsAndSeePersonalData() throws {
        let spark = try Self.workspace("spark-import-side4")
        let run = try Self.sparkRun("20261208T000000Z-dddddd", over: spark, folder: "spark-import-run4")
        let lake = try Self.workspace("spark-import-lake4", users: ["ana": "analyst"])
        let ana = Environment.fixed(at: 1_765_000_000, user: "ana")
        #expect {
            _ = try SparkRunImport(workspace: lake, environment: ana, folder: run.folder).run()
        } throws: { error in
            let error = try #require(error as? EngineError)
            return error.code == .forbidden && error.message.contains("view")
        }
        let refusals = try lake.repositories.audit.auditEntries(AuditFilter(action: "access.refused"))
        #expect(refusals.contains { $0.actor == "ana" && ($0.target.contains("spark.import") || ($0.reason ?? "").contains("spark.import")) })
        #expect(try lake.repositories.batches.batches().isEmpty)
        // The service account acting for ann (`--as ann`, an admin) would read a folder ann names as itself.
        let acting = Environment(now: { 1_765_000_000 }, user: "ann", actingAccount: "cdp")
        #expect {
            _ = try SparkRunImport(workspace: lake, environment: acting, folder: run.folder).run()
        } throws: { error in
            (error as? EngineError)?.code == .forbidden && (error as? EngineError)?.message.contains(run.folder.path) == true
        }
        #expect(try lake.repositories.batches.batches().isEmpty)
    }

    // MARK: - Quarantine fixes and plans carry the steward's work to Spark

    /// Held customers a steward fixed (an email written `name at host` corrected to `name@host`) and released in the
    /// lake, at most `count`: the records released.
    static func releaseFixedEmails(_ workspace: Workspace, count: Int, as steward: Environment = environment) throws -> [QuarantineRecord] {
        let service = QuarantineService(workspace: workspace, environment: steward)
        var released: [QuarantineRecord] = []
        let held = try workspace.reader(for: steward).quarantineRecords(QuarantineFilter(source: "crm_customers", statuses: [.open], limit: 100_000))
        for record in held where released.count < count {
            guard record.failures.allSatisfy({ $0.field == "email" }), let email = record.fields["email"], email.contains(" at ") else { continue }
            _ = try service.fix(record.id, edits: ["email": email.replacingOccurrences(of: " at ", with: "@")])
            guard (try? service.release(record.id)) != nil else { continue }
            released.append(try service.record(record.id))
        }
        return released
    }

    /// The current customers the Spark ingest stage gives over `workspace`'s files with `releases`, matched as the
    /// Spark stages match them (the sources' silver rows, latest per key, numbered in the canonical order): each
    /// record's cluster members. And the silver lines by key.
    static func sparkCustomers(_ workspace: Workspace, releases: [SparkRelease]) throws -> (clusters: [SourceRecordID: Set<SourceRecordID>], silver: [SourceRecordID: [String: JSONScalar]]) {
        var latest: [SourceRecordID: [String: JSONScalar]] = [:]
        for name in workspace.configuration.sources.filter({ $0.entity == .customer }).map(\.name) {
            let source = try workspace.source(name)
            let keys = try referenceKeys(of: source, in: workspace)
            let worker = try SparkIngestWorker(
                configuration: workspace.configuration, rules: workspace.rules, source: name, today: environment.today, referenceKeys: keys,
                releases: releases)
            var framed: [UInt8] = []
            for file in workspace.files(for: source).files {
                let content = try Data(contentsOf: file)
                framed += Array(#"{"batch":"\#(FileDigest.sha256(of: content).prefix(16))","file":"\#(workspace.relativePath(file))","bytes":\#(content.count)}"#.utf8)
                    + [10] + [UInt8](content)
            }
            for line in try SparkIngestWorkerTests.run(worker, framed) where line.hasPrefix(#"{"kind":"silver""#) {
                let fields = try JSONLineParser.parseDictionary(line)
                latest[SourceRecordID(source: name, key: fields["source_key"]?.text ?? "")] = fields
            }
        }
        let configuration = try MatchService(workspace: workspace, environment: environment).configuration()
        let matcher = SparkMatchWorker(configuration: configuration)
        // The canonical order: source, then key, byte order.
        let ordered = latest.keys.sorted { a, b in
            a.source != b.source
                ? Array(a.source.rawValue.utf8).lexicographicallyPrecedes(Array(b.source.rawValue.utf8))
                : Array(a.key.utf8).lexicographicallyPrecedes(Array(b.key.utf8))
        }
        let numbered = try ordered.enumerated().map { number, id in
            try SparkMatchWorker.record(latest[id] ?? [:], number: Int32(number), attributes: configuration.attributeNames, line: number + 1)
        }
        let records = matcher.records(numbered).records
        let clusterOf = MatchPipeline(configuration: configuration).run(records).clusterOf
        var members: [Int32: Set<SourceRecordID>] = [:]
        for (record, label) in clusterOf.enumerated() { members[label, default: []].insert(ordered[record]) }
        var clusters: [SourceRecordID: Set<SourceRecordID>] = [:]
        for (record, label) in clusterOf.enumerated() { clusters[ordered[record]] = members[label] }
        return (clusters, latest)
    }

    /// A record a steward fixed in the lake reaches the next Spark run: `cdp spark run`'s decisions file names it
    /// (its file by Spark's batch id, its line, the steward's values), the ingest stage checks that row with them, so
    /// it is in silver with the fixed email, and matching puts it with the records the lake's own match puts it with.
    /// Without the decisions the same stage holds it again.
    @Test func aRecordFixedInTheLakeIsInSparksSilverAndMatched() throws {
        let lake = try Self.workspace("spark-fix-lake")
        for name in SparkIngestWorkerTests.order {
            _ = try SourceIngestor(workspace: lake, source: try lake.source(name), environment: Self.environment, run: nil).ingest()
        }
        let released = try Self.releaseFixedEmails(lake, count: 4)
        try #require(released.count >= 2, "the generated data should hold emails written `name at host`")
        let file = EngineFixture.temporaryFolder("spark-fix-decisions").appendingPathComponent(SparkDecisions.fileName)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let handed = try SparkDecisions.write(from: lake, to: file)
        #expect(handed.releases == released.count)
        let releases = try SparkRelease.read(file: file)
        #expect(Set(releases.map(\.sourceKey)) == Set(released.map(\.sourceKey)))

        _ = try MatchService(workspace: lake, environment: Self.environment).runAuthorized(persist: true)
        let spark = try Self.sparkCustomers(lake, releases: releases)
        let without = try Self.sparkCustomers(lake, releases: [])
        var sharedWithOthers = 0
        for record in released {
            let id = SourceRecordID(source: record.source, key: record.sourceKey)
            #expect(without.silver[id] == nil, "\(id) is held without the steward's fix")
            let values = try #require(spark.silver[id]?["values"]?.text)
            #expect(values.contains(#""email":"\#(record.fields["email"] ?? "")""#), "\(values)")
            // Matched as the lake matched it: the same members in its cluster as in its golden record.
            let golden = try #require(try Self.lakeGolden(lake, [id])[id])
            let members = Set(try lake.repositories.matching.goldenMembers(of: GoldenID(golden)))
            #expect(spark.clusters[id] == members)
            if members.count > 1 { sharedWithOthers += 1 }
        }
        #expect(sharedWithOthers >= 1, "a fixed record should find its other records")
    }

    /// `cdp spark plan` writes the lake's steward work beside the job (owner only), and job.json names it, so a run
    /// of the plan on any cluster applies it as `cdp spark run` does; an analyst (no `view_pii`: the file holds
    /// override values and released records) is refused.
    @Test func aPlanCarriesTheLakesDecisions() throws {
        let spark = try Self.workspace("spark-plan-side")
        let run = try Self.sparkRun("20261208T000000Z-eeeeee", over: spark, folder: "spark-plan-run")
        // `cdp spark plan` runs as the OS user: made an admin here.
        let lake = try Self.workspace("spark-plan-lake", users: ["ana": "analyst", "sam": "steward"].merging(OSIdentity.current.user == "ann" ? [:] : [OSIdentity.current.user: "admin"]) { $1 })
        _ = try SparkRunImport(workspace: lake, environment: Self.environment, folder: run.folder).run()
        let sam = Environment.fixed(at: 1_765_000_100, user: "sam")
        let approved = try #require(try Self.openQueue(lake).first)
        _ = try MatchReview(workspace: lake, environment: sam).approve(approved.id)
        let released = try Self.releaseFixedEmails(lake, count: 1)
        try #require(released.count == 1)

        let out = EngineFixture.temporaryFolder("spark-plan-out")
        let plan = try SparkTestEnvironment.run(["spark", "plan", "-w", lake.root.path, "--out", out.path], log: "plan", seconds: 120)
        try #require(plan.status == 0, "\(plan.output)")
        #expect(plan.output.contains("1 steward decisions") && plan.output.contains("1 released records"), "\(plan.output)")
        let decisions = out.appendingPathComponent(SparkDecisions.fileName)
        let mode = try FileManager.default.attributesOfItem(atPath: decisions.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let text = try String(contentsOf: decisions, encoding: .utf8)
        #expect(text.contains(#""a_key":"\#(approved.a.key)""#) && text.contains(#""decision":"match""#))
        #expect(try SparkRelease.read(file: decisions).map(\.sourceKey) == released.map(\.sourceKey))
        let job = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("job.json"))) as? [String: Any]
        #expect(job?["decisions"] as? String == SparkDecisions.fileName)
        #expect(try lake.repositories.audit.auditEntries(AuditFilter(action: "spark.plan")).count == 1)

        #expect {
            try lake.authorizeSparkPlan(Environment.fixed(at: 1_765_000_200, user: "ana"), folder: out)
        } throws: { error in
            (error as? EngineError)?.code == .forbidden
        }
    }

    /// Two sources that land the same bytes (one file delivered to both) share Spark's batch id, the file's hash:
    /// each source's rows are still its own, and a run without matching imports its files alone.
    @Test func twoSourcesLandingTheSameBytesKeepTheirOwnRows() throws {
        let text = "id,first,last,email\n1,Ann,Lee,ann@example.com\n2,Bob,Ray,not-an-email\n"
        func workspace(_ name: String) throws -> Workspace {
            let folder = EngineFixture.temporaryFolder(name)
            for source in ["crm", "shop"] {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent("inbox/\(source)"), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: folder.appendingPathComponent("inbox/\(source)/customers.csv"))
            }
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("governance"), withIntermediateDirectories: true)
            let sources = ["crm", "shop"].map { name in
                """
                [[sources]]
                name = "\(name)"
                entity = "customer"
                format = "csv"
                path = "inbox/\(name)/customers*.csv"
                primary_key = "id"

                [sources.mapping]
                first_name = "first"
                last_name = "last"
                email = "email"
                """
            }
            try ("[workspace]\nname = \"Twins\"\ndefault_country = \"GB\"\n\n" + sources.joined(separator: "\n\n") + "\n")
                .write(to: folder.appendingPathComponent("cdp.toml"), atomically: true, encoding: .utf8)
            try """
                [[rules]]
                name = "email_format"
                dataset = "crm"
                check = "format"
                field = "email"
                format = "email"
                """.write(to: folder.appendingPathComponent("governance/rules.toml"), atomically: true, encoding: .utf8)
            return try Workspace(at: folder.path)
        }
        let run = try Self.sparkRun("20261208T000000Z-ffffff", over: try workspace("spark-twins-side"), folder: "spark-twins-run", sources: ["crm", "shop"], matches: false)
        let lake = try workspace("spark-twins-lake")
        let summary = try SparkRunImport(workspace: lake, environment: EngineFixture.clock, folder: run.folder).run()
        #expect(summary.filesImported == 2 && !summary.matchWritten)
        // crm holds Bob for his email (its rule), shop takes him: each source's own rows, once.
        #expect(summary.silverRows == 3 && summary.quarantinedRows == 1)
        #expect(try lake.repositories.batches.batches().map(\.rowsSilver).sorted() == [1, 2])
        let held = try lake.reader(for: EngineFixture.clock).quarantineRecords(QuarantineFilter())
        #expect(held.map { "\($0.source) \($0.sourceKey)" } == ["crm 2"])
    }
}
