/// An instant in UTC, to the second.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// The instant at `hour:minute:second` UTC on `date`.
    public init(date: LocalDate, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        secondsSinceEpoch = Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The UTC calendar date.
    public var date: LocalDate? {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        return LocalDate(daysSinceEpoch: Int(days))
    }

    /// "2025-03-14T10:22:05Z".
    public var isoText: String {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        let secondsOfDay = Int(secondsSinceEpoch - days * 86_400)
        if let date = LocalDate(daysSinceEpoch: Int(days)), (0...9999).contains(date.year) {
            return String(unsafeUninitializedCapacity: 20) { bytes in
                LocalDate.writeDigits(date.year, width: 4, into: bytes, at: 0)
                bytes[4] = 0x2D
                LocalDate.writeDigits(date.month, width: 2, into: bytes, at: 5)
                bytes[7] = 0x2D
                LocalDate.writeDigits(date.day, width: 2, into: bytes, at: 8)
                bytes[10] = 0x54
                LocalDate.writeDigits(secondsOfDay / 3600, width: 2, into: bytes, at: 11)
                bytes[13] = 0x3A
                LocalDate.writeDigits(secondsOfDay / 60 % 60, width: 2, into: bytes, at: 14)
                bytes[16] = 0x3A
                LocalDate.writeDigits(secondsOfDay % 60, width: 2, into: bytes, at: 17)
                bytes[19] = 0x5A
                return 20
            }
        }
        var text = LocalDate(daysSinceEpoch: Int(days))?.isoText ?? "????-??-??"
        text.append("T")
        LocalDate.appendPadded(&text, secondsOfDay / 3600, width: 2)
        text.append(":")
        LocalDate.appendPadded(&text, secondsOfDay / 60 % 60, width: 2)
        text.append(":")
        LocalDate.appendPadded(&text, secondsOfDay % 60, width: 2)
        text.append("Z")
        return text
    }

    public var description: String { isoText }

    /// Whether `text` is laid out as ``isoText`` writes it ("dddd-dd-ddTdd:dd:ddZ"). Text of that shape that
    /// parses as a timestamp is its own ``isoText``: the same digits, in UTC.
    public static func hasISOShape(_ text: String) -> Bool {
        TextNormalization.withBytes(text) { bytes in
            guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
                bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z")
            else { return false }
            for index in 0..<19 {
                switch index {
                case 4, 7, 10, 13, 16: continue
                default: if bytes[index] &- UInt8(ascii: "0") > 9 { return false }
                }
            }
            return true
        }
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }
}

extension Timestamp {
    /// Decodes ISO 8601 text ("2025-03-14T10:22:05Z"); see ``DateParsing/parseTimestamp(_:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        switch DateParsing.parseTimestamp(text) {
        case .standardized(let timestamp): self = timestamp
        case .rejected(let failure): throw DecodingError.dataCorruptedError(in: container, debugDescription: failure.reason)
        }
    }

    /// Encodes as ISO 8601 text in UTC.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(isoText)
    }
}
