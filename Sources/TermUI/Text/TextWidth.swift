/// Display width of text in terminal columns.
///
/// Width is decided per grapheme (Swift `Character`): East Asian Wide and Fullwidth characters and
/// emoji shown as pictures take 2 columns; control characters take 0; combining marks, variation
/// selectors, skin tones and ZWJ sequences belong to their grapheme and add nothing of their own.
public enum TextWidth {
    /// Columns `character` occupies: 0, 1 or 2.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if character.isASCII {
            // Fast path; "\r\n" is one ASCII Character and is a control.
            return (first.value < 0x20 || first.value == 0x7F) ? 0 : 1
        }
        let properties = first.properties
        switch properties.generalCategory {
        case .control:
            return 0
        case .nonspacingMark, .enclosingMark, .format:
            // A grapheme can only start with these when it has no base character of its own.
            return 0
        default:
            break
        }
        if scalars.contains(where: { $0.value == 0xFE0F }) && properties.isEmoji { return 2 }
        if scalars.contains(where: { $0.value == 0xFE0E }) { return 1 }
        if properties.isEmojiPresentation { return 2 }
        if isWide(first.value) { return 2 }
        // An emoji base followed by a skin tone or joined by ZWJ is shown as a picture.
        if properties.isEmoji && scalars.count > 1
            && scalars.contains(where: { $0.value == 0x200D || (0x1F3FB...0x1F3FF).contains($0.value) })
        {
            return 2
        }
        return 1
    }

    /// Columns `string` occupies: the sum over its graphemes.
    public static func of<S: StringProtocol>(_ string: S) -> Int {
        // Most table cells are printable ASCII: one column per byte, no grapheme breaking needed.
        var printableASCII = true
        var count = 0
        for byte in string.utf8 {
            guard byte >= 0x20 && byte < 0x7F else {
                printableASCII = false
                break
            }
            count += 1
        }
        if printableASCII { return count }
        var total = 0
        for character in string { total += of(character) }
        return total
    }

    /// `string` with control characters (which take no columns and are not drawn) replaced by
    /// visible stand-ins: the Unicode control pictures ␉ ␊ ␍ ␀ … for C0 controls, ␡ for DEL and
    /// "�" for others. For showing raw data, where a hidden tab or newline would mislead.
    public static func visible(_ string: String) -> String {
        var result = ""
        for character in string {
            guard of(character) == 0, let first = character.unicodeScalars.first,
                first.properties.generalCategory == .control
            else {
                result.append(character)
                continue
            }
            for scalar in character.unicodeScalars {
                switch scalar.value {
                case 0..<0x20: result.unicodeScalars.append(Unicode.Scalar(0x2400 + scalar.value) ?? "�")
                case 0x7F: result.append("␡")
                default: result.append("�")
                }
            }
        }
        return result
    }

    /// The longest prefix of `string` that fits in `width` columns, with `ellipsis` at the end when
    /// anything was cut. A wide character that would straddle the limit is dropped whole.
    public static func truncate(_ string: String, to width: Int, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        if of(string) <= width { return string }
        let ellipsisWidth = of(ellipsis)
        if ellipsisWidth > width { return prefix(string, fitting: width) }
        return prefix(string, fitting: width - ellipsisWidth) + ellipsis
    }

    /// The longest prefix of `string` that fits in `width` columns, without ellipsis.
    public static func prefix(_ string: String, fitting width: Int) -> String {
        var used = 0
        var result = ""
        for character in string {
            let w = of(character)
            if used + w > width { break }
            used += w
            result.append(character)
        }
        return result
    }

    /// `string` truncated (with ellipsis) and padded with spaces to exactly `width` columns.
    public static func pad(_ string: String, to width: Int, alignment: Alignment = .left) -> String {
        guard width > 0 else { return "" }
        let fitted = truncate(string, to: width)
        let gap = width - of(fitted)
        switch alignment {
        case .left:
            return fitted + String(repeating: " ", count: gap)
        case .right:
            return String(repeating: " ", count: gap) + fitted
        case .center:
            let left = gap / 2
            return String(repeating: " ", count: left) + fitted + String(repeating: " ", count: gap - left)
        }
    }

    /// Code points of East Asian Wide (W) and Fullwidth (F) characters that are not emoji.
    /// Emoji presentation characters are recognised through Unicode properties instead.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,  // Hangul Jamo initial consonants
        0x231A...0x231B,
        0x2329...0x232A,  // angle brackets
        0x2E80...0x303E,  // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
        0x3041...0x33FF,  // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK compatibility
        0x3400...0x4DBF,  // CJK extension A
        0x4E00...0x9FFF,  // CJK unified ideographs
        0xA000...0xA4CF,  // Yi
        0xA960...0xA97F,  // Hangul Jamo extended A
        0xAC00...0xD7A3,  // Hangul syllables
        0xF900...0xFAFF,  // CJK compatibility ideographs
        0xFE10...0xFE19,  // vertical forms
        0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
        0xFF00...0xFF60,  // fullwidth forms
        0xFFE0...0xFFE6,  // fullwidth signs
        0x16FE0...0x16FE4,
        0x17000...0x18CFF,  // Tangut
        0x1AFF0...0x1B2FF,  // Kana supplement and extensions, Nushu
        0x1F200...0x1F2FF,  // enclosed ideographic supplement
        0x1F300...0x1F64F,  // pictographs and emoticons
        0x1F900...0x1F9FF,  // supplemental symbols and pictographs
        0x20000...0x2FFFD,  // CJK extensions B–F
        0x30000...0x3FFFD,  // CJK extension G and later
    ]

    private static func isWide(_ value: UInt32) -> Bool {
        guard value >= 0x1100 else { return false }
        var low = 0
        var high = wideRanges.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let range = wideRanges[mid]
            if value < range.lowerBound {
                high = mid - 1
            } else if value > range.upperBound {
                low = mid + 1
            } else {
                return true
            }
        }
        return false
    }
}
