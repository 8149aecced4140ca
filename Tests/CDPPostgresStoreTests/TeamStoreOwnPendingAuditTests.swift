import CDPPostgresStore
import Foundation
import Testing

/// One's own audit rows read back before they join the chain (#17): the rows of a role that may write nothing wait
/// in the store's inbox until the next audited write; its own saved views (and last visits) read them at once.
extension TeamStoreTests {
    /// tom, an auditor (`view_pii` and nothing to write), saves a view on a quiet store: the row waits in the inbox,
    /// and his list reads the view back at once; nobody else reads his waiting rows; once sam writes, the row is in
    /// the log and read from there, once.
    @Test func aReadOnlyRolesOwnRowsWaitingInTheInboxAreReadBackAtOnce() async throws {
        try await Self.withSampleWorkspace(on: .postgres, "pending") { workspace, database, run in
            try await Self.ingestSample(workspace, database, run)
            let database = try #require(database)
            let cluster = try PostgresTestCluster.get()
            let file = workspace + "/governance/access.toml"
            let access = try String(contentsOfFile: file, encoding: .utf8)
            try access.replacingOccurrences(of: "viewer = []\n", with: "viewer = []\nauditor = [\"view_pii\"]\n")
                .replacingOccurrences(of: "vic = \"viewer\"", with: "vic = \"viewer\"\ntom = \"auditor\"")
                .write(toFile: file, atomically: true, encoding: .utf8)
            let applied = try run([
                "access", "apply", "-w", workspace, "--store",
                "postgresql://postgres@/\(database)?host=\(cluster.folder)&port=\(cluster.port)",
            ])
            try #require(applied.status == 0, "\(applied.output)")
            let admin = try await cluster.superuser(database)
            defer { Task { await admin.close() } }
            try await cluster.setPassword("tom", try #require(TeamStoreFixture.passwords["tom"]), admin)
            func cdp(_ user: String, _ arguments: [String]) throws -> Subprocess.Result {
                try Self.run(as: user, on: .postgres, workspace: workspace, arguments + ["-w", workspace], run)
            }
            func waiting() async throws -> String? {
                try await admin.rows("SELECT count(*)::text FROM cdp.audit_inbox WHERE actor = 'tom' AND action = 'view.save'").first?.first
                    ?? nil
            }

            let saved = try cdp("tom", ["quarantine", "list", "--rule", "email_format", "--save-view", "odd-emails"])
            try #require(saved.status == 0, "\(saved.output)")
            #expect(try await waiting() == "1")
            let listed = try cdp("tom", ["quarantine", "list", "--view", "odd-emails", "--json"])
            #expect(listed.status == 0 && listed.stdout.contains("email_format"), "\(listed.output)")
            // Nobody else reads tom's waiting rows, a steward neither.
            let samsRead = try cluster.psql("SELECT count(*) FROM cdp.own_pending_audit(NULL, NULL, 100)", as: "sam", database: database)
            #expect(samsRead.status == 0 && samsRead.stdout.contains(" 0\n"), "\(samsRead.output)")

            // sam's write takes the waiting row into the chain; tom reads his view from the log now.
            let rejected = try cdp("sam", ["quarantine", "reject", "Q1", "--reason", "not a customer of ours"])
            try #require(rejected.status == 0, "\(rejected.output)")
            #expect(try await waiting() == "0")
            let again = try cdp("tom", ["quarantine", "list", "--view", "odd-emails", "--json"])
            #expect(again.status == 0 && again.stdout.contains("email_format"), "\(again.output)")
        }
    }
}
