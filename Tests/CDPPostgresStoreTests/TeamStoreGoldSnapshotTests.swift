import CDPCore
import CDPPostgresStore
import CDPRepositories
import Foundation
import Synchronization
import Testing

/// The gold build on the team store reads one snapshot.
extension TeamStoreTests {
    /// The gold build read the store in several snapshots: an unmerge committed between its read of the links and its
    /// read of the golden records gave a Customer 360 row with no source record (the new golden record, whose member it
    /// had read in the old one). It reads in one `REPEATABLE READ READ ONLY` transaction now: it builds the store as it
    /// was when the build began, and the next build takes the unmerge.
    @Test func theGoldBuildReadsTheStoreInOneSnapshot() async throws {
        try await Self.withSampleWorkspace(on: .postgres, "goldsnapshot") { workspace, database, run in
            try await Self.ingestSample(workspace, database, run)
            let matched = try run(["match", "run", "-w", workspace])
            try #require(matched.status == 0, "\(matched.output)")
            let name = try #require(database)
            let cluster = try PostgresTestCluster.get()
            let admin = try await cluster.superuser(name)
            defer { Task { await admin.close() } }
            let split = try #require(
                try await admin.rows(
                    """
                    SELECT x.golden_id::text, x.source || ':' || x.source_key FROM cdp.golden_xref x WHERE x.valid_to_run IS NULL
                        AND (SELECT count(*) FROM cdp.golden_xref y WHERE y.golden_id = x.golden_id AND y.valid_to_run IS NULL) > 1
                    ORDER BY x.golden_id, x.id LIMIT 1
                    """
                ).first)
            let liveBefore = try await admin.rows("SELECT count(*)::text FROM cdp.golden_record WHERE retired_run IS NULL").first?.first ?? nil
            // From here the workspace logs in as sam: his build, and his unmerge made while it reads.
            let file = workspace + "/cdp.toml"
            try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://sam@")
                .write(toFile: file, atomically: true, encoding: .utf8)
            var environment = ProcessInfo.processInfo.environment.merging(cluster.clientEnvironment) { $1 }
            environment["TERM"] = "dumb"
            let unmerge = [
                try Self.cdp(), "golden", "unmerge", "G\(split[0] ?? "")", "--record", split[1] ?? "", "--reason", "meanwhile", "-w", workspace,
            ]
            let unmerged = SecondCall()
            let unmergeEnvironment = environment
            let lake = try PostgresLake.open(
                "postgresql://sam@/\(name)?host=\(cluster.folder)&port=\(cluster.port)", environment: cluster.clientEnvironment, osUser: "sam")
            defer { lake.close() }
            try lake.repositories.runs.takeStoreRunLock()
            defer { lake.repositories.runs.releaseStoreRunLock() }
            let sources = GoldSources(orderOwners: [SourceName("crm_customers")], eventOwners: [SourceName("marketing_contacts")])
            _ = try lake.repositories.gold.rebuildGold(sources, run: nil) {
                // The build asks before it reads, then between its read of the customers and of the rest: the unmerge
                // commits there, inside the build's reads.
                unmerged.onSecondCall { try? Subprocess.run(unmerge, environment: unmergeEnvironment) }
                return false
            }
            let done = try #require(unmerged.value)
            #expect(done.status == 0, "\(done.output)")
            let built = try await admin.rows(
                "SELECT count(*)::text, count(*) FILTER (WHERE source_count = 0)::text FROM cdp.customer_360").first ?? []
            #expect(built == [liveBefore, "0"], "customer_360 rows, rows with no source record: \(built); live before: \(liveBefore ?? "-")")
        }
    }
}

/// What the second of many calls made (the gold build asks whether to stop several times).
final class SecondCall: Sendable {
    private let state = Mutex<(calls: Int, result: Subprocess.Result?)>((0, nil))

    func onSecondCall(_ make: () -> Subprocess.Result?) {
        state.withLock { state in
            state.calls += 1
            if state.calls == 2 { state.result = make() }
        }
    }

    var value: Subprocess.Result? { state.withLock { $0.result } }
}
