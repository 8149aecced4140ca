import Foundation

/// Small text clean-ups shared by the standardisers.
public enum TextNormalization {
    /// Trims, collapses runs of whitespace to one space, and returns nil for an empty result.
    public static func clean(_ raw: String) -> String? {
        let collapsed = collapseWhitespace(raw)
        return collapsed.isEmpty ? nil : collapsed
    }

    /// Trims leading and trailing whitespace (including no-break spaces).
    public static func trim(_ raw: String) -> String {
        let utf8 = raw.utf8
        if let first = utf8.first, let last = utf8.last, !isASCIISpace(first), !isASCIISpace(last), first < 0x80, last < 0x80 {
            return raw
        }
        return raw.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Trims and replaces every run of whitespace inside with a single space.
    public static func collapseWhitespace(_ raw: String) -> String {
        var needsWork = false
        var previousSpace = true
        for byte in raw.utf8 {
            if byte >= 0x80 {
                needsWork = true
                break
            }
            let space = isASCIISpace(byte)
            if space && (previousSpace || byte != 0x20) {
                needsWork = true
                break
            }
            previousSpace = space
        }
        if !needsWork && !previousSpace { return raw }
        if !needsWork { return trim(raw) }
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

    /// Removes accents and folds letters that have no decomposition (ß → ss, æ → ae, ø → o, ł → l).
    /// Case is kept.
    public static func foldAccents(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
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
