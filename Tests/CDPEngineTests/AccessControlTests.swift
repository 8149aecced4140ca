import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Access control is enforced by the engine: the CLI and the console only present its refusals.
@Suite struct AccessControlTests {
    @Test func aBadAccessFileIsRefusedWholeNamingEverySetting() throws {
        let text = """
            default_role = "guest"
            [roles]
            admin = ["view_pii", "fly"]
            [users]
            sam = "stewart"
            """
        let error = try #require(throws: EngineError.self) { try ConfigurationLoader.access(tomlText: text, file: "access.toml") }
        #expect(error.code == .invalidConfiguration)
        let known = Permission.allCases.map(\.rawValue).joined(separator: ", ")
        #expect(error.details == [
            "access.toml:1:1: default_role: role 'guest' is not declared (roles: admin)",
            "access.toml:3:22: roles.admin[1]: 'fly' is not a permission (known: \(known))",
            "access.toml:5:1: users.sam: role 'stewart' is not declared (roles: admin)",
        ])
    }

    @Test func aWorkspaceWithoutAnAccessFileLetsEveryoneDoEverything() throws {
        let workspace = try EngineFixture.customerWorkspace("open", rules: EngineFixture.standardRules, files: [:])
        #expect(workspace.principal(.fixed(at: 0, user: "anyone")).permissions == Set(Permission.allCases))
    }

    @Test func initMakesTheCreatorAnAdminAndStrangersViewers() throws {
        let workspace = try EngineFixture.sampleWorkspace("access")
        #expect(workspace.principal(.fixed(at: 0, user: "ann")).role == "admin")
        #expect(workspace.principal(.fixed(at: 0, user: "sam")).role == "steward")
        #expect(workspace.principal(.fixed(at: 0, user: "stranger")).role == "viewer")
    }

    @Test func aForbiddenActionIsRefusedNamingThePermissionAndAudited() throws {
        let workspace = try EngineFixture.sampleWorkspace("forbidden")
        try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(try workspace.workflow())
        let record = try #require(try workspace.store.quarantineRecords(LakeStore.QuarantineFilter(rule: "email_format", limit: 1)).first)
        let analyst = QuarantineService(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "ana"))
        let error = try #require(throws: EngineError.self) { try analyst.fix(record.id, edits: ["email": "ana@example.com"]) }
        #expect(error.code == .forbidden)
        #expect(error.message.contains("ana (analyst) may not remediate quarantine: missing permission remediate_quarantine (roles with it: admin, steward"))
        #expect(try workspace.store.quarantineRecord(record.id)?.status == .open)
        let refusal = try #require(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused")).first)
        #expect(refusal.actor == "ana")
        #expect(refusal.target == "quarantine.fix \(record.id)")
        #expect(try workspace.store.auditChainProblems().isEmpty)

        let viewer = WorkflowRunner(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "vic"))
        #expect(throws: EngineError.self) { try viewer.run(try workspace.workflow()) }
        let steward = QuarantineService(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "sam"))
        #expect(try steward.fix(record.id, edits: ["email": "sam.fixed@example.com"]).status == .fixed)
    }

    @Test func actingAsAnotherUserNeedsActAs() throws {
        let workspace = try EngineFixture.sampleWorkspace("act-as")
        #expect(try workspace.session(osUser: "ann", actingAs: "ana").user == "ana")
        #expect(try workspace.session(osUser: "sam", actingAs: nil).user == "sam")
        let error = try #require(throws: EngineError.self) { try workspace.session(osUser: "sam", actingAs: "ann") }
        #expect(error.code == .forbidden)
        #expect(error.message.contains("sam (steward) may not act as another user"))
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused")).first?.target == "act as ann")
    }

    @Test func withoutViewPIIDetailsAndQueriesAreMasked() throws {
        let workspace = try EngineFixture.sampleWorkspace("masking")
        try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(try workspace.workflow())
        let record = try #require(try workspace.store.quarantineRecords(LakeStore.QuarantineFilter(rule: "email_format", limit: 1)).first)
        let email = try #require(record.fields["email"])
        let ana = Environment.fixed(at: 1_764_300_000, user: "ana")
        let masked = try QuarantineService(workspace: workspace, environment: ana).detail(record.id)
        #expect(masked.record.fields["email"] != email)
        #expect(masked.record.fields["email"] == PIIMasker.mask(email, as: .email))
        #expect(!masked.record.failures.contains { $0.message.contains(email) })
        #expect(masked.rawRow == QuarantineService.withheldRawRow)
        let clear = try QuarantineService(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "sam")).detail(record.id)
        #expect(clear.record.fields["email"] == email)

        let rows = try workspace.query("SELECT email, country FROM silver_customer_masked ORDER BY id LIMIT 3", limit: 10, as: ana).rows
        let plain = try workspace.query("SELECT email, country FROM silver_customer ORDER BY id LIMIT 3", limit: 10, as: EngineFixture.clock).rows
        #expect(rows.map { $0[1] } == plain.map { $0[1] })
        #expect(rows.map { $0[0].text } == plain.map { $0[0].text.map { PIIMasker.mask($0, as: .email) } })
        #expect(try workspace.query("SELECT raw FROM bronze_row_masked LIMIT 1", limit: 1, as: ana).rows.first?.first?.text == Workspace.withheldValue)
        let expression = try #require(throws: EngineError.self) {
            try workspace.query("SELECT upper(email) AS shout FROM silver_customer", limit: 1, as: ana)
        }
        #expect(expression.code == .forbidden)
        #expect(try workspace.query("SELECT count(*) AS n FROM silver_customer", limit: 1, as: ana).rows.first?.first != nil)
    }
}

extension AccessControlTests {
    /// A read refused for want of view_pii is audited as a refused action is (`access.refused`, target `query`),
    /// naming the column but not the statement, which may hold a guessed value; a query that is allowed is not.
    @Test func aRefusedReadIsAudited() throws {
        let workspace = try EngineFixture.sampleWorkspace("refused-read")
        let ana = Environment.fixed(at: 1_764_300_000, user: "ana")
        let refused = try #require(throws: EngineError.self) {
            try workspace.query("SELECT count(*) FROM silver_customer WHERE email = 'guess@example.com'", limit: 1, as: ana)
        }
        #expect(refused.code == .forbidden)
        _ = try workspace.query("SELECT count(*) AS n FROM silver_customer", limit: 1, as: ana)
        let rows = try workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused"))
        #expect(rows.count == 1)
        #expect(rows.first?.actor == "ana")
        #expect(rows.first?.target == "query")
        #expect(rows.first?.reason?.contains("email") == true, "\(String(describing: rows.first?.reason))")
        #expect(rows.first?.reason?.contains("guess@example.com") == false)
    }
}
