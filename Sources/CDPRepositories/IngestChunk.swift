import CDPCore


/// The rows of one write transaction, laid out flat: every text in one byte buffer, rows and values as
/// plain structs that hold offsets into it.
///
/// The checking thread fills a chunk; the writer thread binds straight from its bytes. Writing a row then
/// allocates, copies and frees nothing, and the Strings the checker made are released on its own thread:
/// the writer is the one thread that cannot be split, so it does only SQLite's work.
public struct IngestChunk: Sendable {
    /// Where a text lies in ``bytes``; `offset < 0` is SQL NULL.
    public struct Text: Sendable {
        public var offset: Int
        public var count: Int
        public static let null = Text(offset: -1, count: 0)
        public init(offset: Int, count: Int) {
            self.offset = offset
            self.count = count
        }
    }

    public enum Value: Sendable {
        case null
        case text(Text)
        case integer(Int64)
        case decimal(Double)
    }

    public enum Destination: Sendable {
        /// `values` and `warnings` index ranges into the chunk's arrays.
        case silver(values: Range<Int>, supersedes: Bool, warnings: Range<Int>)
        case quarantine(fieldsJSON: Text, failuresJSON: Text, rules: Text)
    }

    public struct Row: Sendable {
        public var line: Int64
        public var contentHash: Int64
        public var sourceKey: Text
        public var record: RecordSpan
        public var destination: Destination
    }

    public struct Warning: Sendable {
        public var rule: Text
        public var field: Text
        public var value: Text
        public var message: Text
    }

    /// Every text of the chunk, back to back; ``Text`` values are ranges of it. A store's writer reads rows
    /// from here (``rows``, ``values``, ``warnings``).
    public private(set) var bytes: ByteAccumulator
    public private(set) var rows: [Row] = []
    public private(set) var values: [Value] = []
    public private(set) var warnings: [Warning] = []

    /// Room for `expectedRows` rows of `expectedValues` values each, and `expectedBytes` of their text.
    public init(expectedRows: Int = 0, expectedValues: Int = 8, expectedBytes: Int = 0) {
        rows.reserveCapacity(expectedRows)
        values.reserveCapacity(expectedRows * expectedValues)
        bytes = ByteAccumulator(capacity: expectedBytes)
    }

    public var count: Int { rows.count }
    public var isEmpty: Bool { rows.isEmpty }
    /// Bytes of text held, to bound a chunk's memory as well as its row count.
    public var textBytes: Int { bytes.count }

    /// Empties the chunk, keeping its storage for the next rows.
    public mutating func removeAll() {
        bytes.removeAll()
        rows.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        warnings.removeAll(keepingCapacity: true)
    }

    /// Adds a valid row bound for silver. `record` is where it lies in the landed file; `values` are by the
    /// entity's field index; `supersedes` marks the key's current silver row as history; `warnings` are
    /// failed rules of severity warn.
    public mutating func appendSilver(
        line: Int, sourceKey: String, contentHash: Int64, record: RecordSpan, values: [FieldValue?], supersedes: Bool,
        warnings: [RuleFailure]
    ) {
        let key = append(sourceKey)
        let firstValue = self.values.count
        for index in values.indices {
            switch values[index] {
            case nil: self.values.append(.null)
            case .text(let text): self.values.append(.text(append(text)))
            case .integer(let number): self.values.append(.integer(number))
            case .decimal(let number): self.values.append(.decimal(number))
            case .boolean(let flag): self.values.append(.integer(flag ? 1 : 0))
            }
        }
        let firstWarning = self.warnings.count
        for warning in warnings {
            self.warnings.append(Warning(
                rule: append(warning.rule), field: append(warning.field), value: append(warning.value), message: append(warning.message)))
        }
        rows.append(Row(
            line: Int64(line), contentHash: contentHash, sourceKey: key, record: record,
            destination: .silver(
                values: firstValue..<self.values.count, supersedes: supersedes,
                warnings: firstWarning..<self.warnings.count)))
    }

    /// Adds an invalid row bound for quarantine, with its raw values by canonical field (in order of the
    /// field names) and every failure.
    public mutating func appendQuarantine(
        line: Int, sourceKey: String, contentHash: Int64, record: RecordSpan, sortedFields: [(key: String, value: String)],
        failures: [RuleFailure]
    ) {
        let key = append(sourceKey)
        var start = bytes.count
        CompactJSON.appendObject(sortedPairs: sortedFields, to: &bytes)
        let fieldsJSON = Text(offset: start, count: bytes.count - start)
        start = bytes.count
        CompactJSON.appendFailures(failures, to: &bytes)
        let failuresJSON = Text(offset: start, count: bytes.count - start)
        // Commas around every name, so "has rule R" is a LIKE '%,R,%' that cannot match a longer name.
        start = bytes.count
        bytes.append(UInt8(ascii: ","))
        for failure in failures {
            bytes.append(utf8: failure.rule)
            bytes.append(UInt8(ascii: ","))
        }
        if failures.isEmpty { bytes.append(UInt8(ascii: ",")) }
        let rules = Text(offset: start, count: bytes.count - start)
        rows.append(Row(
            line: Int64(line), contentHash: contentHash, sourceKey: key, record: record,
            destination: .quarantine(fieldsJSON: fieldsJSON, failuresJSON: failuresJSON, rules: rules)))
    }

    /// Adds a row described as an ``IngestRow``.
    public mutating func append(_ row: IngestRow) {
        switch row.destination {
        case .silver(let values, let supersedes, let warnings):
            appendSilver(
                line: row.line, sourceKey: row.sourceKey, contentHash: row.contentHash, record: row.record, values: values,
                supersedes: supersedes, warnings: warnings)
        case .quarantine(let fields, let failures):
            appendQuarantine(
                line: row.line, sourceKey: row.sourceKey, contentHash: row.contentHash, record: row.record,
                sortedFields: fields.sorted { $0.key < $1.key }, failures: failures)
        }
    }

    private mutating func append(_ text: String?) -> Text {
        guard let text else { return .null }
        let offset = bytes.count
        bytes.append(utf8: text)
        return Text(offset: offset, count: bytes.count - offset)
    }
}
