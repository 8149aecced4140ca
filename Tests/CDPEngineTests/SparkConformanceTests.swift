import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// What needs a real Spark (`pyspark` 4.3 and Java 17): a JVM start costs some 15 s, so these run only when
/// `CDP_REQUIRE_SPARK=1` (`.ci/run`'s Spark step sets it), and then a missing Spark fails them instead of
/// leaving them out.
enum SparkTestEnvironment {
    static var isRequired: Bool { ProcessInfo.processInfo.environment["CDP_REQUIRE_SPARK"] == "1" }

    /// The `cdp` built beside the tests, which `cdp spark run` also hands the executors.
    static var cdp: URL {
        get throws {
            let built = EngineFixture.repositoryRoot.appendingPathComponent(".build/debug/cdp")
            try #require(FileManager.default.isExecutableFile(atPath: built.path), "build cdp first: swift build")
            return built
        }
    }

    /// Where the Spark tests write their logs: `CDP_SPARK_TEST_LOGS` (`.ci/run` prints their tails when the step
    /// fails), else a scratch folder of the test process.
    static let logs: URL = {
        let folder = ProcessInfo.processInfo.environment["CDP_SPARK_TEST_LOGS"].map { URL(fileURLWithPath: $0) }
            ?? EngineFixture.temporaryFolder("spark-logs")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }()

    /// A line on standard error at once: the test runner's own output is buffered, and is lost if CI's timeout
    /// has to kill it, so these lines are what shows where a slow Spark step spent its time.
    /// The same line goes to `logs/progress.log`, in case the runner's own output passes through a buffer too.
    static func progress(_ line: String) {
        let stamped = "spark test \(Date().formatted(.iso8601)): \(line)\n"
        FileHandle.standardError.write(Data(stamped.utf8))
        let file = logs.appendingPathComponent("progress.log")
        if !FileManager.default.fileExists(atPath: file.path) { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        if let handle = try? FileHandle(forWritingTo: file) {
            _ = try? handle.seekToEnd()
            handle.write(Data(stamped.utf8))
            try? handle.close()
        }
    }

    /// Runs `cdp` with its output in `logs/<log>.log` (a pipe could be held open by a process Spark leaves behind)
    /// and stops it, with every process it started, once `seconds` have passed: the test then fails with the log's
    /// tail instead of hanging the CI step.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], log: String, seconds: Int
    ) throws -> (status: Int32, output: String) {
        let file = logs.appendingPathComponent(log + ".log")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = try cdp
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        let started = Date()
        progress("cdp \(arguments.prefix(2).joined(separator: " ")) started (log \(file.path), stopped after \(seconds) s)")
        try process.run()
        while process.isRunning, Date().timeIntervalSince(started) < Double(seconds) { usleep(200_000) }
        let output = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        if process.isRunning {
            ProcessTree.stop(process.processIdentifier)
            process.waitUntilExit()
            progress("cdp \(arguments.prefix(2).joined(separator: " ")) stopped after \(seconds) s")
            Issue.record("cdp \(arguments.joined(separator: " ")) ran past \(seconds) s and was stopped; its log ends: \(output.suffix(3000))")
            throw CancellationError()
        }
        progress("cdp \(arguments.prefix(2).joined(separator: " ")) exited \(process.terminationStatus) after \(Int(Date().timeIntervalSince(started))) s")
        return (process.terminationStatus, output)
    }

