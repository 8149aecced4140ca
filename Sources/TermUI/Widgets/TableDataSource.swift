/// Rows for a ``Table``. The table asks only for the rows it shows, so a data source can page
/// through millions of records lazily.
public protocol TableDataSource {
    var rowCount: Int { get }
    /// The cells of `row`, one per column in the table's declared column order (hidden and
    /// reordered columns are picked out by the table). Missing cells render empty.
    func cells(forRow row: Int) -> [Line]
    /// A style patched onto the whole row (e.g. to mark rejected records); nil for none.
    func style(forRow row: Int) -> Style?
}

extension TableDataSource {
    public func style(forRow row: Int) -> Style? { nil }
}

/// A data source over rows held in memory.
public struct ArrayTableDataSource: TableDataSource, Sendable {
    public var rows: [[Line]]
    public var rowStyles: [Int: Style]

    public init(rows: [[Line]], rowStyles: [Int: Style] = [:]) {
        self.rows = rows
        self.rowStyles = rowStyles
    }

    public init(strings: [[String]], rowStyles: [Int: Style] = [:]) {
        self.init(rows: strings.map { $0.map { Line($0) } }, rowStyles: rowStyles)
    }

    public var rowCount: Int { rows.count }

    public func cells(forRow row: Int) -> [Line] {
        rows.indices.contains(row) ? rows[row] : []
    }

    public func style(forRow row: Int) -> Style? { rowStyles[row] }
}

/// A data source that builds a row's cells only when the table shows it, so a list of thousands of rows costs
/// what the rows on screen cost each frame (a table reads only the rows that fit).
public struct LazyTableDataSource: TableDataSource {
    public let rowCount: Int
    private let build: (Int) -> [Line]
    private let rowStyle: (Int) -> Style?

    /// - Parameters:
    ///   - rowCount: how many rows there are.
    ///   - style: a row's style patch (nil for none).
    ///   - cells: the cells of a row, asked for only while the row is on screen.
    public init(rowCount: Int, style: @escaping (Int) -> Style? = { _ in nil }, cells: @escaping (Int) -> [Line]) {
        self.rowCount = rowCount
        build = cells
        rowStyle = style
    }

    public func cells(forRow row: Int) -> [Line] {
        row >= 0 && row < rowCount ? build(row) : []
    }

    public func style(forRow row: Int) -> Style? { row >= 0 && row < rowCount ? rowStyle(row) : nil }
}
