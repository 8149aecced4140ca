import Testing
@testable import TermUI

/// A data source that counts which rows it was asked for.
final class CountingDataSource: TableDataSource {
    let rowCount: Int
    private(set) var requestedRows: [Int] = []
    var flaggedRow: Int?

    init(rowCount: Int) { self.rowCount = rowCount }

    func cells(forRow row: Int) -> [Line] {
        requestedRows.append(row)
        return [Line("\(row)"), Line("name\(row)"), Line("c\(row)")]
    }

    func style(forRow row: Int) -> Style? { row == flaggedRow ? .fg(.red) : nil }
}

@Suite struct TableTests {
    let columns = [
        TableColumn(id: "id", title: "ID", width: .length(4), alignment: .right),
        TableColumn(id: "name", title: "Name", width: .fill(1)),
        TableColumn(id: "city", title: "City", width: .length(5)),
    ]

    @Test func aClickFindsTheColumnDrawnThere() {
        var state = TableState()
        // "  ID Name      City ": ID covers x 0–3, Name 5–13, City 15–19; the spaces between belong to no column.
        _ = renderBuffer(Table(columns: columns, dataSource: CountingDataSource(rowCount: 3)), width: 20, height: 4, state: &state)
        #expect(Table.column(atX: 0, state: state) == "id")
        #expect(Table.column(atX: 3, state: state) == "id")
        #expect(Table.column(atX: 4, state: state) == nil)
        #expect(Table.column(atX: 5, state: state) == "name")
        #expect(Table.column(atX: 15, state: state) == "city")
        #expect(Table.column(atX: 20, state: state) == nil)
        #expect(state.drawnWidths == ["id": 4, "name": 9, "city": 5])
    }

    @Test func rendersOnlyVisibleRowsWithStickyHeader() {
        let source = CountingDataSource(rowCount: 1_000_000)
        var state = TableState()
        let table = Table(columns: columns, dataSource: source)
        let buffer = renderBuffer(table, width: 20, height: 4, state: &state)
        #expect(source.requestedRows == [0, 1, 2])
        #expect(buffer.lines() == [
            "  ID Name      City ",
            "   0 name0     c0   ",
            "   1 name1     c1   ",
            "   2 name2     c2   ",
        ])
        #expect(buffer[0, 0].style.modifiers.contains(.bold))
        #expect(buffer[0, 1].style.modifiers.contains(.reverse))
        #expect(!buffer[0, 2].style.modifiers.contains(.reverse))
    }

    @Test func selectionScrollsAndHeaderStays() {
        let source = CountingDataSource(rowCount: 100)
        var state = TableState()
        let table = Table(columns: columns, dataSource: source)
        _ = renderBuffer(table, width: 20, height: 4, state: &state)
        state.select(next: 5)
        #expect(state.selected == 5)
        #expect(state.offset == 3)
        let buffer = renderBuffer(table, width: 20, height: 4, state: &state)
        #expect(trimmed(buffer.lines()) == ["  ID Name      City", "   3 name3     c3", "   4 name4     c4", "   5 name5     c5"])
        #expect(buffer[0, 3].style.modifiers.contains(.reverse))

        state.page(down: true)  // viewport 3 rows: a page moves 2
        #expect(state.selected == 7)
        state.selectLast()
        #expect(state.selected == 99)
        #expect(state.offset == 97)
        state.page(down: false)
        #expect(state.selected == 97)
        #expect(state.offset == 97)
        state.selectFirst()
        #expect(state.selected == 0 && state.offset == 0)
        state.select(previous: 1)
        #expect(state.selected == 0)
        let handled1 = state.handleNavigation(KeyEvent(.end))
        #expect(handled1)
        #expect(state.selected == 99)
        let handled2 = state.handleNavigation(.char("x"))
        #expect(!handled2)
    }

    @Test func selectionIsClampedWhenRowsShrink() {
        var state = TableState(selected: 50)
        let table = Table(columns: columns, dataSource: CountingDataSource(rowCount: 10))
        _ = renderBuffer(table, width: 20, height: 5, state: &state)
        #expect(state.selected == 9)
        #expect(state.offset == 6)
    }

    @Test func sortIndicatorHiddenAndReorderedColumns() {
        let source = CountingDataSource(rowCount: 2)
        var state = TableState(sort: TableSort(columnID: "name", ascending: false))
        let table = Table(columns: columns, dataSource: source, selectedStyle: .plain)
        var lines = trimmed(renderBuffer(table, width: 20, height: 3, state: &state).lines())
        #expect(lines[0] == "  ID Name ▼    City")

        state.toggleSort("name")
        lines = trimmed(renderBuffer(table, width: 20, height: 3, state: &state).lines())
        #expect(lines[0] == "  ID Name ▲    City")

        let narrow = [TableColumn(id: "name", title: "Customer name", width: .length(8))]
        let narrowLines = trimmed(renderBuffer(Table(columns: narrow, dataSource: source), width: 8, height: 1, state: &state).lines())
        #expect(narrowLines == ["Custo… ▲"])

        state.toggleHidden("id")
        state.moveColumn("city", by: -1, in: columns)
        #expect(state.visibleColumns(columns).map(\.id) == ["city", "name"])
        lines = trimmed(renderBuffer(table, width: 20, height: 3, state: &state).lines())
        #expect(lines == ["City  Name ▲", "c0    name0", "c1    name1"])
    }

    @Test func rowStyleOverridesAndHighlightSymbol() {
        let source = CountingDataSource(rowCount: 3)
        source.flaggedRow = 2
        var state = TableState(selected: 1)
        let table = Table(columns: columns, dataSource: source, highlightSymbol: "▶ ")
        let buffer = renderBuffer(table, width: 22, height: 4, state: &state)
        #expect(trimmed(buffer.lines()) == ["    ID Name      City", "     0 name0     c0", "▶    1 name1     c1", "     2 name2     c2"])
        #expect(buffer[8, 3].style.fg == .red)
        #expect(buffer[8, 1].style.fg == .default)
    }

    @Test func emptyTableShowsMessage() {
        var state = TableState()
        let table = Table(columns: columns, dataSource: ArrayTableDataSource(rows: []), emptyMessage: "No records")
        let lines = trimmed(renderBuffer(table, width: 20, height: 3, state: &state).lines())
        #expect(lines == ["  ID Name      City", "     No records", ""])
        #expect(state.selected == nil)
    }

    @Test func mouseRowHitTestingFollowsTheScrollOffset() {
        var state = TableState()
        let table = Table(columns: columns, dataSource: CountingDataSource(rowCount: 100))
        let area = Rect(x: 2, y: 3, width: 20, height: 4)
        var buffer = Buffer(width: 30, height: 10)
        state.select(40)
        table.render(in: area, buffer: &buffer, state: &state)
        #expect(state.offset == 38)
        #expect(Table.row(atX: 5, y: 3, in: area, state: state) == nil)  // header
        #expect(Table.row(atX: 5, y: 4, in: area, state: state) == 38)
        #expect(Table.row(atX: 5, y: 6, in: area, state: state) == 40)
        #expect(Table.row(atX: 5, y: 7, in: area, state: state) == nil)  // below the table
        #expect(Table.row(atX: 1, y: 5, in: area, state: state) == nil)  // left of it

        var short = TableState()
        let few = Table(columns: columns, dataSource: CountingDataSource(rowCount: 1))
        few.render(in: area, buffer: &buffer, state: &short)
        #expect(Table.row(atX: 5, y: 5, in: area, state: short) == nil)  // past the last row
    }
}

