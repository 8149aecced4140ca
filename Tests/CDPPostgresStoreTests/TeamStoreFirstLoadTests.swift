import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import Synchronization
import Testing

@testable import CDPPostgresStore

/// A first load into an empty silver table builds the table's secondary indexes after its rows
/// (`pg-a-first-load-builds-its-indexes-after`); a load into a table holding rows keeps them.
extension TeamStoreTests {
    /// The secondary indexes of the silver tables (of one, when named) as the catalog defines them.
    static func silverIndexes(_ session: PostgresSession, of table: String? = nil) async throws(PostgresStoreError) -> [String] {
        try await session.rows(
            """
            SELECT indexname || ': ' || indexdef FROM pg_indexes
            WHERE schemaname = 'cdp' AND tablename LIKE 'silver\\_%' AND indexname NOT LIKE '%\\_pkey' AND ($1::text IS NULL OR tablename = $1)
            ORDER BY indexname
            """, [table]
        ).map { $0.first.flatMap { $0 } ?? "" }
    }

    static func deferredIndexCount(_ session: PostgresSession) async throws -> Int {
        try #require(Int(try await session.rows("SELECT count(*)::text FROM cdp.load_deferred_index").first?.first.flatMap { $0 } ?? ""))
    }

    /// What a test saw of a silver table's indexes each time an ingest reported progress.
    final class IndexSightings: Sendable {
        let seen = Mutex<[String: [[String]]]>([:])
    }

