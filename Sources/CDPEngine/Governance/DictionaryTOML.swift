import CDPCore
import TOMLKit

/// One `[[entries]]` table of `governance/dictionary.toml`: the entry it names and the fields it sets.
public struct DictionaryFileEntry: Hashable, Sendable {
    /// `entries[3]` (counted from 0, like every list in configuration messages), for messages.
    public var label: String
    public var key: DictionaryKey
    /// The fields the table sets; keys left out stay nil (unchanged).
    public var change: DictionaryChange
}

extension ConfigurationLoader {
    /// Reads a dictionary file (`DataDictionary.toml` writes it): `[[entries]]` with `layer`, `dataset`,
    /// `column` (empty or absent for the dataset itself) and any of the entry's fields. Values are checked
    /// against the dictionary later; here every problem of shape is collected and the file refused whole.
    /// - Throws: `EngineError.configuration` naming each table and key at fault, with its line.
    public static func dictionary(tomlText: String, file: String) throws(EngineError) -> [DictionaryFileEntry] {
        let root = try parse(tomlText, file: file)
        var problems: [ConfigurationIssue] = []
        var reader = TOMLReader(root, path: "")
        let tables = reader.tables("entries", problems: &problems)
        reader.unknownKeys(problems: &problems, known: ["entries"])
        var entries: [DictionaryFileEntry] = []
        let known = ["layer", "dataset", "column"] + DictionaryField.allCases.map(\.rawValue)
        for (index, table) in tables.enumerated() {
            let label = "entries[\(index)]"
            var entry = TOMLReader(table, path: label)
            let layerName = entry.string("layer", problems: &problems)
            let dataset = entry.string("dataset", problems: &problems)
            let column = entry.string("column", required: false, problems: &problems) ?? ""
            var change = DictionaryChange()
            change.description = entry.string(DictionaryField.description.rawValue, required: false, problems: &problems)
            change.dataType = entry.string(DictionaryField.dataType.rawValue, required: false, problems: &problems)
            change.classification = entry.string(DictionaryField.classification.rawValue, required: false, problems: &problems)
            change.tags = entry.strings(DictionaryField.tags.rawValue, problems: &problems)
            change.owner = entry.string(DictionaryField.owner.rawValue, required: false, problems: &problems)
            change.steward = entry.string(DictionaryField.steward.rawValue, required: false, problems: &problems)
            change.allowedValues = entry.strings(DictionaryField.allowedValues.rawValue, problems: &problems)
            change.format = entry.string(DictionaryField.format.rawValue, required: false, problems: &problems)
            change.rules = entry.strings(DictionaryField.rules.rawValue, problems: &problems)
            change.example = entry.string(DictionaryField.example.rawValue, required: false, problems: &problems)
            change.lineage = entry.strings(DictionaryField.lineage.rawValue, problems: &problems)
            entry.unknownKeys(problems: &problems, known: known)
            guard let layerName, let dataset else { continue }
            guard let layer = DictionaryLayer(rawValue: layerName) else {
                let layers = DictionaryLayer.allCases.map(\.rawValue).joined(separator: ", ")
                problems.append(ConfigurationIssue("\(label).layer", "'\(layerName)' is not a layer (\(layers))"))
                continue
            }
            entries.append(DictionaryFileEntry(label: label, key: DictionaryKey(layer, dataset, column), change: change))
        }
        var seen: [DictionaryKey: String] = [:]
        for entry in entries {
            if let first = seen[entry.key] {
                problems.append(ConfigurationIssue(entry.label, "\(entry.key) (\(entry.key.layer.rawValue)) is already set by \(first); keep one"))
            } else {
                seen[entry.key] = entry.label
            }
        }
        try refuse(problems, text: tomlText, file: file)
        return entries
    }
}
