import CDPCore

/// Writes the JSON that quarantine rows store (`fields`, `failures`) by hand, in the shape
/// `JSONEncoder.sorted` gives (sorted keys, nil values left out, slashes unescaped), so that both decode
/// alike. Ingestion writes one such pair per quarantined row, and `JSONEncoder` costs tens of
/// microseconds a call: too slow for the writer thread's hot path.
enum CompactJSON {
    /// `{"key":"value",…}` with keys in sorted order.
    static func object(_ values: [String: String]) -> String {
        object(sortedPairs: values.sorted { $0.key < $1.key })
    }

    /// `{"key":"value",…}` from pairs already in key order.
    static func object(sortedPairs pairs: [(key: String, value: String)]) -> String {
        var text = "{"
        text.reserveCapacity(pairs.reduce(2) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        for (index, pair) in pairs.enumerated() {
            if index > 0 { text += "," }
            JSONString.appendQuoted(pair.key, to: &text)
            text += ":"
            JSONString.appendQuoted(pair.value, to: &text)
        }
        text += "}"
        return text
    }

    /// `[{"field":…,"message":…,"rule":…,"severity":…,"value":…},…]`, keys sorted, nil fields left out.
    static func failures(_ failures: [RuleFailure]) -> String {
        var text = "["
        for (index, failure) in failures.enumerated() {
            if index > 0 { text += "," }
            text += "{"
            if let field = failure.field {
                text += "\"field\":"
                JSONString.appendQuoted(field, to: &text)
                text += ","
            }
            text += "\"message\":"
            JSONString.appendQuoted(failure.message, to: &text)
            text += ",\"rule\":"
            JSONString.appendQuoted(failure.rule, to: &text)
            text += ",\"severity\":"
            JSONString.appendQuoted(failure.severity.rawValue, to: &text)
            if let value = failure.value {
                text += ",\"value\":"
                JSONString.appendQuoted(value, to: &text)
            }
            text += "}"
        }
        text += "]"
        return text
    }
}
