import CDPCore
@testable import CDPEngine
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// VisiData's habits on the workbench: `z` shows the selected row's focused cell whole, `y` copies it to the clipboard
/// (OSC 52), both as the steward reads the value (masked without `view_pii`).
@Suite struct ZoomCopyTests {
    @Test func zShowsTheFailingValueWholeAndYCopiesItOrTheFocusedCell() throws {
        let f = try ConsoleFixture()
        try f.send("2 z")
        #expect(f.screen.contains("Q1 · failing value") && f.screen.contains("bob at example.com"), "\(f.screen)")
        assertTextSnapshot(f.screen, named: "zoom-cell")
        try f.send("<esc>")
        #expect(f.app.modal == nil)
        try f.send("y")
        #expect(f.backend.clipboard == "bob at example.com")
        #expect(f.app.message?.text == "copied Q1's failing value (18 characters) to the clipboard")
        // With a column focused (the first `]` focuses the first), that cell.
        try f.send("] j y")
        #expect(f.backend.clipboard == "Q2")
    }

    @Test func withoutViewPIITheCopyIsTheMaskedValue() throws {
        let prepared = try ConsoleFixture.makeWorkspace("copy-masked")
        try AccessScreenTests.access.write(to: prepared.root.appendingPathComponent(Workspace.accessPath), atomically: true, encoding: .utf8)
        let workspace = try Workspace(at: prepared.root.path)
        _ = try WorkflowRunner(workspace: workspace, environment: ConsoleFixture.clock).run(workspace.workflow())
        let backend = InMemoryBackend(width: 100, height: 30)
        let app = ConsoleApp(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "ana"), theme: .mono, backend: backend)
        try backend.enqueue(script: "2 y")
        app.drainEvents(settle: true)
        let copied = try #require(backend.clipboard)
        #expect(!copied.isEmpty && !copied.contains("bob"), "\(copied)")
    }
}
