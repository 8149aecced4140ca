import CDPCore
@testable import CDPEngine
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// Column widths on the lists (VisiData's habits): ←/→ focus a column and scroll to it, `}`/`{` widen or narrow it,
/// `_` fits it to its content again; columns cut off either side are marked in the header.
@Suite struct ColumnWidthScreenTests {
    static func table(_ app: ConsoleApp) -> (any TableScreen)? { app.current as? any TableScreen }

    /// The header line of a list (under the tabs, the title and the frame's top).
    static func header(_ screen: String) -> String {
        screen.split(separator: "\n").dropFirst(2).first.map(String.init) ?? ""
    }

    @Test func rightAndLeftFocusTheNextAndPreviousColumn() throws {
        let f = try ConsoleFixture()
        // Typed ahead of the screen's first frame too.
        try f.send("4 <right>")
        #expect(Self.table(f.app)?.state.focusedColumn == "id")
        try f.send("<right> <right>")
        #expect(Self.table(f.app)?.state.focusedColumn == "actor")
        try f.send("<left>")
        #expect(Self.table(f.app)?.state.focusedColumn == "at")
    }

    @Test func widenNarrowAndFitTheFocusedColumn() throws {
        let f = try ConsoleFixture()
        try f.send("4 <right> <right> <right>")
        let drawn = try #require(Self.table(f.app)?.state.drawnWidths["actor"])
        try f.send("}")
        #expect(Self.table(f.app)?.state.columnWidths["actor"] == drawn + ColumnActions.step)
        #expect(Self.table(f.app)?.state.drawnWidths["actor"] == drawn + ColumnActions.step)
        try f.send("{ {")
        #expect(Self.table(f.app)?.state.drawnWidths["actor"] == drawn - ColumnActions.step)
        try f.send("_")
        #expect(Self.table(f.app)?.state.columnWidths.isEmpty == true)
        #expect(Self.table(f.app)?.state.drawnWidths["actor"] == drawn)
    }

    @Test func widthKeysAskForAFocusedColumnFirst() throws {
        let f = try ConsoleFixture()
        let screen = try f.send("3 }")
        #expect(screen.contains(ColumnActions.focusFirst))
        #expect(Self.table(f.app)?.state.columnWidths.isEmpty == true)
    }

    @Test func aWidenedColumnScrollsTheListSideways() throws {
        let f = try ConsoleFixture()
        try f.send("4 <right> <right> <right>")
        // Widened past the screen: the columns after it are cut off, and the header says so on the right.
        try f.send(Array(repeating: "}", count: 12).joined(separator: " "))
        #expect(Self.header(f.screen).contains(Table.cutRightMark))
        #expect(!Self.header(f.screen).contains(Table.cutLeftMark))
        // Moving right to the last column scrolls to it: now columns are cut off on the left.
        try f.send("<right> <right> <right>")
        #expect(Self.table(f.app)?.state.focusedColumn == "change")
        #expect(Self.header(f.screen).contains(Table.cutLeftMark))
        #expect(Self.header(f.screen).contains("change"))
        assertTextSnapshot(f.screen, named: "audit-scrolled-sideways")
        // And back.
        try f.send("<left> <left> <left> <left> <left>")
        #expect(Self.table(f.app)?.state.firstColumn == 0)
        #expect(!Self.header(f.screen).contains(Table.cutLeftMark))
    }

    @Test func theWorkbenchTakesTheSameKeys() throws {
        let f = try ConsoleFixture()
        try f.send("2 <right>")
        let focused = try #require(Self.table(f.app)?.state.focusedColumn)
        let drawn = try #require(Self.table(f.app)?.state.drawnWidths[focused])
        try f.send("}")
        #expect(Self.table(f.app)?.state.drawnWidths[focused] == drawn + ColumnActions.step)
        try f.send("_")
        #expect(Self.table(f.app)?.state.columnWidths.isEmpty == true)
    }

    @Test func helpAndThePaletteListTheColumnKeys() throws {
        let f = try ConsoleFixture(height: 60)
        let help = try f.send("4 ?")
        for text in ["Widen the focused column", "Narrow the focused column", "Fit the focused column", "Focus the column to the right"] {
            #expect(help.contains(text), "\(text)")
        }
        try f.send("<esc>")
        #expect(f.app.actionNames.contains("widen-column"))
        try f.send(": column-right <enter> : widen-column <enter>")
        #expect(Self.table(f.app)?.state.columnWidths["id"] != nil)
    }
}

