/// A streaming RFC 4180 CSV parser over byte chunks.
///
/// Feed a file in chunks: ``parse(_:isFinal:_:)`` emits every complete record in the chunk and
/// returns how many bytes it consumed; carry the rest over to the front of the next chunk. The last
/// call passes `isFinal: true` so that a record without a trailing newline, or an unterminated
/// quoted field, is emitted too.
///
/// Handles quoted fields with embedded delimiters, line breaks and doubled quotes; CRLF, LF and
/// lone CR line ends; a UTF-8 byte order mark at the start; blank lines (skipped, still counted);
/// and fields that are not valid UTF-8 (decoded as Windows-1252 and flagged).
public struct CSVParser: Sendable {
    /// How the input is laid out.
    public struct Options: Sendable, Hashable, Codable {
        /// The byte that separates fields; `,` unless told otherwise (`;`, tab, `|`).
        public var delimiter: UInt8
        /// The byte that quotes a field.
        public var quote: UInt8
        /// Whether the first record is a header; it is then kept in ``CSVParser/header`` and not emitted.
        public var expectsHeader: Bool

        public init(
            delimiter: UInt8 = UInt8(ascii: ","),
            quote: UInt8 = UInt8(ascii: "\""),
            expectsHeader: Bool = true
        ) {
            self.delimiter = delimiter
            self.quote = quote
            self.expectsHeader = expectsHeader
        }
    }

    public let options: Options
    /// The header record, once read (only when ``Options/expectsHeader`` is set).
    public private(set) var headerRow: CSVRow?
    /// The 1-based physical line the next record would start on.
    public private(set) var nextLine: Int = 1

    private var startChecked = false
    private var scratch: [UInt8] = []
    private var fieldCountHint = 8

    public init(options: Options = Options()) {
        self.options = options
    }

    /// The header's field names, once read.
    public var header: [String]? { headerRow?.fields }

    /// Parses every complete record in `bytes` and returns the number of bytes consumed.
    ///
    /// Unless `isFinal`, a record cut off by the end of the chunk is left unconsumed; pass it again,
    /// followed by more input. With `isFinal`, everything is consumed.
    /// - Throws: only what `emit` throws.
    public mutating func parse(
        _ bytes: UnsafeRawBufferPointer,
        isFinal: Bool,
        _ emit: (CSVRow) throws -> Void
    ) rethrows -> Int {
        try parseRecords(bytes, isFinal: isFinal) { row, _ in try emit(row) }
    }

    /// Like ``parse(_:isFinal:_:)``, and also hands over each record's bytes as they stand in the input
    /// (quotes and all, without the line end), valid only during the call.
    public mutating func parseRecords(
        _ bytes: UnsafeRawBufferPointer,
        isFinal: Bool,
        _ emit: (CSVRow, UnsafeBufferPointer<UInt8>) throws -> Void
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
            let prefixLength = min(n, 3)
            var matches = true
            for i in 0..<prefixLength where base[i] != bom[i] { matches = false }
            if matches && n < 3 && !isFinal { return 0 }  // could still become a BOM
            startChecked = true
            if matches && n >= 3 { pos = 3 }
        }
        var consumed = pos
        let delimiter = options.delimiter
        let quote = options.quote
        let cr: UInt8 = 13
        let lf: UInt8 = 10
        let delimiterMask = ByteScan.broadcast(delimiter)
        let quoteMask = ByteScan.broadcast(quote)

