/// A JSON text read into a tree that remembers where each value is written, so configuration problems can
/// name their line and column (Foundation's decoders give none). Numbers keep their text: a number too
/// large for any type (`1e400`, `99999999999999999999`) is valid JSON, and the setting it is given to says
/// it is out of range. A key given twice in one object is kept twice, for the checker to report.
struct JSONDocument {
    struct Member {
        var key: String
        var keyPosition: SourcePosition
        var value: Value
    }

    indirect enum Kind {
        case object([Member])
        case array([Value])
        case string(String)
        /// The number as written.
        case number(String)
        case bool(Bool)
        case null
    }

    struct Value {
        var kind: Kind
        var position: SourcePosition

        /// `a string ("x")`, `a number (5)`, `a list`: what was found, for messages.
        var found: String {
            switch kind {
            case .object: return "an object"
            case .array: return "a list"
            case .string(let text): return "a string (\"\(text.count > 40 ? String(text.prefix(40)) + "…" : text)\")"
            case .number(let text): return "a number (\(text))"
            case .bool(let flag): return "\(flag)"
            case .null: return "null"
            }
        }
    }

    /// Why the text is not JSON, and where.
    struct SyntaxError: Error {
        var message: String
        var position: SourcePosition
    }

    let root: Value

    /// - Throws: `SyntaxError` naming the line and column of the first character that is not JSON.
    init(_ bytes: [UInt8]) throws(SyntaxError) {
        var parser = Parser(cursor: TextCursor(bytes))
        parser.skipSpace()
        root = try parser.value(depth: 0)
        parser.skipSpace()
        if !parser.cursor.atEnd {
            throw SyntaxError(message: "unexpected text after the JSON value", position: parser.cursor.position)
        }
    }

    private struct Parser {
        var cursor: TextCursor

        mutating func skipSpace() {
            while let byte = cursor.current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { cursor.advance() }
        }

        func fail(_ message: String) -> SyntaxError { SyntaxError(message: message, position: cursor.position) }

        func describeCurrent() -> String {
            guard let byte = cursor.current else { return "the end of the file" }
            if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
            return String(format: "byte 0x%02X", byte)
        }

        mutating func value(depth: Int) throws(SyntaxError) -> Value {
            guard depth < 256 else { throw fail("values are nested more than 256 deep") }
            let position = cursor.position
            guard let byte = cursor.current else { throw fail("expected a value, found the end of the file") }
            switch byte {
            case UInt8(ascii: "{"):
                cursor.advance()
                var members: [Member] = []
                skipSpace()
                if cursor.current == UInt8(ascii: "}") {
                    cursor.advance()
                    return Value(kind: .object(members), position: position)
                }
                while true {
                    skipSpace()
                    let keyPosition = cursor.position
                    guard cursor.current == UInt8(ascii: "\"") else { throw fail("expected a key in double quotes, found \(describeCurrent())") }
                    let key = try string()
                    skipSpace()
                    guard cursor.current == UInt8(ascii: ":") else { throw fail("expected ':' after the key \"\(key)\", found \(describeCurrent())") }
                    cursor.advance()
                    skipSpace()
                    members.append(Member(key: key, keyPosition: keyPosition, value: try value(depth: depth + 1)))
                    skipSpace()
                    if cursor.current == UInt8(ascii: ",") {
                        cursor.advance()
                        continue
                    }
                    guard cursor.current == UInt8(ascii: "}") else { throw fail("expected ',' or '}' after a member, found \(describeCurrent())") }
                    cursor.advance()
                    return Value(kind: .object(members), position: position)
                }
            case UInt8(ascii: "["):
                cursor.advance()
                var elements: [Value] = []
                skipSpace()
                if cursor.current == UInt8(ascii: "]") {
                    cursor.advance()
                    return Value(kind: .array(elements), position: position)
                }
                while true {
                    skipSpace()
                    elements.append(try value(depth: depth + 1))
                    skipSpace()
                    if cursor.current == UInt8(ascii: ",") {
                        cursor.advance()
                        continue
                    }
                    guard cursor.current == UInt8(ascii: "]") else { throw fail("expected ',' or ']' after an element, found \(describeCurrent())") }
                    cursor.advance()
                    return Value(kind: .array(elements), position: position)
                }
            case UInt8(ascii: "\""):
                return Value(kind: .string(try string()), position: position)
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                for (word, kind) in [("true", Kind.bool(true)), ("false", .bool(false)), ("null", .null)] where cursor.starts(with: Array(word.utf8)) {
                    cursor.advance(word.utf8.count)
                    return Value(kind: kind, position: position)
                }
                throw fail("expected a value, found \(describeCurrent())")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return Value(kind: .number(try number()), position: position)
            default:
                throw fail("expected a value, found \(describeCurrent())")
            }
        }

