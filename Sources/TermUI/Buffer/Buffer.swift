/// A grid of cells that widgets draw into; the ``Terminal`` diffs consecutive buffers.
///
/// Coordinates are absolute, 0-based; writes outside the buffer are ignored. Writing keeps wide
/// graphemes consistent: overwriting either half of a wide grapheme blanks the other half.
public struct Buffer: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, filling cell: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = [Cell](repeating: cell, count: self.width * self.height)
    }

    public init(size: Size) {
        self.init(width: size.width, height: size.height)
    }

    /// The whole buffer as a rectangle at (0, 0).
    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }
    public var size: Size { Size(width: width, height: height) }

    /// The cell at (x, y), or nil outside the buffer.
    public func cell(x: Int, y: Int) -> Cell? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        return cells[y * width + x]
    }

    /// Reads or replaces the cell at (x, y). Reading outside gives a blank; writing outside is ignored.
    /// Assigning does not repair wide graphemes; prefer ``setString(x:y:_:style:maxWidth:)``.
    public subscript(x: Int, y: Int) -> Cell {
        get { cell(x: x, y: y) ?? .blank }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Writes `string` from (x, y) rightwards, patching `style` onto each cell's existing style.
    ///
    /// Stops at the right edge, at `maxWidth` columns, or before a wide grapheme that would not fit
    /// whole. Zero-width graphemes (controls, a lone combining mark) are skipped.
    /// - Returns: the columns used.
    @discardableResult
    public mutating func setString(x: Int, y: Int, _ string: String, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width - x, maxWidth ?? Int.max)
        var used = 0
        for character in string {
            let w = TextWidth.of(character)
            if w == 0 { continue }
            if used + w > limit { break }
            let column = x + used
            if column >= 0 {
                put(String(character), width: w, x: column, y: y, style: style)
            }
            used += w
        }
        return max(0, used)
    }

    /// Writes the spans of `line` from (x, y), each with the line's style under the span's.
    /// Alignment is ignored here; see ``setLine(_:in:)``.
    /// - Returns: the columns used.
    @discardableResult
    public mutating func setLine(x: Int, y: Int, _ line: Line, maxWidth: Int? = nil) -> Int {
        var used = 0
        let limit = maxWidth ?? (width - x)
        for span in line.spans {
            guard used < limit else { break }
            used += setString(x: x + used, y: y, span.content, style: line.style.patched(with: span.style), maxWidth: limit - used)
        }
        return used
    }

    /// Writes `line` into the first row of `area`, honouring its alignment (default `alignment`)
    /// and truncating with an ellipsis when it is wider than the area.
    /// - Returns: the columns used.
    @discardableResult
    public mutating func setLine(_ line: Line, in area: Rect, alignment: Alignment = .left) -> Int {
        guard !area.isEmpty else { return 0 }
        var line = line
        let lineWidth = line.width
        if lineWidth > area.width {
            line = line.truncated(to: area.width)
        }
        let gap = area.width - line.width
        let offset: Int
        switch line.alignment ?? alignment {
        case .left: offset = 0
        case .center: offset = gap / 2
        case .right: offset = gap
        }
        return setLine(x: area.x + offset, y: area.y, line, maxWidth: area.width - offset)
    }

    /// Patches `style` onto every cell of `area`.
    public mutating func setStyle(area: Rect, _ style: Style) {
        let clipped = area.intersection(self.area)
        for y in clipped.top..<clipped.bottom {
            for x in clipped.left..<clipped.right {
                cells[y * width + x].style = cells[y * width + x].style.patched(with: style)
            }
        }
    }

    /// Replaces every cell of `area` with `cell`.
    public mutating func fill(area: Rect, with cell: Cell = .blank) {
        let clipped = area.intersection(self.area)
        guard !clipped.isEmpty else { return }
        repairWide(at: clipped.left, y: clipped.top, rows: clipped.height)
        repairWide(at: clipped.right, y: clipped.top, rows: clipped.height)
        for y in clipped.top..<clipped.bottom {
            for x in clipped.left..<clipped.right {
                cells[y * width + x] = cell
            }
        }
    }

    /// The text of each row; continuation cells add nothing, so wide text reads naturally.
    public func lines() -> [String] {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width { line += cells[y * width + x].symbol }
            return line
        }
    }

    /// The cells that differ from `previous`, row by row. If the sizes differ, every cell is returned.
    public func diff(from previous: Buffer) -> [CellChange] {
        var changes: [CellChange] = []
        let sameSize = previous.width == width && previous.height == height
        for y in 0..<height {
            for x in 0..<width {
                let index = y * width + x
                if !sameSize || cells[index] != previous.cells[index] {
                    changes.append(CellChange(x: x, y: y, cell: cells[index]))
                }
            }
        }
        return changes
    }

    /// Every cell as a change, for a full redraw.
    public func allCells() -> [CellChange] {
        var changes: [CellChange] = []
        changes.reserveCapacity(cells.count)
        for y in 0..<height {
            for x in 0..<width {
                changes.append(CellChange(x: x, y: y, cell: cells[y * width + x]))
            }
        }
        return changes
    }

    /// Applies changes produced by ``diff(from:)`` (used by in-memory backends).
    public mutating func apply(_ changes: [CellChange]) {
        for change in changes {
            self[change.x, change.y] = change.cell
        }
    }

    // MARK: - Wide grapheme bookkeeping

    private mutating func put(_ symbol: String, width w: Int, x: Int, y: Int, style: Style) {
        let index = y * width + x
        repairWide(at: x, y: y, rows: 1)
        repairWide(at: x + w, y: y, rows: 1)
        let newStyle = cells[index].style.patched(with: style)
        cells[index] = Cell(symbol: symbol, style: newStyle)
        if w == 2, x + 1 < width {
            cells[index + 1] = Cell(symbol: "", style: newStyle)
        }
    }

    /// Column `x` of `rows` rows is about to lose what is on its left or itself: if it holds the
    /// continuation of a wide grapheme, blank both halves so no half grapheme is left behind.
    /// Called for the first column written (its head may be to the left) and for the column just
    /// after the write (its head may be about to be overwritten).
    private mutating func repairWide(at x: Int, y: Int, rows: Int) {
        guard x > 0, x < width else { return }
        for row in y..<min(height, y + rows) {
            let index = row * width + x
            if cells[index].isContinuation {
                cells[index].symbol = " "
                if cells[index - 1].width == 2 {
                    cells[index - 1].symbol = " "
                }
            }
        }
    }
}

extension Line {
    /// This line cut to `width` columns, ending in "…" when anything was cut.
    public func truncated(to width: Int) -> Line {
        guard self.width > width else { return self }
        guard width > 0 else { return Line(spans: [], style: style, alignment: alignment) }
        var remaining = width - 1
        var result: [Span] = []
        var lastStyle = spans.last?.style ?? .plain
        for span in spans {
            guard remaining > 0 else { break }
            let piece = TextWidth.prefix(span.content, fitting: remaining)
            if !piece.isEmpty { result.append(Span(piece, style: span.style)) }
            remaining -= TextWidth.of(piece)
            lastStyle = span.style
            if TextWidth.of(piece) < span.width { break }
        }
        result.append(Span("…", style: lastStyle))
        return Line(spans: result, style: style, alignment: alignment)
    }
}
