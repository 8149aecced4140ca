import CDPCore
import CDPPostgresStore
import Foundation
import TOMLKit

/// Loads `cdp.toml`, `governance/rules.toml` and workflow JSON into core types. Each loader collects
/// every problem of its file and refuses the file whole, each problem naming the file, the line and column
/// and the setting (`EngineError.configuration`).
public enum ConfigurationLoader {
    public static func workspace(tomlText: String, file: String) throws(EngineError) -> WorkspaceConfiguration {
        let root = try parse(tomlText, file: file)
        var problems: [ConfigurationIssue] = []
        var reader = TOMLReader(root, path: "")
        var name = "workspace"
        var defaultCountry = "GB"
        if let table = reader.table("workspace", problems: &problems) {
            var workspace = TOMLReader(table, path: "workspace")
            name = workspace.string("name", problems: &problems) ?? name
            defaultCountry = workspace.string("default_country", required: false, problems: &problems) ?? defaultCountry
            workspace.unknownKeys(problems: &problems, known: ["name", "default_country"])
        } else {
            problems.append(ConfigurationIssue("workspace", "[workspace] is missing (it needs at least `name`)"))
        }
        var sources: [SourceConfiguration] = []
        let sourceTables = reader.tables("sources", problems: &problems)
        if sourceTables.isEmpty { problems.append(ConfigurationIssue("sources", "no [[sources]] are declared")) }
        var seen: [SourceName: Int] = [:]
        for (index, table) in sourceTables.enumerated() {
            guard let source = self.source(table, index: index, problems: &problems) else { continue }
            if let first = seen[source.name] {
                problems.append(ConfigurationIssue("sources[\(index)].name", "'\(source.name)' is already the name of sources[\(first)]; names must be unique"))
            } else {
                seen[source.name] = index
            }
            problems += source.problems(path: "sources[\(index)]")
            sources.append(source)
        }
        var sendmail: String?
        if let table = reader.table("notifications", problems: &problems) {
            var notifications = TOMLReader(table, path: "notifications")
            sendmail = notifications.string("sendmail", required: false, problems: &problems)
            if let command = sendmail, command.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(ConfigurationIssue("notifications.sendmail", "is empty; name a sendmail-compatible command such as \"/usr/sbin/sendmail -t\""))
            }
            notifications.unknownKeys(problems: &problems, known: ["sendmail"])
        }
        var storeAddress: String?
        if let table = reader.table("store", problems: &problems) {
            var store = TOMLReader(table, path: "store")
            storeAddress = store.string("address", problems: &problems)
            if let address = storeAddress, let problem = storeAddressProblem(address) {
                problems.append(ConfigurationIssue("store.address", problem))
            }
            store.unknownKeys(problems: &problems, known: ["address"])
        }
        var queryTimeLimit: Int?
        if let table = reader.table("query", problems: &problems) {
            var query = TOMLReader(table, path: "query")
            queryTimeLimit = query.int("time_limit_seconds", problems: &problems)
            if let seconds = queryTimeLimit, !WorkspaceConfiguration.queryTimeLimitRange.contains(seconds) {
                let range = WorkspaceConfiguration.queryTimeLimitRange
                problems.append(ConfigurationIssue("query.time_limit_seconds", "is \(seconds); it must be between \(range.lowerBound) and \(range.upperBound) seconds"))
            }
            query.unknownKeys(problems: &problems, known: ["time_limit_seconds"])
        }
        reader.unknownKeys(problems: &problems, known: ["workspace", "sources", "notifications", "store", "query"])
        if CountryCode.standardize(defaultCountry).value == nil {
            problems.append(ConfigurationIssue("workspace.default_country", "'\(defaultCountry)' is not an ISO 3166 country"))
        }
        try refuse(problems, text: tomlText, file: file)
        return WorkspaceConfiguration(
            name: name, defaultCountry: defaultCountry, sources: sources, sendmailCommand: sendmail, storeAddress: storeAddress,
            queryTimeLimitSeconds: queryTimeLimit)
    }

    /// What is wrong with a team store's address as `cdp.toml` may hold it (never a password), or nil. What only
    /// the server or the user's own files can tell (a service file, a role) is found when the store is opened.
    static func storeAddressProblem(_ address: String) -> String? {
        do {
            _ = try PostgresSettings.parse(address, environment: [:], osUser: "cdp")
            return nil
        } catch where error.code == .passwordInConfiguration || error.code == .invalidSettings {
            return error.message
        } catch {
            return nil
        }
    }

    private static func source(_ table: TOMLTable, index: Int, problems: inout [ConfigurationIssue]) -> SourceConfiguration? {
        var reader = TOMLReader(table, path: "sources[\(index)]")
        let before = problems.count
        let name = reader.string("name", problems: &problems) ?? ""
        let path = "sources[\(index)]"
        let system = reader.string("system", required: false, problems: &problems) ?? "unknown"
        let entityText = reader.string("entity", problems: &problems) ?? ""
        let entity = CanonicalEntity(rawValue: entityText)
        if entity == nil && !entityText.isEmpty {
            problems.append(ConfigurationIssue("\(path).entity", "'\(entityText)' is not an entity (known: \(CanonicalEntity.allCases.map(\.rawValue).joined(separator: ", ")))"))
        }
        let formatText = reader.string("format", problems: &problems) ?? ""
        let format = SourceFormat(rawValue: formatText)
        if format == nil && !formatText.isEmpty {
            problems.append(ConfigurationIssue("\(path).format", "'\(formatText)' is not a source format (known: csv, jsonl)"))
        }
        let filePattern = reader.string("path", problems: &problems) ?? ""
        let key = reader.string("primary_key", problems: &problems) ?? ""
        let delimiter = reader.string("delimiter", required: false, problems: &problems) ?? ","
        var mapping: [String: String] = [:]
        if let table = reader.table("mapping", problems: &problems) {
            var mapReader = TOMLReader(table, path: "\(path).mapping")
            for field in table.keys.sorted() {
                if let column = mapReader.string(field, problems: &problems) { mapping[field] = column }
            }
        } else {
            problems.append(ConfigurationIssue("\(path).mapping", "[sources.mapping] is missing (canonical field = \"source column\")"))
        }
        var dateFormats: [String: String] = [:]
        if let table = reader.table("date_formats", problems: &problems) {
            var formatReader = TOMLReader(table, path: "\(path).date_formats")
            for field in table.keys.sorted() {
                guard let pattern = formatReader.string(field, problems: &problems) else { continue }
                if DateFormat(pattern: pattern) == nil {
                    problems.append(ConfigurationIssue("\(path).date_formats.\(field)", "'\(pattern)' is not a supported date pattern (e.g. dd/MM/yyyy)"))
                }
                dateFormats[field] = pattern
            }
        }
        var attributes: [String: String] = [:]
        if let table = reader.table("attributes", problems: &problems) {
            var attributeReader = TOMLReader(table, path: "\(path).attributes")
            for name in table.keys.sorted() {
                if let column = attributeReader.string(name, problems: &problems) { attributes[name] = column }
            }
        }
        reader.unknownKeys(
            problems: &problems,
            known: ["name", "system", "entity", "format", "path", "primary_key", "delimiter", "mapping", "date_formats", "attributes"])
        guard problems.count == before, let entity, let format else { return nil }
        return SourceConfiguration(
            name: SourceName(name), system: system, entity: entity, format: format, path: filePattern, primaryKey: key,
            mapping: mapping, dateFormats: dateFormats, delimiter: delimiter, attributes: attributes)
    }

    /// Loads the rule file and checks it against the sources.
    /// - Parameter sources: the workspace's sources; nil when cdp.toml could not be read, which leaves out the
    ///   checks against them (every other problem of the file is still reported).
    public static func rules(tomlText: String, file: String, sources: [SourceConfiguration]?) throws(EngineError) -> RuleSet {
        let root = try parse(tomlText, file: file)
        var problems: [ConfigurationIssue] = []
        var reader = TOMLReader(root, path: "")
        var rules: [RuleDefinition] = []
        var positions: [Int] = []
        for (index, table) in reader.tables("rules", problems: &problems).enumerated() {
            if let rule = self.rule(table, index: index, problems: &problems) {
                rules.append(rule)
                positions.append(index)
            }
        }
        reader.unknownKeys(problems: &problems, known: ["rules"])
        let set = RuleSet(rules: rules)
        problems += set.problems(sources: sources, positions: positions)
        try refuse(problems, text: tomlText, file: file)
        return set
    }

    private static func rule(_ table: TOMLTable, index: Int, problems: inout [ConfigurationIssue]) -> RuleDefinition? {
        var reader = TOMLReader(table, path: "rules[\(index)]")
        let before = problems.count
        let path = "rules[\(index)]"
        let name = reader.string("name", problems: &problems) ?? ""
        let dataset = reader.string("dataset", problems: &problems) ?? ""
        let severityText = reader.string("severity", required: false, problems: &problems) ?? "error"
        let severity = RuleSeverity(rawValue: severityText)
        if severity == nil {
            problems.append(ConfigurationIssue("\(path).severity", "'\(severityText)' is not a severity (known: warn, omit_value, error, fatal)"))
        }
        let description = reader.string("description", required: false, problems: &problems)
        let checkName = reader.string("check", problems: &problems) ?? ""
        var check: RuleCheck?
        func field() -> String? { reader.string("field", problems: &problems) }
        switch checkName {
        case "required", "missing":
            let anyOf = reader.strings("any_of", problems: &problems)
            let fields = reader.strings("fields", problems: &problems) ?? reader.strings("field", problems: &problems)
            if fields != nil || anyOf != nil {
                check = .required(fields: fields ?? [], anyOf: anyOf ?? [])
            } else if problems.count == before {
                problems.append(
                    ConfigurationIssue("\(path).fields", "is missing ('required' needs `fields = [...]`, `any_of = [...]` or both)"))
            }
        case "format":
            let formatName = reader.string("format", problems: &problems) ?? ""
            let pattern = reader.string("pattern", required: false, problems: &problems)
            let format: ValueFormat?
            switch formatName {
            case "email": format = .email
            case "phone": format = .phone
            case "date": format = .date
            case "timestamp": format = .timestamp
            case "country": format = .country
            case "decimal", "number": format = .decimal
            case "regex":
                if let pattern { format = .regex(pattern) } else {
                    problems.append(ConfigurationIssue("\(path).pattern", "is missing (format 'regex' needs `pattern = \"...\"`)"))
                    format = nil
                }
            default:
                if !formatName.isEmpty {
                    problems.append(
                        ConfigurationIssue("\(path).format", "'\(formatName)' is not a format (known: email, phone, date, timestamp, country, decimal, regex)"))
                }
                format = nil
            }
            if let field = field(), let format { check = .format(field: field, format: format) }
        case "allowed_values":
            let field = field()
            let values = reader.strings("values", problems: &problems)
            if let field, let values {
                check = .allowedValues(field: field, values: values)
            } else if values == nil && problems.count == before {
                problems.append(ConfigurationIssue("\(path).values", "is missing ('allowed_values' needs `values = [...]`)"))
            }
        case "range":
            let low = bound(reader.scalarText("min", problems: &problems), path: "\(path).min", problems: &problems)
            let high = bound(reader.scalarText("max", problems: &problems), path: "\(path).max", problems: &problems)
            if let field = field() { check = .range(field: field, min: low, max: high) }
        case "length":
            let low = reader.int("min", problems: &problems), high = reader.int("max", problems: &problems)
            if let field = field() { check = .length(field: field, min: low, max: high) }
        case "unique":
            let field = reader.string("field", required: false, problems: &problems) ?? RuleFieldName.sourceKey
            check = .unique(field: field)
        case "compare":
            let left = reader.string("left", problems: &problems)
            let opText = reader.string("op", problems: &problems) ?? ""
            let right = reader.string("right", problems: &problems)
            let op = ComparisonOperator(rawValue: opText)
            if op == nil && !opText.isEmpty {
                problems.append(ConfigurationIssue("\(path).op", "'\(opText)' is not a comparison (known: <, <=, ==, !=, >=, >)"))
            }
            if let left, let right, let op { check = .compare(left: left, op: op, right: right) }
        case "reference":
            let target = reader.string("source", problems: &problems)
            if let field = field(), let target { check = .reference(field: field, source: SourceName(target)) }
        case "row_count":
            check = .rowCount(min: reader.int("min", problems: &problems), max: reader.int("max", problems: &problems))
        case "":
            break
        default:
            problems.append(
                ConfigurationIssue(
                    "\(path).check",
                    "'\(checkName)' is not a check (known: required, format, allowed_values, range, length, unique, compare, reference, row_count)"))
        }
        let alertBelow = reader.number("alert_below", problems: &problems)
        if let alertBelow, !(0...1).contains(alertBelow) {
            problems.append(ConfigurationIssue("\(path).alert_below", "\(alertBelow) is out of range (a pass rate from 0 to 1, e.g. 0.95)"))
        }
        reader.unknownKeys(problems: &problems)
        guard problems.count == before, let check, let severity else { return nil }
        return RuleDefinition(
            name: name, dataset: SourceName(dataset), check: check, severity: severity, description: description, alertBelow: alertBelow)
    }

    private static func bound(_ value: (number: Double?, text: String?)?, path: String, problems: inout [ConfigurationIssue]) -> RangeBound? {
        guard let value else { return nil }
        if let number = value.number { return .number(number) }
        guard let text = value.text else { return nil }
        if text == "today" { return .today }
        if case .standardized(let date) = DateParsing.parseDate(text) { return .date(date.isoText) }
        problems.append(ConfigurationIssue(path, "'\(text)' is neither a number, an ISO date nor \"today\""))
        return nil
    }

    /// Parses TOML text.
    /// - Throws: `EngineError.configuration` naming the line and column of a syntax error.
    static func parse(_ text: String, file: String) throws(EngineError) -> TOMLTable {
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let position = SourcePosition(line: error.source.begin.line, column: error.source.begin.column)
            throw EngineError.configuration([ConfigurationProblem(file: file, position: position, ConfigurationIssue("", "\(error.description) (TOML syntax)"))])
        } catch {
            throw EngineError.configuration([ConfigurationProblem(file: file, ConfigurationIssue("", "cannot be read as TOML: \(error)"))])
        }
    }

    /// Refuses a TOML file whose reading found problems: each is placed on its line and column, in line order.
    /// - Throws: `EngineError.configuration` when there is any problem.
    static func refuse(_ issues: [ConfigurationIssue], text: String, file: String) throws(EngineError) {
        guard !issues.isEmpty else { return }
        let map = TOMLSourceMap(text: text)
        throw EngineError.configuration(placed(issues.map { ConfigurationProblem(file: file, position: map.position(of: $0.path), $0) }))
    }

    /// Problems in line order (stable; those without a line last).
    static func placed(_ problems: [ConfigurationProblem]) -> [ConfigurationProblem] {
        problems.enumerated().sorted { a, b in
            switch (a.element.position, b.element.position) {
            case (let x?, let y?): return x != y ? x < y : a.offset < b.offset
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.offset < b.offset
            }
        }.map(\.element)
    }
}
