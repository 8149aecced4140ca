import CDPCore


/// Writes the JSON that quarantine rows store (`fields`, `failures`) by hand, in the shape
/// `JSONEncoder.sorted` gives (sorted keys, nil values left out, slashes unescaped), so that both decode
/// alike. Ingestion writes one such pair per quarantined row, and `JSONEncoder` costs tens of
/// microseconds a call: too slow for the hot path. The bytes go straight into the caller's buffer (an
/// ingest chunk's), so no String is built, grown or copied on the way.
public enum CompactJSON {
    /// `{"key":"value",…}` with keys in sorted order.
    static func object(_ values: [String: String]) -> String {
        var bytes: [UInt8] = []
        appendObject(sortedPairs: values.sorted { $0.key < $1.key }, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `[{"field":…,"message":…,"rule":…,"severity":…,"value":…},…]`, keys sorted, nil fields left out.
    static func failures(_ failures: [RuleFailure]) -> String {
        var bytes: [UInt8] = []
        appendFailures(failures, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `{"key":"value",…}` from pairs already in key order.
    public static func appendObject(sortedPairs pairs: [(key: String, value: String)], to bytes: inout some ByteOutput) {
        bytes.append(UInt8(ascii: "{"))
        for (index, pair) in pairs.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendQuoted(pair.key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            appendQuoted(pair.value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends the failures as ``failures(_:)`` writes them.
    public static func appendFailures(_ failures: [RuleFailure], to bytes: inout some ByteOutput) {
        bytes.append(UInt8(ascii: "["))
        for (index, failure) in failures.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "{"))
            if let field = failure.field {
                bytes.append(utf8: #""field":"#)
                appendQuoted(field, to: &bytes)
                bytes.append(UInt8(ascii: ","))
            }
            bytes.append(utf8: #""message":"#)
            appendQuoted(failure.message, to: &bytes)
            bytes.append(utf8: #","rule":"#)
            appendQuoted(failure.rule, to: &bytes)
            bytes.append(utf8: #","severity":"#)
            appendQuoted(failure.severity.rawValue, to: &bytes)
            if let value = failure.value {
                bytes.append(utf8: #","value":"#)
                appendQuoted(value, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
    }

    @inline(__always)
    private static func appendQuoted(_ text: String, to bytes: inout some ByteOutput) {
        TextNormalization.withBytes(text) { JSONString.appendQuoted($0, to: &bytes) }
    }
}
