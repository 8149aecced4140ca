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
}
