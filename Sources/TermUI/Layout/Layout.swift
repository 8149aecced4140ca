/// How much space a segment of a ``Layout`` wants.
public enum Constraint: Sendable, Hashable {
    /// Exactly `n` cells (less only when the area is too small).
    case length(Int)
    /// At least `n` cells; grows with leftover space when no `.fill` segment exists.
    case min(Int)
    /// `p` percent of the available space, rounded down.
    case percentage(Int)
    /// A share of the leftover space proportional to the weight.
    case fill(Int)
}

/// The axis along which a ``Layout`` splits.
public enum Direction: Sendable, Hashable {
    /// Segments stacked top to bottom (rows).
    case vertical
    /// Segments side by side, left to right (columns).
    case horizontal
}

/// Splits a rectangle into segments along one axis.
///
/// Deterministic: lengths and percentages (rounded down) are served first, in order, each clamped
/// to what is left; the leftover is then shared among `.fill` segments by weight, or, if there are
/// none, among `.min` segments equally. Rounding remainders go one cell at a time to the segments
/// with the largest fractional share, earliest first. With neither, the leftover stays unused at the end.
public struct Layout: Sendable, Hashable {
    public var direction: Direction
    public var constraints: [Constraint]
    /// Cells left empty between adjacent segments.
    public var spacing: Int

    public init(direction: Direction, constraints: [Constraint], spacing: Int = 0) {
        self.direction = direction
        self.constraints = constraints
        self.spacing = max(0, spacing)
    }

    public static func vertical(_ constraints: [Constraint], spacing: Int = 0) -> Layout {
        Layout(direction: .vertical, constraints: constraints, spacing: spacing)
    }

    public static func horizontal(_ constraints: [Constraint], spacing: Int = 0) -> Layout {
        Layout(direction: .horizontal, constraints: constraints, spacing: spacing)
    }

    /// The segments of `area`, one per constraint.
    public func split(_ area: Rect) -> [Rect] {
        let extent = direction == .vertical ? area.height : area.width
        let sizes = Layout.sizes(for: constraints, extent: extent, spacing: spacing)
        var offset = 0
        var result: [Rect] = []
        result.reserveCapacity(sizes.count)
        for (index, size) in sizes.enumerated() {
            if index > 0 { offset = Swift.min(extent, offset + spacing) }
            let start = offset
            let length = Swift.min(size, extent - start)
            switch direction {
            case .vertical:
                result.append(Rect(x: area.x, y: area.y + start, width: area.width, height: length))
            case .horizontal:
                result.append(Rect(x: area.x + start, y: area.y, width: length, height: area.height))
            }
            offset = start + length
        }
        return result
    }

    /// Segment lengths for `constraints` along an axis of `extent` cells.
    public static func sizes(for constraints: [Constraint], extent: Int, spacing: Int = 0) -> [Int] {
        guard !constraints.isEmpty else { return [] }
        let available = Swift.max(0, extent - spacing * (constraints.count - 1))
        var sizes = [Int](repeating: 0, count: constraints.count)
        var remaining = available
        for (index, constraint) in constraints.enumerated() {
            let wanted: Int
            switch constraint {
            case .length(let n): wanted = Swift.max(0, n)
            case .min(let n): wanted = Swift.max(0, n)
            case .percentage(let p): wanted = available * Swift.min(Swift.max(0, p), 100) / 100
            case .fill: wanted = 0
            }
            sizes[index] = Swift.min(wanted, remaining)
            remaining -= sizes[index]
        }
        guard remaining > 0 else { return sizes }

        var weights = constraints.map { constraint -> Int in
            if case .fill(let w) = constraint { return Swift.max(0, w) }
            return 0
        }
        let hasFill = constraints.contains { if case .fill = $0 { return true } else { return false } }
        if hasFill && weights.allSatisfy({ $0 == 0 }) {
            // Only zero-weight fills: share equally among them.
            weights = constraints.map { if case .fill = $0 { return 1 } else { return 0 } }
        }
        if !hasFill {
            weights = constraints.map { if case .min = $0 { return 1 } else { return 0 } }
        }
        let totalWeight = weights.reduce(0, +)
        guard totalWeight > 0 else { return sizes }

        // Largest remainder method.
        var shares = weights.map { remaining * $0 / totalWeight }
        var leftover = remaining - shares.reduce(0, +)
        let order = weights.indices
            .filter { weights[$0] > 0 }
            .sorted { a, b in
                let ra = (remaining * weights[a]) % totalWeight
                let rb = (remaining * weights[b]) % totalWeight
                return ra != rb ? ra > rb : a < b
            }
        var cursor = 0
        while leftover > 0 && !order.isEmpty {
            shares[order[cursor % order.count]] += 1
            leftover -= 1
            cursor += 1
        }
        for index in sizes.indices { sizes[index] += shares[index] }
        return sizes
    }

    /// Sizes for table columns that fit their content. `.length`, `.min` and `.percentage` columns get what
    /// ``sizes(for:extent:spacing:)`` gives them; `.fill` columns get their natural width (`natural`, the widest
    /// content) when they all fit, sharing the space left by weight; when they do not, a column narrower than an
    /// equal share keeps its natural width (again, with what is left, until none is), and the wider ones share the
    /// rest by weight: no column is cut while another holds room it does not need.
    public static func fittedSizes(for constraints: [Constraint], natural: [Int], extent: Int, spacing: Int = 0) -> [Int] {
        guard !constraints.isEmpty else { return [] }
        let available = Swift.max(0, extent - spacing * (constraints.count - 1))
        var sizes = [Int](repeating: 0, count: constraints.count)
        var remaining = available
        var fills: [Int] = []
        for (index, constraint) in constraints.enumerated() {
            let wanted: Int
            switch constraint {
            case .length(let n), .min(let n): wanted = Swift.max(0, n)
            case .percentage(let p): wanted = available * Swift.min(Swift.max(0, p), 100) / 100
            case .fill:
                fills.append(index)
                continue
            }
            sizes[index] = Swift.min(wanted, remaining)
            remaining -= sizes[index]
        }
        guard !fills.isEmpty, remaining > 0 else { return sizes }
        func weight(_ index: Int) -> Int {
            if case .fill(let w) = constraints[index] { return Swift.max(1, w) }
            return 1
        }
        func want(_ index: Int) -> Int { natural.indices.contains(index) ? Swift.max(0, natural[index]) : 0 }
        func share(_ budget: Int, among indices: [Int]) {
            let shares = Self.sizes(for: indices.map { .fill(weight($0)) }, extent: budget)
            for (index, size) in zip(indices, shares) { sizes[index] += size }
        }
        let total = fills.reduce(0) { $0 + want($1) }
        if total <= remaining {
            for index in fills { sizes[index] = want(index) }
            share(remaining - total, among: fills)
            return sizes
        }
        var pending = fills
        var budget = remaining
        while !pending.isEmpty {
            // Whether a column is narrow is decided on equal shares (max-min fairness); weights only split
            // what the wide ones share.
            let narrow = pending.filter { want($0) * pending.count <= budget }
            guard !narrow.isEmpty else { break }
            for index in narrow {
                sizes[index] = want(index)
                budget -= want(index)
            }
            pending.removeAll { narrow.contains($0) }
        }
        if !pending.isEmpty { share(budget, among: pending) }
        return sizes
    }
}
