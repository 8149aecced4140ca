/// What a user changes about a ``Table``: selection, scroll, sort, hidden columns, column order.
@dynamicMemberLookup
public struct TableState: Sendable, Hashable {
    public var selection: SelectionState
    public var sort: TableSort?
    /// IDs of columns not shown.
    public var hiddenColumns: Set<String>
    /// Column IDs in display order; columns not listed follow in their declared order.
    public var columnOrder: [String]
    /// The column the user acts on (sort, hide, move, widen); the table marks its header and, when the columns are
    /// wider than the table, scrolls so that it shows.
    public var focusedColumn: String?
    /// Widths the user gave columns (widened or narrowed), by column id; the others keep their constraint (or fit
    /// their content). A set width is kept as it is: when the columns no longer fit, the table scrolls sideways.
    public var columnWidths: [String: Int] = [:]
    /// The first column drawn when the columns are wider than the table (an index into the columns shown).
    public var firstColumn = 0
    /// As the table last drew them: the ids of the columns shown, in display order (those scrolled out included).
    public internal(set) var shownColumnIDs: [String] = []
    /// As the table last drew them: the screen columns (x) each drawn column covers, by id (for clicks on a cell).
    public internal(set) var drawnColumnSpans: [String: Range<Int>] = [:]
    /// As the table last drew them: each drawn column's width, by id.
    public var drawnWidths: [String: Int] { drawnColumnSpans.mapValues(\.count) }
    /// As the table last drew them: how many columns are cut off on the left (scrolled past) and on the right.
    public internal(set) var columnsCutLeft = 0
    public internal(set) var columnsCutRight = 0

    public init(
        selected: Int? = 0, sort: TableSort? = nil, hiddenColumns: Set<String> = [], columnOrder: [String] = [], focusedColumn: String? = nil
    ) {
        self.selection = SelectionState(selected: selected)
        self.sort = sort
        self.hiddenColumns = hiddenColumns
        self.columnOrder = columnOrder
        self.focusedColumn = focusedColumn
    }

    /// Selection properties (`selected`, `offset`, `rowCount`, `viewportHeight`) read through.
    public subscript<T>(dynamicMember keyPath: WritableKeyPath<SelectionState, T>) -> T {
        get { selection[keyPath: keyPath] }
        set { selection[keyPath: keyPath] = newValue }
    }

    public mutating func select(_ row: Int?) { selection.select(row) }
    public mutating func select(next count: Int = 1) { selection.select(next: count) }
    public mutating func select(previous count: Int = 1) { selection.select(previous: count) }
    public mutating func page(down: Bool) { selection.page(down: down) }
    public mutating func selectFirst() { selection.selectFirst() }
    public mutating func selectLast() { selection.selectLast() }
    public mutating func handleNavigation(_ key: KeyEvent) -> Bool { selection.handleNavigation(key) }

    /// The columns shown, in display order.
    public func visibleColumns(_ columns: [TableColumn]) -> [TableColumn] {
        var ordered: [TableColumn] = []
        for id in columnOrder {
            if let column = columns.first(where: { $0.id == id }), !ordered.contains(where: { $0.id == id }) {
                ordered.append(column)
            }
        }
        for column in columns where !ordered.contains(where: { $0.id == column.id }) {
            ordered.append(column)
        }
        return ordered.filter { !hiddenColumns.contains($0.id) }
    }

    public mutating func toggleHidden(_ columnID: String) {
        if hiddenColumns.contains(columnID) {
            hiddenColumns.remove(columnID)
        } else {
            hiddenColumns.insert(columnID)
        }
    }

    /// Moves a column `delta` places in the display order (negative: left).
    public mutating func moveColumn(_ columnID: String, by delta: Int, in columns: [TableColumn]) {
        var order = TableState(columnOrder: columnOrder).visibleColumns(columns).map(\.id)
        guard let from = order.firstIndex(of: columnID) else { return }
        let to = max(0, min(order.count - 1, from + delta))
        order.remove(at: from)
        order.insert(columnID, at: to)
        columnOrder = order
    }

    /// Focuses the column `delta` places from the focused one among those shown (none focused: the first or the
    /// last); the table scrolls to it when the columns are wider than the table.
    public mutating func focusColumn(by delta: Int) {
        guard !shownColumnIDs.isEmpty else { return }
        guard let focused = focusedColumn, let index = shownColumnIDs.firstIndex(of: focused) else {
            focusedColumn = delta >= 0 ? shownColumnIDs[0] : shownColumnIDs[shownColumnIDs.count - 1]
            return
        }
        focusedColumn = shownColumnIDs[max(0, min(shownColumnIDs.count - 1, index + delta))]
    }

    /// Widens (positive `delta`) or narrows the focused column from the width it was drawn at, down to 1; it then
    /// keeps that width until ``fitFocusedColumn()``. Returns false when no column is focused.
    @discardableResult
    public mutating func resizeFocusedColumn(by delta: Int) -> Bool {
        guard let focused = focusedColumn else { return false }
        let current = columnWidths[focused] ?? drawnWidths[focused] ?? 1
        columnWidths[focused] = max(1, current + delta)
        return true
    }

    /// Gives the focused column back its own width (its constraint, or its content). Returns false when no column is
    /// focused.
    @discardableResult
    public mutating func fitFocusedColumn() -> Bool {
        guard let focused = focusedColumn else { return false }
        columnWidths[focused] = nil
        return true
    }

    /// Sorts by `columnID`, or flips the direction when it is already the sort column.
    public mutating func toggleSort(_ columnID: String) {
        if let sort, sort.columnID == columnID {
            self.sort = TableSort(columnID: columnID, ascending: !sort.ascending)
        } else {
            sort = TableSort(columnID: columnID, ascending: true)
        }
    }
}
