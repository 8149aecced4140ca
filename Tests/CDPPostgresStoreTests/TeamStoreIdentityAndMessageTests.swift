import Foundation
import Testing

extension TeamStoreTests {
    /// On the team store the database knows each session as its login role and records that role's actions, so
    /// `--as` (which on the embedded lake checks another user's permissions) is refused instead of half-working.
    @Test func actingAsAnotherUserIsRefusedOnTheTeamStore() async throws {
        try await Self.withSampleWorkspace(on: .postgres, "actas") { workspace, _, run in
            let acting = try run(["whoami", "--as", "sam", "-w", workspace])
            #expect(acting.status == 12, "\(acting.output)")
            #expect(acting.stderr.contains("--as is not available on a team store"), "\(acting.stderr)")
            #expect(acting.stderr.contains("log in as that PostgreSQL role"), "\(acting.stderr)")
            let own = try run(["whoami", "-w", workspace])
            #expect(own.status == 0, "\(own.output)")
        }
    }

    /// A rule's explanation of a personal value ("day 30 does not exist in February (it has 28 days)", "'x at y' has no
    /// @") told an analyst what the mask hides: the masked views keep what failed and withhold why.
    @Test func failureExplanationsOfPersonalValuesAreWithheldFromTheMaskedViews() async throws {
        try await Self.withSampleWorkspace(on: .postgres, "failmsg") { workspace, database, run in
            let ran = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
            try #require(ran.status == 0, "\(ran.output)")
            let database = try #require(database)
            try await Self.letSampleUsersLogIn(database)
            let cluster = try PostgresTestCluster.get()
            let sql = "SELECT failures::text FROM %@ WHERE failures::text LIKE '%%email_format%%' ORDER BY id"
            // The sample's CRM holds customers whose e-mail is malformed; the message quotes and explains the value.
            let steward = try cluster.psql(String(format: sql, "cdp.quarantine_record"), as: "sam", database: database)
            #expect(steward.status == 0 && steward.stdout.contains("not a valid email: '"), "\(steward.output)")
            let analyst = try cluster.psql(String(format: sql, "cdp.quarantine_record_masked"), as: "ana", database: database)
            #expect(analyst.status == 0 && !analyst.stdout.isEmpty, "\(analyst.output)")
            #expect(!analyst.stdout.contains("not a valid email: '"), "\(analyst.stdout.prefix(2000))")
            #expect(analyst.stdout.contains("not a valid email: (withheld: needs view_pii)"), "\(analyst.stdout.prefix(2000))")
        }
    }
}
