import CDPCore
@testable import CDPEngine
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// The Dashboard's counts and bars open the workbench filtered to them: the arrow keys choose one (drawn in the
/// selection style), Enter or a click opens the workbench on exactly its records.
@Suite struct DashboardDrillTests {
    /// Whether the cell where `text` starts on screen is drawn in the selection style (reverse, in the mono theme).
    static func isChosen(_ text: String, in f: ConsoleFixture) throws -> Bool {
        let at = try #require(f.backend.find(text), "\(text) is not on the screen:\n\(f.screen)")
        return f.backend.styledCell(x: at.x, y: at.y)?.style.modifiers.contains(.reverse) == true
    }

    static func title(_ f: ConsoleFixture) -> String { ScreenSnapshotTests.title(f.screen) }

    @Test func theArrowKeysChooseACountVisiblyAndEnterOpensTheWorkbenchOnIt() throws {
        let f = try ConsoleFixture()
        try f.send("")
        // The held total is chosen first; nothing else is.
        #expect(try Self.isChosen("quarantine 6", in: f))
        #expect(try !Self.isChosen("released 0", in: f))
        #expect(try !Self.isChosen("email_format", in: f))
        try f.send("<enter>")
        #expect(Self.title(f).contains("Quarantine · 6 open+fixed · row 1 of 6"), "\(Self.title(f))")
        #expect(f.app.message?.text == "all sources · open+fixed, from the Dashboard (1 goes back)")

        // → along the totals, then on past the last one to the rule bars.
        try f.send("1 <right>")
        #expect(try Self.isChosen("released 0", in: f))
        #expect(try !Self.isChosen("quarantine 6", in: f))
        try f.send("<right>")
        #expect(try Self.isChosen("email_format", in: f))
        try f.send("j")
        #expect(try Self.isChosen("born_valid", in: f))
        #expect(try !Self.isChosen("email_format", in: f))
        try f.send("<enter>")
        #expect(Self.title(f).contains("Quarantine · 1 open+fixed · rule born_valid · row 1 of 1"), "\(Self.title(f))")
        #expect(f.screen.contains("Q6"))

        // Tab back to the sources' counts, on the same row: the source row, its name chosen (its held records).
        try f.send("1 <tab>")
        #expect(f.screen.contains("▌crm"))
        #expect(try Self.isChosen("crm", in: f))
        assertTextSnapshot(f.screen, named: "dashboard-source-chosen")
        try f.send("<enter>")
        #expect(Self.title(f).contains("Quarantine · 6 open+fixed · source crm"), "\(Self.title(f))")
        #expect(!Self.title(f).contains("rule"), "the rule of the previous drill is gone: \(Self.title(f))")
        // The source's rejected count: none.
        try f.send("1 l l l <enter>")
        #expect(Self.title(f).contains("Quarantine · 0 rejected · source crm"), "\(Self.title(f))")
        try f.send("1 h h <enter>")
        #expect(Self.title(f).contains("Quarantine · 6 open · source crm"), "\(Self.title(f))")
    }

    @Test func aDrillShowsExactlyTheCountsRecordsWhateverTheWorkbenchShowedBefore() throws {
        let f = try ConsoleFixture()
        // The workbench narrowed by free text, with a record open on top of it.
        try f.send("2 / bob <enter>")
        #expect(Self.title(f).contains("1 open+fixed"))
        try f.send("<enter>")
        #expect(f.screen.contains("Record Q1"))
        // The e-mail bar: the list itself shows, with every one of the bar's 5 records and no text filter.
        try f.send("1 <tab> <enter>")
        #expect(Self.title(f).contains("Quarantine · 5 open+fixed · rule email_format · row 1 of 5"), "\(Self.title(f))")
        #expect(!f.screen.contains("/bob"))
        #expect(!f.screen.contains("Record Q1"))
        // q now goes back as from any list root: it quits, not to the record.
        let workbench = try #require(f.app.stacks[ConsoleApp.tabIndex("quarantine")].first as? QuarantineListScreen)
        #expect(f.app.stacks[ConsoleApp.tabIndex("quarantine")].count == 1)
        #expect(workbench.filterText == "")
    }

