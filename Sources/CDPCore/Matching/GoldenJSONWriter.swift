/// Writes a golden record's attributes as the lake stores them — a JSON array of
/// `{"name","rule","source","value"}` objects in `Survivorship.attributes` order, overrides as
/// `{"name","rule":"override","value"}` — straight into a byte buffer from the interned columns.
/// The text is byte for byte what encoding `Survivorship.goldenAttributes` gives (a test holds it to that).
public struct GoldenJSONWriter: Sendable {
    public let set: GoldenRecordSet
    public let records: MatchRecords
    /// Per attribute, `{"name":"…","rule":"…","source":` and `{"name":"…","rule":"override","value":`.
    private let sourcedPrefix: [[UInt8]]
    private let overridePrefix: [[UInt8]]
    /// Per source, `"source:` (the opening quote and the escaped name).
    private let sourcePrefix: [[UInt8]]
    private let columns: [InternedColumn]

    public init(set: GoldenRecordSet, records: MatchRecords, policy: SurvivorshipPolicy) {
        self.set = set
        self.records = records
        var sourced: [[UInt8]] = [], overridden: [[UInt8]] = []
        for attribute in Survivorship.attributes {
            var text: [UInt8] = Array("{\"name\":".utf8)
            Self.appendQuoted(attribute, to: &text)
            text += Array(",\"rule\":".utf8)
            var override = text
            Self.appendQuoted(policy.rule(for: attribute).rawValue, to: &text)
            text += Array(",\"source\":".utf8)
            sourced.append(text)
            Self.appendQuoted("override", to: &override)
            override += Array(",\"value\":".utf8)
            overridden.append(override)
        }
        sourcedPrefix = sourced
        overridePrefix = overridden
        sourcePrefix = records.sources.map { source in
            var text: [UInt8] = []
            Self.appendQuoted(source.rawValue + ":", to: &text)
            text.removeLast()  // the closing quote comes after the key
            return text
        }
        columns = Survivorship.attributes.map { Survivorship.column($0, records) }
    }

    /// A writer bound to column views, for one thread's loop; valid only inside `body`.
    public func withCursor<R>(_ body: (Cursor) throws -> R) rethrows -> R {
        try InternedColumn.withViews(columns) { views in
            try set.chosen.withUnsafeBufferPointer { chosen in
                try records.sourceIndex.withUnsafeBufferPointer { sourceIndex in
                    try body(
                        Cursor(
                            views: views, chosen: chosen, sourceIndex: sourceIndex, keys: records.keys, sourcedPrefix: sourcedPrefix,
                            overridePrefix: overridePrefix, sourcePrefix: sourcePrefix))
                }
            }
        }
    }

    public struct Cursor: @unchecked Sendable {
        let views: [InternedColumn.View]
        let chosen: UnsafeBufferPointer<Int32>
        let sourceIndex: UnsafeBufferPointer<UInt8>
        let keys: [String]
        let sourcedPrefix: [[UInt8]]
        let overridePrefix: [[UInt8]]
        let sourcePrefix: [[UInt8]]

        /// Replaces `buffer`'s contents with cluster `cluster`'s attributes; `overrides` (attribute → value) win.
        public func write(cluster: Int, overrides: [String: String]? = nil, into buffer: inout [UInt8]) {
            buffer.removeAll(keepingCapacity: true)
            buffer.append(UInt8(ascii: "["))
            var first = true
            let attributes = views.count
            for attribute in 0..<attributes {
                if let overrides, let value = overrides[Survivorship.attributes[attribute]] {
                    if !first { buffer.append(UInt8(ascii: ",")) }
                    first = false
                    buffer += overridePrefix[attribute]
                    GoldenJSONWriter.appendQuoted(value, to: &buffer)
                    buffer.append(UInt8(ascii: "}"))
                    continue
                }
                let record = Int(chosen[cluster * attributes + attribute])
                guard record >= 0 else { continue }
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                buffer += sourcedPrefix[attribute]
                buffer += sourcePrefix[Int(sourceIndex[record])]
                var key = keys[record]
                key.withUTF8 { JSONString.appendEscaped($0, to: &buffer) }
                buffer += GoldenJSONWriter.valueInfix
                let view = views[attribute]
                JSONString.appendQuoted(view.value(view.ids[record]), to: &buffer)
                buffer.append(UInt8(ascii: "}"))
            }
            buffer.append(UInt8(ascii: "]"))
        }
    }

    /// Closes the source and opens the value: `","value":`.
    static let valueInfix = Array("\",\"value\":".utf8)

    public static func appendQuoted(_ text: String, to buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { JSONString.appendQuoted($0, to: &buffer) }
    }
}
