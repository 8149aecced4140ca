/// A virtualised table: a sticky header row, then only the rows that fit, fetched from a
/// ``TableDataSource`` as they are shown.
///
/// Column widths come from each column's constraint (see ``Layout``), with `columnSpacing`
/// between columns. Cells are aligned per column and cut with "…". The sort column from
/// ``TableState/sort`` gets ▲ or ▼ after its title. Row styles layer: `style`, then the data
/// source's row style, then `selectedStyle` on the selected row.
public struct Table: StatefulWidget {
    public var columns: [TableColumn]
    public var dataSource: any TableDataSource
    public var style: Style
    public var headerStyle: Style
    public var selectedStyle: Style
    /// Drawn before the selected row (e.g. "▶ "); other rows get the same width of spaces.
    public var highlightSymbol: String
    public var columnSpacing: Int
    /// Shown centred under the header when there are no rows.
    public var emptyMessage: String
    /// Patched onto the header of ``TableState/focusedColumn``; nil leaves it unmarked.
    public var focusedHeaderStyle: Style?
    /// When true, `.fill` columns are sized to the widest of their title and the rows shown (see
    /// ``Layout/fittedSizes(for:natural:extent:spacing:)``) rather than by weight alone.
    public var fitsContent: Bool

    public init(
        columns: [TableColumn], dataSource: any TableDataSource, style: Style = .plain,
        headerStyle: Style = Style(modifiers: .bold), selectedStyle: Style = Style(modifiers: .reverse),
        highlightSymbol: String = "", focusedHeaderStyle: Style? = nil, columnSpacing: Int = 1, emptyMessage: String = "No rows",
        fitsContent: Bool = false
    ) {
        self.fitsContent = fitsContent
        self.columns = columns
        self.dataSource = dataSource
        self.style = style
        self.headerStyle = headerStyle
        self.selectedStyle = selectedStyle
        self.highlightSymbol = highlightSymbol
        self.columnSpacing = columnSpacing
        self.emptyMessage = emptyMessage
        self.focusedHeaderStyle = focusedHeaderStyle
    }

    /// Rows of data shown in an area `height` rows high (one row goes to the header).
    public static func visibleRowCount(forHeight height: Int) -> Int { max(0, height - 1) }

    /// The data row under screen position (x, y) for a table rendered in `area`, or nil (header,
    /// outside, or past the last row). For mouse clicks: `state.select(row)`.
    public static func row(atX x: Int, y: Int, in area: Rect, state: TableState) -> Int? {
        guard area.contains(x: x, y: y) else { return nil }
        return state.selection.row(atScreenY: y, viewportTop: area.y + 1)
    }

    /// The id of the column drawn at screen column `x` as the table was last drawn with `state`, or nil (between
    /// columns, or outside them). With ``row(atX:y:in:state:)``, a click on a cell.
    public static func column(atX x: Int, state: TableState) -> String? {
        state.drawnColumnSpans.first { $0.value.contains(x) }?.key
    }

