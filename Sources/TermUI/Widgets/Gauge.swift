/// Partial block characters, by eighths of a cell.
enum Blocks {
    /// Left-to-right fill: index n is n/8 of a cell (0 is empty).
    static let horizontal = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]
    /// Bottom-to-top fill: index n is n/8 of a cell (0 is a space).
    static let vertical = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
}

/// A progress bar filling `ratio` of its width, to an eighth of a cell, with a label centred on it.
///
/// Label text over the filled part is drawn with the bar's colours swapped so it stays readable.
public struct Gauge: Widget, Sendable {
    /// 0...1; values outside are clamped.
    public var ratio: Double
    /// E.g. "12,340/50,000 · 8.1k/s · ETA 4s"; nil shows the percentage.
    public var label: String?
    /// Style of the filled part; its foreground is the bar colour.
    public var barStyle: Style
    /// Style of the whole area under the bar (the empty part).
    public var style: Style

    public init(ratio: Double, label: String? = nil, barStyle: Style = .plain, style: Style = .plain) {
        self.ratio = ratio
        self.label = label
        self.barStyle = barStyle
        self.style = style
    }

    /// The ratio as a whole percentage ("42%").
    public var percentText: String { "\(Int((clampedRatio * 100).rounded(.down)))%" }

    private var clampedRatio: Double { ratio.isNaN ? 0 : min(1, max(0, ratio)) }

    public func render(in area: Rect, buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        buffer.setStyle(area: area, style)
        let eighths = Int((clampedRatio * Double(area.width * 8)).rounded(.down))
        let full = eighths / 8
        let partial = eighths % 8
        for y in area.top..<area.bottom {
            for x in area.left..<(area.left + full) {
                buffer.setString(x: x, y: y, "█", style: barStyle)
            }
            if partial > 0 {
                buffer.setString(x: area.left + full, y: y, Blocks.horizontal[partial], style: barStyle)
            }
        }
        let text = TextWidth.truncate(label ?? percentText, to: area.width)
        let textWidth = TextWidth.of(text)
        let labelY = area.y + (area.height - 1) / 2
        var x = area.x + (area.width - textWidth) / 2
        let overBar: Style
        if barStyle.fg == .default {
            overBar = style.patched(with: barStyle).adding(.reverse)
        } else {
            overBar = Style(fg: barStyle.bg, bg: barStyle.fg, modifiers: barStyle.modifiers)
        }
        for character in text {
            let w = TextWidth.of(character)
            guard w > 0 else { continue }
            buffer.setString(x: x, y: labelY, String(character))
            if x < area.left + full {
                for dx in 0..<w { buffer[x + dx, labelY].style = overBar }
            }
            x += w
        }
    }
}

/// ``Gauge`` under the name used by progress displays.
public typealias ProgressBar = Gauge
