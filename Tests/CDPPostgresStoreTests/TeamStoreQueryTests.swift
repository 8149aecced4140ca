import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// `cdp query` and `cdp export` on a workspace whose lake is on the team store: the user's SQL runs as their own
/// login role in a read-only transaction, so the database decides what it reads.
extension TeamStoreTests {
    /// The sample's ingest on the store, queried as an admin, a steward and an analyst: the analyst is refused the
    /// table holding personal columns by the database, with a message naming it and the masked view to read (and
    /// the refusal audited), and reads that view masked; the steward and the admin read the values. The formats are
    /// the embedded `cdp query`'s (numbers as numbers in JSON). Hostile statements write, escalate or outrun the
    /// time limit nowhere: a write, a function that appends to the audit log, COPY, a temporary table, a
    /// data-modifying WITH are refused as writes; `pg_read_file` and `lo_import` by the database; a statement that
    /// lifts its own `statement_timeout` is stopped at the time limit; a value over 64 MB stops the query (exit 10).
    /// `cdp export` reads the masked view without
    /// `view_pii` and the table with it, each audited as `lake.export`.
    @Test func cdpQueryAndExportRunAsTheLoginRoleOnTheStore() async throws {
        try await Self.withSampleWorkspace(on: .postgres, "query") { workspace, database, run in
            let database = try #require(database)
            let ran = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
            try #require(ran.status == 0, "\(ran.output)")
            try TeamStoreFixture.accessTOML.write(toFile: workspace + "/governance/access.toml", atomically: true, encoding: .utf8)
            let cluster = try PostgresTestCluster.get()
            let address = "postgresql://postgres@/\(database)?host=\(cluster.folder)&port=\(cluster.port)"
            let applied = try run(["access", "apply", "-w", workspace, "--store", address])
            try #require(applied.status == 0, "\(applied.output)")
            let admin = try await cluster.superuser(database)
            defer { Task { await admin.close() } }
            for user in ["ada", "sam", "ana"] { try await cluster.setPassword(user, TeamStoreFixture.passwords[user] ?? "", admin) }
            let configuration = workspace + "/cdp.toml"
            let toml = try String(contentsOfFile: configuration, encoding: .utf8)
            try #require(toml.contains("postgresql://postgres@"))
            /// Runs cdp with the workspace's store logged in as `user`.
            func cdp(_ user: String, _ arguments: [String]) throws -> Subprocess.Result {
                try toml.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://\(user)@")
                    .write(toFile: configuration, atomically: true, encoding: .utf8)
                return try run(arguments + ["-w", workspace])
            }
            let email = try #require(
                try await admin.rows("SELECT email FROM cdp.silver_customer WHERE email LIKE '%@%' ORDER BY id LIMIT 1").first?.first ?? nil)
            let masked = try #require(try await admin.rows("SELECT cdp.pii_mask($1, 'PII.Email')", [email]).first?.first ?? nil)
            let count = try #require(try await admin.rows("SELECT count(*)::text FROM cdp.silver_customer").first?.first ?? nil)

            // Each role over the same rows.
            for user in ["ada", "sam"] {
                let read = try cdp(user, ["query", "SELECT email FROM silver_customer WHERE email = '\(email)' LIMIT 1", "--format", "csv"])
                #expect(read.status == 0 && read.stdout == "email\n\(email)\n", "\(user): \(read.output)")
            }
            let refused = try cdp("ana", ["query", "SELECT count(*) FROM silver_customer WHERE email LIKE 'p%'"])
            #expect(refused.status == 12, "\(refused.output)")
            #expect(refused.stderr.contains("may not read personal data without permission view_pii"), "\(refused.output)")
            #expect(
                refused.stderr.contains("the database refused to read silver_customer (permission denied for table silver_customer)")
                    && refused.stderr.contains("query silver_customer_masked instead"), "\(refused.output)")
            // Audited: she writes nothing on the store, so her row waits in the inbox until the next audited write.
            #expect(
                try await admin.rows(
                    """
                    SELECT count(*)::text FROM (SELECT actor, action, target FROM cdp.audit_log UNION ALL SELECT actor, action, target FROM cdp.audit_inbox) a
                    WHERE actor = 'ana' AND action = 'access.refused' AND target = 'query'
                    """
                ).first?.first == "1")
            let view = try cdp("ana", ["query", "SELECT email FROM silver_customer_masked WHERE email = '\(masked)' LIMIT 1", "--format", "csv"])
            #expect(view.status == 0 && view.stdout == "email\n\(masked)\n", "\(view.output)")
            #expect(!view.stdout.contains(email))
            let json = try cdp(
                "ana",
                ["query", "SELECT count(*) AS n, 1.5::float8 AS r, 2.25::numeric AS d, true AS b, NULL AS z, 'x' AS t FROM silver_customer_masked", "--format", "json"])
            #expect(json.status == 0, "\(json.output)")
            #expect(json.stdout.contains("\"n\": \(count), \"r\": 1.5, \"d\": 2.25, \"b\": 1, \"z\": null, \"t\": \"x\""), "\(json.output)")
            let table = try cdp("ana", ["query", "SELECT source_key FROM silver_customer_masked ORDER BY id LIMIT 2"])
            #expect(table.status == 0 && table.stdout.split(separator: "\n").count >= 3, "\(table.output)")
            let limited = try cdp("ana", ["query", "SELECT id FROM silver_customer_masked", "--limit", "5", "--format", "csv"])
            #expect(limited.status == 0 && limited.stdout.split(separator: "\n").count == 6, "\(limited.output)")

            // Hostile statements: nothing written, nothing escalated.
            let written = "SELECT count(*)::text FROM cdp.audit_log WHERE action <> 'access.refused'"
            let writtenBefore = try await admin.rows(written).first?.first ?? nil
            for (user, sql) in [
                ("sam", "INSERT INTO silver_customer (source_key) VALUES ('X')"),
                ("ana", "SELECT cdp.append_own_audit('console.visit', 'x', NULL, NULL, NULL)"),
                ("ana", "COPY silver_customer_masked TO STDOUT"),
                ("sam", "CREATE TEMP TABLE t AS SELECT 1"),
                ("sam", "WITH gone AS (DELETE FROM silver_customer RETURNING id) SELECT count(*) FROM gone"),
                ("sam", "SELECT id FROM silver_customer FOR UPDATE"),
            ] {
                let hostile = try cdp(user, ["query", sql])
                #expect(hostile.status == 8, "\(user) \(sql): \(hostile.output)")
                #expect(hostile.stderr.contains("read-only") || hostile.stderr.contains("only a query"), "\(sql): \(hostile.output)")
            }
            for sql in ["SELECT pg_read_file('/etc/passwd')", "SELECT lo_import('/etc/passwd')", "SELECT * FROM schema_migration"] {
                let hostile = try cdp("ana", ["query", sql])
                #expect(hostile.status == 12, "\(sql): \(hostile.output)")
                #expect(hostile.stderr.contains("the database refused"), "\(sql): \(hostile.output)")
            }
            #expect(try await admin.rows(written).first?.first == writtenBefore)
            #expect(try await admin.rows("SELECT count(*)::text FROM cdp.silver_customer").first?.first == count)
            let big = try cdp("ana", ["query", "SELECT 1 AS one, repeat('x', 64 * 1048576 + 1) AS big", "--format", "csv"])
            #expect(big.status == 10 && big.stderr.contains("longer than 64 MB, the most a query returns"), "\(big.stderr)")
            #expect(!big.stdout.contains("xxxx"))
            let started = Date()
            let slow = try cdp("ana", ["query", "SELECT set_config('statement_timeout', '0', false), pg_sleep(30)", "--time-limit", "1"])
            #expect(slow.status == 15, "\(slow.output)")
            #expect(slow.stderr.contains("the query was stopped after 1 s, its time limit"), "\(slow.output)")
            #expect(Date().timeIntervalSince(started) < 15)

            // Exports: masked without view_pii, whole with it; audited.
            let maskedExport = try cdp("ana", ["export", "silver_customer", "--format", "csv"])
            #expect(maskedExport.status == 0, "\(maskedExport.output)")
            #expect(maskedExport.stdout.contains(masked) && !maskedExport.stdout.contains(email))
            #expect(maskedExport.stdout.split(separator: "\n").count == (Int(count) ?? 0) + 1)
            let wholeExport = try cdp("sam", ["export", "silver_customer", "--format", "json"])
            #expect(wholeExport.status == 0 && wholeExport.stdout.contains(email), "\(wholeExport.stderr)")
            let exports = try await admin.rows("SELECT actor, target, after FROM cdp.audit_log WHERE action = 'lake.export' ORDER BY id")
            #expect(
                exports == [
                    ["ana", "silver_customer_masked", "\(count) rows as csv (masked)"], ["sam", "silver_customer", "\(count) rows as json"],
                ], "\(exports)")
            try toml.write(toFile: configuration, atomically: true, encoding: .utf8)
        }
    }
}
