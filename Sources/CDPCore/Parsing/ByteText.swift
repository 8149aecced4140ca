/// Turns raw field bytes into text: UTF-8 when the bytes are valid, otherwise Windows-1252.
///
/// Files from older CRM exports are often Latin-1 or Windows-1252; decoding them as such keeps
/// "Renée" readable instead of replacing bytes with U+FFFD.
public enum ByteText {
    /// `bytes` as text: UTF-8 when valid, otherwise Windows-1252.
    public static func text(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { decode($0, hasHighBit: $0.contains { $0 >= 0x80 }).text }
    }

    /// Decodes `bytes` as UTF-8, falling back to Windows-1252; `isUTF8` is false after a fallback.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, hasHighBit: Bool) -> (text: String, isUTF8: Bool) {
        if !hasHighBit {
            // Pure ASCII: always valid UTF-8, skip validation.
            return (String(decoding: bytes, as: UTF8.self), true)
        }
        if let text = String(validating: bytes, as: UTF8.self) {
            return (text, true)
        }
        return (windows1252(bytes), false)
    }

    /// Decodes bytes as Windows-1252 (bytes 0x80–0x9F) over ISO 8859-1 (everything else).
    static func windows1252(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if byte >= 0x80 && byte <= 0x9F {
                let code = cp1252High[Int(byte - 0x80)]
                scalars.append(Unicode.Scalar(code) ?? Unicode.Scalar(UInt8(byte)))
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    /// Code points of Windows-1252 bytes 0x80–0x9F; the five undefined bytes map to the C1 control
    /// of the same value, as ISO 8859-1 does.
    private static let cp1252High: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}
