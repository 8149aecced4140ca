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
        var trimmed = TextNormalization.trim(raw)
        let problem = trimmed.withUTF8 { check($0) }
        switch problem {
        case .none(let hasUpper):
            // All ASCII by now; the standard library's lowercasing has a fast ASCII path.
            return .standardized(EmailAddress(standardized: hasUpper ? trimmed.lowercased() : trimmed))
        case .some(let reason):
            return .rejected(StandardizationFailure(kind: .email, input: raw, reason: reason.text(trimmed)))
        }
    }

    /// What ``check(_:)`` found: fine (and whether there are capitals to lower), or a problem.
    private enum Check {
        case none(hasUpper: Bool)
        case some(Problem)
    }

    private enum Problem {
        case empty, nonASCII, noAt, manyAt(Int), tooLong(Int), emptyLocal, localTooLong(Int), leadingDot
        case dotBeforeAt, doubleDot, badLocalCharacter(UInt8), noDomain, noTopLevel, emptyLabel
        case labelTooLong, hyphenEdge, badDomainCharacter(UInt8), badTopLevel

        func text(_ s: String) -> String {
            switch self {
            case .empty: return "e-mail address is empty"
            case .nonASCII: return "'\(s)' has a non-ASCII character; internationalised addresses are not accepted"
            case .noAt: return "'\(s)' has no '@'"
            case .manyAt(let n): return "'\(s)' has \(n) '@'"
            case .tooLong(let n): return "'\(s)' is \(n) characters long; the limit is 254"
            case .emptyLocal: return "'\(s)' has nothing before the '@'"
            case .localTooLong(let n): return "'\(s)' has a local part of \(n) characters; the limit is 64"
            case .leadingDot: return "'\(s)' starts with a dot"
            case .dotBeforeAt: return "'\(s)' has a dot right before the '@'"
            case .doubleDot: return "'\(s)' has two dots in a row"
            case .badLocalCharacter(let b):
                return "'\(s)' has a character not allowed before the '@': '\(Character(Unicode.Scalar(b)))'"
            case .noDomain: return "'\(s)' has no domain after the '@'"
            case .noTopLevel: return "'\(s)' has a domain without a top-level part (like '.com')"
            case .emptyLabel: return "'\(s)' has an empty label in its domain (a leading, trailing or double dot)"
            case .labelTooLong: return "'\(s)' has a domain label longer than 63 characters"
            case .hyphenEdge: return "'\(s)' has a domain label that starts or ends with a hyphen"
            case .badDomainCharacter(let b):
                return "'\(s)' has a character not allowed in a domain: '\(Character(Unicode.Scalar(b)))'"
            case .badTopLevel: return "'\(s)' has an invalid top-level domain; it must be 2 or more letters"
            }
        }
    }

    private static func check(_ bytes: UnsafeBufferPointer<UInt8>) -> Check {
        let n = bytes.count
        if n == 0 { return .some(.empty) }
        var atCount = 0
        var atIndex = -1
        var hasUpper = false
        for i in 0..<n {
            let b = bytes[i]
            if b >= 0x80 { return .some(.nonASCII) }
            if b >= 0x41 && b <= 0x5A { hasUpper = true }
            if b == 0x40 {
                atCount += 1
                atIndex = i
            }
        }
        if atCount == 0 { return .some(.noAt) }
        if atCount > 1 { return .some(.manyAt(atCount)) }
        if n > 254 { return .some(.tooLong(n)) }
        if atIndex == 0 { return .some(.emptyLocal) }
        if atIndex > 64 { return .some(.localTooLong(atIndex)) }
        if bytes[0] == 0x2E { return .some(.leadingDot) }
        if bytes[atIndex - 1] == 0x2E { return .some(.dotBeforeAt) }
        var previous: UInt8 = 0
        for i in 0..<atIndex {
            let b = bytes[i] | (bytes[i] >= 0x41 && bytes[i] <= 0x5A ? 0x20 : 0)
            if b == 0x2E && previous == 0x2E { return .some(.doubleDot) }
            if !isLocalPartByte(b) { return .some(.badLocalCharacter(bytes[i])) }
            previous = b
        }
        let domainStart = atIndex + 1
        if domainStart == n { return .some(.noDomain) }
        var labelCount = 0
        var labelStart = domainStart
        var lastLabel = domainStart..<n
        var i = domainStart
        while i <= n {
            if i == n || bytes[i] == 0x2E {
                let length = i - labelStart
                if length == 0 { return .some(.emptyLabel) }
                if length > 63 { return .some(.labelTooLong) }
                if bytes[labelStart] == 0x2D || bytes[i - 1] == 0x2D { return .some(.hyphenEdge) }
                lastLabel = labelStart..<i
                labelCount += 1
                labelStart = i + 1
            } else {
                let b = bytes[i] | 0x20
                let ok = (b >= 0x61 && b <= 0x7A) || (bytes[i] >= 0x30 && bytes[i] <= 0x39) || bytes[i] == 0x2D
                if !ok { return .some(.badDomainCharacter(bytes[i])) }
            }
            i += 1
        }
        if labelCount < 2 { return .some(.noTopLevel) }
        let tld = lastLabel
        let isPunycode = tld.count > 4 && (bytes[tld.lowerBound] | 0x20) == UInt8(ascii: "x")
            && (bytes[tld.lowerBound + 1] | 0x20) == UInt8(ascii: "n") && bytes[tld.lowerBound + 2] == 0x2D
            && bytes[tld.lowerBound + 3] == 0x2D
        if !isPunycode {
            if tld.count < 2 { return .some(.badTopLevel) }
            for j in tld where !((bytes[j] | 0x20) >= 0x61 && (bytes[j] | 0x20) <= 0x7A) {
                return .some(.badTopLevel)
            }
        }
        return .none(hasUpper: hasUpper)
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

extension EmailAddress {
    /// Decodes a plain string, standardising it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        switch EmailAddress.standardize(text) {
        case .standardized(let email): self = email
        case .rejected(let failure): throw DecodingError.dataCorruptedError(in: container, debugDescription: failure.reason)
        }
    }

    /// Encodes as the plain address string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