    /// What a line of Python prints (to find pyspark's own folder).
    static func pythonOutput(_ code: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", code]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The sample workspace with every source ingested by the embedded lake: what a Spark run is compared with.
    /// Matching draws 30,000 random pairs for u instead of the shipped 300,000 (both engines read the workspace's
    /// matching.toml): they are most of the pairs a run compares, and the Spark tests must stay short.
    static func ingestedSample(_ name: String) throws -> Workspace {
        let workspace = try sample(name)
        let environment = Environment.live(user: "tester")
        for name in SparkIngestWorkerTests.order {
            _ = try SourceIngestor(workspace: workspace, source: try workspace.source(name), environment: environment, run: nil).ingest()
        }
        return workspace
    }

    /// The sample workspace as `ingestedSample` configures it, its lake empty.
    static func sample(_ name: String) throws -> Workspace {
        // `cdp spark run` runs as the OS user, who needs run_workflows and view_pii: the tests' user is made admin.
        let user = OSIdentity.current.user
        let sample = try EngineFixture.sampleWorkspace(name)
        let workspace = user == "ann" ? sample : try EngineFixture.withAccess(sample, roles: [:], users: [user: "admin"])
        let matching = workspace.root.appendingPathComponent(MatchingConfigurationLoader.path)
        let text = try String(contentsOf: matching, encoding: .utf8)
        try #require(text.contains("random_pairs = 300000"))
        try text.replacingOccurrences(of: "random_pairs = 300000", with: "random_pairs = 30000").write(to: matching, atomically: true, encoding: .utf8)
        return workspace
    }

    /// The silver and quarantine rows a run exported with `--export`, as comparable lines.
    static func exportedRows(in export: URL) throws -> [String] {
        let silver = try jsonLines(in: export.appendingPathComponent("silver"))
        let quarantine = try jsonLines(in: export.appendingPathComponent("quarantine"))
        return try silver.map { try SparkIngestWorkerTests.comparable(workerLine: $0, kind: "silver") }
            + quarantine.map { try SparkIngestWorkerTests.comparable(workerLine: $0, kind: "quarantine") }
    }

    /// A run's candidate pairs, links and clusters (exported with `--export`) are the embedded match's over the same
    /// silver: the same pairs, each from the same rule with the same levels and weight (to 1e-9), the same
    /// hard-identifier links, and the same clusters (membership).
    static func expectEmbeddedMatching(_ workspace: Workspace, export: URL) throws {
        let service = MatchService(workspace: workspace, environment: .fixed(at: 1_765_000_000))
        let configuration = try service.configuration()
        let records = try service.loadRecords(attributes: configuration.attributeNames)
        let outcome = MatchPipeline(configuration: configuration).run(records)
        let blocked = Blocker(records: records, blocking: configuration.blocking).candidatePairs()
        let comparator = PairComparator(comparisons: configuration.comparisons, records: records)

        var expected: [String: (rule: Int, levels: [Int], weight: Double)] = [:]
        var start = 0
        for (rule, count) in blocked.pairsPerRule.enumerated() {
            for pair in blocked.pairs[start..<start + count] {
                let a = Int(pair >> 32), b = Int(pair & 0xFFFF_FFFF)
                let pattern = comparator.pattern(a, b)
                expected["\(records.id(of: a)) \(records.id(of: b))"] = (
                    rule, configuration.comparisons.indices.map { PairComparator.level(pattern, $0) }, outcome.scorer.weight(a, b, pattern: pattern)
                )
            }
            start += count
        }
        struct Candidate: Decodable {
            var a_source: String
            var a_key: String
            var b_source: String
            var b_key: String
            var rule: Int
            var levels: [Int]
            var weight: Double
        }
        let candidates = try jsonLines(in: export.appendingPathComponent("candidates")).map {
            try JSONDecoder().decode(Candidate.self, from: Data($0.utf8))
        }
        #expect(candidates.count == expected.count)
        var wrong: [String] = []
        var largest = 0.0
        for candidate in candidates {
            let key = "\(candidate.a_source):\(candidate.a_key) \(candidate.b_source):\(candidate.b_key)"
            guard let embedded = expected[key] else {
                wrong.append("\(key) is not an embedded candidate")
                continue
            }
            if embedded.rule != candidate.rule || embedded.levels != candidate.levels {
                wrong.append("\(key): rule \(candidate.rule) levels \(candidate.levels), embedded \(embedded.rule) \(embedded.levels)")
            }
            largest = max(largest, abs(embedded.weight - candidate.weight))
        }
        #expect(wrong.isEmpty, "\(wrong.count) candidate pairs differ: \(wrong.prefix(3))")
        #expect(largest <= 1e-9, "the largest weight difference is \(largest)")

        let links = Set(
            try jsonLines(in: export.appendingPathComponent("links")).map { line -> String in
                let fields = try JSONLineParser.parseDictionary(line)
                return [fields["a_source"], fields["a_key"], fields["b_source"], fields["b_key"], fields["identifier"]].map { $0?.text ?? "" }
                    .joined(separator: " ")
            })
        let embeddedLinks = Set(
            Stitcher(records: records, settings: configuration.stitching).links().map { link in
                let a = records.id(of: Int(link.a)), b = records.id(of: Int(link.b))
                return "\(a.source) \(a.key) \(b.source) \(b.key) \(link.identifier.rawValue)"
            })
        #expect(!links.isEmpty && links == embeddedLinks)

        // Clusters by membership: each cluster as the sorted ids of its records.
        func clusters(_ labels: [(SourceRecordID, String)]) -> Set<[SourceRecordID]> {
            Set(Dictionary(grouping: labels, by: \.1).values.map { $0.map(\.0).sorted() })
        }
        let sparkLabels = try jsonLines(in: export.appendingPathComponent("clusters")).map { line -> (SourceRecordID, String) in
            let fields = try JSONLineParser.parseDictionary(line)
            return (SourceRecordID(source: SourceName(fields["source"]?.text ?? ""), key: fields["source_key"]?.text ?? ""), fields["cluster"]?.text ?? "")
        }
        #expect(sparkLabels.count == records.count)
        let embeddedClusters = clusters((0..<records.count).map { (records.id(of: $0), String(outcome.clusterOf[$0])) })
        #expect(clusters(sparkLabels) == embeddedClusters)
        #expect(embeddedClusters.count < records.count)
    }

    /// The lake's current golden records: per id, its attributes as stored and its members.
    static func lakeGolden(_ workspace: Workspace) throws -> [Int: (attributes: String, members: Set<SourceRecordID>)] {
        var members: [Int: Set<SourceRecordID>] = [:]
        try workspace.store.forEachGoldenLink { record, golden in members[Int(golden.rawValue), default: []].insert(record) }
        var result: [Int: (attributes: String, members: Set<SourceRecordID>)] = [:]
        for (id, linked) in members {
            let stored = try #require(try workspace.store.goldenRecord(GoldenID(Int64(id))))
            #expect(stored.record.memberCount == linked.count)
            result[id] = (stored.record.attributesJSON, linked)
        }
        return result
    }

    /// A run's golden records and members (exported with `--export`) are the embedded match's, written into the lake
    /// from the same silver: the same golden ids, each with the same members and the same attribute text.
    static func expectEmbeddedGoldenRecords(_ workspace: Workspace, export: URL) throws {
        _ = try MatchService(workspace: workspace, environment: .fixed(at: 1_765_000_000)).runAuthorized(persist: true)
        let lake = try lakeGolden(workspace)
        var sparkGolden: [Int: String] = [:]
        for line in try jsonLines(in: export.appendingPathComponent("golden")) {
            let fields = try JSONLineParser.parseDictionary(line)
            #expect(fields["retired_run"] == nil, "a first run retires nothing: \(line)")
            sparkGolden[Int(fields["golden_id"]?.text ?? "") ?? 0] = fields["attributes"]?.text
        }
        var sparkMembers: [Int: Set<SourceRecordID>] = [:]
        for line in try jsonLines(in: export.appendingPathComponent("golden_members")) {
            let fields = try JSONLineParser.parseDictionary(line)
            sparkMembers[Int(fields["golden_id"]?.text ?? "") ?? 0, default: []].insert(
                SourceRecordID(source: SourceName(fields["source"]?.text ?? ""), key: fields["source_key"]?.text ?? ""))
        }
        #expect(sparkGolden.count == lake.count)
        #expect(Set(sparkGolden.keys) == Set(lake.keys))
        let differing = lake.filter { sparkGolden[$0.key] != $0.value.attributes || sparkMembers[$0.key] != $0.value.members }
        #expect(differing.isEmpty, "\(differing.count) golden records differ, e.g. \(differing.first.map { "\($0.key): lake \($0.value.attributes), Spark \(sparkGolden[$0.key] ?? "none")" } ?? "")")
    }

    /// Every line of the JSON files Spark wrote into `folder` (one `part-*.json` per task).
    static func jsonLines(in folder: URL) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasPrefix("part-") && $0.hasSuffix(".json")
        }
        return try names.flatMap { name in
            try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }
}

