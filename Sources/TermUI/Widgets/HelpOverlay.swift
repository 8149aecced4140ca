/// One key binding line of a ``HelpOverlay``.
public struct HelpEntry: Sendable, Hashable {
    /// The keys as shown, e.g. "j/Down".
    public var keys: String
    public var description: String

    public init(keys: String, description: String) {
        self.keys = keys
        self.description = description
    }

    /// An entry for one or more key events, shown as their descriptions joined by "/".
    public init(_ keys: [KeyEvent], _ description: String) {
        self.init(keys: keys.map(\.description).joined(separator: "/"), description: description)
    }
}

/// A titled group of key bindings ("Navigation", "Records", …).
public struct HelpGroup: Sendable, Hashable {
    public var title: String
    public var entries: [HelpEntry]

    public init(title: String, entries: [HelpEntry]) {
        self.title = title
        self.entries = entries
    }
}

/// A centred box listing groups of key bindings in columns.
///
/// Groups keep their order and flow top to bottom, then into the next column; the overlay uses
/// the fewest columns whose tallest column fits the area (or as many as fit across).
public struct HelpOverlay: Widget, Sendable {
    public var title: String
    public var groups: [HelpGroup]
    public var style: Style
    public var borderStyle: Style
    public var groupTitleStyle: Style
    public var keyStyle: Style
    public var descriptionStyle: Style
    /// Shown on the bottom border, e.g. "Esc to close".
    public var footer: String?

    public init(
        title: String = "Help", groups: [HelpGroup], style: Style = .plain, borderStyle: Style = .plain,
        groupTitleStyle: Style = Style(modifiers: [.bold, .underline]), keyStyle: Style = Style(modifiers: .bold),
        descriptionStyle: Style = .plain, footer: String? = nil
    ) {
        self.title = title
        self.groups = groups
        self.style = style
        self.borderStyle = borderStyle
        self.groupTitleStyle = groupTitleStyle
        self.keyStyle = keyStyle
        self.descriptionStyle = descriptionStyle
        self.footer = footer
    }

    private static let columnGap = 3

    /// Rows a group takes: title, entries, and a blank row before the next group.
    private func height(of group: HelpGroup) -> Int { 1 + group.entries.count }

    private func keyWidth(of group: HelpGroup) -> Int { group.entries.map { TextWidth.of($0.keys) }.max() ?? 0 }

    private func width(of group: HelpGroup) -> Int {
        let entries = group.entries.map { keyWidth(of: group) + 2 + TextWidth.of($0.description) }.max() ?? 0
        return max(entries, TextWidth.of(group.title))
    }

    /// Groups split into `count` columns in order, aiming for equal heights.
    private func columns(_ count: Int) -> [[HelpGroup]] {
        let total = groups.reduce(0) { $0 + height(of: $1) } + max(0, groups.count - 1)
        let target = (total + count - 1) / max(1, count)
        var result: [[HelpGroup]] = [[]]
        var used = 0
        for group in groups {
            let h = height(of: group)
            if !result[result.count - 1].isEmpty && used + 1 + h > target && result.count < count {
                result.append([])
                used = 0
            }
            used += (result[result.count - 1].isEmpty ? 0 : 1) + h
            result[result.count - 1].append(group)
        }
        return result
    }

    private func columnHeight(_ column: [HelpGroup]) -> Int {
        column.reduce(0) { $0 + height(of: $1) } + max(0, column.count - 1)
    }

    private func columnWidth(_ column: [HelpGroup]) -> Int {
        column.map { width(of: $0) }.max() ?? 0
    }

    /// The layout chosen for `area`: the columns and the box.
    private func plan(in area: Rect) -> (columns: [[HelpGroup]], box: Rect) {
        let maxInnerWidth = area.width - 4
        let maxInnerHeight = area.height - 2
        var chosen = columns(1)
        for count in 1...max(1, groups.count) {
            let candidate = columns(count)
            let width = candidate.reduce(0) { $0 + columnWidth($1) } + HelpOverlay.columnGap * (candidate.count - 1)
            if width > maxInnerWidth && count > 1 { break }
            chosen = candidate
            if (candidate.map(columnHeight).max() ?? 0) <= maxInnerHeight { break }
        }
        let innerWidth = chosen.reduce(0) { $0 + columnWidth($1) } + HelpOverlay.columnGap * (chosen.count - 1)
        let innerHeight = chosen.map(columnHeight).max() ?? 0
        let boxWidth = max(innerWidth, TextWidth.of(title) + 2, TextWidth.of(footer ?? "") + 2) + 4
        return (chosen, area.centered(width: boxWidth, height: innerHeight + 2))
    }

    /// The box the overlay occupies in `area`.
    public func rect(in area: Rect) -> Rect { plan(in: area).box }

    public func render(in area: Rect, buffer: inout Buffer) {
        let (columns, box) = plan(in: area)
        guard box.width >= 4, box.height >= 2 else { return }
        buffer.fill(area: box, with: Cell(symbol: " ", style: style))
        let block = Block(borderStyle: borderStyle, title: Line(title, style: Style(modifiers: .bold)))
        block.render(in: box, buffer: &buffer)
        if let footer {
            let text = TextWidth.truncate(" \(footer) ", to: max(0, box.width - 2))
            buffer.setString(x: box.right - 1 - TextWidth.of(text), y: box.bottom - 1, text, style: borderStyle)
        }
        let inner = block.inner(box).inner(horizontal: 1, vertical: 0)
        var x = inner.x
        for column in columns {
            let width = min(columnWidth(column), max(0, inner.right - x))
            var y = inner.y
            for group in column {
                guard y < inner.bottom else { break }
                buffer.setString(x: x, y: y, group.title, style: groupTitleStyle, maxWidth: width)
                y += 1
                let keys = keyWidth(of: group)
                for entry in group.entries where y < inner.bottom {
                    buffer.setString(x: x, y: y, TextWidth.pad(entry.keys, to: min(keys, width)), style: keyStyle, maxWidth: width)
                    let descriptionX = x + keys + 2
                    if descriptionX < x + width {
                        buffer.setString(
                            x: descriptionX, y: y, TextWidth.truncate(entry.description, to: x + width - descriptionX),
                            style: descriptionStyle)
                    }
                    y += 1
                }
                y += 1
            }
            x += width + HelpOverlay.columnGap
            if x >= inner.right { break }
        }
    }
}
