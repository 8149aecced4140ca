import CDPCore
@testable import CDPEngine
import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// How long each held record has waited (a column and a sort), and what is new since the steward's last visit
/// (a mark and a filter), per user, kept through the engine.
@Suite struct WorkQueueAgeTests {
    static let day = 86_400.0
    static let start = 1_764_300_000.0

    /// A console over `workspace` at `seconds`, signed in as `user`, on the workbench.
    static func console(_ workspace: Workspace, at seconds: Double, user: String = "ann") -> (InMemoryBackend, ConsoleApp) {
        let backend = InMemoryBackend(width: 120, height: 24)
        let app = ConsoleApp(workspace: workspace, environment: .fixed(at: seconds, user: user), theme: .mono, backend: backend)
        return (backend, app)
    }

    static func send(_ script: String, _ backend: InMemoryBackend, _ app: ConsoleApp) throws -> [String] {
        try backend.enqueue(script: script)
        app.drainEvents(settle: true)
        return backend.screenText().split(separator: "\n").map(String.init)
    }

    @Test func theWorkbenchShowsEachRecordsAgeSortsByItAndStarsWhatIsNewSinceYourLastVisit() throws {
        let workspace = try ConsoleFixture.makeWorkspace("age")
        _ = try WorkflowRunner(workspace: workspace, environment: .fixed(at: Self.start, user: "ann")).run(workspace.workflow())

        // Twelve days later: every record is 12 days old; a first visit stars nothing.
        var (backend, app) = Self.console(workspace, at: Self.start + 12 * Self.day)
        var lines = try Self.send("2", backend, app)
        let header = try #require(lines.first { $0.contains("failing value") })
        #expect(header.contains(" age "))
        #expect(lines.filter { $0.contains(" open ") && $0.contains("12 d") }.count == 6)
        #expect(!lines.joined().contains("★"))
        _ = try Self.send("N", backend, app)
        #expect(app.message?.text.hasPrefix("your first visit to the workbench") == true)

        // A day later two more records are held.
        try """
            id,first,last,email,born
            C9,Hal,Ito,hal at example.com,1981-01-01
            C10,Ida,Jo,ida at example.com,1982-01-01

            """.write(to: workspace.root.appendingPathComponent("inbox/customers-2.csv"), atomically: true, encoding: .utf8)
        _ = try WorkflowRunner(workspace: workspace, environment: .fixed(at: Self.start + 13 * Self.day, user: "ann")).run(workspace.workflow())

        (backend, app) = Self.console(workspace, at: Self.start + 14 * Self.day)
        lines = try Self.send("2", backend, app)
        let new = lines.filter { $0.contains("★") }
        #expect(new.count == 2)
        #expect(new.allSatisfy { $0.contains("★ 1 d") && ($0.contains("Hal Ito") || $0.contains("Ida Jo")) })
        #expect(lines.filter { $0.contains(" open ") && $0.contains(" 14 d") && !$0.contains("★") }.count == 6)

        // N keeps the new ones only; again shows all.
        lines = try Self.send("N", backend, app)
        #expect(lines[1].contains("Quarantine · 2 open+fixed · new since 2025-12-10 03:20"), "\(lines[1])")
        #expect(app.message?.text == "2 records held since your last visit (2025-12-10 03:20)")
        lines = try Self.send("N", backend, app)
        #expect(lines[1].contains("Quarantine · 8 open+fixed"))

        // Sorted by age (o goes id, status, source, key, name, line, age): the newest first, ties by id; reversed,
        // the oldest first.
        lines = try Self.send("o o o o o o o", backend, app)
        #expect(lines[1].contains("by age ▲"))
        let rows = lines.filter { $0.contains(" open ") }
        #expect(rows.first?.contains("Hal Ito") == true && rows.dropFirst().first?.contains("Ida Jo") == true, "\(rows)")
        lines = try Self.send("O", backend, app)
        let reversed = lines.filter { $0.contains(" open ") }
        #expect(reversed.count == 8 && reversed.prefix(6).allSatisfy { !$0.contains("★") } && reversed.suffix(2).allSatisfy { $0.contains("★") })

        // Visits are per user and kept through the engine, in the audit log.
        let visits = try workspace.store.auditEntries(LakeStore.AuditFilter(action: "console.visit"))
        #expect(visits.map(\.actor) == ["ann", "ann"])
        #expect(try StewardVisits(workspace: workspace, environment: .fixed(at: 0, user: "bob")).lastVisit(to: .quarantine) == nil)
        (backend, app) = Self.console(workspace, at: Self.start + 14 * Self.day, user: "bob")
        #expect(!(try Self.send("2", backend, app)).joined().contains("★"))
    }
}
