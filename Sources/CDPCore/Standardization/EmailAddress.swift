/// A syntactically valid e-mail address in standard form: trimmed and lowercased.
public struct EmailAddress: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The whole address, "jane.doe@example.com".
    public let value: String

    /// Wraps an already standardised address; use ``standardize(_:)`` for raw input.
    public init(standardized value: String) {
        self.value = value
    }

    public var description: String { value }

    /// The part before the '@'.
    public var localPart: Substring { value[..<(value.lastIndex(of: "@") ?? value.endIndex)] }

    /// The part after the '@'.
    public var domain: Substring {
        guard let at = value.lastIndex(of: "@") else { return "" }
        return value[value.index(after: at)...]
    }

    public static func < (lhs: EmailAddress, rhs: EmailAddress) -> Bool { lhs.value < rhs.value }

    /// Trims and lowercases `raw`, then checks it is a plausible address.
    ///
    /// Rules: exactly one '@'; a local part of 1–64 characters from the RFC 5322 atom set plus
    /// dots, not starting or ending with a dot and without ".."; a domain of at least two labels
    /// of 1–63 letters, digits or hyphens that neither start nor end with a hyphen; an alphabetic
    /// top-level domain of 2+ letters (or punycode "xn--…"); at most 254 characters in all.
    public static func standardize(_ raw: String) -> StandardizationOutcome<EmailAddress> {
        let trimmed = TextNormalization.trim(raw)
        func reject(_ reason: String) -> StandardizationOutcome<EmailAddress> {
            .rejected(StandardizationFailure(kind: .email, input: raw, reason: reason))
        }
        if trimmed.isEmpty { return reject("e-mail address is empty") }
        var bytes = Array(trimmed.utf8)
        var atCount = 0
        var atIndex = -1
        for i in bytes.indices {
            let b = bytes[i]
            if b >= 0x80 {
                return reject("'\(trimmed)' has a non-ASCII character; internationalised addresses are not accepted")
            }
            if b >= 0x41 && b <= 0x5A { bytes[i] = b | 0x20 }
            if b == 0x40 {
                atCount += 1
                atIndex = i
            }
        }
        if atCount == 0 { return reject("'\(trimmed)' has no '@'") }
        if atCount > 1 { return reject("'\(trimmed)' has \(atCount) '@'") }
        if bytes.count > 254 { return reject("'\(trimmed)' is \(bytes.count) characters long; the limit is 254") }

        let localLength = atIndex
        if localLength == 0 { return reject("'\(trimmed)' has nothing before the '@'") }
        if localLength > 64 { return reject("'\(trimmed)' has a local part of \(localLength) characters; the limit is 64") }
        if bytes[0] == 0x2E { return reject("'\(trimmed)' starts with a dot") }
        if bytes[atIndex - 1] == 0x2E { return reject("'\(trimmed)' has a dot right before the '@'") }
        var previous: UInt8 = 0
        for i in 0..<atIndex {
            let b = bytes[i]
            if b == 0x2E && previous == 0x2E { return reject("'\(trimmed)' has two dots in a row") }
            if !isLocalPartByte(b) {
                return reject("'\(trimmed)' has a character not allowed before the '@': '\(Character(Unicode.Scalar(b)))'")
            }
            previous = b
        }

        let domainStart = atIndex + 1
        if domainStart == bytes.count { return reject("'\(trimmed)' has no domain after the '@'") }
        var labels: [Range<Int>] = []
        var labelStart = domainStart
        for i in domainStart...bytes.count {
            if i == bytes.count || bytes[i] == 0x2E {
                labels.append(labelStart..<i)
                labelStart = i + 1
            }
        }
        if labels.count < 2 { return reject("'\(trimmed)' has a domain without a top-level part (like '.com')") }
        for label in labels {
            if label.isEmpty { return reject("'\(trimmed)' has an empty label in its domain (a leading, trailing or double dot)") }
            if label.count > 63 { return reject("'\(trimmed)' has a domain label longer than 63 characters") }
            if bytes[label.lowerBound] == 0x2D || bytes[label.upperBound - 1] == 0x2D {
                return reject("'\(trimmed)' has a domain label that starts or ends with a hyphen")
            }
            for i in label {
                let b = bytes[i]
                let ok = (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D
                if !ok {
                    return reject("'\(trimmed)' has a character not allowed in a domain: '\(Character(Unicode.Scalar(b)))'")
                }
            }
        }
        if let tld = labels.last {
            let isPunycode = tld.count > 4 && bytes[tld.lowerBound..<(tld.lowerBound + 4)].elementsEqual("xn--".utf8)
            let alphabetic = bytes[tld].allSatisfy { $0 >= 0x61 && $0 <= 0x7A }
            if !isPunycode && (!alphabetic || tld.count < 2) {
                return reject("'\(trimmed)' has an invalid top-level domain; it must be 2 or more letters")
            }
        }
        return .standardized(EmailAddress(standardized: String(decoding: bytes, as: UTF8.self)))
    }

    /// RFC 5322 atext plus the dot.
    @inline(__always)
    private static func isLocalPartByte(_ b: UInt8) -> Bool {
        if (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) { return true }
        switch b {
        case UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
            UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"),
            UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
