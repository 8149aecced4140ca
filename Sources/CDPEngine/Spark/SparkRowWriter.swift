import CDPCore
import CDPStore

/// Writes the rows the checker routed as JSON lines, one object a row, for the Spark driver to read back.
///
/// Silver: `{"kind":"silver","source":…,"batch":…,"file":…,"line":…,"source_key":…,"content_hash":…,
/// "record_offset":…,"record_length":…,"values":{field: value, …},"warnings":"[…]"}` (the record's bytes in its
/// file, as the embedded lake keeps them for bronze), values typed as the lake types them (text, integer, decimal,
/// boolean; a field without a value left out). Quarantine: `{"kind":"quarantine",…,"fields":"{…}","failures":"[…]"}`,
/// where `fields` and `failures` are the very JSON texts the embedded lake stores in `quarantine_record`, and
/// `warnings` the failures of severity warn in the same shape. Keys in this order, so a line is the same bytes
/// wherever it is written.
struct SparkRowWriter: CheckedRowSink {
    let source: SourceName
    let fieldNames: [String]
    /// The batch and file of the rows being written.
    var batch = ""
    var file = ""
    private(set) var bytes: [UInt8] = []

    init(source: SourceConfiguration) {
        self.source = source.name
        // A source with extra attributes has one value more: silver_customer.attributes, a JSON object's text.
        fieldNames = source.entity.fields.map(\.name) + (source.attributes.isEmpty ? [] : ["attributes"])
    }

    /// Hands over what is written so far and starts empty.
    mutating func take() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    mutating func appendSilver(
        line: Int, sourceKey: String, contentHash: Int64, record: RecordSpan, values: [FieldValue?], supersedes: Bool,
        warnings: [RuleFailure]
    ) {
        appendLineage(kind: "silver", line: line, sourceKey: sourceKey, contentHash: contentHash, record: record)
        bytes.append(utf8: #","values":{"#)
        var first = true
        for (index, value) in values.enumerated() {
            guard let value else { continue }
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            appendQuoted(fieldNames[index])
            bytes.append(UInt8(ascii: ":"))
            Self.append(value, to: &bytes)
        }
        bytes.append(utf8: #"},"warnings":"#)
        var text: [UInt8] = []
        CompactJSON.appendFailures(warnings, to: &text)
        appendQuoted(String(decoding: text, as: UTF8.self))
        bytes.append(utf8: "}\n")
    }

    mutating func appendQuarantine(
        line: Int, sourceKey: String, contentHash: Int64, record: RecordSpan, sortedFields: [(key: String, value: String)],
        failures: [RuleFailure]
    ) {
        appendLineage(kind: "quarantine", line: line, sourceKey: sourceKey, contentHash: contentHash, record: record)
        var text: [UInt8] = []
        CompactJSON.appendObject(sortedPairs: sortedFields, to: &text)
        bytes.append(utf8: #","fields":"#)
        appendQuoted(String(decoding: text, as: UTF8.self))
        text.removeAll(keepingCapacity: true)
        CompactJSON.appendFailures(failures, to: &text)
        bytes.append(utf8: #","failures":"#)
        appendQuoted(String(decoding: text, as: UTF8.self))
        bytes.append(utf8: "}\n")
    }

    /// A batch's summary line: `{"kind":"batch","source":…,"batch":…,"file":…,"read":…,…}`.
    mutating func appendSummary(_ counts: BatchCounts) {
        bytes.append(utf8: #"{"kind":"batch","source":"#)
        appendQuoted(source.rawValue)
        bytes.append(utf8: #","batch":"#)
        appendQuoted(batch)
        bytes.append(utf8: #","file":"#)
        appendQuoted(file)
        bytes.append(
            utf8: #","read":\#(counts.read),"unchanged":\#(counts.unchanged),"silver":\#(counts.silver),"#
                + #""quarantined":\#(counts.quarantined),"warned":\#(counts.warned)}"# + "\n")
    }

    private mutating func appendLineage(kind: String, line: Int, sourceKey: String, contentHash: Int64, record: RecordSpan) {
        bytes.append(utf8: #"{"kind":""# + kind + #"","source":"#)
        appendQuoted(source.rawValue)
        bytes.append(utf8: #","batch":"#)
        appendQuoted(batch)
        bytes.append(utf8: #","file":"#)
        appendQuoted(file)
        bytes.append(utf8: #","line":\#(line),"source_key":"#)
        appendQuoted(sourceKey)
        bytes.append(utf8: #","content_hash":\#(contentHash),"record_offset":\#(record.offset),"record_length":\#(record.length)"#)
    }

    private mutating func appendQuoted(_ text: String) {
        var copy = text
        copy.withUTF8 { JSONString.appendQuoted($0, to: &bytes) }
    }

    /// A value as JSON: text quoted, numbers as Swift prints them (a decimal's shortest text that reads back
    /// the same double), booleans as `true`/`false`.
    static func append(_ value: FieldValue, to bytes: inout [UInt8]) {
        switch value {
        case .text(let text):
            var copy = text
            copy.withUTF8 { JSONString.appendQuoted($0, to: &bytes) }
        case .integer(let number): bytes.append(utf8: String(number))
        case .decimal(let number): bytes.append(utf8: number.isFinite ? "\(number)" : "null")
        case .boolean(let flag): bytes.append(utf8: flag ? "true" : "false")
        }
    }
}