@Suite struct SelectionRecoveryTests {
    /// A filter that matches nothing clears the selection; the next one that matches rows must select the
    /// first again, or Enter finds "no record selected" on every later filter.
    @Test func rowsComingBackAfterNoneSelectTheFirst() {
        var selection = SelectionState(selected: 3)
        selection.update(rowCount: 10, viewportHeight: 5)
        #expect(selection.selected == 3)
        selection.update(rowCount: 0, viewportHeight: 5)
        #expect(selection.selected == nil)
        selection.update(rowCount: 4, viewportHeight: 5)
        #expect(selection.selected == 0)
    }

    @Test func aSelectionClearedOnPurposeStaysClear() {
        var selection = SelectionState(selected: 2)
        selection.update(rowCount: 0, viewportHeight: 5)
        selection.select(nil)
        selection.update(rowCount: 4, viewportHeight: 5)
        #expect(selection.selected == nil)
        var none = SelectionState(selected: nil)
        none.update(rowCount: 4, viewportHeight: 5)
        #expect(none.selected == nil)
    }
}

extension TableTests {
    @Test func aTableThatFitsContentGivesEachColumnItsWidestCellFirst() {
        let rows = ArrayTableDataSource(rows: [
            [Line("a"), Line("email_format"), Line("a long message that can be cut")],
            [Line("b"), Line("born"), Line("short")],
        ])
        let columns = [
            TableColumn(id: "k", title: "k", width: .length(1)),
            TableColumn(id: "rule", title: "rule", width: .fill(3)),
            TableColumn(id: "msg", title: "message", width: .fill(6)),
        ]
        var state = TableState()
        // By weight alone the rule column would get 1/3 of 28 = 9 and cut "email_format".
        let fitted = renderBuffer(Table(columns: columns, dataSource: rows, fitsContent: true), width: 30, height: 3, state: &state)
        #expect(fitted.lines()[1].hasPrefix("a email_format a long message"))
        var plain = TableState()
        let weighted = renderBuffer(Table(columns: columns, dataSource: rows), width: 30, height: 3, state: &plain)
        #expect(!weighted.lines()[1].contains("email_format"))
    }
}

