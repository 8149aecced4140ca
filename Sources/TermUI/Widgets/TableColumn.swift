/// A column of a ``Table``.
public struct TableColumn: Sendable, Hashable {
    /// Stable identifier used by ``TableState`` for hiding, ordering and sorting.
    public var id: String
    public var title: String
    /// Width within the table (see ``Layout``); `.fill(1)` shares what is left.
    public var width: Constraint
    public var alignment: Alignment

    public init(id: String, title: String, width: Constraint = .fill(1), alignment: Alignment = .left) {
        self.id = id
        self.title = title
        self.width = width
        self.alignment = alignment
    }

    public init(_ title: String, width: Constraint = .fill(1), alignment: Alignment = .left) {
        self.init(id: title, title: title, width: width, alignment: alignment)
    }
}

/// The column a table is sorted by, shown as ▲ (ascending) or ▼ (descending) after its title.
/// Sorting the rows is the data source's job.
public struct TableSort: Sendable, Hashable {
    public var columnID: String
    public var ascending: Bool

    public init(columnID: String, ascending: Bool = true) {
        self.columnID = columnID
        self.ascending = ascending
    }
}