        recordLoop: while pos < n {
            let first = base[pos]
            if first == lf {
                pos += 1
                nextLine += 1
                consumed = pos
                continue
            }
            if first == cr {
                if pos + 1 < n {
                    pos += base[pos + 1] == lf ? 2 : 1
                } else if isFinal {
                    pos += 1
                } else {
                    break recordLoop
                }
                nextLine += 1
                consumed = pos
                continue
            }

            let recordStart = pos
            var recordEnd = pos
            var fields: [String] = []
            fields.reserveCapacity(fieldCountHint)
            var problems: [CSVRowProblem] = []
            var extraLines = 0

            fieldLoop: while true {
                let fieldIndex = fields.count
                var high: UInt8 = 0
                if pos < n && base[pos] == quote {
                    pos += 1
                    var segmentStart = pos
                    var usesScratch = false
                    var closed = false
                    scratch.removeAll(keepingCapacity: true)
                    while pos < n {
                        pos = ByteScan.skipPlain(base, from: pos, count: n, quoteMask, quoteMask)
                        guard pos < n else { break }
                        let c = base[pos]
                        if c == quote {
                            if pos + 1 < n {
                                if base[pos + 1] == quote {
                                    // A doubled quote: keep one.
                                    scratch.append(contentsOf: UnsafeBufferPointer(start: base + segmentStart, count: pos + 1 - segmentStart))
                                    usesScratch = true
                                    pos += 2
                                    segmentStart = pos
                                    continue
                                }
                                closed = true
                                break
                            } else if isFinal {
                                closed = true
                                break
                            } else {
                                break recordLoop  // cannot tell a closing quote from a doubled one yet
                            }
                        }
                        if c == lf {
                            extraLines += 1
                        } else if c == cr && !(pos + 1 < n && base[pos + 1] == lf) {
                            extraLines += 1
                        }
                        high |= c
                        pos += 1
                    }
                    if !closed && !isFinal { break recordLoop }
                    let segmentEnd = pos
                    if closed { pos += 1 } else { problems.append(.unterminatedQuote) }
                    if closed && pos < n {
                        let next = base[pos]
                        if next != delimiter && next != lf && next != cr {
                            // Text after the closing quote: keep it literally.
                            scratch.append(contentsOf: UnsafeBufferPointer(start: base + segmentStart, count: segmentEnd - segmentStart))
                            usesScratch = true
                            segmentStart = pos
                            while pos < n {
                                let c = base[pos]
                                if c == delimiter || c == lf || c == cr { break }
                                high |= c
                                pos += 1
                            }
                            if pos == n && !isFinal { break recordLoop }
                            problems.append(.textAfterClosingQuote(field: fieldIndex))
                            scratch.append(contentsOf: UnsafeBufferPointer(start: base + segmentStart, count: pos - segmentStart))
                            segmentStart = pos
                        }
                    }
                    let decoded: (text: String, isUTF8: Bool)
                    if usesScratch {
                        if segmentStart < segmentEnd {
                            scratch.append(contentsOf: UnsafeBufferPointer(start: base + segmentStart, count: segmentEnd - segmentStart))
                        }
                        decoded = scratch.withUnsafeBufferPointer { ByteText.decode($0, hasHighBit: high >= 0x80) }
                    } else {
                        decoded = ByteText.decode(
                            UnsafeBufferPointer(start: base + segmentStart, count: segmentEnd - segmentStart),
                            hasHighBit: high >= 0x80)
                    }
                    if !decoded.isUTF8 { problems.append(.invalidUTF8(field: fieldIndex)) }
                    fields.append(decoded.text)
                } else {
                    let start = pos
                    var sawQuote = false
                    while pos < n {
                        pos = ByteScan.skipPlain(base, from: pos, count: n, delimiterMask, quoteMask)
                        guard pos < n else { break }
                        let c = base[pos]
                        if c == delimiter || c == lf || c == cr { break }
                        if c == quote { sawQuote = true }
                        high |= c
                        pos += 1
                    }
                    if pos == n && !isFinal { break recordLoop }
                    if sawQuote { problems.append(.quoteInUnquotedField(field: fieldIndex)) }
                    let decoded = ByteText.decode(
                        UnsafeBufferPointer(start: base + start, count: pos - start), hasHighBit: high >= 0x80)
                    if !decoded.isUTF8 { problems.append(.invalidUTF8(field: fieldIndex)) }
                    fields.append(decoded.text)
                }

                recordEnd = pos
                if pos >= n { break fieldLoop }  // only reached when isFinal
                let terminator = base[pos]
                if terminator == delimiter {
                    pos += 1
                    continue fieldLoop
                }
                if terminator == lf {
                    pos += 1
                } else if pos + 1 < n {
                    pos += base[pos + 1] == lf ? 2 : 1
                } else if isFinal {
                    pos += 1
                } else {
                    break recordLoop  // a CR at the end of the chunk may be the first half of CRLF
                }
                break fieldLoop
            }

            let row = CSVRow(line: nextLine, fields: fields, problems: problems)
            nextLine += 1 + extraLines
            consumed = pos
            fieldCountHint = max(fieldCountHint, fields.count)
            if options.expectsHeader && headerRow == nil {
                headerRow = row
            } else {
                try emit(row, UnsafeBufferPointer(start: base + recordStart, count: recordEnd - recordStart))
            }
        }
        return isFinal ? n : consumed
    }

    /// Parses a whole buffer at once; returns the header (if expected) and the data rows.
    public static func parseAll(_ bytes: [UInt8], options: Options = Options()) -> (header: CSVRow?, rows: [CSVRow]) {
        var parser = CSVParser(options: options)
        var rows: [CSVRow] = []
        _ = bytes.withUnsafeBytes { buffer in
            parser.parse(buffer, isFinal: true) { rows.append($0) }
        }
        return (parser.headerRow, rows)
    }
}

/// Skips runs of ordinary bytes eight at a time (SWAR): stops at the first byte that may be a
/// line break, one of two given bytes, or non-ASCII. The caller re-examines that byte, so a
/// false stop only costs time.
enum ByteScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080
    static let lfMask: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
    static let crMask: UInt64 = 0x0D0D_0D0D_0D0D_0D0D

    @inline(__always)
    static func broadcast(_ byte: UInt8) -> UInt64 { ones &* UInt64(byte) }

    /// High bit set in each byte of `word` that equals the byte broadcast in `mask` (exact for
    /// the lowest such byte, which is all the scan relies on).
    @inline(__always)
    static func matches(_ word: UInt64, _ mask: UInt64) -> UInt64 {
        let x = word ^ mask
        return (x &- ones) & ~x & highs
    }

    /// High bit set in some byte of `word` when any byte is below `limit` (at most 0x80); exact as to
    /// whether there is one.
    @inline(__always)
    static func below(_ word: UInt64, _ limit: UInt8) -> UInt64 {
        (word &- broadcast(limit)) & ~word & highs
    }

    @inline(__always)
    static func skipPlain(_ base: UnsafePointer<UInt8>, from start: Int, count n: Int, _ a: UInt64, _ b: UInt64) -> Int {
        var pos = start
        let raw = UnsafeRawPointer(base)
        while pos + 8 <= n {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
            let hit = matches(word, a) | matches(word, b) | matches(word, lfMask) | matches(word, crMask) | (word & highs)
            if hit != 0 { return pos + hit.trailingZeroBitCount >> 3 }
            pos += 8
        }
        return pos
    }
}
