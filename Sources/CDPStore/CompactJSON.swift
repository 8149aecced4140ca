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
            appendString(pair.key, to: &text)
            text += ":"
            appendString(pair.value, to: &text)
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
                appendString(field, to: &text)
                text += ","
            }
            text += "\"message\":"
            appendString(failure.message, to: &text)
            text += ",\"rule\":"
            appendString(failure.rule, to: &text)
            text += ",\"severity\":"
            appendString(failure.severity.rawValue, to: &text)
            if let value = failure.value {
                text += ",\"value\":"
                appendString(value, to: &text)
            }
            text += "}"
        }
        text += "]"
        return text
    }

    /// Appends `value` as a JSON string, escaping what JSON requires (as `JSONEncoder` does).
    static func appendString(_ value: String, to text: inout String) {
        text += "\""
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            text += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                case "\u{08}": text += "\\b"
                case "\u{0C}": text += "\\f"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        text.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        text += "\""
    }
}
