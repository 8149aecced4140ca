import CDPCore
@testable import CDPEngine
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// Clicks and the wheel on every list screen, through the in-memory backend: a click on a row selects it (the
/// keyboard's selection, so Enter opens it), the wheel moves the selection, and with the mouse off nothing moves.
@Suite struct MouseListTests {
    /// The screen line of the selected row (drawn with the highlight symbol after the border).
    static func selectedLine(_ screen: String) -> Int? {
        screen.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("│▌") }
    }

    /// Clicks the row under the selected one (inside the table, past the highlight column) and returns the title.
    static func clickNextRow(_ f: ConsoleFixture) throws -> String {
        let selected = try #require(Self.selectedLine(f.screen), "no row is selected:\n\(f.screen)")
        try f.send("<click:6,\(selected + 1)>")
        #expect(Self.selectedLine(f.screen) == selected + 1, "\(f.screen)")
        return ScreenSnapshotTests.title(f.screen)
    }

    @Test(arguments: [("3", "Runs"), ("4", "Audit log"), ("5", "Customers"), ("7", "Data dictionary")])
    func aClickSelectsARowAndTheWheelMovesTheSelection(key: String, screen: String) throws {
        // Customers lists golden records: the fixture with Customer 360 built.
        let f = key == "5" ? try ConsoleFixture(customer360: "mouse", width: 100, height: 30) : try ConsoleFixture(name: "mouse-\(key)")
        // A second run, so the Runs screen lists two.
        _ = try WorkflowRunner(workspace: f.workspace, environment: ConsoleFixture.clock).run(f.workspace.workflow())
        try f.send(key)
        #expect(ScreenSnapshotTests.title(f.screen).contains(screen), "\(ScreenSnapshotTests.title(f.screen))")
        #expect(ScreenSnapshotTests.title(f.screen).contains("row 1 of"), "\(ScreenSnapshotTests.title(f.screen))")
        let title = try Self.clickNextRow(f)
        #expect(title.contains("row 2 of"), "\(title)")
        let selected = try #require(Self.selectedLine(f.screen))
        try f.send("<scrollup:6,\(selected)>")
        #expect(ScreenSnapshotTests.title(f.screen).contains("row 1 of"), "\(ScreenSnapshotTests.title(f.screen))")
        try f.send("<scrolldown:6,\(selected)>")
        #expect(ScreenSnapshotTests.title(f.screen).contains("row 2 of"), "\(ScreenSnapshotTests.title(f.screen))")
        // Off, a click changes nothing; the keyboard still does.
        f.app.usesMouse = false
        try f.send("<click:6,\(selected - 1)>")
        #expect(ScreenSnapshotTests.title(f.screen).contains("row 2 of"))
        try f.send("k")
        #expect(ScreenSnapshotTests.title(f.screen).contains("row 1 of"))
    }

    /// The click's selection is the keyboard's: Enter opens the row clicked.
    @Test func enterOpensTheClickedAuditEntry() throws {
        let f = try ConsoleFixture()
        _ = try WorkflowRunner(workspace: f.workspace, environment: ConsoleFixture.clock).run(f.workspace.workflow())
        try f.send("4")
        let selected = try #require(Self.selectedLine(f.screen))
        let line = f.screen.split(separator: "\n", omittingEmptySubsequences: false)[selected + 1]
        let id = try #require(line.range(of: #"A\d+"#, options: .regularExpression).map { String(line[$0]) }, "\(line)")
        _ = try Self.clickNextRow(f)
        try f.send("<enter>")
        #expect(ScreenSnapshotTests.title(f.screen).contains("Audit \(id) · run.start"), "\(f.screen)")
    }
}