extension TableTests {
    /// A screen listing thousands of entries (the audit log's 5,000) builds only the rows a frame shows.
    @Test func aLazyDataSourceBuildsOnlyTheRowsOnScreen() {
        final class Built: @unchecked Sendable { var rows: [Int] = [] }
        let built = Built()
        let source = LazyTableDataSource(rowCount: 5_000, style: { $0 == 1 ? .fg(.red) : nil }) { row in
            built.rows.append(row)
            return [Line("\(row)"), Line("name\(row)"), Line("c\(row)")]
        }
        var state = TableState()
        state.select(2_000)
        let buffer = renderBuffer(Table(columns: columns, dataSource: source), width: 20, height: 4, state: &state)
        #expect(built.rows.count == 3)
        #expect(built.rows.allSatisfy { (1_998...2_000).contains($0) })
        #expect(buffer.lines()[3].hasPrefix("2000 name2000"))
        #expect(buffer.lines()[3].hasSuffix("c2000"))
        #expect(source.cells(forRow: 5_000).isEmpty)
        #expect(source.style(forRow: 1) == .fg(.red))
        #expect(source.style(forRow: -1) == nil)
    }
}

/// Column widths the user changes, and sideways scrolling when the columns no longer fit (VisiData's habits).
@Suite struct TableColumnWidthTests {
    let columns = [
        TableColumn(id: "id", title: "id", width: .length(3)),
        TableColumn(id: "name", title: "name", width: .fill(1)),
        TableColumn(id: "city", title: "city", width: .fill(1)),
        TableColumn(id: "note", title: "note", width: .fill(1)),
    ]
    let rows = ArrayTableDataSource(strings: [
        ["1", "Ann Lee", "London", "called twice"],
        ["2", "Bob Stone", "Leeds", "ok"],
    ])

    @Test func columnsThatFitAreNotScrolledOrMarked() {
        var state = TableState()
        let buffer = renderBuffer(Table(columns: columns, dataSource: rows, fitsContent: true), width: 40, height: 3, state: &state)
        #expect(buffer.lines()[1].hasPrefix("1   Ann Lee"))
        #expect(state.columnsCutLeft == 0 && state.columnsCutRight == 0)
        #expect(state.shownColumnIDs == ["id", "name", "city", "note"])
        #expect(!buffer.lines()[0].contains(Table.cutRightMark))
    }

    @Test func aWidenedColumnKeepsItsWidthAndTheTableScrollsToTheFocusedColumn() {
        var state = TableState()
        let table = Table(columns: columns, dataSource: rows, fitsContent: true)
        _ = renderBuffer(table, width: 30, height: 3, state: &state)
        state.focusColumn(by: 1)
        state.focusColumn(by: 1)
        #expect(state.focusedColumn == "name")
        // Widened far past the table: the columns after it are cut off on the right, and marked.
        state.resizeFocusedColumn(by: 12)
        var buffer = renderBuffer(table, width: 30, height: 3, state: &state)
        #expect(state.drawnWidths["name"] == 12 + "Bob Stone".count)
        #expect(state.columnsCutLeft == 0)
        #expect(state.columnsCutRight == 2)
        #expect(buffer.lines()[0].hasSuffix(Table.cutRightMark))
        // Focusing the last column scrolls to it; the first columns are cut off on the left.
        state.focusColumn(by: 1)
        state.focusColumn(by: 1)
        buffer = renderBuffer(table, width: 30, height: 3, state: &state)
        #expect(state.focusedColumn == "note")
        #expect(state.columnsCutLeft == 2)
        #expect(state.columnsCutRight == 0)
        #expect(buffer.lines()[0].hasPrefix(Table.cutLeftMark))
        #expect(buffer.lines()[1].contains("London"))
        #expect(buffer.lines()[1].contains("called twice"))
        #expect(!buffer.lines()[1].contains("Ann Lee"))
        // Back to the first column: the table scrolls back.
        state.focusColumn(by: -3)
        buffer = renderBuffer(table, width: 30, height: 3, state: &state)
        #expect(state.firstColumn == 0)
        #expect(buffer.lines()[1].hasPrefix("1   Ann Lee"))
    }

    @Test func narrowingAndFittingAColumn() {
        var state = TableState()
        let table = Table(columns: columns, dataSource: rows, fitsContent: true)
        let resizedUnfocused = state.resizeFocusedColumn(by: 4)
        #expect(!resizedUnfocused)  // nothing focused
        _ = renderBuffer(table, width: 40, height: 3, state: &state)
        state.focusColumn(by: -1)
        #expect(state.focusedColumn == "note")
        let drawn = state.drawnWidths["note"] ?? 0
        state.resizeFocusedColumn(by: -(drawn - 3))
        let narrow = renderBuffer(table, width: 40, height: 3, state: &state)
        #expect(state.drawnWidths["note"] == 3)
        #expect(narrow.lines()[1].hasSuffix("ca…"))
        // Narrowing stops at one column.
        state.resizeFocusedColumn(by: -10)
        _ = renderBuffer(table, width: 40, height: 3, state: &state)
        #expect(state.drawnWidths["note"] == 1)
        let fitted = state.fitFocusedColumn()
        #expect(fitted)
        let refitted = renderBuffer(table, width: 40, height: 3, state: &state)
        #expect(state.columnWidths.isEmpty)
        #expect(refitted.lines()[1].contains("called twice"))
    }
}
