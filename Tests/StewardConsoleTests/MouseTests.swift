import CDPCore
@testable import CDPEngine
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// Clicks and the wheel, as synthetic mouse events through the in-memory backend: a click on a tab shows it, on a
/// row selects it, the wheel moves the selection; dialogs keep the keyboard; off, the mouse does nothing.
@Suite struct MouseTests {
    /// The screen row (0-based) showing `text`, and the column where it starts.
    static func position(of text: String, in screen: String) throws -> (x: Int, y: Int) {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let y = try #require(lines.firstIndex { $0.contains(text) }, "\(text) is not on the screen")
        let prefix = try #require(lines[y].range(of: text)).lowerBound
        return (TextWidth.of(String(lines[y][..<prefix])), y)
    }

    @Test func aClickOnATabShowsItAndOnARowSelectsIt() throws {
        let f = try ConsoleFixture()
        let tab = try Self.position(of: "2 Quar", in: try f.send(""))
        try f.send("<click:\(tab.x + 2),\(tab.y)>")
        #expect(ScreenSnapshotTests.title(f.screen).contains("Quarantine · 6 open+fixed · row 1 of 6"))
        let row = try Self.position(of: "Q4 ", in: f.screen)
        try f.send("<click:\(row.x),\(row.y)>")
        #expect(ScreenSnapshotTests.title(f.screen).contains("row 4 of 6"), "\(ScreenSnapshotTests.title(f.screen))")
        // The wheel moves the selection; a click past the last row or on the header changes nothing.
        try f.send("<scrolldown:\(row.x),\(row.y)> <scrolldown:\(row.x),\(row.y)>")
        #expect(ScreenSnapshotTests.title(f.screen).contains("row 6 of 6"))
        try f.send("<scrollup:\(row.x),\(row.y)>")
        #expect(ScreenSnapshotTests.title(f.screen).contains("row 5 of 6"))
        let header = try Self.position(of: "status", in: f.screen)
        try f.send("<click:\(header.x),\(header.y)> <click:\(row.x),\(row.y + 10)>")
        #expect(ScreenSnapshotTests.title(f.screen).contains("row 5 of 6"))
        // Enter opens the row the click selected: the keyboard and the mouse share the selection.
        try f.send("<click:\(row.x),\(row.y - 1)> <enter>")
        #expect(f.screen.contains("Record Q3"))
        let reviewTab = try Self.position(of: "8 Review", in: f.screen)
        try f.send("<click:\(reviewTab.x + 1),\(reviewTab.y)>")
        #expect(ScreenSnapshotTests.title(f.screen).hasPrefix("╭ Merge review"), "\(ScreenSnapshotTests.title(f.screen))")
    }

    @Test func aDialogKeepsTheKeyboardAndTheMouseCanBeTurnedOff() throws {
        let f = try ConsoleFixture()
        try f.send("2")
        let tab = try Self.position(of: "3 Runs", in: f.screen)
        // A picker is open: a click on another tab is ignored.
        try f.send("f <click:\(tab.x + 1),\(tab.y)>")
        #expect(f.screen.contains("rule · type to search"))
        try f.send("<esc>")
        f.app.usesMouse = false
        let row = try Self.position(of: "Q3 ", in: f.screen)
        try f.send("<click:\(tab.x + 1),\(tab.y)> <click:\(row.x),\(row.y)> <scrolldown:\(row.x),\(row.y)>")
        #expect(ScreenSnapshotTests.title(f.screen).contains("Quarantine · 6 open+fixed · row 1 of 6"), "\(ScreenSnapshotTests.title(f.screen))")
    }

    @Test func aClickOnAPairOfTheReviewQueueSelectsIt() throws {
        let f = try ReviewFixture(user: "ann")
        try f.send("8")
        let rows = f.screen.split(separator: "\n").map(String.init).filter { $0.range(of: #"│[▌ ]P\d"#, options: .regularExpression) != nil }
        try #require(rows.count >= 2)
        let second = try #require(rows[1].range(of: #"P\d+"#, options: .regularExpression).map { String(rows[1][$0]) })
        let at = try Self.position(of: second, in: f.screen)
        try f.send("<click:\(at.x),\(at.y)>")
        #expect(ScreenSnapshotTests.title(f.screen).contains("row 2 of"), "\(ScreenSnapshotTests.title(f.screen))")
    }
}
