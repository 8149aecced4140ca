import Foundation

extension GoldenAttribute {
    /// Attributes as a JSON array, written by hand: a million golden records make JSONEncoder the slowest phase.
    public static func json(_ attributes: [GoldenAttribute]) -> String {
        var text = "["
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { text += "," }
            text += "{\"name\":"
            appendQuoted(attribute.name, to: &text)
            text += ",\"rule\":"
            appendQuoted(attribute.rule, to: &text)
            if let source = attribute.source {
                text += ",\"source\":"
                appendQuoted(source.description, to: &text)
            }
            text += ",\"value\":"
            appendQuoted(attribute.value, to: &text)
            text += "}"
        }
        return text + "]"
    }

    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            text += value
            text += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            default:
                if scalar.value < 0x20 {
                    text += String(format: "\\u%04x", scalar.value)
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }

    /// Reads attributes written by `json(_:)`.
    public static func decode(_ json: String) -> [GoldenAttribute] {
        struct Stored: Decodable {
            var name: String
            var rule: String
            var source: String?
            var value: String
        }
        guard let stored = try? JSONDecoder().decode([Stored].self, from: Data(json.utf8)) else { return [] }
        return stored.map { GoldenAttribute(name: $0.name, value: $0.value, source: $0.source.flatMap(SourceRecordID.init(parsing:)), rule: $0.rule) }
    }
}
