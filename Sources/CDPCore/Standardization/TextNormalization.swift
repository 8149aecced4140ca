import Foundation  // decomposedStringWithCanonicalMapping

/// Small text clean-ups shared by the standardisers.
public enum TextNormalization {
    /// Trims, collapses runs of whitespace to one space, and returns nil for an empty result.
    public static func clean(_ raw: String) -> String? {
        let collapsed = collapseWhitespace(raw)
        return collapsed.isEmpty ? nil : collapsed
    }

    /// Trims leading and trailing whitespace (including no-break spaces).
    public static func trim(_ raw: String) -> String {
        let clean = withBytes(raw) { bytes -> Bool in
            guard let first = bytes.first, let last = bytes.last else { return true }
            return first < 0x80 && last < 0x80 && !isASCIISpace(first) && !isASCIISpace(last)
        }
        if clean { return raw }
        let scalars = raw.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        guard let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...last])
    }

    /// Trims and replaces every run of whitespace inside with a single space.
    public static func collapseWhitespace(_ raw: String) -> String {
        // 0: already clean; 1: ASCII with only trailing space to trim; 2: needs the general path.
        let state = withBytes(raw) { bytes -> Int in
            guard let base = bytes.baseAddress else { return 0 }
            var previousSpace = true
            var index = 0
            while index < bytes.count {
                // Eight bytes at a time while none is a space, a control or non-ASCII (most of most values),
                // taken up again after each such byte: names and addresses have a space every few bytes.
                if index + 8 <= bytes.count {
                    let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                    if ByteScan.below(word, 0x21) | (word & ByteScan.highs) == 0 {
                        previousSpace = false
                        index += 8
                        continue
                    }
                }
                let byte = base[index]
                index += 1
                if byte >= 0x80 {
                    // Only these lead bytes can start a Unicode space (U+0085, U+00A0, U+1680,
                    // U+2000–U+205F, U+3000); other non-ASCII text needs no work.
                    if byte == 0xC2 || byte == 0xE1 || byte == 0xE2 || byte == 0xE3 { return 2 }
                    previousSpace = false
                    continue
                }
                let space = isASCIISpace(byte)
                if space && (previousSpace || byte != 0x20) { return 2 }
                previousSpace = space
            }
            return previousSpace ? 1 : 0
        }
        if state == 0 { return raw }
        if state == 1 { return trim(raw) }
        var result = ""
        result.reserveCapacity(raw.utf8.count)
        var pendingSpace = false
        for scalar in raw.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.unicodeScalars.append(" ") }
                pendingSpace = false
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The first character of `text` that cannot be seen, with its 1-based position among the text's
    /// Unicode scalars: a control character, a format character (zero-width space U+200B, joiners, direction
    /// marks, the byte order mark), a default-ignorable one (soft hyphen, variation selectors, Hangul
    /// fillers), a line or paragraph separator, or a space other than U+0020 (no-break and other wide spaces).
    /// Nil for visible text; printable ASCII is passed over a byte at a time without decoding.
    public static func firstInvisible(in text: String) -> (scalar: Unicode.Scalar, position: Int)? {
        let plain = withBytes(text) { bytes in bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }
        if plain { return nil }
        for (offset, scalar) in text.unicodeScalars.enumerated() where isInvisible(scalar) {
            return (scalar, offset + 1)
        }
        return nil
    }

    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return false }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator: return true
        default: return properties.isDefaultIgnorableCodePoint || properties.isWhitespace
        }
    }

    /// `text` with every invisible character written as `<U+200B>`, so a message shows what is there.
    public static func revealingInvisible(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if isInvisible(scalar) {
                result += "<U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4) + ">"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    public static let capitals = UInt8(ascii: "A")...UInt8(ascii: "Z")
    public static let smallLetters = UInt8(ascii: "a")...UInt8(ascii: "z")

    /// Whether `text` is all ASCII with no byte in `letters` (``capitals``: `lowercased()` would return it
    /// unchanged, after building a new string; ``smallLetters``: likewise `uppercased()`).
    public static func isASCII(_ text: String, without letters: ClosedRange<UInt8>) -> Bool {
        withBytes(text) { bytes in bytes.allSatisfy { $0 < 0x80 && !letters.contains($0) } }
    }

    /// Runs `body` over the UTF-8 bytes of `text` without copying a native string (a copy is a retain
    /// and a release).
    @inlinable
    public static func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    /// Removes accents and folds letters that have no decomposition (ß → ss, æ → ae, ø → o, ł → l).
    /// Case is kept.
    public static func foldAccents(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        // Latin-1 and Latin Extended-A (most European names) fold through a table; anything
        // else goes through canonical decomposition.
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                result.append(scalar)
            } else if value >= 0xC0 && value < 0x180, let folded = latinFold[Int(value - 0xC0)] {
                result.append(contentsOf: folded.unicodeScalars)
            } else {
                return foldByDecomposition(text)
            }
        }
        return String(result)
    }

    /// The general path: decompose, drop combining marks, fold the letters that do not decompose.
    static func foldByDecomposition(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                continue
            default:
                if let replacement = foldedLetters[scalar] {
                    result.append(contentsOf: replacement.unicodeScalars)
                } else {
                    result.append(scalar)
                }
            }
        }
        return String(result)
    }

    /// Folded forms of U+00C0–U+017F; nil for the two symbols (× and ÷) kept as they are.
    static let latinFold: [String?] = {
        let latin1 =
            "A A A A A A AE C E E E E I I I I D N O O O O O × O U U U U Y Th ss "
            + "a a a a a a ae c e e e e i i i i d n o o o o o ÷ o u u u u y th y"
        let extendedA =
            "A a A a A a C c C c C c C c D d D d E e E e E e E e E e G g G g G g G g H h H h "
            + "I i I i I i I i I i IJ ij J j K k k L l L l L l L l L l N n N n N n n N n "
            + "O o O o O o OE oe R r R r R r S s S s S s S s T t T t T t "
            + "U u U u U u U u U u U u W w Y y Y Z z Z z Z z s"
        return (latin1 + " " + extendedA).split(separator: " ").map { token in
            token == "×" || token == "÷" ? nil : String(token)
        }
    }()

    @inline(__always)
    static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    private static let foldedLetters: [Unicode.Scalar: String] = [
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th",
        "ı": "i", "ħ": "h", "Ħ": "H",
    ]
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
