import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// A workspace whose lake lives on the team store: `cdp init --store`, then the same commands as on the embedded
/// lake. The scenario runs on both stores and must end the same.
extension TeamStoreTests {
    /// Where a scenario's lake lives.
    enum Store: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case embedded, postgres
        var testDescription: String { rawValue }
    }

    /// A workspace made from the sample data by `cdp init`, on the given store, in a folder (and for PostgreSQL a
    /// database) of its own, removed when `body` returns.
    static func withSampleWorkspace<T>(
        on store: Store, _ name: String, _ body: (_ workspace: String, _ database: String?, _ run: ([String]) throws -> Subprocess.Result) async throws -> T
    ) async throws -> T {
        let cluster = try PostgresTestCluster.get()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pg-\(name)-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let cdp = try cdp()
        var environment = ProcessInfo.processInfo.environment.merging(cluster.clientEnvironment) { $1 }
        environment["TERM"] = "dumb"
        // Whatever $USER says, the store's identity is the role the server logged in.
        environment["USER"] = "mallory"
        let run = { (arguments: [String]) throws -> Subprocess.Result in try Subprocess.run([cdp] + arguments, environment: environment) }
        var database: String?
        var initArguments = ["init", workspace, "--from", root.appendingPathComponent("sample-data").path]
        if store == .postgres {
            let made = try await cluster.makeDatabase(name)
            database = made
            initArguments += ["--store", "postgresql://postgres@/\(made)?host=\(cluster.folder)&port=\(cluster.port)"]
        }
        defer { if let database { Task { await cluster.drop(database) } } }
        let made = try run(initArguments)
        try #require(made.status == 0, "\(made.output)")
        // The five ingest tasks of the sample pipeline, as a workflow of their own.
        try """
            {"name": "ingest_only", "tasks": [
              {"task_key": "crm_customers", "cdp_task": {"step": "ingest", "source": "crm_customers"}},
              {"task_key": "crm_orders", "depends_on": [{"task_key": "crm_customers"}], "cdp_task": {"step": "ingest", "source": "crm_orders"}},
              {"task_key": "marketing_contacts", "cdp_task": {"step": "ingest", "source": "marketing_contacts"}},
              {"task_key": "campaigns", "cdp_task": {"step": "ingest", "source": "campaigns"}},
              {"task_key": "campaign_events", "depends_on": [{"task_key": "marketing_contacts"}, {"task_key": "campaigns"}],
               "cdp_task": {"step": "ingest", "source": "campaign_events"}}]}
            """.write(toFile: workspace + "/workflows/ingest_only.json", atomically: true, encoding: .utf8)
        return try await body(workspace, database, run)
    }

    /// Attack 11: a new release's migrations made every command refuse the store, `cdp access apply -w W --store A`
    /// included (opening `-w W` opened the store first), so an admin could upgrade only from a copy of the workspace
    /// without its `[store]`. `cdp access apply -w W` now installs what is missing, on the workspace's own store.
    @Test func anAdminUpgradesAnOlderStoreWithAccessApply() async throws {
        try await Self.withSampleWorkspace(on: .postgres, "upgrade") { workspace, database, run in
            let cluster = try PostgresTestCluster.get()
            let admin = try await cluster.superuser(try #require(database))
            defer { Task { await admin.close() } }
            // The store as an older release left it: a migration (one that may run again) not recorded.
            let latest = "pg-held-attributes-are-personal"
            #expect(PostgresSchema.migrations.contains { $0.name == latest })
            _ = try await admin.rows("DELETE FROM cdp.schema_migration WHERE name = $1", [latest])
            let refused = try run(["status", "-w", workspace])
            #expect(refused.status != 0 && refused.stderr.contains("lacks migrations \(latest)"), "\(refused.output)")
            let upgraded = try run(["access", "apply", "-w", workspace])
            #expect(upgraded.status == 0, "\(upgraded.output)")
            #expect(upgraded.stdout.contains("installed the team store's schema: \(latest)"), "\(upgraded.output)")
            let status = try run(["status", "-w", workspace])
            #expect(status.status == 0, "\(status.output)")
        }
    }

    /// Counts per source and the rule pass rates, as `cdp status --json` prints them (the workspace's path left out),
    /// and every quarantined record as `cdp quarantine list --json` prints it (the times left out).
    static func statusCounts(_ run: ([String]) throws -> Subprocess.Result, _ workspace: String) throws -> String {
        let status = try run(["status", "-w", workspace, "--json"])
        try #require(status.status == 0, "\(status.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let list = try run(["quarantine", "list", "-w", workspace, "--limit", "100000", "--json"])
        try #require(list.status == 0, "\(list.output)")
        let records = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let held = records.map { $0.filter { $0.key != "createdAt" && $0.key != "updatedAt" } }
        // The first held record's landed row, read from the landed file on the workspace's disk.
        let show = try run(["quarantine", "show", "Q1", "-w", workspace])
        try #require(show.status == 0, "\(show.output)")
        let raw = show.stdout.split(separator: "\n").first { $0.hasPrefix("raw row: ") }.map(String.init) ?? "no raw row"
        let kept: [String: Any] = ["sources": object["sources"] ?? [], "rules": object["rules"] ?? [], "quarantine": held, "raw": raw]
        return String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The ingest of the sample on the embedded lake, once per test process: what the team store must match.
    static func embeddedIngest() async throws -> String {
        if let counts = await EmbeddedReference.shared.counts { return counts }
        let counts = try await withSampleWorkspace(on: .embedded, "reference") { workspace, _, run in
            let ran = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
            try #require(ran.status == 0, "\(ran.output)")
            return try statusCounts(run, workspace)
        }
        await EmbeddedReference.shared.keep(counts)
        return counts
    }

    actor EmbeddedReference {
        static let shared = EmbeddedReference()
        var counts: String?
        func keep(_ counts: String) { self.counts = counts }
    }

    /// `cdp run` lands the sample's files in bronze, silver and quarantine on either store, with the same counts
    /// per source and the same rule pass rates; `cdp verify` finds the lake sound and `cdp audit verify` the chain
    /// intact; a second run lands nothing new.
    @Test(arguments: Store.allCases)
    func theSampleIngestLandsTheSameOnBothStores(store: Store) async throws {
        try await Self.withSampleWorkspace(on: store, "ingest") { workspace, database, run in
            let ran = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
            try #require(ran.status == 0, "\(ran.output)")
            let counts = try Self.statusCounts(run, workspace)
            #expect(counts.contains(#""silverCurrent":"#) && counts.contains(#""failures":"#), "\(counts.prefix(300))")
            #expect(counts.contains(#""raw":"raw row: "#), "\(counts.suffix(300))")
            #expect(counts == (try await Self.embeddedIngest()), "\(store): \(counts.prefix(2000))")
            let verified = try run(["verify", "-w", workspace])
            #expect(verified.status == 0, "\(verified.output)")
            let audit = try run(["audit", "verify", "-w", workspace])
            #expect(audit.status == 0 && audit.stdout.contains("audit chain intact"), "\(audit.output)")
            let again = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
            #expect(again.status == 0, "\(again.output)")
            #expect(try Self.statusCounts(run, workspace) == counts)
            // The scorecard step, the run list and the audit log read and write the same store.
            let scored = try run(["run", "-w", workspace, "--step", "scorecard"])
            #expect(scored.status == 0, "\(scored.output)")
            let runs = try run(["runs", "-w", workspace])
            #expect(runs.status == 0 && runs.stdout.contains("ingest_only") && runs.stdout.contains("succeeded"), "\(runs.output)")
            let log = try run(["audit", "-w", workspace])
            #expect(log.status == 0, "\(log.output)")
            if store == .postgres, let database {
                // The rows are the server's, written as the login role (not $USER), and nothing went to lake/ but landed files.
                let admin = try await PostgresTestCluster.get().superuser(database)
                defer { Task { await admin.close() } }
                let silver = try await admin.rows("SELECT count(*)::text FROM cdp.silver_customer WHERE is_current = 1").first?.first ?? nil
                #expect((Int(silver ?? "0") ?? 0) > 1000, "\(silver ?? "nil")")
                let quarantined = try await admin.rows("SELECT count(*)::text FROM cdp.quarantine_record").first?.first ?? nil
                #expect((Int(quarantined ?? "0") ?? 0) > 0)
                let actors = try await admin.rows("SELECT DISTINCT actor FROM cdp.workflow_run").map { $0.first ?? nil }
                #expect(actors == ["postgres"], "\(actors)")
                #expect(!FileManager.default.fileExists(atPath: workspace + "/lake/lake.sqlite"))
                let toml = try String(contentsOfFile: workspace + "/cdp.toml", encoding: .utf8)
                #expect(toml.contains("[store]") && toml.contains("address = \"postgresql://postgres@/\(database)"), "\(toml)")
            }
        }
    }

    /// On the team store a run takes the store's advisory run lock: while another session holds it, `cdp run`
    /// refuses naming who holds it, and lands nothing.
    @Test func aRunOnTheStoreWaitsForTheStoresRunLock() async throws {
        try await Self.withSampleWorkspace(on: .postgres, "runlock") { workspace, database, run in
            let holder = try await PostgresTestCluster.get().superuser(try #require(database))
            defer { Task { await holder.close() } }
            try await PostgresTeamStore.takeRunLock(holder)
            let refused = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("run lock") && refused.stderr.contains("cdp-tests"), "\(refused.output)")
            #expect(try await holder.rows("SELECT count(*)::text FROM cdp.batch").first?.first == "0")
            try await PostgresTeamStore.releaseRunLock(holder)
            let ran = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
            #expect(ran.status == 0, "\(ran.output)")
        }
    }

    /// Nothing is refused as "not served by the team store" any more: the last such refusal, a fix of a held record's
    /// key, is served (`pg-quarantine-key-fix-as-read`); `aKeyFixEndsTheSameOnBothStores` compares the stores' rows.
    @Test func aFixOfAHeldRecordsKeyIsServedByTheStore() async throws {
        try await Self.withSampleWorkspace(on: .postgres, "keyfix") { workspace, database, run in
            try await Self.ingestSample(workspace, database, run)
            let key = try run(["quarantine", "fix", "Q1", "source_key=C9999999", "-w", workspace])
            #expect(key.status == 0 && !key.output.contains("not served"), "\(key.output)")
            let shown = try run(["quarantine", "show", "Q1", "-w", workspace])
            #expect(shown.status == 0 && shown.stdout.contains("C9999999"), "\(shown.output)")
        }
    }

    /// `cdp init --store` refuses an address holding a password before anything is made.
    @Test func initRefusesAStoreAddressWithAPassword() throws {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pg-password-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let made = try Subprocess.run([try Self.cdp(), "init", workspace, "--store", "postgresql://ada:s3cret@localhost/lake"])
        #expect(made.status != 0)
        #expect(made.stderr.contains("password") && !made.output.contains("s3cret"), "\(made.output)")
        #expect(!FileManager.default.fileExists(atPath: workspace))
    }
}

extension TeamStoreTests {
    /// `cdp bench ingest --store` times the same generated sources into the embedded lake and the team store and
    /// prints both figures; each run's rows are emptied from the store after it, so every run ingests the same
    /// rows into an empty store. A store that already holds batches is refused, untouched.
    @Test func benchIngestTimesTheTeamStoreBesideTheEmbeddedLake() async throws {
        let cluster = try PostgresTestCluster.get()
        let database = try await cluster.makeDatabase("bench")
        defer { Task { await cluster.drop(database) } }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pg-bench-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let environment = ProcessInfo.processInfo.environment.merging(cluster.clientEnvironment) { $1 }
        let address = "postgresql://postgres@/\(database)?host=\(cluster.folder)&port=\(cluster.port)"
        let bench = try Subprocess.run(
            [try Self.cdp(), "bench", "ingest", "--customers", "300", "--runs", "2", "--scratch", scratch, "--store", address, "--json"],
            environment: environment)
        try #require(bench.status == 0, "\(bench.output)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(bench.stdout.utf8)) as? [String: [String: Any]])
        let embedded = try #require(result["embedded"]), onStore = try #require(result["teamStore"])
        #expect((embedded["rows"] as? Int ?? 0) > 1000)
        for key in ["rows", "toSilver", "quarantined"] {
            #expect(embedded[key] as? Int == onStore[key] as? Int, "\(key): \(embedded[key] ?? "nil") vs \(onStore[key] ?? "nil")")
        }
        #expect((onStore["seconds"] as? [Double])?.count == 2 && (onStore["recordsPerSecond"] as? Double ?? 0) > 0)
        let admin = try await cluster.superuser(database)
        defer { Task { await admin.close() } }
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.batch").first?.first == "0")
        // A store holding a lake is not benchmarked into.
        try await admin.execute(
            "INSERT INTO cdp.batch (source, file_name, landed_path, sha256, bytes, landed_at, state) VALUES ('s', 'f', 'p', 'h', 1, 'now', 'ingested')")
        let refused = try Subprocess.run(
            [try Self.cdp(), "bench", "ingest", "--customers", "300", "--runs", "1", "--scratch", scratch, "--store", address],
            environment: environment)
        #expect(refused.status != 0 && refused.stderr.contains("holds 1 batches"), "\(refused.output)")
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.batch").first?.first == "1")
    }
}
