/// One terminal cell: a grapheme and its style.
///
/// A wide (2-column) grapheme sits in its first cell; the cell to its right is a *continuation*
/// cell with an empty symbol, which backends skip because the wide grapheme already covers it.
public struct Cell: Sendable, Hashable {
    /// One grapheme, or "" for a continuation cell.
    public var symbol: String
    public var style: Style

    public init(symbol: String = " ", style: Style = .plain) {
        self.symbol = symbol
        self.style = style
    }

    /// A space in the default style.
    public static let blank = Cell()

    /// The right half of a wide grapheme.
    public var isContinuation: Bool { symbol.isEmpty }

    /// Columns the symbol covers: 0 for a continuation, else 1 or 2.
    public var width: Int { symbol.isEmpty ? 0 : max(1, TextWidth.of(symbol)) }
}

/// A cell that differs from the previous frame, as sent to a ``TerminalBackend``.
public struct CellChange: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var cell: Cell

    public init(x: Int, y: Int, cell: Cell) {
        self.x = x
        self.y = y
        self.cell = cell
    }
}
