import CDPCore
import CDPEngine
import Foundation
import Synchronization
import Testing

@testable import CDPPostgresStore

/// A batch's chunks go in on two sessions at once (migration `pg-chunks-take-their-ids-in-order`): what they leave
/// is what one writer taking the chunks in order leaves, the embedded lake's.
extension TeamStoreTests {
    /// The rows a batch writes, as both stores answer them: ids, lineage, whether current and what superseded it.
    static let loadedRowQueries = [
        "silver_customer", "silver_order", "silver_campaign", "silver_event",
    ].map {
        "SELECT CAST(id AS TEXT), CAST(bronze_id AS TEXT), CAST(batch_id AS TEXT), source, source_key, CAST(content_hash AS TEXT), "
            + "CAST(is_current AS TEXT), CAST(superseded_by AS TEXT) FROM \($0) ORDER BY \($0).id"
    } + [
        "SELECT CAST(id AS TEXT), CAST(bronze_id AS TEXT), CAST(batch_id AS TEXT), source, source_key, status, rules FROM quarantine_record ORDER BY quarantine_record.id",
        "SELECT CAST(id AS TEXT), CAST(bronze_id AS TEXT), CAST(batch_id AS TEXT), rule, field FROM row_warning ORDER BY row_warning.id",
    ]

    /// The sample sources, then a second CRM customers file changing every third customer and repeating some of
    /// them further on (so keys are superseded across batches, across chunks and inside one), ingested 97 rows a
    /// chunk into a fresh lake on `store`.
    /// - Returns: the rows of ``loadedRowQueries``, and the most writer sessions seen at once while the chunks went in.
    static func loadInSmallChunks(on store: Store) async throws -> (rows: [[[String?]]], writerSessions: Int) {
        let cluster = try PostgresTestCluster.get()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pg-chunks-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = store == .postgres ? try await cluster.makeDatabase("chunks") : nil
        defer { if let database { Task { await cluster.drop(database) } } }
        let address = database.map { "postgresql://postgres@/\($0)?host=\(cluster.folder)&port=\(cluster.port)" }
        var admin: PostgresSession?
        if let database { admin = try await cluster.superuser(database) }
        defer { if let admin { Task { await admin.close() } } }
        let sampleData = root.appendingPathComponent("sample-data").path
        if let address {
            _ = try WorkspaceInitializer.initialize(at: folder, from: sampleData, store: address)
        } else {
            try WorkspaceInitializer.initialize(at: folder, from: sampleData, administrator: "postgres")
        }
        let mostSessions = Mutex(0)
        let watcher = admin
        let ingestEverything = { @Sendable () throws -> Void in
            let workspace = try Workspace(at: folder)
            for source in workspace.configuration.sources {
                var ingestor = SourceIngestor(workspace: workspace, source: source, environment: .live(user: "postgres"), run: nil)
                ingestor.chunkSize = 97
                _ = try ingestor.ingest(progress: { _ in
                    guard let admin = watcher, let database else { return }
                    let sessions =
                        (try? PostgresBlocking.wait { () async throws(PostgresStoreError) -> Int in
                            Int(
                                try await admin.rows(
                                    "SELECT count(*)::text FROM pg_stat_activity WHERE datname = $1 AND application_name = 'cdp ingest'", [database]
                                ).first?.first.flatMap { $0 } ?? "") ?? 0
                        }) ?? 0
                    mostSessions.withLock { $0 = max($0, sessions) }
                })
            }
        }
        // Off Swift's cooperative threads: the ingest blocks its thread on the store's calls, which need them.
        try await Self.offTheCooperativeThreads(ingestEverything)
        // A second customers file: every third customer's SMS consent (the last column) flipped, and a few of them
        // again further down with their e-mail consent flipped too. Read and written byte for byte (the sample holds
        // rows that are not UTF-8 on purpose); only whole one-line records ending in both consents are taken.
        let customers = try String(contentsOfFile: folder + "/inbox/crm/customers.csv", encoding: .isoLatin1)
            .split(separator: "\r\n").map(String.init)
        let consents = try Regex("^C[0-9]+,.*,[YN],[YN]$")
        func flipped(_ line: String, consentFromTheEnd place: Int) -> String {
            var characters = Array(line)
            let index = characters.count - 1 - 2 * place
            characters[index] = characters[index] == "Y" ? "N" : "Y"
            return String(characters)
        }
        let taken = customers.dropFirst().filter { $0.wholeMatch(of: consents) != nil }.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        // Each fiftieth one comes again 96 rows later: in the next chunk, which the other session writes.
        var lines = [customers[0]]
        for (index, line) in taken.map({ flipped($0, consentFromTheEnd: 0) }).enumerated() {
            lines.append(line)
            if index >= 96, (index - 96) % 50 == 7 { lines.append(flipped(lines[lines.count - 97], consentFromTheEnd: 1)) }
        }
        try lines.joined(separator: "\r\n").appending("\r\n")
            .write(toFile: folder + "/inbox/crm/customers-2.csv", atomically: true, encoding: .isoLatin1)
        if let admin {
            // One writer session made slow (each of its COPYs into silver_customer sleeps): chunks of the other one
            // would overtake it, superseding before the rows before them are in and committing first.
            try await admin.execute(
                """
                CREATE FUNCTION cdp.test_one_slow_writer() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF pg_backend_pid() = (SELECT min(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cdp ingest') THEN
                        PERFORM pg_sleep(0.3);
                    END IF;
                    RETURN NULL;
                END $$
                """)
            try await admin.execute(
                "CREATE TRIGGER test_one_slow_writer AFTER INSERT ON cdp.silver_customer FOR EACH STATEMENT EXECUTE FUNCTION cdp.test_one_slow_writer()")
        }
        try await Self.offTheCooperativeThreads(ingestEverything)

        var rows: [[[String?]]] = []
        for sql in loadedRowQueries { rows.append(try await lakeRows(sql, workspace: folder, database: database)) }
        return (rows, mostSessions.withLock { $0 })
    }

