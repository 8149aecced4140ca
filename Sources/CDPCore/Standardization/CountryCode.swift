/// An ISO 3166-1 alpha-2 country code ("GB", "US", "DE").
public struct CountryCode: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The upper-case alpha-2 code.
    public let alpha2: String

    /// A code from the ISO 3166-1 table; nil when `alpha2` is not an assigned code (any case).
    public init?(alpha2: String) {
        let upper = alpha2.uppercased()
        guard CountryCode.indexByAlpha2[upper] != nil else { return nil }
        self.alpha2 = upper
    }

    private init(assigned alpha2: String) {
        self.alpha2 = alpha2
    }

    public var description: String { alpha2 }

    /// The ISO 3166-1 alpha-3 code ("GBR").
    public var alpha3: String { entry?.alpha3 ?? "" }

    /// The ISO 3166-1 English short name ("United Kingdom of Great Britain and Northern Ireland").
    public var englishName: String { entry?.name ?? alpha2 }

    private var entry: ISO3166Table.Entry? {
        CountryCode.indexByAlpha2[alpha2].map { ISO3166Table.entries[$0] }
    }

    public static func < (lhs: CountryCode, rhs: CountryCode) -> Bool { lhs.alpha2 < rhs.alpha2 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let code = CountryCode(alpha2: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 3166-1 alpha-2 code")
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(alpha2)
    }

    /// Every assigned ISO 3166-1 code, in the standard's order (by English name).
    public static var allCodes: [CountryCode] { ISO3166Table.entries.map { CountryCode(assigned: $0.alpha2) } }

    public static let gb = CountryCode(assigned: "GB")
    public static let us = CountryCode(assigned: "US")
    public static let de = CountryCode(assigned: "DE")
    public static let fr = CountryCode(assigned: "FR")

    /// Reads a country from an alpha-2 or alpha-3 code, an English name, or a common alias or native
    /// name ("UK", "England", "USA", "Deutschland", "España", "Holland"), ignoring case, accents and
    /// punctuation.
    public static func standardize(_ raw: String) -> StandardizationOutcome<CountryCode> {
        let utf8 = raw.utf8
        // Fast path: two ASCII letters.
        if utf8.count == 2, let first = utf8.first, let last = utf8.last, isLetter(first), isLetter(last) {
            let upper = String(unsafeUninitializedCapacity: 2) { buffer in
                buffer[0] = first & 0xDF
                buffer[1] = last & 0xDF
                return 2
            }
            if indexByAlpha2[upper] != nil { return .standardized(CountryCode(assigned: upper)) }
        }
        let key = lookupKey(raw)
        if key.isEmpty {
            return .rejected(StandardizationFailure(kind: .country, input: raw, reason: "country is empty"))
        }
        if let alpha2 = alpha2ByKey[key] {
            return .standardized(CountryCode(assigned: alpha2))
        }
        let shown = TextNormalization.collapseWhitespace(raw)
        return .rejected(StandardizationFailure(kind: .country, input: raw, reason: "unknown country '\(shown)'"))
    }

    @inline(__always)
    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    /// Lower case, accents removed, only letters and digits kept, a leading "the" dropped.
    static func lookupKey(_ raw: String) -> String {
        let folded = TextNormalization.foldAccents(raw)
        let utf8 = folded.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) {
            var skip = 0
            let key = String(unsafeUninitializedCapacity: utf8.count) { buffer in
                var count = 0
                for b in utf8 {
                    let lower = b | 0x20
                    if (b >= 0x41 && lower >= 0x61 && lower <= 0x7A) || (b >= 0x30 && b <= 0x39) {
                        buffer[count] = b >= 0x41 ? lower : b
                        count += 1
                    }
                }
                if count > 6 && buffer[0] == UInt8(ascii: "t") && buffer[1] == UInt8(ascii: "h") && buffer[2] == UInt8(ascii: "e") {
                    skip = 3
                }
                return count
            }
            return skip == 0 ? key : String(key.utf8.dropFirst(skip)) ?? key
        }
        var key = String.UnicodeScalarView()
        for scalar in folded.lowercased().unicodeScalars
        where scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
            key.append(scalar)
        }
        var text = String(key)
        if text.hasPrefix("the") && text.count > 6 { text.removeFirst(3) }
        return text
    }

    private static let indexByAlpha2: [String: Int] = {
        var index: [String: Int] = [:]
        for (i, entry) in ISO3166Table.entries.enumerated() { index[entry.alpha2] = i }
        return index
    }()

    private static let alpha2ByKey: [String: String] = {
        var byKey: [String: String] = [:]
        for entry in ISO3166Table.entries {
            byKey[entry.alpha2.lowercased()] = entry.alpha2
            byKey[entry.alpha3.lowercased()] = entry.alpha2
            byKey[lookupKey(entry.name)] = entry.alpha2
        }
        for alias in CountryAliases.aliases {
            byKey[lookupKey(alias.name)] = alias.alpha2
        }
        return byKey
    }()
}
