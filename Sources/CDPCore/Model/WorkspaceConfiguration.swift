/// What `cdp.toml` declares: the workspace and its sources. Pure data; loading lives in the engine.
public struct WorkspaceConfiguration: Hashable, Codable, Sendable {
    public var name: String
    /// The country assumed for national phone numbers when a record names none.
    public var defaultCountry: String
    public var sources: [SourceConfiguration]
    /// The sendmail-compatible command workflow e-mail goes through (`[notifications] sendmail`), run by
    /// `/bin/sh -c` with the message, headers first, on its standard input.
    public var sendmailCommand: String?

    public init(name: String, defaultCountry: String, sources: [SourceConfiguration], sendmailCommand: String? = nil) {
        self.name = name
        self.defaultCountry = defaultCountry
        self.sources = sources
        self.sendmailCommand = sendmailCommand
    }

    public func source(named name: SourceName) -> SourceConfiguration? {
        sources.first { $0.name == name }
    }
}

public enum SourceFormat: String, Codable, Sendable, Hashable, CaseIterable {
    case csv
    case jsonl
}

/// One source: where its files land, how they parse, and how their columns map onto the canonical model.
public struct SourceConfiguration: Hashable, Codable, Sendable {
    public var name: SourceName
    /// The system of record it comes from (`crm`, `marketing`), shown to stewards.
    public var system: String
    public var entity: CanonicalEntity
    public var format: SourceFormat
    /// A path relative to the workspace; `*` and `?` match within the last component.
    public var path: String
    /// The source column holding the record's key.
    public var primaryKey: String
    /// Canonical field name → source column name.
    public var mapping: [String: String]
    /// Canonical field name → date pattern such as `dd/MM/yyyy`, for fields whose format is not ISO.
    public var dateFormats: [String: String]
    public var delimiter: String

    public init(
        name: SourceName, system: String, entity: CanonicalEntity, format: SourceFormat, path: String,
        primaryKey: String, mapping: [String: String], dateFormats: [String: String] = [:],
        delimiter: String = ","
    ) {
        self.name = name
        self.system = system
        self.entity = entity
        self.format = format
        self.path = path
        self.primaryKey = primaryKey
        self.mapping = mapping
        self.dateFormats = dateFormats
        self.delimiter = delimiter
    }

    /// Source columns the mapping needs, key first, in canonical order (deterministic).
    public var requiredColumns: [String] {
        var columns = [primaryKey]
        for field in entity.fields {
            if let column = mapping[field.name], !columns.contains(column) { columns.append(column) }
        }
        return columns
    }

    /// Checks the mapping against the canonical model; returns every problem found, each naming its setting
    /// under `path` (the source's place in cdp.toml, `sources[2]`).
    public func problems(path: String) -> [ConfigurationIssue] {
        var problems: [ConfigurationIssue] = []
        let known = Set(entity.fields.map(\.name))
        for field in mapping.keys.sorted() where !known.contains(field) {
            let list = entity.fields.map(\.name).joined(separator: ", ")
            problems.append(ConfigurationIssue("\(path).mapping.\(field)", "'\(field)' is not a \(entity) field (known: \(list))"))
        }
        for field in dateFormats.keys.sorted() where mapping[field] == nil {
            problems.append(ConfigurationIssue("\(path).date_formats.\(field)", "'\(field)' is not mapped; map it in [sources.mapping] or remove its date format"))
        }
        if primaryKey.isEmpty { problems.append(ConfigurationIssue("\(path).primary_key", "is empty")) }
        if self.path.isEmpty { problems.append(ConfigurationIssue("\(path).path", "is empty")) }
        if delimiter.utf8.count != 1 {
            problems.append(ConfigurationIssue("\(path).delimiter", "must be one ASCII character, found '\(delimiter)'"))
        }
        return problems
    }
}
