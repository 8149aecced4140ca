import CDPCore
@testable import CDPEngine
import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// The console shows who you are, masks personal data for roles without view_pii, and presents the
/// engine's refusals.
@Suite struct AccessScreenTests {
    static let access = """
        default_role = "viewer"
        [roles]
        admin = ["view_pii", "remediate_quarantine", "decide_merges", "edit_dictionary", "run_workflows", "act_as"]
        analyst = ["run_workflows"]
        viewer = []
        [users]
        ann = "admin"
        ana = "analyst"
        """

    func console(as user: String) throws -> (Workspace, InMemoryBackend, ConsoleApp) {
        let prepared = try ConsoleFixture.makeWorkspace("access-\(user)")
        try Self.access.write(to: prepared.root.appendingPathComponent(Workspace.accessPath), atomically: true, encoding: .utf8)
        let workspace = try Workspace(at: prepared.root.path)
        _ = try WorkflowRunner(workspace: workspace, environment: ConsoleFixture.clock).run(workspace.workflow())
        let backend = InMemoryBackend(width: 100, height: 30)
        let app = ConsoleApp(
            workspace: workspace, environment: .fixed(at: 1_764_300_000, user: user), theme: .mono, backend: backend)
        return (workspace, backend, app)
    }

    func send(_ script: String, _ backend: InMemoryBackend, _ app: ConsoleApp) throws -> String {
        try backend.enqueue(script: script)
        app.drainEvents(settle: true)
        return backend.screenText()
    }

    @Test func anAnalystSeesMaskedValuesEverywhereAndWhoTheyAre() throws {
        let (_, backend, app) = try console(as: "ana")
        let list = try send("2", backend, app)
        #expect(list.contains("ana (analyst) · PII masked"))
        #expect(list.contains("B*** S***"))
        #expect(!list.contains("Bob Stone"))
        let detail = try send("<enter>", backend, app)
        #expect(!detail.contains("bob at example.com"))
        #expect(detail.contains("(withheld"))
        // Free text cannot confirm a hidden value.
        _ = try send("<esc> / stone <enter>", backend, app)
        #expect(!backend.screenText().contains("Q1 "))
    }

    @Test func anAdminSeesTheValues() throws {
        let (_, backend, app) = try console(as: "ann")
        let list = try send("2", backend, app)
        #expect(list.contains("ann (admin)"))
        #expect(!list.contains("PII masked"))
        #expect(list.contains("Bob Stone"))
    }

    @Test func aRefusedActionSaysWhichPermissionIsMissing() throws {
        let (workspace, backend, app) = try console(as: "ana")
        _ = try send("2 <enter> r", backend, app)
        #expect(app.message?.text.contains("missing permission remediate_quarantine") == true)
        #expect(app.message?.severity == .error)
        #expect(try workspace.store.quarantineRecord(QuarantineID(1))?.status == .open)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused")).first?.actor == "ana")
    }

    @Test func theEditFormAndTheRejectPromptAreRefusedBeforeAnythingIsTyped() throws {
        let (workspace, backend, app) = try console(as: "ana")
        var screen = try send("2 <enter> e", backend, app)
        #expect(!screen.contains("editing"))
        #expect(app.message?.text.contains("missing permission remediate_quarantine") == true)
        screen = try send("x", backend, app)
        #expect(!screen.contains("Reject Q1"))
        #expect(app.message?.text.contains("missing permission remediate_quarantine") == true)
        let refused = try workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused")).map(\.target)
        #expect(refused.contains("quarantine.fix Q1") && refused.contains("quarantine.reject Q1"))
        #expect(try workspace.store.quarantineRecord(QuarantineID(1))?.status == .open)
    }
}