/// A process and everything it started, found through /proc (Spark's JVMs start Python daemons that start workers).
enum ProcessTree {
    /// The process ids below `root`, children before their own children's parents are forgotten.
    static func descendants(of root: pid_t) -> [pid_t] {
        var children: [pid_t: [pid_t]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let end = stat.lastIndex(of: ")")
            else { continue }
            // "pid (name) state ppid …": the name may hold spaces and parentheses, so read after the last ")".
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { children[parent, default: []].append(pid) }
        }
        var found: [pid_t] = []
        var queue = children[root] ?? []
        while let pid = queue.popLast() {
            found.append(pid)
            queue += children[pid] ?? []
        }
        return found
    }

    /// SIGTERM to `root` and all it started, then SIGKILL to whatever is still there 5 s later.
    static func stop(_ root: pid_t) {
        let all = [root] + descendants(of: root)
        for pid in all { kill(pid, SIGTERM) }
        for _ in 0..<25 where all.contains(where: { kill($0, 0) == 0 }) { usleep(200_000) }
        for pid in all where kill(pid, 0) == 0 { kill(pid, SIGKILL) }
    }
}

/// A standalone Spark cluster on 127.0.0.1: a master and two workers, each its own JVM (`spark-class`), stopped
/// by their process ids when the test ends, however it ends.
final class LocalSparkCluster {
    private(set) var masterURL: String
    private var processes: [Process] = []