        mutating func number() throws(SyntaxError) -> String {
            let start = cursor.index
            func digits(_ cursor: inout TextCursor) -> Int {
                var count = 0
                while let byte = cursor.current, byte >= 0x30 && byte <= 0x39 {
                    cursor.advance()
                    count += 1
                }
                return count
            }
            if cursor.current == UInt8(ascii: "-") { cursor.advance() }
            if cursor.current == UInt8(ascii: "0") {
                cursor.advance()
            } else if digits(&cursor) == 0 {
                throw fail("a number needs digits, found \(describeCurrent())")
            }
            if cursor.current == UInt8(ascii: ".") {
                cursor.advance()
                if digits(&cursor) == 0 { throw fail("a number needs digits after '.', found \(describeCurrent())") }
            }
            if cursor.current == UInt8(ascii: "e") || cursor.current == UInt8(ascii: "E") {
                cursor.advance()
                if cursor.current == UInt8(ascii: "+") || cursor.current == UInt8(ascii: "-") { cursor.advance() }
                if digits(&cursor) == 0 { throw fail("a number needs digits in its exponent, found \(describeCurrent())") }
            }
            return String(decoding: cursor.bytes[start..<cursor.index], as: UTF8.self)
        }

        mutating func hexQuad() throws(SyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = cursor.current, let digit = Self.hexDigit(byte) else {
                    throw fail("\\u needs four hexadecimal digits, found \(describeCurrent())")
                }
                value = value << 4 | UInt32(digit)
                cursor.advance()
            }
            return value
        }

        static func hexDigit(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: return byte - 0x30
            case 0x41...0x46: return byte - 0x41 + 10
            case 0x61...0x66: return byte - 0x61 + 10
            default: return nil
            }
        }

        mutating func string() throws(SyntaxError) -> String {
            cursor.advance()
            var bytes: [UInt8] = []
            while true {
                guard let byte = cursor.current else { throw fail("a string is not closed before the end of the file") }
                switch byte {
                case UInt8(ascii: "\""):
                    cursor.advance()
                    guard let text = String(validating: bytes, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
                    return text
                case UInt8(ascii: "\\"):
                    cursor.advance()
                    guard let escaped = cursor.current else { throw fail("a string is not closed before the end of the file") }
                    cursor.advance()
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(escaped)
                    case UInt8(ascii: "b"): bytes.append(0x08)
                    case UInt8(ascii: "f"): bytes.append(0x0C)
                    case UInt8(ascii: "n"): bytes.append(0x0A)
                    case UInt8(ascii: "r"): bytes.append(0x0D)
                    case UInt8(ascii: "t"): bytes.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hexQuad()
                        if (0xD800..<0xDC00).contains(scalar), cursor.starts(with: Array("\\u".utf8)) {
                            cursor.advance(2)
                            let low = try hexQuad()
                            if (0xDC00..<0xE000).contains(low) { scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) }
                        }
                        bytes.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
                    default:
                        throw fail("'\\\(Character(Unicode.Scalar(escaped)))' is not a JSON escape")
                    }
                case 0x00..<0x20:
                    throw fail("a string holds a control character (a line break must be written \\n)")
                default:
                    bytes.append(byte)
                    cursor.advance()
                }
            }
        }
    }
}