    @Test func aClickOnACountOrABarOpensTheWorkbenchOnIt() throws {
        let f = try ConsoleFixture()
        try f.send("")
        let bar = try MouseTests.position(of: "born_valid", in: f.screen)
        try f.send("<click:\(bar.x + 2),\(bar.y)>")
        #expect(Self.title(f).contains("Quarantine · 1 open+fixed · rule born_valid"), "\(Self.title(f))")
        // The bar stays chosen on the Dashboard.
        try f.send("1")
        #expect(try Self.isChosen("born_valid", in: f))
        // The source's "open" cell: the column under the click.
        let header = try MouseTests.position(of: "open  fixed", in: f.screen)
        let row = try MouseTests.position(of: "crm", in: f.screen)
        try f.send("<click:\(header.x + 1),\(row.y)>")
        #expect(Self.title(f).contains("Quarantine · 6 open · source crm"), "\(Self.title(f))")
        try f.send("1")
        let released = try MouseTests.position(of: "released 0", in: f.screen)
        try f.send("<click:\(released.x),\(released.y)>")
        #expect(Self.title(f).contains("Quarantine · 0 released"), "\(Self.title(f))")
        // Between the counts (a section title) nothing happens.
        try f.send("1")
        let title = try MouseTests.position(of: "Last runs", in: f.screen)
        try f.send("<click:\(title.x),\(title.y)>")
        #expect(Self.title(f).hasPrefix("╭ Dashboard"))
    }

    @Test func escOnTheWorkbenchGoesBackToTheDashboardItWasOpenedFrom() throws {
        let f = try ConsoleFixture()
        // Opened from its tab, Esc on the workbench does nothing (q would quit).
        try f.send("2 <esc>")
        #expect(Self.title(f).hasPrefix("╭ Quarantine"))
        try f.send("1 <tab> j <enter>")
        #expect(Self.title(f).contains("rule born_valid"), "\(Self.title(f))")
        try f.send("?")
        #expect(f.screen.contains("Back to the Dashboard this view was opened from"))
        // Esc goes back, the bar still chosen; from there Enter drills again.
        try f.send("<esc> <esc>")
        #expect(Self.title(f).hasPrefix("╭ Dashboard"), "\(Self.title(f))")
        #expect(try Self.isChosen("born_valid", in: f))
        try f.send("2 <esc>")
        #expect(Self.title(f).hasPrefix("╭ Quarantine"), "once back, Esc does nothing again: \(Self.title(f))")
    }

    @Test func theChosenCountIsKeptInWhatExistsWhenTheFiguresChange() {
        let layout = DashboardFocus.Layout(sourceRows: 3, rules: 2)
        var focus = DashboardFocus()
        focus.move(columns: 1, in: layout)
        #expect(focus == DashboardFocus(panel: .sources, row: 0, column: 1))
        focus.move(columns: 1, in: layout)
        #expect(focus == DashboardFocus(panel: .rules, row: 0, column: 0))
        focus.moveToEnd(last: true, in: layout)
        #expect(focus.row == 1)
        focus.move(columns: -1, in: layout)
        #expect(focus == DashboardFocus(panel: .sources, row: 1, column: 3))
        focus.moveToEnd(last: true, in: layout)
        #expect(focus.row == 2)
        // Fewer sources and no rules after a refresh: the choice moves to the last row there is, in the table.
        #expect(DashboardFocus(panel: .rules, row: 5, column: 0).clamped(to: DashboardFocus.Layout(sourceRows: 2, rules: 0))
            == DashboardFocus(panel: .sources, row: 1, column: 0))
        // With no bars, → stops at the table's last column.
        var last = DashboardFocus(panel: .sources, row: 1, column: 3)
        last.move(columns: 1, in: DashboardFocus.Layout(sourceRows: 2, rules: 0))
        #expect(last == DashboardFocus(panel: .sources, row: 1, column: 3))
    }

    @Test func theDrillKeysAreInHelpAndThePalette() throws {
        let f = try ConsoleFixture()
        try f.send("?")
        let helpLines = ["Open the workbench filtered to the chosen count", "Choose the count to the right", "Move between the sources' counts"]
        for line in helpLines {
            #expect(f.screen.contains(line), "\(line)")
        }
        try f.send("<esc>")
        for name in ["drill", "count-left", "count-right", "next-panel"] { #expect(f.app.actionNames.contains(name), "\(name)") }
        // From the palette, as Enter would.
        try f.send(": drill <enter>")
        #expect(Self.title(f).contains("Quarantine · 6 open+fixed"), "\(Self.title(f))")
    }
}
