import CDPCore
@testable import CDPEngine
@testable import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

@Suite struct AuditScreenTests {
    @Test func filtersByUserActionAndTargetAndOpensOneEntry() throws {
        let f = try ConsoleFixture()
        // Two steward actions on Q1, one on Q6, by two users.
        let service = QuarantineService(workspace: f.workspace, environment: .fixed(at: 1_764_300_100, user: "ann"))
        try service.fix(QuarantineID(1), edits: ["email": "bob@example.com"])
        try QuarantineService(workspace: f.workspace, environment: .fixed(at: 1_764_300_200, user: "bo"))
            .reject(QuarantineID(6), reason: "test row")
        var screen = try f.send("4")
        #expect(screen.contains("chain intact"))
        #expect(screen.contains("quarantine.reject"))
        #expect(screen.contains("quarantine.fix"))

        screen = try f.send("/ user:bo <enter>")
        #expect(screen.contains("quarantine.reject"))
        #expect(!screen.contains("quarantine.fix"))
        #expect(screen.contains("user:bo"))

        screen = try f.send("c / target:Q1 <enter>")
        #expect(screen.contains("quarantine.fix"))
        #expect(!screen.contains("quarantine.reject"))

        // The selected row's action, then the whole entry.
        screen = try f.send("c g a")
        #expect(screen.contains("action:quarantine.reject"))
        screen = try f.send("<enter>")
        #expect(screen.contains("reason"))
        #expect(screen.contains("test row"))
        #expect(screen.contains("hash chain"))
    }

    @Test func aRecordsDetailJumpsToItsHistory() throws {
        let f = try ConsoleFixture()
        try QuarantineService(workspace: f.workspace, environment: ConsoleFixture.clock).fix(QuarantineID(1), edits: ["email": "bob@example.com"])
        try QuarantineService(workspace: f.workspace, environment: ConsoleFixture.clock).reject(QuarantineID(6), reason: "test row")
        let screen = try f.send("2 <enter> h")
        #expect(screen.contains("target:Q1"))
        #expect(screen.contains("quarantine.fix"))
        #expect(!screen.contains("quarantine.reject"))
    }

    @Test func aTamperedChainIsNamedInTheTitle() throws {
        let f = try ConsoleFixture()
        try QuarantineService(workspace: f.workspace, environment: ConsoleFixture.clock).reject(QuarantineID(6), reason: "test row")
        try f.workspace.store.writer.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET reason = 'nothing to see' WHERE action = 'quarantine.reject'")
        }
        let screen = try f.send("4")
        #expect(screen.contains("CHAIN BROKEN"))
    }
}

extension AuditScreenTests {
    /// Each read of the log checks the whole chain: a revisit within 2 s (the console's clock) shows the last read,
    /// unless the console itself changed the lake since; after 2 s it reads again.
    @Test func aRevisitWithinTwoSecondsShowsTheLastReadUnlessTheConsoleChangedTheLake() throws {
        let workspace = try ConsoleFixture.makeWorkspace(#function)
        _ = try WorkflowRunner(workspace: workspace, environment: ConsoleFixture.clock).run(workspace.workflow())
        let clock = LockedBox(1_764_300_000.0)
        let backend = InMemoryBackend(width: 100, height: 30)
        let app = ConsoleApp(workspace: workspace, environment: Environment(now: { clock.value }, user: "ann"), theme: .mono, backend: backend)
        func visit(_ script: String) throws -> String {
            try backend.enqueue(script: script)
            app.drainEvents(settle: true)
            return ScreenSnapshotTests.title(backend.screenText())
        }
        let first = try visit("4")
        let count = try #require(first.firstMatch(of: /(\d+) of \1 newest/).map { Int($0.output.1) ?? 0 }, "\(first)")
        // Someone else acts (outside this console).
        try QuarantineService(workspace: workspace, environment: .fixed(at: 1_764_300_001, user: "bo")).reject(QuarantineID(6), reason: "test row")
        clock.value += 1
        #expect(try visit("1 4").contains("\(count) of \(count) newest"))
        clock.value += 1
        #expect(try visit("1 4").contains("\(count + 1) of \(count + 1) newest"))
        // The console's own change is read at once.
        try QuarantineService(workspace: workspace, environment: .fixed(at: 1_764_300_002, user: "bo")).reject(QuarantineID(5), reason: "test row")
        #expect(try visit("<ctrl-r>").contains("\(count + 2) of \(count + 2) newest"))
    }
}
