/// What `cdp.toml` declares: the workspace and its sources. Pure data; loading lives in the engine.
public struct WorkspaceConfiguration: Hashable, Codable, Sendable {
    public var name: String
    /// The country assumed for national phone numbers when a record names none.
    public var defaultCountry: String
    public var sources: [SourceConfiguration]
    /// The sendmail-compatible command workflow e-mail goes through (`[notifications] sendmail`), run by
    /// `/bin/sh -c` with the message, headers first, on its standard input.
    public var sendmailCommand: String?
    /// The team store the lake lives on (`[store] address`: `postgresql://…`, a socket folder or `service=NAME`,
    /// never with a password); nil for the embedded lake in `lake/`.
    public var storeAddress: String?
    /// How long one `cdp query` statement may run, in seconds (`[query] time_limit_seconds`); nil for the default,
    /// ``defaultQueryTimeLimitSeconds``. A user may ask for less, never more.
    public var queryTimeLimitSeconds: Int?

    /// The time limit of a `cdp query` statement when `cdp.toml` sets none: two minutes.
    public static let defaultQueryTimeLimitSeconds = 120
    /// The range `[query] time_limit_seconds` may take: a second to a day.
    public static let queryTimeLimitRange = 1...86_400

    public init(
        name: String, defaultCountry: String, sources: [SourceConfiguration], sendmailCommand: String? = nil, storeAddress: String? = nil,
        queryTimeLimitSeconds: Int? = nil
    ) {
        self.queryTimeLimitSeconds = queryTimeLimitSeconds
        self.name = name
        self.defaultCountry = defaultCountry
        self.sources = sources
        self.sendmailCommand = sendmailCommand
        self.storeAddress = storeAddress
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
    /// Extra attribute name → source column: what a source knows that the canonical model does not (an ID
    /// number, a second address line). Customers only; kept in `silver_customer.attributes` as a JSON object,
    /// personal unless the data dictionary says otherwise, and comparable in `matching.toml` as
    /// `attributes.<name>`.
    public var attributes: [String: String]

    public init(
        name: SourceName, system: String, entity: CanonicalEntity, format: SourceFormat, path: String,
        primaryKey: String, mapping: [String: String], dateFormats: [String: String] = [:],
        delimiter: String = ",", attributes: [String: String] = [:]
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
        self.attributes = attributes
    }

    /// The extra attributes' names, sorted: the order their raw values follow the canonical fields in a row.
    public var attributeNames: [String] { attributes.keys.sorted() }

    /// Source columns the mapping needs, key first, in canonical order (deterministic).
    public var requiredColumns: [String] {
        var columns = [primaryKey]
        for field in entity.fields {
            if let column = mapping[field.name], !columns.contains(column) { columns.append(column) }
        }
        for name in attributeNames where !columns.contains(attributes[name] ?? "") { columns.append(attributes[name] ?? "") }
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
        for name in attributeNames {
            if entity != .customer {
                problems.append(ConfigurationIssue("\(path).attributes.\(name)", "extra attributes are kept for customer sources only, not \(entity)"))
            } else if !Self.isAttributeName(name) {
                problems.append(ConfigurationIssue("\(path).attributes.\(name)", "'\(name)' is not an attribute name: use lower-case letters, digits and _, starting with a letter"))
            } else if known.contains(name) {
                problems.append(ConfigurationIssue("\(path).attributes.\(name)", "'\(name)' is a canonical field: map it in [sources.mapping]"))
            }
        }
        if primaryKey.isEmpty { problems.append(ConfigurationIssue("\(path).primary_key", "is empty")) }
        // A record's id is `source:key`, shown to every role (candidates, golden members, quarantine lists, the
        // audit log): a personal key would show to users without view_pii wherever a record is named.
        if let field = mapping.keys.sorted().first(where: { mapping[$0] == primaryKey && PIIMasker.canonicalPersonalFields[$0] != nil }) {
            problems.append(
                ConfigurationIssue(
                    "\(path).primary_key",
                    "'\(primaryKey)' is the column mapped to \(field), which is personal: record ids (\(name):KEY) are shown to every role, "
                        + "so users without view_pii would read it; key the source by a column that is not personal, such as the id its "
                        + "system gives each record"))
        }
        if self.path.isEmpty { problems.append(ConfigurationIssue("\(path).path", "is empty")) }
        if delimiter.utf8.count != 1 {
            problems.append(ConfigurationIssue("\(path).delimiter", "must be one ASCII character, found '\(delimiter)'"))
        }
        return problems
    }

    /// The extra attributes the customer sources of `configuration` map, by name.
    public static func customerAttributes(_ configuration: WorkspaceConfiguration) -> Set<String> {
        Set(configuration.sources.filter { $0.entity == .customer }.flatMap(\.attributes.keys))
    }

    /// Lower-case ASCII letters, digits and `_`, starting with a letter: safe as a JSON member and a
    /// `matching.toml` field (`attributes.soc_sec_id`).
    public static func isAttributeName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }
}