    /// The sample lake ingested source by source into an empty store, 4,000 rows a chunk: while each source's chunks
    /// go in, its silver table has no secondary index if the load began on an empty table (CRM customers, orders,
    /// campaigns, events) and keeps them if not (marketing contacts, into the customers the CRM loaded). After each
    /// load the table has every index the schema defines, identical, nothing is left recorded, and the table is
    /// analysed (the planner knows its rows at once).
    @Test func aFirstLoadBuildsItsIndexesAfterItsRowsAndALaterLoadKeepsThem() async throws {
        let cluster = try PostgresTestCluster.get()
        let database = try await cluster.makeDatabase("firstload")
        defer { Task { await cluster.drop(database) } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pg-first-load-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sampleData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sample-data").path
        let address = "postgresql://postgres@/\(database)?host=\(cluster.folder)&port=\(cluster.port)"
        let admin = try await cluster.superuser(database)
        defer { Task { await admin.close() } }
        let defined = try await Self.silverIndexes(admin)
        #expect(defined.count == 6, "\(defined)")

        let sightings = IndexSightings()
        // Off Swift's cooperative threads: the ingest blocks its thread on the store's calls, which need them.
        let ingested: [String] = try await withCheckedThrowingContinuation { continuation in
            Thread.start {
                do {
                    _ = try WorkspaceInitializer.initialize(at: folder, from: sampleData, store: address)
                    let workspace = try Workspace(at: folder)
                    var sources: [String] = []
                    for source in workspace.configuration.sources {
                        let table = source.entity.silverTable
                        var ingestor = SourceIngestor(workspace: workspace, source: source, environment: .live(user: "postgres"), run: nil)
                        ingestor.chunkSize = 4_000
                        _ = try ingestor.ingest(progress: { _ in
                            let indexes =
                                (try? PostgresBlocking.wait { () async throws(PostgresStoreError) in
                                    try await Self.silverIndexes(admin, of: table)
                                }) ?? ["(the store did not answer)"]
                            sightings.seen.withLock { $0[source.name.rawValue, default: []].append(indexes) }
                        })
                        sources.append(source.name.rawValue)
                    }
                    continuation.resume(returning: sources)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        #expect(ingested == ["crm_customers", "crm_orders", "marketing_contacts", "campaigns", "campaign_events"])

        let seen = sightings.seen.withLock { $0 }
        let tables = [
            "crm_customers": "silver_customer", "crm_orders": "silver_order", "marketing_contacts": "silver_customer",
            "campaigns": "silver_campaign", "campaign_events": "silver_event",
        ]
        for (source, table) in tables {
            let ofTable = defined.filter { $0.contains(" ON cdp.\(table) ") }
            let sightings = try #require(seen[source], "\(source) reported no progress")
            // The last report comes once the batch is ingested; those before, as its chunks went in.
            let duringTheLoad = sightings.dropLast()
            if source == "marketing_contacts" {
                #expect(!duringTheLoad.isEmpty && duringTheLoad.allSatisfy { $0 == ofTable }, "\(source): \(sightings)")
            } else {
                #expect(!duringTheLoad.isEmpty && duringTheLoad.allSatisfy(\.isEmpty), "\(source): \(sightings)")
            }
            #expect(sightings.last == ofTable, "\(source): \(sightings)")
        }
        #expect(seen["campaign_events"]?.count ?? 0 > 5, "the events went in over several chunks")
        #expect(try await Self.silverIndexes(admin) == defined)
        #expect(try await Self.deferredIndexCount(admin) == 0)
        let analysed =
            try await admin.rows(
                "SELECT (SELECT reltuples FROM pg_class WHERE oid = 'cdp.silver_event'::regclass)::bigint::text, (SELECT count(*) FROM cdp.silver_event)::text"
            ).first ?? []
        let estimated = try #require(Int(analysed[0] ?? "")), rows = try #require(Int(analysed[1] ?? ""))
        #expect(rows > 30_000 && abs(estimated - rows) < rows / 10, "the planner's estimate \(estimated) of \(rows) rows")
    }

    /// Only a run's writer leaves a silver table's indexes out (an analyst may not call the function, a steward
    /// without the run lock is refused, a table that is not silver is refused by name), only for an empty table; a
    /// load cut short before its end gets them back at the next load's beginning; and a load that would wait for a
    /// reader of the table keeps its indexes instead.
    @Test func onlyARunsWriterLeavesIndexesOutAndALoadCutShortGetsThemBack() async throws {
        let fixture = try await TeamStoreFixture.make("loadindexes")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let defined = try await Self.silverIndexes(admin)
        let begin = { (table: String) in Self.holdingTheRunLock("SELECT cdp.silver_load_begin('\(table)')") }

        let analyst = try fixture.psql("SELECT cdp.silver_load_begin('silver_order')", as: "ana")
        #expect(analyst.status != 0 && analyst.stderr.contains("permission denied for function silver_load_begin"), "\(analyst.output)")
        let unlocked = try fixture.psql("SELECT cdp.silver_load_begin('silver_order')", as: "sam")
        #expect(
            unlocked.status != 0 && unlocked.stderr.contains("sam may not load silver rows: only a run holding the store's run lock does"),
            "\(unlocked.output)")
        let notSilver = try fixture.psql(begin("audit_log"), as: "sam")
        #expect(
            notSilver.status != 0
                && notSilver.stderr.contains(
                    "a load builds the indexes of silver_customer, silver_order, silver_campaign or silver_event, not audit_log"),
            "\(notSilver.output)")
        // The fixture's silver_customer holds two customers: a load into it keeps its indexes.
        let holdingRows = try fixture.psql(begin("silver_customer"), as: "sam")
        #expect(holdingRows.status == 0, "\(holdingRows.output)")
        #expect(try await Self.silverIndexes(admin) == defined)
        #expect(try await Self.deferredIndexCount(admin) == 0)

        // A load into the empty silver_order that never reaches its end (its process killed).
        let cut = try fixture.psql(begin("silver_order"), as: "sam")
        #expect(cut.status == 0, "\(cut.output)")
        #expect(try await Self.silverIndexes(admin, of: "silver_order").isEmpty)
        #expect(try await Self.deferredIndexCount(admin) == 2)
        // The next load, of another table, builds them first (once the cut load's session is gone: a live loader's
        // indexes are its own).
        try await Self.waitUntilGone(user: "sam", admin)
        let next = try fixture.psql(begin("silver_campaign"), as: "sam")
        #expect(next.status == 0, "\(next.output)")
        #expect(try await Self.silverIndexes(admin, of: "silver_order") == defined.filter { $0.contains(" ON cdp.silver_order ") })
        #expect(try await Self.silverIndexes(admin, of: "silver_campaign").isEmpty)
        try await Self.waitUntilGone(user: "sam", admin)
        let ended = try fixture.psql(Self.holdingTheRunLock("SELECT cdp.silver_load_end()"), as: "sam")
        #expect(ended.status == 0, "\(ended.output)")
        #expect(try await Self.silverIndexes(admin) == defined)
        #expect(try await Self.deferredIndexCount(admin) == 0)

        // A reader holds the empty silver_event in a transaction: the load does not wait for it (nor make every
        // reader after it wait) but keeps the indexes.
        try await admin.execute("BEGIN")
        _ = try await admin.rows("SELECT count(*) FROM cdp.silver_event")
        let started = Date()
        let read = try fixture.psql(begin("silver_event"), as: "sam")
        let waited = Date().timeIntervalSince(started)
        try await admin.execute("ROLLBACK")
        #expect(read.status == 0, "\(read.output)")
        #expect(waited < 30, "waited \(waited) s for the reader")
        #expect(try await Self.silverIndexes(admin) == defined)
        #expect(try await Self.deferredIndexCount(admin) == 0)
    }
}

/// The review's two LOWs on a first load's indexes (#17): a writer that cannot build them when it closes says so,
/// and a load leaves alone the indexes another live loader left out (`pg-a-load-leaves-a-live-loaders-indexes-alone`).
extension TeamStoreTests {
    /// A load stopped before its end builds the indexes it left out when its writer closes; when that fails (here a
    /// lock the build waits for past the session's lock_timeout), the close throws, typed, naming the table and what
    /// to do, and the definitions stay recorded: the next load builds them first.
    @Test func aWriterThatCannotBuildItsIndexesWhenItClosesSaysSo() async throws {
        let fixture = try await TeamStoreFixture.make("closebuild")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let defined = try await Self.silverIndexes(admin)
        var sessions: [PostgresSession] = []
        for _ in 0..<PostgresBatchWriter.sessionCount {
            let session = try await fixture.superuser()
            try await PostgresBatchWriter.prepare(session)
            sessions.append(session)
        }
        #expect(try await PostgresBatchWriter.beginLoad(sessions[0], entity: .order))
        #expect(try await Self.silverIndexes(admin, of: "silver_order").isEmpty)
        try await sessions[0].execute("SET lock_timeout = '200ms'")
        let loaderPID = try #require(try await sessions[0].value("SELECT pg_backend_pid()::text"))
        let writer = PostgresBatchWriter(
            sessions: sessions, batch: BatchID(1), run: nil, source: SourceName("crm_orders"), entity: .order,
            timestamp: "2026-12-08T00:00:00Z", keepsAttributes: false, indexesLeftOut: true)

        // Someone holds silver_order so that building an index on it must wait.
        try await admin.execute("BEGIN")
        try await admin.execute("LOCK TABLE cdp.silver_order IN ACCESS EXCLUSIVE MODE")
        let closed: StoreError? = await withCheckedContinuation { continuation in
            Thread.start {
                do throws(StoreError) {
                    try writer.close()
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(returning: error)
                }
            }
        }
        try await admin.execute("ROLLBACK")
        let error = try #require(closed, "the close reported nothing")
        #expect(error.code == .conflict, "\(error)")
        #expect(error.message.contains("cannot build the indexes of silver_order that batch B1 left out on the team store"), "\(error)")
        #expect(error.message.contains("the next ingest into the team store builds them first"), "\(error)")
        #expect(error.cause is PostgresStoreError)
        #expect(try await Self.deferredIndexCount(admin) == 2)

        // Once the writer's session is gone (its close let go of it all the same), the next load builds them first.
        try await Self.waitUntilGone(pid: loaderPID, admin)
        let next = try await fixture.superuser()
        defer { Task { await next.close() } }
        #expect(try await PostgresBatchWriter.beginLoad(next, entity: .customer) == false)
        #expect(try await Self.silverIndexes(admin) == defined)
        #expect(try await Self.deferredIndexCount(admin) == 0)
    }

    /// Waits until the server lists no session of process `pid`, or of login `user` (a closed session's process
    /// ends a moment after its client goes, and a loader is live while it is listed).
    static func waitUntilGone(pid: String? = nil, user: String? = nil, _ admin: PostgresSession) async throws {
        for _ in 0..<200 {
            let listed = try await admin.value(
                "SELECT count(*)::text FROM pg_stat_activity WHERE pid = $1::int OR usename = $2", [pid, user])
            if listed == "0" { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("a session of \(pid ?? user ?? "") is still listed after 10 s")
    }

    /// Another loader still connected (the owner's `cdp bench ingest --store` beside a run) keeps the indexes it left
    /// out to itself: a run's load of another table does not build them, nor does a load of the same table (which
    /// goes in with the indexes as they are); once that loader is gone, the next load builds them first.
    @Test func aLoadLeavesTheIndexesAnotherLiveLoaderLeftOut() async throws {
        let fixture = try await TeamStoreFixture.make("liveloader")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let defined = try await Self.silverIndexes(admin)
        let begin = { (table: String) in Self.holdingTheRunLock("SELECT cdp.silver_load_begin('\(table)') AS left_out") }
        func leftOut(_ result: Subprocess.Result) -> String? {
            let lines = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            return lines.firstIndex(of: "left_out").flatMap { lines.count > $0 + 2 ? lines[$0 + 2] : nil }
        }

        let loader = try await fixture.superuser()
        #expect(try await PostgresBatchWriter.beginLoad(loader, entity: .order))
        let other = try fixture.psql(begin("silver_campaign"), as: "sam")
        #expect(other.status == 0 && leftOut(other) == "t", "\(other.output)")
        #expect(try await Self.silverIndexes(admin, of: "silver_order").isEmpty, "a run's load built another live loader's indexes")
        let same = try fixture.psql(begin("silver_order"), as: "sam")
        #expect(same.status == 0 && leftOut(same) == "f", "\(same.output)")
        #expect(try await Self.silverIndexes(admin, of: "silver_order").isEmpty)

        let pid = try #require(try await loader.value("SELECT pg_backend_pid()::text"))
        await loader.close()
        try await Self.waitUntilGone(pid: pid, admin)
        try await Self.waitUntilGone(user: "sam", admin)
        let after = try fixture.psql(begin("silver_customer"), as: "sam")
        #expect(after.status == 0 && leftOut(after) == "f", "\(after.output)")
        #expect(try await Self.silverIndexes(admin) == defined)
        #expect(try await Self.deferredIndexCount(admin) == 0)
    }
}
