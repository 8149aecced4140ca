import CDPPostgresStore
import Foundation
import Testing

extension TeamStoreTests {
    /// `cdp bench customer360 --store` builds its lake on the team store (the whole pipeline, as the login role) and
    /// searches it through the store's own reads; the next run in the same scratch folder reuses it. It used to be
    /// refused (it counted the search keys by SQL with cdp's own rights, which the store does not serve).
    @Test func benchCustomer360BuildsAndSearchesItsLakeOnTheTeamStore() async throws {
        let cluster = try PostgresTestCluster.get()
        let database = try await cluster.makeDatabase("benchcustomers")
        defer { Task { await cluster.drop(database) } }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pg-bench-c360-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let environment = ProcessInfo.processInfo.environment.merging(cluster.clientEnvironment) { $1 }
        let address = "postgresql://postgres@/\(database)?host=\(cluster.folder)&port=\(cluster.port)"
        let arguments = [
            try Self.cdp(), "bench", "customer360", "--customers", "300", "--searches", "60", "--profiles", "10", "--scratch", scratch,
            "--store",
            address, "--json",
        ]
        let built = try Subprocess.run(arguments, environment: environment)
        try #require(built.status == 0, "\(built.output)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(built.stdout.utf8)) as? [String: Any])
        let admin = try await cluster.superuser(database)
        defer { Task { await admin.close() } }
        let golden = try await Self.rowCount(admin, "customer_360")
        let keys = try await Self.rowCount(admin, "customer_search")
        #expect(golden > 200 && result["goldenCustomers"] as? Int == golden, "\(result["goldenCustomers"] ?? "nil") vs \(golden)")
        #expect(keys > golden && result["searchKeys"] as? Int == keys, "\(result["searchKeys"] ?? "nil") vs \(keys)")
        let searched = try #require((result["search"] as? [String: Any])?["milliseconds"] as? [Double])
        #expect(searched.count == 60)
        // Searches on the store find their customers: every kind of text among the first 20 hits nearly always.
        let found = try #require(result["foundInTop20"] as? [String: Double])
        #expect(!found.isEmpty && found.values.allSatisfy { $0 >= 0.8 }, "\(found)")

        let reused = try Subprocess.run(Array(arguments.dropLast()), environment: environment)
        #expect(
            reused.status == 0 && reused.stdout.contains("reusing") && !reused.stdout.contains("running the pipeline"), "\(reused.output)")
        #expect(try await Self.rowCount(admin, "workflow_run") == 1)
    }

    /// `cdp bench console --store` drives the console over a lake ingested into the team store; a store that holds
    /// another lake is refused, untouched, before anything is generated.
    @Test func benchConsoleDrivesTheConsoleOverTheTeamStore() async throws {
        let cluster = try PostgresTestCluster.get()
        let database = try await cluster.makeDatabase("benchconsole")
        defer { Task { await cluster.drop(database) } }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pg-bench-console-\(UUID().uuidString.prefix(8))")
            .path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let environment = ProcessInfo.processInfo.environment.merging(cluster.clientEnvironment) { $1 }
        let address = "postgresql://postgres@/\(database)?host=\(cluster.folder)&port=\(cluster.port)"
        let bench = try Subprocess.run(
            [
                try Self.cdp(), "bench", "console", "--customers", "300", "--runs", "1", "--release", "0", "--picker-runs", "1",
                "--scratch", scratch,
                "--store", address,
            ], environment: environment)
        try #require(bench.status == 0, "\(bench.output)")
        #expect(bench.stdout.contains("key→frame latency:"), "\(bench.output)")
        let admin = try await cluster.superuser(database)
        defer { Task { await admin.close() } }
        let held = try await Self.rowCount(admin, "quarantine_record")
        #expect(held > 0 && bench.stdout.contains("quarantine rows:       \(held) "), "\(held): \(bench.output)")

        let other = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pg-bench-console-\(UUID().uuidString.prefix(8))")
            .path
        defer { try? FileManager.default.removeItem(atPath: other) }
        let refused = try Subprocess.run(
            [try Self.cdp(), "bench", "console", "--customers", "300", "--runs", "1", "--scratch", other, "--store", address],
            environment: environment)
        #expect(refused.status != 0 && refused.stderr.contains("holds 1 batches of a lake already"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: other + "/data"))
        #expect(try await Self.rowCount(admin, "batch") == 1)
    }

    static func rowCount(_ session: PostgresSession, _ table: String) async throws -> Int {
        try #require(Int(try await session.rows("SELECT count(*)::text FROM cdp.\(table)").first?.first.flatMap { $0 } ?? ""))
    }
}
