/// Splits byte chunks into lines, for JSON Lines and other line-per-record formats.
///
/// Same chunking contract as ``CSVParser``: ``split(_:isFinal:_:)`` emits complete lines and returns
/// how many bytes it consumed; carry the rest over. Lines end in LF or CRLF (the CR is dropped); a
/// UTF-8 byte order mark at the start is skipped; blank lines (empty or only spaces and tabs) are
/// skipped but counted; the last line needs no newline when `isFinal`.
public struct TextLineSplitter: Sendable {
    /// The 1-based line number the next line will have.
    public private(set) var nextLine: Int = 1
    private var startChecked = false

    public init() {}

    /// Emits each complete non-blank line with its 1-based number; returns the bytes consumed.
    /// - Throws: only what `emit` throws.
    public mutating func split(
        _ bytes: UnsafeRawBufferPointer,
        isFinal: Bool,
        _ emit: (_ line: Int, _ text: UnsafeRawBufferPointer) throws -> Void
    ) rethrows -> Int {
        guard let raw = bytes.baseAddress, bytes.count > 0 else {
            if isFinal { startChecked = true }
            return 0
        }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let n = bytes.count
        var pos = 0
        if !startChecked {
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            var matches = true
            for i in 0..<min(n, 3) where base[i] != bom[i] { matches = false }
            if matches && n < 3 && !isFinal { return 0 }
            startChecked = true
            if matches && n >= 3 { pos = 3 }
        }
        var consumed = pos
        while pos < n {
            let start = pos
            while pos < n && base[pos] != 0x0A { pos += 1 }
            if pos == n && !isFinal { break }
            var end = pos
            if pos < n { pos += 1 }  // the LF
            if end > start && base[end - 1] == 0x0D { end -= 1 }
            var blank = true
            for i in start..<end where base[i] != 0x20 && base[i] != 0x09 {
                blank = false
                break
            }
            let line = nextLine
            nextLine += 1
            consumed = pos
            if !blank {
                try emit(line, UnsafeRawBufferPointer(start: base + start, count: end - start))
            }
        }
        return isFinal ? n : consumed
    }
}