    static func offTheCooperativeThreads(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.start {
                do {
                    try body()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Chunks written on two sessions at once leave the rows one writer leaves: the same ids, lineage and
    /// supersessions as the embedded lake, across chunks, batches and sources.
    @Test func chunksOnTwoSessionsLeaveWhatOneWriterLeaves() async throws {
        let embedded = try await Self.loadInSmallChunks(on: .embedded)
        let postgres = try await Self.loadInSmallChunks(on: .postgres)
        #expect(postgres.writerSessions == PostgresBatchWriter.sessionCount, "writer sessions seen at once: \(postgres.writerSessions)")
        for (index, sql) in Self.loadedRowQueries.enumerated() {
            #expect(index == Self.loadedRowQueries.count - 1 || !embedded.rows[index].isEmpty, "\(sql)")
            #expect(postgres.rows[index] == embedded.rows[index], "\(sql): \(Self.firstDifference("\(postgres.rows[index])", "\(embedded.rows[index])"))")
        }
        // Keys were superseded by the second customers file, and by its repeats further down it.
        let superseded = embedded.rows[0].filter { $0[6] == "0" }
        #expect(superseded.count > 100, "\(superseded.count) customers superseded")
    }

    /// A writer's session commits without waiting for the disk: the batch is marked ingested by a commit that
    /// waits, on the lake's session, after every chunk's.
    @Test func aWritersSessionCommitsWithoutWaitingForTheDisk() async throws {
        let cluster = try PostgresTestCluster.get()
        let database = try await cluster.makeDatabase("asynccommit")
        defer { Task { await cluster.drop(database) } }
        let session = try await cluster.superuser(database)
        defer { Task { await session.close() } }
        #expect(try await session.value("SHOW synchronous_commit") == "on")
        try await PostgresBatchWriter.prepare(session)
        #expect(try await session.value("SHOW synchronous_commit") == "off")
        #expect(try await session.value("SHOW search_path") == "cdp")
    }

    /// Chunk ids go only to a run's writer (an analyst may not call the function, a steward without the run lock is
    /// refused, so is a table that is not silver and counts that do not add up), and a run takes a block of each
    /// kind, consecutive, in one call.
    @Test func chunkIDsGoOnlyToARunsWriterABlockOfEachKind() async throws {
        let fixture = try await TeamStoreFixture.make("chunkids")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let take = "SELECT bronze || ' ' || silver || ' ' || quarantine || ' ' || warning AS taken FROM cdp.take_chunk_ids"

        let analyst = try fixture.psql("\(take)('silver_order', 3, 2, 1, 4)", as: "ana")
        #expect(analyst.status != 0 && analyst.stderr.contains("permission denied for function take_chunk_ids"), "\(analyst.output)")
        let unlocked = try fixture.psql("\(take)('silver_order', 3, 2, 1, 4)", as: "sam")
        #expect(
            unlocked.status != 0 && unlocked.stderr.contains("sam may not load silver rows: only a run holding the store's run lock does"),
            "\(unlocked.output)")
        let notSilver = try fixture.psql(Self.holdingTheRunLock("\(take)('audit_log', 3, 2, 1, 4)"), as: "sam")
        #expect(
            notSilver.status != 0
                && notSilver.stderr.contains("a chunk's rows go into silver_customer, silver_order, silver_campaign or silver_event, not audit_log"),
            "\(notSilver.output)")
        let uneven = try fixture.psql(Self.holdingTheRunLock("\(take)('silver_order', 3, 1, 1, 0)"), as: "sam")
        #expect(uneven.status != 0 && uneven.stderr.contains("a chunk of 3 rows goes to silver or quarantine, each row to one (1 and 1 asked)"), "\(uneven.output)")

        let run = try fixture.psql(
            Self.holdingTheRunLock(
                """
                INSERT INTO cdp.workflow_run (workflow, state, actor, trigger, started_at) VALUES ('ingest_only', 'running', 'sam', 'cli', '2026-12-07T09:00:00Z');
                SELECT cdp.append_own_audit('run.start', 'R' || id, NULL, workflow, NULL) FROM cdp.workflow_run WHERE actor = 'sam' AND state = 'running';
                \(take)('silver_order', 3, 2, 1, 4)
                """), as: "sam")
        #expect(run.status == 0, "\(run.output)")
        let lines = run.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let header = try #require(lines.firstIndex(of: "taken"), "\(run.output)")
        let firsts = lines[header + 2].split(separator: " ").compactMap { Int($0) }
        try #require(firsts.count == 4, "\(run.output)")
        let lasts = (try await admin.rows(
            """
            SELECT (SELECT last_value FROM cdp.bronze_row_id)::text,
                pg_sequence_last_value(pg_get_serial_sequence('cdp.silver_order', 'id'))::text,
                pg_sequence_last_value(pg_get_serial_sequence('cdp.quarantine_record', 'id'))::text,
                pg_sequence_last_value(pg_get_serial_sequence('cdp.row_warning', 'id'))::text
            """
        ).first ?? []).map { $0.flatMap { Int($0) } }
        #expect(lasts == [firsts[0] + 2, firsts[1] + 1, firsts[2], firsts[3] + 3], "\(run.output) \(lasts)")
    }
}
