/// A rectangle of cells. Widths and heights are never negative.
public struct Rect: Sendable, Hashable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public init(size: Size) {
        self.init(x: 0, y: 0, width: size.width, height: size.height)
    }

    public static let zero = Rect(x: 0, y: 0, width: 0, height: 0)

    public var size: Size { Size(width: width, height: height) }
    public var isEmpty: Bool { width == 0 || height == 0 }
    public var left: Int { x }
    /// One past the last column.
    public var right: Int { x + width }
    public var top: Int { y }
    /// One past the last row.
    public var bottom: Int { y + height }
    public var description: String { "(\(x),\(y) \(width)×\(height))" }

    public func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < right && py >= y && py < bottom
    }

    /// This rectangle shrunk by `margin` on every side.
    public func inner(_ margin: Int) -> Rect {
        inner(horizontal: margin, vertical: margin)
    }

    /// This rectangle shrunk by `horizontal` columns left and right and `vertical` rows top and bottom.
    public func inner(horizontal: Int, vertical: Int) -> Rect {
        let w = width - 2 * horizontal
        let h = height - 2 * vertical
        guard w > 0, h > 0 else { return Rect(x: x + min(horizontal, width / 2), y: y + min(vertical, height / 2), width: 0, height: 0) }
        return Rect(x: x + horizontal, y: y + vertical, width: w, height: h)
    }

    /// The overlap of the two rectangles (empty when they do not overlap).
    public func intersection(_ other: Rect) -> Rect {
        let nx = max(x, other.x)
        let ny = max(y, other.y)
        let nr = min(right, other.right)
        let nb = min(bottom, other.bottom)
        return Rect(x: nx, y: ny, width: nr - nx, height: nb - ny)
    }

    /// A `width`×`height` rectangle centred in this one (clamped to fit); odd gaps leave the extra
    /// column or row on the right or bottom.
    public func centered(width w: Int, height h: Int) -> Rect {
        let cw = min(max(0, w), width)
        let ch = min(max(0, h), height)
        return Rect(x: x + (width - cw) / 2, y: y + (height - ch) / 2, width: cw, height: ch)
    }

    /// Each row of this rectangle as a one-row rectangle, top to bottom.
    public var rows: [Rect] {
        (0..<height).map { Rect(x: x, y: y + $0, width: width, height: 1) }
    }

    /// Split into rows with `constraints` (see ``Layout``).
    public func splitVertically(_ constraints: [Constraint], spacing: Int = 0) -> [Rect] {
        Layout.vertical(constraints, spacing: spacing).split(self)
    }

    /// Split into columns with `constraints` (see ``Layout``).
    public func splitHorizontally(_ constraints: [Constraint], spacing: Int = 0) -> [Rect] {
        Layout.horizontal(constraints, spacing: spacing).split(self)
    }

    /// The top `rows` rows and the rest.
    public func splitTop(_ rows: Int) -> (top: Rect, rest: Rect) {
        let n = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: n), Rect(x: x, y: y + n, width: width, height: height - n))
    }

    /// The bottom `rows` rows and the rest.
    public func splitBottom(_ rows: Int) -> (rest: Rect, bottom: Rect) {
        let n = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: height - n), Rect(x: x, y: bottom - n, width: width, height: n))
    }

    /// The left `columns` columns and the rest.
    public func splitLeft(_ columns: Int) -> (left: Rect, rest: Rect) {
        let n = min(max(0, columns), width)
        return (Rect(x: x, y: y, width: n, height: height), Rect(x: x + n, y: y, width: width - n, height: height))
    }
}
