import CDPCore
import Foundation
import Testing

@testable import CDPEngine

/// A user's statement cannot hold the machine: it stops at its time limit, and no value it builds may outgrow
/// the query connection's length limit.
@Suite(.serialized) struct QueryTimeLimitTests {
    static let admin = Environment.fixed(at: 1_764_400_000, user: "ann")
    /// A recursion with no end: it runs until something stops it.
    static let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"

    @Test func aStatementWithoutAnEndIsStoppedAtItsTimeLimit() throws {
        let workspace = try EngineFixture.sampleWorkspace("query-time-limit")
        let started = ContinuousClock.now
        let error = #expect(throws: EngineError.self) {
            _ = try workspace.query(Self.endless, limit: 10, as: Self.admin, timeLimitSeconds: 1)
        }
        #expect(error?.code == .cancelled)
        #expect(error?.message.contains("stopped after 1 s, its time limit") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("time_limit_seconds") == true)
        // Stopped, not run to an end it does not have (a generous bound: the machine may be busy).
        #expect(ContinuousClock.now - started < .seconds(60))
        // The next statement runs as usual.
        #expect(try workspace.query("SELECT 1 + 1", limit: 1, as: Self.admin, timeLimitSeconds: 1).rows == [[.integer(2)]])
    }

    @Test func aUserMayAskForLessTimeThanTheWorkspaceAllowsButNotMore() throws {
        let workspace = try EngineFixture.sampleWorkspace("query-time-limit-ceiling")
        let configuration = workspace.configurationFile
        try (String(contentsOf: configuration, encoding: .utf8) + "\n[query]\ntime_limit_seconds = 5\n")
            .write(to: configuration, atomically: true, encoding: .utf8)
        let limited = try Workspace(at: workspace.root.path)
        #expect(limited.configuration.queryTimeLimitSeconds == 5)
        for asked in [6, 0] {
            let error = #expect(throws: EngineError.self) {
                _ = try limited.query("SELECT 1", limit: 1, as: Self.admin, timeLimitSeconds: asked)
            }
            #expect(error?.code == .input)
            #expect(error?.message.contains("between 1 and 5 seconds") == true, "\(error?.message ?? "")")
        }
        #expect(try limited.query("SELECT 1", limit: 1, as: Self.admin, timeLimitSeconds: 5).rows == [[.integer(1)]])
        // Without a time limit of its own the workspace's applies.
        let error = #expect(throws: EngineError.self) {
            _ = try limited.query(Self.endless, limit: 1, as: Self.admin)
        }
        #expect(error?.message.contains("stopped after 5 s") == true, "\(error?.message ?? "")")
    }

    @Test func theWorkspacesTimeLimitIsCheckedWhereItIsWritten() {
        for (value, problem) in [("0", "is 0; it must be between 1 and 86400 seconds"), ("\"long\"", "must be a whole number")] {
            let toml = """
                [workspace]
                name = "x"

                [[sources]]
                name = "crm"
                system = "crm"
                entity = "customer"
                format = "csv"
                path = "in/*.csv"
                primary_key = "id"
                [sources.mapping]
                email = "email"

                [query]
                time_limit_seconds = \(value)
                """
            do {
                _ = try ConfigurationLoader.workspace(tomlText: toml, file: "cdp.toml")
                Issue.record("time_limit_seconds = \(value) was accepted")
            } catch {
                #expect(error.details.contains { $0.contains("query.time_limit_seconds") && $0.contains(problem) }, "\(error.details)")
            }
        }
    }

    @Test func noValueAQueryBuildsMayOutgrowSixtyFourMegabytes() throws {
        let workspace = try EngineFixture.sampleWorkspace("query-length-limit")
        // 40 million zero bytes written as 80 million hex digits.
        let error = #expect(throws: EngineError.self) {
            _ = try workspace.query("SELECT length(hex(zeroblob(40000000)))", limit: 1, as: Self.admin)
        }
        #expect(error?.message.contains("too big") == true, "\(error?.message ?? "")")
        #expect(try workspace.query("SELECT length(hex(zeroblob(1000)))", limit: 1, as: Self.admin).rows == [[.integer(2000)]])
    }

    /// A call of `pii_mask_json` is Swift work that SQLite counts as one step: each call looks at the clock too, so
    /// masking a large document on every row of a long series stops at the time limit (it ran for minutes before).
    @Test func theMaskingFunctionsStopAtTheTimeLimitToo() throws {
        let workspace = try EngineFixture.sampleWorkspace("query-time-limit-mask")
        let analyst = Environment.fixed(at: 1_764_400_000, user: "ana")
        // A JSON array of some 900 KB (under the length the functions mask), masked once for each of 2,000 rows.
        let series = (1...2_000).map { "(\($0))" }.joined(separator: ",")
        let sql = """
            WITH doc(j) AS (SELECT '[' || substr(replace(printf('%.*c', 150000, 'x'), 'x', '"a b",'), 1, 899999) || ']')
            SELECT sum(length(pii_mask_json(j))) FROM doc, (VALUES \(series))
            """
        let error = #expect(throws: EngineError.self) {
            _ = try workspace.query(sql, limit: 1, as: analyst, timeLimitSeconds: 1)
        }
        #expect(error?.code == .cancelled)
        #expect(error?.message.contains("stopped after 1 s, its time limit") == true, "\(error?.message ?? "")")
    }

    /// No lake value is a megabyte long: a longer text given to the masking functions reads as withheld, unread.
    @Test func theMaskingFunctionsWithholdATextLongerThanAnyLakeValue() throws {
        let workspace = try EngineFixture.sampleWorkspace("query-mask-length")
        let analyst = Environment.fixed(at: 1_764_400_000, user: "ana")
        let withheld = try workspace.query(#"SELECT pii_mask_json('"x"')"#, limit: 1, as: analyst).rows
        let long = try workspace.query(
            "SELECT pii_mask_json('[' || substr(replace(printf('%.*c', 200000, 'x'), 'x', '\"a b\",'), 1, 1199999) || ']'), "
                + "pii_mask(printf('%.*c', 1100000, 'x'), 'PII.Name')",
            limit: 1, as: analyst
        ).rows
        #expect(long.first?.first == withheld.first?.first, "\(String(describing: long.first?.first).prefix(200))")
        #expect(long.first?.last == withheld.first?.first, "\(String(describing: long.first?.last).prefix(200))")
        // A document of ordinary size is still masked member by member.
        let masked = try workspace.query(#"SELECT pii_mask_json('{"email": "jane@example.com"}')"#, limit: 1, as: analyst).rows
        #expect(masked.first?.first != withheld.first?.first)
    }
}
