/// Selection and scroll offset over a list of rows, shared by ``TableState`` and ``ListState``.
///
/// Navigation helpers use ``rowCount`` and ``viewportHeight``, which each render updates (set
/// `rowCount` yourself if the rows change between a render and the next key).
public struct SelectionState: Sendable, Hashable {
    /// The selected row, nil when nothing is selected (or there are no rows).
    public var selected: Int?
    /// The first row shown.
    public var offset: Int
    public var rowCount: Int
    public var viewportHeight: Int
    /// Set when the rows ran out under a selection: the first row is selected when rows come back (a
    /// filter that matched nothing must not leave every later filter without a selected row).
    private var reselectWhenRowsReturn = false

    public init(selected: Int? = 0, offset: Int = 0, rowCount: Int = 0, viewportHeight: Int = 0) {
        self.selected = selected
        self.offset = offset
        self.rowCount = rowCount
        self.viewportHeight = viewportHeight
    }

    /// Selects `row`, clamped to the rows (unclamped before the first render, when `rowCount` is 0),
    /// scrolling to keep it visible; nil clears the selection.
    public mutating func select(_ row: Int?) {
        reselectWhenRowsReturn = false
        guard let row else {
            selected = nil
            return
        }
        selected = rowCount > 0 ? max(0, min(row, rowCount - 1)) : max(0, row)
        scrollToSelection()
    }

    public mutating func select(next count: Int = 1) {
        select((selected ?? -1) + count)
    }

    public mutating func select(previous count: Int = 1) {
        select((selected ?? rowCount) - count)
    }

    /// Moves the selection by one page (the viewport height less one row of overlap).
    public mutating func page(down: Bool) {
        let step = max(1, viewportHeight - 1)
        if down { select(next: step) } else { select(previous: step) }
    }

    public mutating func selectFirst() { select(0) }
    public mutating func selectLast() { select(rowCount - 1) }

    /// Handles Up/Down/PgUp/PgDn/Home/End; returns whether the key was used.
    public mutating func handleNavigation(_ key: KeyEvent) -> Bool {
        guard !key.ctrl, !key.alt else { return false }
        switch key.key {
        case .up: select(previous: 1)
        case .down: select(next: 1)
        case .pageUp: page(down: false)
        case .pageDown: page(down: true)
        case .home: selectFirst()
        case .end: selectLast()
        default: return false
        }
        return true
    }

    /// The row shown at screen row `y` when the first visible row is drawn at `viewportTop`
    /// (as of the last render), or nil when `y` shows no row. For mouse clicks.
    public func row(atScreenY y: Int, viewportTop: Int) -> Int? {
        let index = y - viewportTop
        guard index >= 0, index < viewportHeight else { return nil }
        let row = offset + index
        return row < rowCount ? row : nil
    }

    /// Clamps selection and offset to `rowCount` rows in a `viewportHeight` viewport, keeping
    /// the selection visible. Called by the widgets on each render.
    public mutating func update(rowCount: Int, viewportHeight: Int) {
        self.rowCount = max(0, rowCount)
        self.viewportHeight = max(0, viewportHeight)
        if let current = selected {
            if self.rowCount == 0 {
                selected = nil
                reselectWhenRowsReturn = true
            } else {
                selected = max(0, min(current, self.rowCount - 1))
            }
        } else if reselectWhenRowsReturn, self.rowCount > 0 {
            selected = 0
            reselectWhenRowsReturn = false
        }
        scrollToSelection()
    }

    private mutating func scrollToSelection() {
        if let selected, viewportHeight > 0 {
            if selected < offset { offset = selected }
            if selected >= offset + viewportHeight { offset = selected - viewportHeight + 1 }
        }
        offset = max(0, min(offset, max(0, rowCount - viewportHeight)))
    }
}