    init() throws {
        let probe = try SparkTestEnvironment.pythonOutput("import os, pyspark; print(os.path.dirname(pyspark.__file__))")
        let sparkClass = probe + "/bin/spark-class"
        try #require(FileManager.default.isExecutableFile(atPath: sparkClass), "no spark-class in \(probe): pip install pyspark==4.3.0")
        let port = 17_000 + Int(getpid() % 500) * 4
        masterURL = "spark://127.0.0.1:\(port)"
        do {
            try start(
                sparkClass,
                ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", "\(port)", "--webui-port", "\(port + 1)"],
                log: "cluster-master")
            let masterLog = try waitFor("cluster-master", text: "I have been elected leader")
            // Spark moves to the next port when one is taken: use the address the master says it started at.
            if let line = masterLog.split(separator: "\n").first(where: { $0.contains("Starting Spark master at spark://") }),
                let url = line.split(separator: " ").last(where: { $0.hasPrefix("spark://") })
            {
                masterURL = String(url)
            }
            for worker in 1...2 {
                try start(
                    sparkClass,
                    [
                        // The executors' folders (each holds a copy of `cdp`) in the test's scratch, not in pyspark's.
                        "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1", "--memory", "1g",
                        "--work-dir", EngineFixture.temporaryFolder("spark-worker\(worker)").path,
                        "--webui-port", "\(port + 1 + worker)", masterURL,
                    ], log: "cluster-worker\(worker)")
            }
            for worker in 1...2 { try waitFor("cluster-worker\(worker)", text: "Successfully registered with master") }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    private func start(_ sparkClass: String, _ arguments: [String], log: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sparkClass)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SPARK_LOCAL_IP"] = "127.0.0.1"
        process.environment = environment
        let file = SparkTestEnvironment.logs.appendingPathComponent(log + ".log")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes.append(process)
    }

    /// Waits (at most 90 s) until the JVM's log says `text`, and returns the log.
    @discardableResult
    private func waitFor(_ log: String, text: String) throws -> String {
        let file = SparkTestEnvironment.logs.appendingPathComponent(log + ".log")
        for _ in 0..<180 {
            if let contents = try? String(contentsOf: file, encoding: .utf8), contents.contains(text) { return contents }
            usleep(500_000)
        }
        let contents = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        Issue.record("the Spark \(log) did not say '\(text)' within 90 s: \(contents.suffix(2000))")
        throw CancellationError()
    }

    func stop() {
        // A worker's executors are its children: stop each JVM with what it started.
        for process in processes.reversed() where process.isRunning {
            ProcessTree.stop(process.processIdentifier)
            process.waitUntilExit()
        }
        processes.removeAll()
    }
}

@Suite(.enabled(if: SparkTestEnvironment.isRequired), .serialized)
struct SparkConformanceTests {
    /// The sample workspace through the embedded ingest and through `cdp spark run --master local[2]`: the same
    /// silver and quarantine rows, line for line, values, warnings and reasons included; and the run's lineage.
    @Test func sampleWorkspaceOnLocalSparkMatchesTheEmbeddedLake() throws {
        SparkTestEnvironment.progress("local[2]: the sample through the embedded ingest first")
        let workspace = try SparkTestEnvironment.ingestedSample("spark-conformance")
        let export = EngineFixture.temporaryFolder("spark-export")
        let output = EngineFixture.temporaryFolder("spark-output")
        let run = try SparkTestEnvironment.run([
            "spark", "run", "-w", workspace.root.path, "--master", "local[2]", "--run", "conformance",
            "--output", output.absoluteString, "--export", export.path,
        ], log: "local-run", seconds: 600)
        try #require(run.status == 0, "cdp spark run failed: \(run.output.suffix(3000))")
        #expect(run.output.contains(#"{"run": "conformance", "output": "\#(output.absoluteString)/runs/conformance"}"#))
        // Whole or absent: the staging folder is gone once the run is renamed into place.
        let runs = try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("runs").path)
        #expect(runs == ["conformance"])
        for dataset in ["bronze", "silver", "quarantine", "batches"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("runs/conformance/\(dataset)/_SUCCESS").path))
        }
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("runs/conformance/silver/source=crm_customers").path))
        // What the run wrote holds personal values: only its owner may read any of it (attack 8).
        let mode = try FileManager.default.attributesOfItem(atPath: output.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        let written = FileManager.default.enumerator(at: output, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let readableByOthers = written.filter { url in
            ((try? FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) ?? 0) & 0o077 != 0
        }
        #expect(readableByOthers.isEmpty, "\(readableByOthers.prefix(3).map(\.path))")
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "spark.run")).count == 1)

        let sparkRows = try SparkTestEnvironment.exportedRows(in: export)
        let lakeRows = try SparkIngestWorkerTests.lakeRows(workspace)
        let missing = Set(lakeRows).subtracting(sparkRows).sorted()
        let extra = Set(sparkRows).subtracting(lakeRows).sorted()
        #expect(missing.isEmpty, "rows of the lake Spark did not write: \(missing.prefix(3))")
        #expect(extra.isEmpty, "rows Spark wrote that the lake does not hold: \(extra.prefix(3))")
        #expect(sparkRows.count == lakeRows.count)

        // Lineage: one batch per file, with the file's SHA-256 as the embedded lake records it.
        let batches = try SparkTestEnvironment.jsonLines(in: export.appendingPathComponent("batches")).map {
            try JSONLineParser.parseDictionary($0)
        }
        #expect(batches.count == 5)
        let landed = try workspace.store.batches(source: "crm_customers")
        let customers = try #require(batches.first { $0["source"]?.text == "crm_customers" })
        #expect(customers["sha256"]?.text == landed.first?.sha256)
        #expect(customers["file"]?.text == "inbox/crm/customers.csv")
        #expect(customers["read"]?.text == "5024")
        try SparkTestEnvironment.expectEmbeddedMatching(workspace, export: export)
        try SparkTestEnvironment.expectEmbeddedGoldenRecords(workspace, export: export)

        // `cdp spark import` brings the run into a lake that never ingested: the embedded lake's quarantine, golden
        // records (ids, members, values) and review queue, from Spark's own export (bronze's bytes as base64).
        let importing = try SparkTestEnvironment.sample("spark-import-real")
        let imported = try SparkTestEnvironment.run(["spark", "import", "-w", importing.root.path, "--from", export.path], log: "import", seconds: 300)
        try #require(imported.status == 0, "cdp spark import failed: \(imported.output.suffix(3000))")
        #expect(imported.output.contains("imported Spark run conformance: 5 files"), "\(imported.output)")
        let importedGolden = try SparkTestEnvironment.lakeGolden(importing)
        let embeddedGolden = try SparkTestEnvironment.lakeGolden(workspace)
        #expect(importedGolden.count == embeddedGolden.count)
        #expect(importedGolden.allSatisfy { embeddedGolden[$0.key]?.attributes == $0.value.attributes && embeddedGolden[$0.key]?.members == $0.value.members })
        let queue = { (lake: Workspace) in
            Set(try lake.store.candidates(status: .open, limit: 1_000_000, around: 0.5).map { "\($0.a) \($0.b) \($0.key)" })
        }
        #expect(try queue(importing) == queue(workspace))
        #expect(try SparkIngestWorkerTests.lakeRows(importing).sorted() == lakeRows.sorted())
    }

    /// Review work done in the lake holds on Spark: after an embedded match, a steward approves a pair from the review
    /// queue, unmerges a record from a golden record and overrides a golden value; `cdp spark run` hands these to the
    /// driver, and its golden records are then exactly the embedded match's on the same decisions (ids kept from the
    /// lake, members, values, the override included): the approved pair shares a golden id, the unmerged record is
    /// apart from its old golden record, and the override's value survives.
    @Test func decisionsMadeInTheLakeHoldOnSpark() throws {
        SparkTestEnvironment.progress("decisions: the sample through the embedded ingest and match first")
        let workspace = try SparkTestEnvironment.ingestedSample("spark-decisions")
        let environment = Environment.fixed(at: 1_765_000_000, user: OSIdentity.current.user)
        _ = try MatchService(workspace: workspace, environment: environment).runAuthorized(persist: true)
        let review = MatchReview(workspace: workspace, environment: environment)
        let candidate = try #require(try review.candidates(status: .open, limit: 1).first)
        try #require(try review.approve(candidate.id) != nil)
        let lake = try SparkTestEnvironment.lakeGolden(workspace)
        let (shared, sharedMembers) = try #require(lake.first { $0.value.members.count >= 3 }.map { ($0.key, $0.value.members) })
        let unmerged = try #require(sharedMembers.sorted().last)
        try review.unmerge(GoldenID(Int64(shared)), record: unmerged)
        let overridden = try #require(lake.keys.filter { $0 != shared }.min())
        try review.override(GoldenID(Int64(overridden)), attribute: "email", value: "steward.override@example.com")
        // And a held customer whose email a steward corrected and released: in Spark's silver, matched as in the lake.
        let released = try #require(try SparkRunImportTests.releaseFixedEmails(workspace, count: 1, as: environment).first)

        let export = EngineFixture.temporaryFolder("spark-decisions-export")
        let output = EngineFixture.temporaryFolder("spark-decisions-output")
        let run = try SparkTestEnvironment.run([
            "spark", "run", "-w", workspace.root.path, "--master", "local[2]", "--run", "decided",
            "--output", output.absoluteString, "--export", export.path,
        ], log: "decisions-run", seconds: 600)
        try #require(run.status == 0, "cdp spark run failed: \(run.output.suffix(3000))")
        #expect(run.output.contains("\(sharedMembers.count) steward decisions"), "\(run.output.suffix(2000))")

        var goldenOf: [SourceRecordID: String] = [:]
        for line in try SparkTestEnvironment.jsonLines(in: export.appendingPathComponent("golden_members")) {
            let fields = try JSONLineParser.parseDictionary(line)
            goldenOf[SourceRecordID(source: SourceName(fields["source"]?.text ?? ""), key: fields["source_key"]?.text ?? "")] = fields["golden_id"]?.text
        }
        #expect(goldenOf[candidate.a] != nil && goldenOf[candidate.a] == goldenOf[candidate.b])
        #expect(sharedMembers.filter { $0 != unmerged }.allSatisfy { goldenOf[$0] != goldenOf[unmerged] })
        let overriddenText = try SparkTestEnvironment.jsonLines(in: export.appendingPathComponent("golden")).first {
            (try? JSONLineParser.parseDictionary($0))?["golden_id"]?.text == String(overridden)
        }
        #expect(overriddenText?.contains("steward.override@example.com") == true)
        let fixed = try SparkTestEnvironment.jsonLines(in: export.appendingPathComponent("silver")).first {
            (try? JSONLineParser.parseDictionary($0))?["source_key"]?.text == released.sourceKey
        }
        #expect(fixed?.contains(released.fields["email"] ?? "?") == true, "\(fixed ?? "no silver row of \(released.sourceKey)")")
        // And every golden record is the embedded match's on the same decisions, ids included (the released record's too).
        try SparkTestEnvironment.expectEmbeddedGoldenRecords(workspace, export: export)
    }

    /// The same job on a real standalone cluster (a master and two workers, separate JVMs on 127.0.0.1): `cdp` is
    /// shipped to the executors with `--files` and the configuration travels inside the job, so nothing relies on
    /// a local master sharing the driver's process. Silver and quarantine are again the embedded lake's.
    @Test func sampleWorkspaceOnAStandaloneClusterMatchesTheEmbeddedLake() throws {
        SparkTestEnvironment.progress("cluster: the sample through the embedded ingest first")
        let workspace = try SparkTestEnvironment.ingestedSample("spark-cluster")
        SparkTestEnvironment.progress("cluster: starting a master and two workers")
        let cluster = try LocalSparkCluster()
        defer { cluster.stop() }
        SparkTestEnvironment.progress("cluster: up at \(cluster.masterURL)")
        let export = EngineFixture.temporaryFolder("spark-cluster-export")
        let output = EngineFixture.temporaryFolder("spark-cluster-output")
        let run = try SparkTestEnvironment.run(
            [
                "spark", "run", "-w", workspace.root.path, "--master", cluster.masterURL, "--run", "cluster",
                "--output", output.absoluteString, "--export", export.path,
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.executor.memory=512m", "--conf", "spark.executor.cores=1",
            ], environment: ["SPARK_LOCAL_IP": "127.0.0.1"], log: "cluster-run", seconds: 720)
        try #require(run.status == 0, "cdp spark run on \(cluster.masterURL) failed: \(run.output.suffix(3000))")
        let sparkRows = try SparkTestEnvironment.exportedRows(in: export)
        let lakeRows = try SparkIngestWorkerTests.lakeRows(workspace)
        #expect(Set(sparkRows) == Set(lakeRows))
        #expect(sparkRows.count == lakeRows.count)
        try SparkTestEnvironment.expectEmbeddedMatching(workspace, export: export)
        try SparkTestEnvironment.expectEmbeddedGoldenRecords(workspace, export: export)
    }
}
