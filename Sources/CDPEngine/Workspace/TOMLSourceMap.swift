/// Where each setting of a TOML file is written, by the path the loaders name it with
/// (`sources[2].mapping.email`, `rules[29].min`, `comparisons[0].levels[1].threshold`, `blocking.rules[0].keys[1]`).
///
/// TOMLKit gives a position for syntax errors only, so this reads the (already parsed, hence valid) text once
/// more: table headers, `[[array]]` headers with their element counts, keys (bare, quoted, dotted), and
/// values, inline tables and arrays included, skipping strings and comments.
struct TOMLSourceMap {
    private(set) var positions: [String: SourcePosition] = [:]

    init(text: String) {
        var scanner = Scanner(cursor: TextCursor(text))
        scanner.scanDocument()
        positions = scanner.positions
    }

    /// The position of the setting `path`, or of the nearest enclosing setting written in the file
    /// (a missing key points at its table's header).
    func position(of path: String) -> SourcePosition? { SourcePosition.nearest(path, in: positions) }

    private struct Scanner {
        var cursor: TextCursor
        var positions: [String: SourcePosition] = [:]
        /// Elements seen so far of each array of tables, by its resolved path (`sources`, `comparisons[1].levels`).
        var arrayCounts: [String: Int] = [:]
        var table = ""

        static func join(_ prefix: String, _ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

        mutating func note(_ path: String, _ position: SourcePosition) {
            if positions[path] == nil { positions[path] = position }
        }

        mutating func scanDocument() {
            while !cursor.atEnd {
                skipBlank(newlines: true)
                guard let byte = cursor.current else { break }
                let start = cursor.position
                if byte == UInt8(ascii: "[") {
                    scanHeader(start)
                } else if let keys = scanKey() {
                    skipBlank(newlines: false)
                    guard cursor.current == UInt8(ascii: "=") else { skipLine(); continue }
                    cursor.advance()
                    skipBlank(newlines: false)
                    let path = keys.reduce(table, Self.join)
                    note(path, start)
                    scanValue(path, depth: 0)
                }
                skipLine()
            }
        }

        mutating func scanHeader(_ start: SourcePosition) {
            let isArray = cursor.peek(1) == UInt8(ascii: "[")
            cursor.advance(isArray ? 2 : 1)
            skipBlank(newlines: false)
            guard let keys = scanKey(), !keys.isEmpty else { return }
            // Every enclosing array of tables stands for its latest element.
            var resolved = ""
            for key in keys.dropLast() {
                resolved = Self.join(resolved, key)
                if let count = arrayCounts[resolved] { resolved += "[\(count)]" }
            }
            resolved = Self.join(resolved, keys[keys.count - 1])
            if isArray {
                let count = (arrayCounts[resolved] ?? -1) + 1
                arrayCounts[resolved] = count
                note(resolved, start)
                resolved += "[\(count)]"
            } else if let count = arrayCounts[resolved] {
                resolved += "[\(count)]"
            }
            note(resolved, start)
            table = resolved
        }

        /// A dotted key: bare, "basic" or 'literal' parts separated by dots.
        mutating func scanKey() -> [String]? {
            var parts: [String] = []
            while true {
                skipBlank(newlines: false)
                guard let byte = cursor.current else { return parts.isEmpty ? nil : parts }
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    guard let text = scanQuotedKey(byte) else { return nil }
                    parts.append(text)
                } else {
                    var bytes: [UInt8] = []
                    while let next = cursor.current, Self.isBare(next) {
                        bytes.append(next)
                        cursor.advance()
                    }
                    if bytes.isEmpty { return nil }
                    parts.append(String(decoding: bytes, as: UTF8.self))
                }
                skipBlank(newlines: false)
                guard cursor.current == UInt8(ascii: ".") else { return parts }
                cursor.advance()
            }
        }

        static func isBare(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }

        mutating func scanQuotedKey(_ quote: UInt8) -> String? {
            cursor.advance()
            var bytes: [UInt8] = []
            while let byte = cursor.current, byte != quote, byte != UInt8(ascii: "\n") {
                if quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\"), let escaped = cursor.peek(1) {
                    // Keys with escapes are rare; keep the escaped character as written.
                    bytes.append(escaped)
                    cursor.advance(2)
                    continue
                }
                bytes.append(byte)
                cursor.advance()
            }
            guard cursor.current == quote else { return nil }
            cursor.advance()
            return String(decoding: bytes, as: UTF8.self)
        }

        mutating func scanValue(_ path: String, depth: Int) {
            guard depth < 128, let byte = cursor.current else { return }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                skipString(byte)
            case UInt8(ascii: "["):
                cursor.advance()
                var index = 0
                while true {
                    skipBlank(newlines: true)
                    guard let next = cursor.current, next != UInt8(ascii: "]") else { break }
                    let element = "\(path)[\(index)]"
                    note(element, cursor.position)
                    let before = cursor.index
                    scanValue(element, depth: depth + 1)
                    skipBlank(newlines: true)
                    if cursor.current == UInt8(ascii: ",") { cursor.advance() } else if cursor.index == before { break }
                    index += 1
                }
                if cursor.current == UInt8(ascii: "]") { cursor.advance() }
            case UInt8(ascii: "{"):
                cursor.advance()
                while true {
                    skipBlank(newlines: false)
                    guard let next = cursor.current, next != UInt8(ascii: "}") else { break }
                    let start = cursor.position
                    guard let keys = scanKey() else { break }
                    skipBlank(newlines: false)
                    guard cursor.current == UInt8(ascii: "=") else { break }
                    cursor.advance()
                    skipBlank(newlines: false)
                    let key = keys.reduce(path, Self.join)
                    note(key, start)
                    scanValue(key, depth: depth + 1)
                    skipBlank(newlines: false)
                    if cursor.current == UInt8(ascii: ",") { cursor.advance() }
                }
                if cursor.current == UInt8(ascii: "}") { cursor.advance() }
            default:
                // A number, boolean or date: up to the next delimiter.
                while let next = cursor.current, !"\n\r,]}#".utf8.contains(next) { cursor.advance() }
            }
        }

        mutating func skipString(_ quote: UInt8) {
            let triple = [quote, quote, quote]
            if cursor.starts(with: triple) {
                cursor.advance(3)
                while !cursor.atEnd && !cursor.starts(with: triple) {
                    cursor.advance(quote == UInt8(ascii: "\"") && cursor.current == UInt8(ascii: "\\") ? 2 : 1)
                }
                cursor.advance(3)
                // Up to two more quotes may close a multi-line string (`""""" ` ends with quotes in it).
                while cursor.current == quote { cursor.advance() }
                return
            }
            cursor.advance()
            while let byte = cursor.current, byte != quote, byte != UInt8(ascii: "\n") {
                cursor.advance(quote == UInt8(ascii: "\"") && byte == UInt8(ascii: "\\") ? 2 : 1)
            }
            if cursor.current == quote { cursor.advance() }
        }

        /// Skips spaces and tabs, comments, and (when asked) line breaks.
        mutating func skipBlank(newlines: Bool) {
            while let byte = cursor.current {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                    cursor.advance()
                } else if newlines && (byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")) {
                    cursor.advance()
                } else if byte == UInt8(ascii: "#") {
                    while let next = cursor.current, next != UInt8(ascii: "\n") { cursor.advance() }
                } else {
                    return
                }
            }
        }

        /// Moves past the rest of the line (a trailing comment, or what could not be read).
        mutating func skipLine() {
            while let byte = cursor.current, byte != UInt8(ascii: "\n") { cursor.advance() }
            cursor.advance()
        }
    }
}
