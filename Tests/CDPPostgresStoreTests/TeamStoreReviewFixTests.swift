import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// What the review of the team store's workspace found: reads of roles without `view_pii`, a NUL in a landed value,
/// and the ingest benchmark emptying the store without its run lock.
extension TeamStoreTests {
    /// Runs `cdp` as `user`: on the embedded lake with `--as` (the OS user is the workspace's admin), on the team
    /// store by logging in as that role (its password in the password file), as a person would from their account.
    static func run(
        as user: String, on store: Store, workspace: String, _ arguments: [String], _ run: ([String]) throws -> Subprocess.Result
    ) throws -> Subprocess.Result {
        // `cdp runs` takes no --as: the run list reads the same for every role there.
        guard store == .postgres else { return try run(arguments.first == "runs" ? arguments : arguments + ["--as", user]) }
        let file = workspace + "/cdp.toml"
        let original = try String(contentsOfFile: file, encoding: .utf8)
        defer { try? original.write(toFile: file, atomically: true, encoding: .utf8) }
        try original.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://\(user)@")
            .write(toFile: file, atomically: true, encoding: .utf8)
        return try run(arguments)
    }

    /// Gives the sample's users (sam a steward, ana an analyst, vic a viewer) passwords on the team store.
    static func letSampleUsersLogIn(_ database: String) async throws {
        let cluster = try PostgresTestCluster.get()
        let admin = try await cluster.superuser(database)
        defer { Task { await admin.close() } }
        // Roles are the cluster's, and the password file's first line for a user wins: the fixture's passwords.
        for user in ["sam", "ana", "vic"] { try await cluster.setPassword(user, try #require(TeamStoreFixture.passwords[user]), admin) }
    }

    /// What a user reads of the lake through the CLI: status, every quarantined record and Q2's detail (its
    /// lineage line, which names times, left out); the runs and the audit log must read too.
    static func whatReads(_ run: ([String]) throws -> Subprocess.Result, _ workspace: String) throws -> String {
        let counts = try statusCounts(run, workspace)
        let show = try run(["quarantine", "show", "Q2", "-w", workspace])
        try #require(show.status == 0, "\(show.output)")
        let detail = show.stdout.split(separator: "\n").filter { !$0.hasPrefix("lineage:") }.joined(separator: "\n")
        let runs = try run(["runs", "-w", workspace])
        #expect(runs.status == 0 && runs.stdout.contains("ingest_only"), "\(runs.output)")
        let audit = try run(["audit", "-w", workspace])
        #expect(audit.status == 0 && audit.stdout.contains("run.start"), "\(audit.output)")
        return counts + "\n" + detail
    }

    /// A role without `view_pii` reads the team store through its masked views, as the database lets it: an analyst
    /// and a viewer get the answers they get on the embedded lake (personal values masked, the landed row withheld),
    /// a steward the real ones; nothing is refused by the database, which still refuses the analyst the table.
    @Test func rolesWithoutViewPIIReadMaskedAnswersAsOnTheEmbeddedLake() async throws {
        var readsByStore: [Store: [String: String]] = [:]
        for store in Store.allCases {
            readsByStore[store] = try await Self.withSampleWorkspace(on: store, "masked") { workspace, database, run in
                let ran = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
                try #require(ran.status == 0, "\(ran.output)")
                if let database { try await Self.letSampleUsersLogIn(database) }
                var reads: [String: String] = [:]
                for user in ["sam", "ana", "vic"] {
                    reads[user] = try Self.whatReads({ try Self.run(as: user, on: store, workspace: workspace, $0, run) }, workspace)
                }
                if let database {
                    let refused = try PostgresTestCluster.get().psql("SELECT fields FROM cdp.quarantine_record LIMIT 1", as: "ana", database: database)
                    #expect(refused.status != 0 && refused.stderr.contains("permission denied"), "\(refused.output)")
                }
                return reads
            }
        }
        let embedded = try #require(readsByStore[.embedded]), onStore = try #require(readsByStore[.postgres])
        let analyst = try #require(onStore["ana"]), steward = try #require(onStore["sam"])
        #expect(onStore["vic"] == analyst)
        // Q2 of the sample is held for its birth date: the steward sees its landed row, the analyst that it is withheld.
        #expect(steward.contains("raw row: C00") && !analyst.contains("raw row: C00"), "\(analyst.suffix(1500))")
        #expect(analyst.contains("(withheld: it holds personal data; needs view_pii)"), "\(analyst.suffix(1500))")
        for user in ["sam", "ana", "vic"] {
            #expect(onStore[user] == embedded[user], "\(user): \(Self.firstDifference(onStore[user] ?? "", embedded[user] ?? ""))")
        }
    }

    /// Where two texts first differ, with some text around it from each.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let a = Array(a), b = Array(b)
        let at = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        let from = max(0, at - 300)
        return "at character \(at):\n\(String(a[from..<min(a.count, at + 300)]))\n--- against ---\n\(String(b[from..<min(b.count, at + 300)]))"
    }

    /// A NUL character in a landed value (a raw byte in CSV, `\u0000` in JSON) holds its record in quarantine
    /// under `parse.encoding`, naming file, line and field, on both stores alike: the team store's COPY no longer
    /// fails on it (which failed every later run), and both stores end with the same counts and records.
    @Test func aNulInALandedValueIsHeldAlikeOnBothStores() async throws {
        var ends: [String] = []
        for store in Store.allCases {
            let end = try await Self.withSampleWorkspace(on: store, "nul") { workspace, _, run in
                // The sample's customers file holds bytes that are not UTF-8 on purpose: its header line alone.
                let landed = try Data(contentsOf: URL(fileURLWithPath: workspace + "/inbox/crm/customers.csv"))
                let header = String(decoding: landed.prefix { $0 != 0x0A }, as: UTF8.self)
                try Data(
                    (header + "\nC9000001,Nu\u{0}la,Scott,nula.scott@example.ie,082 492 2965,1959-09-01,62 Main Street,Galway,H91 X6N6,IE,"
                        + "2017-08-11 15:55:52,2024-02-11 09:27:34,bronze,Y,N\n").utf8
                ).write(to: URL(fileURLWithPath: workspace + "/inbox/crm/customers_nul.csv"))
                let contacts = try String(contentsOfFile: workspace + "/inbox/marketing/contacts.jsonl", encoding: .utf8)
                let first = try #require(contacts.split(separator: "\n").first)
                // The first contact again under a new key, its email holding an escaped NUL.
                let object = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
                var changed = object
                changed["contact_id"] = "NUL-1"
                changed["email"] = "nul\u{0}@example.ie"
                try JSONSerialization.data(withJSONObject: changed, options: [.sortedKeys])
                    .write(to: URL(fileURLWithPath: workspace + "/inbox/marketing/contacts_nul.jsonl"))
                let ran = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
                try #require(ran.status == 0, "\(store): \(ran.output)")
                let list = try run(["quarantine", "list", "-w", workspace, "--rule", "parse.encoding", "--json", "--limit", "100"])
                try #require(list.status == 0, "\(list.output)")
                #expect(list.stdout.contains("customers_nul.csv:2, column first_name: first_name holds a NUL character"), "\(store): \(list.stdout)")
                #expect(list.stdout.contains("contacts_nul.jsonl:1, member \\\"email\\\": email holds a NUL character"), "\(store): \(list.stdout)")
                #expect(list.stdout.contains("Nu\u{FFFD}la") && !list.stdout.contains("\\u0000"), "\(store): \(list.stdout)")
                // A later run is not held up by it.
                let again = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
                #expect(again.status == 0, "\(store): \(again.output)")
                return try Self.statusCounts(run, workspace)
            }
            ends.append(end)
        }
        #expect(ends[0] == ends[1], "embedded:\n\(ends[0].prefix(1500))\nteam store:\n\(ends[1].prefix(1500))")
    }

    /// `cdp bench ingest --store` holds the store's run lock: while a run holds it the bench refuses to start and
    /// empties nothing; and emptying what an ingest wrote refuses while another session holds the lock.
    @Test func benchIngestTakesTheStoresRunLock() async throws {
        let cluster = try PostgresTestCluster.get()
        let database = try await cluster.makeDatabase("benchlock")
        defer { Task { await cluster.drop(database) } }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pg-benchlock-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let environment = ProcessInfo.processInfo.environment.merging(cluster.clientEnvironment) { $1 }
        let address = "postgresql://postgres@/\(database)?host=\(cluster.folder)&port=\(cluster.port)"
        let holder = try await cluster.superuser(database)
        defer { Task { await holder.close() } }
        let other = try await cluster.superuser(database)
        defer { Task { await other.close() } }
        try await other.execute(
            "INSERT INTO cdp.batch (source, file_name, landed_path, sha256, bytes, landed_at, state) VALUES ('s', 'f', 'p', 'h', 1, 'now', 'ingesting')")
        try await PostgresTeamStore.takeRunLockAsOwner(holder, doing: "hold it for the test")
        let refused = try Subprocess.run(
            [try Self.cdp(), "bench", "ingest", "--customers", "100", "--runs", "1", "--scratch", scratch, "--store", address],
            environment: environment)
        #expect(refused.status != 0 && refused.stderr.contains("run lock") && refused.stderr.contains("cdp-tests"), "\(refused.output)")
        await #expect(throws: PostgresStoreError.self) { try await PostgresTeamStore.clearIngestedRows(other) }
        #expect(try await other.rows("SELECT count(*)::text FROM cdp.batch").first?.first == "1")
        // Once the lock is free, the store's owner empties it (the lock taken for the statement and let go after).
        try await PostgresTeamStore.releaseRunLockAsOwner(holder)
        try await PostgresTeamStore.clearIngestedRows(other)
        #expect(try await other.rows("SELECT count(*)::text FROM cdp.batch").first?.first == "0")
        try await PostgresTeamStore.takeRunLockAsOwner(holder, doing: "take it again")
        try await PostgresTeamStore.releaseRunLockAsOwner(holder)
    }
}
