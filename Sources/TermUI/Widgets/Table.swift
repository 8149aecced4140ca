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
        let widths: [Int]
        if fitsContent {
            let natural = shown.enumerated().map { index, column in
                let sorted = state.sort?.columnID == column.id ? 2 : 0
                return rowCells.reduce(TextWidth.of(column.title) + sorted) { widest, cells in
                    cells.indices.contains(declaredIndex[index]) ? max(widest, cells[declaredIndex[index]].width) : widest
                }
            }
            widths = Layout.fittedSizes(for: shown.map(\.width), natural: natural, extent: body.width, spacing: columnSpacing)
        } else {
            widths = Layout.sizes(for: shown.map(\.width), extent: body.width, spacing: columnSpacing)
        }
        var columnRects: [Rect] = []
        var x = body.x
        for width in widths {
            columnRects.append(Rect(x: x, y: 0, width: min(width, body.right - x), height: 1))
            x += width + columnSpacing
        }

        // Header.
        let headerRow = Rect(x: area.x, y: area.y, width: area.width, height: 1)
        buffer.setStyle(area: headerRow, headerStyle)
        for (index, column) in shown.enumerated() {
            var rect = columnRects[index]
            rect.y = area.y
            var title = column.title
            if let sort = state.sort, sort.columnID == column.id {
                // Cut the title rather than the indicator when the column is narrow.
                title = TextWidth.truncate(title, to: rect.width - 2) + (sort.ascending ? " ▲" : " ▼")
            }
            buffer.setLine(Line(title), in: rect, alignment: column.alignment)
            if let focusedHeaderStyle, state.focusedColumn == column.id { buffer.setStyle(area: rect, focusedHeaderStyle) }
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
                guard cells.indices.contains(source) else { continue }
                var rect = columnRects[index]
                rect.y = y
                buffer.setLine(cells[source], in: rect, alignment: column.alignment)
            }
        }
    }
}
