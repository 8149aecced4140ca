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
    public static func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        appendEscaped(bytes, to: &buffer)
        buffer.append(UInt8(ascii: "\""))
    }

    /// Appends the UTF-8 `bytes` escaped, without quotes.
    @inline(__always)
    public static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        guard needsEscaping(bytes) else {
            buffer.append(contentsOf: bytes)
            return
        }
        let hex = Array("0123456789abcdef".utf8)
        let backslash = UInt8(ascii: "\\")
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): buffer += [backslash, UInt8(ascii: "\"")]
            case backslash: buffer += [backslash, backslash]
            case UInt8(ascii: "\n"): buffer += [backslash, UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): buffer += [backslash, UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): buffer += [backslash, UInt8(ascii: "t")]
            case 0x08: buffer += [backslash, UInt8(ascii: "b")]
            case 0x0C: buffer += [backslash, UInt8(ascii: "f")]
            case 0..<0x20:
                buffer += [backslash, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: buffer.append(byte)
            }
        }
    }

    @inline(__always)
    static func needsEscaping(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }
}
