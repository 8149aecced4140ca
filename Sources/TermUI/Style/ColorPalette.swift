/// How many colours a terminal can show; ``Color/downsampled(to:)`` maps any colour into one of these.
public enum ColorPalette: Sendable, Hashable, CaseIterable {
    /// 24-bit colour: nothing is changed.
    case trueColor
    /// The xterm 256-colour palette.
    case indexed256
    /// The 16 ANSI colours.
    case ansi16
    /// The 8 basic ANSI colours.
    case ansi8
    /// No colour support: everything becomes `.default`.
    case monochrome

    /// Picks the palette for a terminal reporting `colorCount` colours (curses' `COLORS`).
    public init(colorCount: Int) {
        switch colorCount {
        case 16_777_216...: self = .trueColor
        case 256...: self = .indexed256
        case 16...: self = .ansi16
        case 8...: self = .ansi8
        default: self = .monochrome
        }
    }

    /// xterm's default RGB values for the 16 ANSI colours.
    static let ansiRGB: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
        (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0),
        (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    /// The six channel levels of the 6×6×6 cube (indices 16–231).
    static let cubeLevels: [UInt8] = [0, 95, 135, 175, 215, 255]

    /// RGB of a 256-palette index.
    static func rgb(ofIndex index: UInt8) -> (UInt8, UInt8, UInt8) {
        switch index {
        case 0..<16:
            return ansiRGB[Int(index)]
        case 16..<232:
            let n = Int(index) - 16
            return (cubeLevels[n / 36], cubeLevels[(n / 6) % 6], cubeLevels[n % 6])
        default:
            let level = UInt8(8 + 10 * (Int(index) - 232))
            return (level, level, level)
        }
    }

    static func distance(_ a: (UInt8, UInt8, UInt8), _ b: (UInt8, UInt8, UInt8)) -> Int {
        let dr = Int(a.0) - Int(b.0)
        let dg = Int(a.1) - Int(b.1)
        let db = Int(a.2) - Int(b.2)
        // Weighted to follow perceived brightness a little better than plain Euclidean distance.
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }

    /// The index in `candidates` nearest to `rgb`; ties go to the lowest index, so results are stable.
    static func nearest(_ rgb: (UInt8, UInt8, UInt8), among candidates: ClosedRange<Int>) -> UInt8 {
        var best = candidates.lowerBound
        var bestDistance = Int.max
        for index in candidates {
            let d = distance(rgb, self.rgb(ofIndex: UInt8(index)))
            if d < bestDistance {
                best = index
                bestDistance = d
            }
        }
        return UInt8(best)
    }
}

extension Color {
    /// The nearest colour this palette can show.
    ///
    /// ANSI colours stay as they are where the palette has them (the user's terminal theme decides
    /// their look); bright ANSI colours become their basic counterpart in 8 colours. Indexed and RGB
    /// colours go to the nearest entry by RGB distance; 256 colours search only 16–255, whose RGB
    /// values are fixed, so the result does not depend on the terminal theme.
    public func downsampled(to palette: ColorPalette) -> Color {
        switch (palette, self) {
        case (_, .default), (.trueColor, _):
            return self
        case (.monochrome, _):
            return .default
        case (.indexed256, .ansi(let index)):
            return .ansi(index % 16)
        case (.indexed256, .indexed):
            return self
        case (.indexed256, .rgb(let r, let g, let b)):
            return .indexed(ColorPalette.nearest((r, g, b), among: 16...255))
        case (.ansi16, .ansi(let index)):
            return .ansi(index % 16)
        case (.ansi16, .indexed(let index)) where index < 16:
            return .ansi(index)
        case (.ansi16, _):
            guard let rgb = rgbComponents else { return .default }
            return .ansi(ColorPalette.nearest((rgb.red, rgb.green, rgb.blue), among: 0...15))
        case (.ansi8, .ansi(let index)):
            return .ansi(index % 8)
        case (.ansi8, .indexed(let index)) where index < 16:
            return .ansi(index % 8)
        case (.ansi8, _):
            guard let rgb = rgbComponents else { return .default }
            return .ansi(ColorPalette.nearest((rgb.red, rgb.green, rgb.blue), among: 0...7))
        }
    }
}
