import Foundation

extension GoldenAttribute {
    /// Attributes as a JSON array, written by hand: a million golden records make JSONEncoder the slowest phase.
    public static func json(_ attributes: [GoldenAttribute]) -> String {
        var text = "["
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { text += "," }
            text += "{\"name\":"
            JSONString.appendQuoted(attribute.name, to: &text)
            text += ",\"rule\":"
            JSONString.appendQuoted(attribute.rule, to: &text)
            if let source = attribute.source {
                text += ",\"source\":"
                JSONString.appendQuoted(source.description, to: &text)
            }
            text += ",\"value\":"
            JSONString.appendQuoted(attribute.value, to: &text)
            text += "}"
        }
        return text + "]"
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
