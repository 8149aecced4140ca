/// JSON string literals as `JSONEncoder` writes them: quote, backslash and control characters escaped
/// (`\n`, `\r`, `\t`, `\b`, `\f` short, the rest as `\u00XX`), slashes and non-ASCII text as they are.
///
/// Every hand-written JSON writer (quarantine rows, golden records, match explanations, exports, bronze)
/// escapes through here, so one value is spelled the same way wherever the lake stores it.
public enum JSONString {
    /// Appends `value` quoted and escaped.
    public static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        if !needsEscaping(value.utf8) {
            text += value
        } else {
            var escaped: [UInt8] = []
            escaped.reserveCapacity(value.utf8.count + 16)
            var value = value
            value.withUTF8 { appendEscaped($0, to: &escaped) }
            text += String(decoding: escaped, as: UTF8.self)
        }
        text += "\""
    }

    /// Appends the UTF-8 `bytes` quoted and escaped.
    @inlinable
    public static func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout some ByteOutput) {
        buffer.append(UInt8(ascii: "\""))
        appendEscaped(bytes, to: &buffer)
        buffer.append(UInt8(ascii: "\""))
    }

    /// Appends the UTF-8 `bytes` escaped, without quotes.
    @inlinable
    public static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout some ByteOutput) {
        guard needsEscaping(bytes) else {
            buffer.append(bytes: bytes)
            return
        }
        let backslash = UInt8(ascii: "\\")
        for byte in bytes {
            let short: UInt8
            switch byte {
            case UInt8(ascii: "\""), backslash: short = byte
            case UInt8(ascii: "\n"): short = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): short = UInt8(ascii: "r")
            case UInt8(ascii: "\t"): short = UInt8(ascii: "t")
            case 0x08: short = UInt8(ascii: "b")
            case 0x0C: short = UInt8(ascii: "f")
            case 0..<0x20:
                buffer.append(backslash)
                buffer.append(utf8: "u00")
                buffer.append(hexDigit(byte >> 4))
                buffer.append(hexDigit(byte & 0xF))
                continue
            default:
                buffer.append(byte)
                continue
            }
            buffer.append(backslash)
            buffer.append(short)
        }
    }

    @inlinable
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    @inlinable
    static func needsEscaping(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }
}