    public func render(in area: Rect, buffer: inout Buffer, state: inout TableState) {
        guard !area.isEmpty else { return }
        buffer.setStyle(area: area, style)
        let rowCount = dataSource.rowCount
        let viewport = Table.visibleRowCount(forHeight: area.height)
        state.selection.update(rowCount: rowCount, viewportHeight: viewport)

        let shown = state.visibleColumns(columns)
        let symbolWidth = TextWidth.of(highlightSymbol)
        let body = Rect(x: area.x + symbolWidth, y: area.y, width: area.width - symbolWidth, height: area.height)
        let declaredIndex = shown.map { column in columns.firstIndex(where: { $0.id == column.id }) ?? 0 }
        let first = state.selection.offset
        let last = max(first, min(rowCount, first + viewport))
        // Each shown row's cells are read once, for the widths and for drawing.
        let rowCells = (first..<last).map { dataSource.cells(forRow: $0) }
        let natural = shown.enumerated().map { index, column in
            let sorted = state.sort?.columnID == column.id ? 2 : 0
            return rowCells.reduce(TextWidth.of(column.title) + sorted) { widest, cells in
                cells.indices.contains(declaredIndex[index]) ? max(widest, cells[declaredIndex[index]].width) : widest
            }
        }
        let layout = columnLayout(shown, natural: natural, width: body.width, state: state)
        let widths = layout.widths
        state.firstColumn = layout.first
        state.shownColumnIDs = shown.map(\.id)
        // Columns from the first drawn on, while they start inside the table; the last may be cut.
        var columnRects: [Int: Rect] = [:]
        var x = body.x
        var lastWhole = layout.first - 1
        for index in layout.first..<shown.count where x < body.right {
            columnRects[index] = Rect(x: x, y: 0, width: min(widths[index], body.right - x), height: 1)
            if widths[index] > 0, x + widths[index] <= body.right { lastWhole = index }
            x += widths[index] + columnSpacing
        }
        state.drawnColumnSpans = Dictionary(uniqueKeysWithValues: columnRects.map { (shown[$0.key].id, $0.value.x..<$0.value.right) })
        state.columnsCutLeft = layout.first
        state.columnsCutRight = shown.count - 1 - lastWhole

        // Header.
        let headerRow = Rect(x: area.x, y: area.y, width: area.width, height: 1)
        buffer.setStyle(area: headerRow, headerStyle)
        for (index, column) in shown.enumerated() {
            guard var rect = columnRects[index] else { continue }
            rect.y = area.y
            var title = column.title
            if let sort = state.sort, sort.columnID == column.id {
                // Cut the title rather than the indicator when the column is narrow.
                title = TextWidth.truncate(title, to: rect.width - 2) + (sort.ascending ? " ▲" : " ▼")
            }
            buffer.setLine(Line(title), in: rect, alignment: column.alignment)
            if let focusedHeaderStyle, state.focusedColumn == column.id { buffer.setStyle(area: rect, focusedHeaderStyle) }
        }
        // Columns cut off either side: a mark at the header's ends.
        if state.columnsCutLeft > 0, area.width > 0 { buffer.setString(x: area.x, y: area.y, Self.cutLeftMark, style: headerStyle, maxWidth: 1) }
        if state.columnsCutRight > 0, area.width > 1 {
            buffer.setString(x: area.right - 1, y: area.y, Self.cutRightMark, style: headerStyle, maxWidth: 1)
        }

        guard viewport > 0 else { return }
        guard rowCount > 0 else {
            let row = Rect(x: area.x, y: area.y + 1, width: area.width, height: 1)
            buffer.setLine(Line(emptyMessage), in: row, alignment: .center)
            return
        }

        for row in first..<last {
            let y = area.y + 1 + (row - first)
            let rowRect = Rect(x: area.x, y: y, width: area.width, height: 1)
            if let rowStyle = dataSource.style(forRow: row) {
                buffer.setStyle(area: rowRect, rowStyle)
            }
            let isSelected = state.selection.selected == row
            if isSelected {
                buffer.setStyle(area: rowRect, selectedStyle)
                if symbolWidth > 0 { buffer.setString(x: area.x, y: y, highlightSymbol, maxWidth: symbolWidth) }
            }
            let cells = rowCells[row - first]
            for (index, column) in shown.enumerated() {
                let source = declaredIndex[index]
                guard cells.indices.contains(source), var rect = columnRects[index] else { continue }
                rect.y = y
                buffer.setLine(cells[source], in: rect, alignment: column.alignment)
            }
        }
    }

    /// Marks in the header's first and last cell when columns are cut off on that side (scrolled sideways).
    public static let cutLeftMark = "◂"
    public static let cutRightMark = "▸"

    /// The widths of `shown` and the first column drawn. Columns fit the table as their constraints (or, with
    /// ``fitsContent``, their content) say, a width the user set counting as `.length`. When a set width makes the
    /// columns wider than the table, every column keeps its width — a set one, a `.length`, or its content up to
    /// ``maxFittedWidth`` — and the table scrolls sideways from ``TableState/firstColumn``, so far that the focused
    /// column shows.
    func columnLayout(_ shown: [TableColumn], natural: [Int], width: Int, state: TableState) -> (widths: [Int], first: Int) {
        let set = shown.map { state.columnWidths[$0.id].map { max(1, $0) } }
        let constraints = zip(shown, set).map { column, width in width.map { Constraint.length($0) } ?? column.width }
        let own = shown.indices.map { index -> Int in
            if let width = set[index] { return width }
            switch shown[index].width {
            case .length(let n), .min(let n): return n
            case .percentage(let p): return width * p / 100
            case .fill: return min(natural[index], Self.maxFittedWidth)
            }
        }
        let total = own.reduce(0, +) + columnSpacing * max(0, shown.count - 1)
        guard set.contains(where: { $0 != nil }), total > width, !shown.isEmpty else {
            let widths = fitsContent
                ? Layout.fittedSizes(for: constraints, natural: natural, extent: width, spacing: columnSpacing)
                : Layout.sizes(for: constraints, extent: width, spacing: columnSpacing)
            return (widths, 0)
        }
        var first = max(0, min(shown.count - 1, state.firstColumn))
        if let focused = state.focusedColumn, let target = shown.firstIndex(where: { $0.id == focused }) {
            if target < first { first = target }
            // Scroll right until the focused column ends inside the table (or is the first drawn).
            while first < target, own[first...target].reduce(0, +) + columnSpacing * (target - first) > width { first += 1 }
        }
        return (own, first)
    }

    /// The widest a column grows to fit its content when the columns scroll sideways (`z` shows a cell whole).
    public static let maxFittedWidth = 40
}
