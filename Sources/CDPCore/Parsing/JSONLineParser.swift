/// Reads one line of JSON Lines holding a flat JSON object.
///
/// Keys keep their order. Strings are fully unescaped (`\uXXXX` with surrogate pairs), numbers keep
/// their text, and arrays or objects are validated and kept as raw JSON text.
public enum JSONLineParser {
    /// The object's members in the order written.
    /// - Throws: ``JSONLineError`` with the byte column when the line is not a well-formed object.
    public static func parseFields(_ line: UnsafeRawBufferPointer) throws(JSONLineError) -> [(key: String, value: JSONScalar)] {
        guard let raw = line.baseAddress else {
            throw JSONLineError(column: 1, reason: "line is not a JSON object")
        }
        var reader = Reader(base: raw.assumingMemoryBound(to: UInt8.self), count: line.count)
        return try reader.readObjectLine()
    }

    /// The object's members in the order written.
    /// - Throws: ``JSONLineError`` when the line is not a well-formed object.
    public static func parseFields(_ line: String) throws(JSONLineError) -> [(key: String, value: JSONScalar)] {
        var copy = line
        let result: Result<[(key: String, value: JSONScalar)], JSONLineError> = copy.withUTF8 { buffer in
            do throws(JSONLineError) {
                return .success(try parseFields(UnsafeRawBufferPointer(buffer)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The object's members by key.
    /// - Throws: ``JSONLineError`` when the line is not a well-formed object, or names a key twice (which
    ///   value is meant cannot be told; RFC 8259 leaves it to the reader, I-JSON forbids it).
    public static func parseDictionary(_ line: UnsafeRawBufferPointer) throws(JSONLineError) -> [String: JSONScalar] {
        guard let raw = line.baseAddress else {
            throw JSONLineError(column: 1, reason: "line is not a JSON object")
        }
        var reader = Reader(base: raw.assumingMemoryBound(to: UInt8.self), count: line.count)
        reader.refusesRepeatedKeys = true
        var result: [String: JSONScalar] = [:]
        for field in try reader.readObjectLine() { result[field.key] = field.value }
        return result
    }

    /// The object's members by key.
    /// - Throws: ``JSONLineError`` when the line is not a well-formed object or names a key twice.
    public static func parseDictionary(_ line: String) throws(JSONLineError) -> [String: JSONScalar] {
        var copy = line
        let result: Result<[String: JSONScalar], JSONLineError> = copy.withUTF8 { buffer in
            do throws(JSONLineError) {
                return .success(try parseDictionary(UnsafeRawBufferPointer(buffer)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

private let quoteByte = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")

private struct Reader {
    let base: UnsafePointer<UInt8>
    let count: Int
    var pos = 0
    var scratch: [UInt8] = []
    /// Whether a key named twice in the line is an error (else both members are returned, in order).
    var refusesRepeatedKeys = false
    /// The key of the member being read (or just read), which an error names.
    var member: String?

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    /// The error at `position` (the reader's position when nil), naming the member being read. It never quotes the
    /// line: what is there may be a personal value (a character at a time to whoever reads the failure).
    func fail(_ reason: String, at position: Int? = nil) -> JSONLineError {
        JSONLineError(column: (position ?? pos) + 1, reason: reason, member: member)
    }

    /// Every malformed number alike: which rule it broke would tell a character of it (a leading zero).
    static let invalidNumber = "invalid number; a number is digits with no leading zero, an optional sign, fraction and exponent"

    func expected(_ what: String) -> JSONLineError {
        if pos >= count { return fail("unexpected end of line; expected \(what)") }
        return fail("expected \(what)")
    }

    mutating func skipWhitespace() {
        while pos < count {
            let c = base[pos]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { pos += 1 } else { break }
        }
    }

    mutating func readObjectLine() throws(JSONLineError) -> [(key: String, value: JSONScalar)] {
        skipWhitespace()
        guard pos < count, base[pos] == UInt8(ascii: "{") else {
            throw fail("line is not a JSON object")
        }
        pos += 1
        var fields: [(key: String, value: JSONScalar)] = []
        fields.reserveCapacity(16)
        skipWhitespace()
        if pos < count && base[pos] == UInt8(ascii: "}") {
            pos += 1
        } else {
            while true {
                skipWhitespace()
                guard pos < count, base[pos] == quoteByte else { throw expected("a string key") }
                let keyStart = pos
                member = nil
                let key = try readString()
                if refusesRepeatedKeys, let first = fields.firstIndex(where: { $0.key == key }) {
                    throw fail("the key \"\(key)\" appears twice (members \(first + 1) and \(fields.count + 1))", at: keyStart)
                }
                member = key
                skipWhitespace()
                guard pos < count, base[pos] == UInt8(ascii: ":") else { throw expected("':'") }
                pos += 1
                skipWhitespace()
                let value = try readValue()
                fields.append((key, value))
                skipWhitespace()
                guard pos < count else { throw expected("',' or '}'") }
                let c = base[pos]
                if c == UInt8(ascii: ",") {
                    pos += 1
                    continue
                }
                if c == UInt8(ascii: "}") {
                    pos += 1
                    break
                }
                throw expected("',' or '}'")
            }
        }
        skipWhitespace()
        if pos < count { throw fail("unexpected text after the object") }
        return fields
    }

    mutating func readValue() throws(JSONLineError) -> JSONScalar {
        guard pos < count else { throw expected("a value") }
        let c = base[pos]
        switch c {
        case quoteByte:
            return .string(try readString())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = pos
            try skipNested()
            return .nested(String(decoding: UnsafeBufferPointer(start: base + start, count: pos - start), as: UTF8.self))
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try readLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = pos
            try skipNumber()
            return .number(String(decoding: UnsafeBufferPointer(start: base + start, count: pos - start), as: UTF8.self))
        default:
            throw expected("a value")
        }
    }

    mutating func readLiteral(_ word: StaticString) throws(JSONLineError) {
        let start = pos
        let length = word.utf8CodeUnitCount
        let letters = word.utf8Start
        for i in 0..<length {
            guard pos < count, base[pos] == letters[i] else {
                throw fail("invalid literal; a bare word is true, false or null", at: start)
            }
            pos += 1
        }
    }

    mutating func skipDigits() -> Int {
        let start = pos
        while pos < count, base[pos] >= 0x30, base[pos] <= 0x39 { pos += 1 }
        return pos - start
    }

    mutating func skipNumber() throws(JSONLineError) {
        let start = pos
        if base[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < count, base[pos] >= 0x30, base[pos] <= 0x39 else { throw fail(Self.invalidNumber, at: start) }
        if base[pos] == 0x30 {
            pos += 1
            if pos < count, base[pos] >= 0x30, base[pos] <= 0x39 {
                throw fail(Self.invalidNumber, at: start)
            }
        } else {
            _ = skipDigits()
        }
        if pos < count && base[pos] == UInt8(ascii: ".") {
            pos += 1
            if skipDigits() == 0 { throw fail(Self.invalidNumber, at: start) }
        }
        if pos < count && (base[pos] == UInt8(ascii: "e") || base[pos] == UInt8(ascii: "E")) {
            pos += 1
            if pos < count && (base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-")) { pos += 1 }
            if skipDigits() == 0 { throw fail(Self.invalidNumber, at: start) }
        }
    }

    /// Skips a well-formed array or object, validating it.
    mutating func skipNested(depth: Int = 0) throws(JSONLineError) {
        guard depth < 512 else { throw fail("nesting too deep") }
        let open = base[pos]
        let isObject = open == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        pos += 1
        skipWhitespace()
        if pos < count && base[pos] == close {
            pos += 1
            return
        }
        while true {
            skipWhitespace()
            if isObject {
                guard pos < count, base[pos] == quoteByte else { throw expected("a string key") }
                _ = try readString()
                skipWhitespace()
                guard pos < count, base[pos] == UInt8(ascii: ":") else { throw expected("':'") }
                pos += 1
                skipWhitespace()
            }
            guard pos < count else { throw expected("a value") }
            if base[pos] == UInt8(ascii: "{") || base[pos] == UInt8(ascii: "[") {
                try skipNested(depth: depth + 1)
            } else {
                _ = try readValue()
            }
            skipWhitespace()
            guard pos < count else { throw expected(isObject ? "',' or '}'" : "',' or ']'") }
            if base[pos] == UInt8(ascii: ",") {
                pos += 1
                continue
            }
            if base[pos] == close {
                pos += 1
                return
            }
            throw expected(isObject ? "',' or '}'" : "',' or ']'")
        }
    }

    /// Reads a string starting at its opening quote and leaves `pos` after the closing quote.
    mutating func readString() throws(JSONLineError) -> String {
        let open = pos
        pos += 1
        let start = pos
        var high: UInt8 = 0
        while pos < count {
            let c = base[pos]
            if c == quoteByte {
                let text = try decode(UnsafeBufferPointer(start: base + start, count: pos - start), high: high, at: start)
                pos += 1
                return text
            }
            if c == backslash { break }
            if c < 0x20 { throw fail("control character in string; it must be escaped") }
            high |= c
            pos += 1
        }
        guard pos < count else { throw fail("unterminated string", at: open) }
        // Escapes: build the bytes in scratch.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: pos - start))
        while pos < count {
            let c = base[pos]
            if c == quoteByte {
                pos += 1
                let text: String? = scratch.withUnsafeBufferPointer { buffer in
                    high < 0x80 ? String(decoding: buffer, as: UTF8.self) : String(validating: buffer, as: UTF8.self)
                }
                guard let text else { throw fail("string is not valid UTF-8", at: start) }
                return text
            }
            if c < 0x20 { throw fail("control character in string; it must be escaped") }
            if c != backslash {
                high |= c
                scratch.append(c)
                pos += 1
                continue
            }
            let escapeStart = pos
            pos += 1
            guard pos < count else { break }
            let e = base[pos]
            pos += 1
            switch e {
            case quoteByte: scratch.append(quoteByte)
            case backslash: scratch.append(backslash)
            case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var code = try readHex4(escapeStart: escapeStart)
                if code >= 0xD800 && code <= 0xDBFF {
                    guard pos + 1 < count, base[pos] == backslash, base[pos + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate in \\u escape", at: escapeStart)
                    }
                    let lowStart = pos
                    pos += 2
                    let low = try readHex4(escapeStart: lowStart)
                    guard low >= 0xDC00 && low <= 0xDFFF else {
                        throw fail("unpaired surrogate in \\u escape", at: escapeStart)
                    }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if code >= 0xDC00 && code <= 0xDFFF {
                    throw fail("unpaired surrogate in \\u escape", at: escapeStart)
                }
                guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape", at: escapeStart) }
                high |= 0x80
                scratch.append(contentsOf: UTF8.encode(scalar).map { Array($0) } ?? [])
            default:
                throw fail("invalid escape; a backslash is followed by one of \" \\ / b f n r t u", at: escapeStart)
            }
        }
        throw fail("unterminated string", at: open)
    }

    mutating func readHex4(escapeStart: Int) throws(JSONLineError) -> UInt32 {
        guard pos + 4 <= count else { throw fail("invalid \\u escape: needs 4 hex digits", at: escapeStart) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = base[pos]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape: needs 4 hex digits", at: escapeStart)
            }
            value = value << 4 | digit
            pos += 1
        }
        return value
    }

    func decode(_ bytes: UnsafeBufferPointer<UInt8>, high: UInt8, at start: Int) throws(JSONLineError) -> String {
        if high < 0x80 { return String(decoding: bytes, as: UTF8.self) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw fail("string is not valid UTF-8", at: start)
        }
        return text
    }
}
