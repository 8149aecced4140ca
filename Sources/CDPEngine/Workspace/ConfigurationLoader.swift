import CDPCore
import Foundation
import TOMLKit

/// Loads `cdp.toml`, `governance/rules.toml` and workflow JSON into core types. Each loader collects
/// every problem of its file and refuses the file whole, naming the file and the setting (and the line,
/// where the parser gives one).
public enum ConfigurationLoader {
    public static func workspace(tomlText: String, file: String) throws(EngineError) -> WorkspaceConfiguration {
        let root = try parse(tomlText, file: file)
        var problems: [String] = []
        var reader = TOMLReader(root, path: "")
        var name = "workspace"
        var defaultCountry = "GB"
        if let table = reader.table("workspace", problems: &problems) {
            var workspace = TOMLReader(table, path: "workspace")
            name = workspace.string("name", problems: &problems) ?? name
            defaultCountry = workspace.string("default_country", required: false, problems: &problems) ?? defaultCountry
            workspace.unknownKeys(problems: &problems, known: ["name", "default_country"])
        } else {
            problems.append("[workspace] is missing (it needs at least `name`)")
        }
        var sources: [SourceConfiguration] = []
        let sourceTables = reader.tables("sources", problems: &problems)
        if sourceTables.isEmpty { problems.append("no [[sources]] are declared") }
        for (index, table) in sourceTables.enumerated() {
            if let source = self.source(table, index: index, problems: &problems) { sources.append(source) }
        }
        reader.unknownKeys(problems: &problems, known: ["workspace", "sources"])
        var seen: Set<SourceName> = []
        for source in sources where !seen.insert(source.name).inserted {
            problems.append("source '\(source.name)' is declared twice")
        }
        for source in sources { problems += source.problems() }
        if CountryCode.standardize(defaultCountry).value == nil {
            problems.append("workspace.default_country '\(defaultCountry)' is not an ISO 3166 country")
        }
        guard problems.isEmpty else {
            throw EngineError(.invalidConfiguration, "\(file) is invalid; nothing was run. Fix:", details: problems)
        }
        return WorkspaceConfiguration(name: name, defaultCountry: defaultCountry, sources: sources)
    }

    private static func source(_ table: TOMLTable, index: Int, problems: inout [String]) -> SourceConfiguration? {
        var reader = TOMLReader(table, path: "sources[\(index)]")
        let before = problems.count
        let name = reader.string("name", problems: &problems) ?? ""
        let label = name.isEmpty ? "sources[\(index)]" : "source '\(name)'"
        let system = reader.string("system", required: false, problems: &problems) ?? "unknown"
        let entityText = reader.string("entity", problems: &problems) ?? ""
        let entity = CanonicalEntity(rawValue: entityText)
        if entity == nil && !entityText.isEmpty {
            problems.append("\(label): entity '\(entityText)' is unknown (one of: \(CanonicalEntity.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let formatText = reader.string("format", problems: &problems) ?? ""
        let format = SourceFormat(rawValue: formatText)
        if format == nil && !formatText.isEmpty {
            problems.append("\(label): format '\(formatText)' is unknown (csv or jsonl)")
        }
        let path = reader.string("path", problems: &problems) ?? ""
        let key = reader.string("primary_key", problems: &problems) ?? ""
        let delimiter = reader.string("delimiter", required: false, problems: &problems) ?? ","
        var mapping: [String: String] = [:]
        if let table = reader.table("mapping", problems: &problems) {
            var mapReader = TOMLReader(table, path: "\(label).mapping")
            for field in table.keys.sorted() {
                if let column = mapReader.string(field, problems: &problems) { mapping[field] = column }
            }
        } else {
            problems.append("\(label): [sources.mapping] is missing (canonical field = \"source column\")")
        }
        var dateFormats: [String: String] = [:]
        if let table = reader.table("date_formats", problems: &problems) {
            var formatReader = TOMLReader(table, path: "\(label).date_formats")
            for field in table.keys.sorted() {
                guard let pattern = formatReader.string(field, problems: &problems) else { continue }
                if DateFormat(pattern: pattern) == nil {
                    problems.append("\(label).date_formats.\(field): '\(pattern)' is not a supported date pattern")
                }
                dateFormats[field] = pattern
            }
        }
        reader.unknownKeys(
            problems: &problems,
            known: ["name", "system", "entity", "format", "path", "primary_key", "delimiter", "mapping", "date_formats"])
        guard problems.count == before, let entity, let format else { return nil }
        return SourceConfiguration(
            name: SourceName(name), system: system, entity: entity, format: format, path: path, primaryKey: key,
            mapping: mapping, dateFormats: dateFormats, delimiter: delimiter)
    }

    /// Loads the rule file and checks it against the sources.
    public static func rules(tomlText: String, file: String, sources: [SourceConfiguration]) throws(EngineError) -> RuleSet {
        let root = try parse(tomlText, file: file)
        var problems: [String] = []
        var reader = TOMLReader(root, path: "")
        var rules: [RuleDefinition] = []
        for (index, table) in reader.tables("rules", problems: &problems).enumerated() {
            if let rule = self.rule(table, index: index, problems: &problems) { rules.append(rule) }
        }
        reader.unknownKeys(problems: &problems, known: ["rules"])
        let set = RuleSet(rules: rules)
        problems += set.problems(sources: sources)
        guard problems.isEmpty else {
            throw EngineError(.invalidConfiguration, "\(file) is invalid; nothing was run. Fix:", details: problems)
        }
        return set
    }

    private static func rule(_ table: TOMLTable, index: Int, problems: inout [String]) -> RuleDefinition? {
        var reader = TOMLReader(table, path: "rules[\(index)]")
        let before = problems.count
        let name = reader.string("name", problems: &problems) ?? ""
        let label = name.isEmpty ? "rules[\(index)]" : "rule '\(name)'"
        let dataset = reader.string("dataset", problems: &problems) ?? ""
        let severityText = reader.string("severity", required: false, problems: &problems) ?? "error"
        let severity = RuleSeverity(rawValue: severityText)
        if severity == nil { problems.append("\(label): severity '\(severityText)' is unknown (warn, error or fatal)") }
        let description = reader.string("description", required: false, problems: &problems)
        let checkName = reader.string("check", problems: &problems) ?? ""
        var check: RuleCheck?
        func field() -> String? { reader.string("field", problems: &problems) }
        switch checkName {
        case "required", "missing":
            if let fields = reader.strings("fields", problems: &problems) ?? reader.strings("field", problems: &problems) {
                check = .required(fields: fields)
            } else {
                problems.append("\(label): 'required' needs `fields = [...]`")
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
                    problems.append("\(label): format 'regex' needs `pattern = \"...\"`")
                    format = nil
                }
            default:
                if !formatName.isEmpty {
                    problems.append("\(label): format '\(formatName)' is unknown (email, phone, date, timestamp, country, decimal, regex)")
                }
                format = nil
            }
            if let field = field(), let format { check = .format(field: field, format: format) }
        case "allowed_values":
            if let field = field(), let values = reader.strings("values", problems: &problems) {
                check = .allowedValues(field: field, values: values)
            } else if !problems.isEmpty, problems.count > before {
            } else {
                problems.append("\(label): 'allowed_values' needs `field` and `values = [...]`")
            }
        case "range":
            let low = bound(reader.scalarText("min", problems: &problems), label: label, problems: &problems)
            let high = bound(reader.scalarText("max", problems: &problems), label: label, problems: &problems)
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
                problems.append("\(label): op '\(opText)' is unknown (<, <=, ==, !=, >=, >)")
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
                "\(label): check '\(checkName)' is unknown (required, format, allowed_values, range, length, unique, compare, reference, row_count)")
        }
        reader.unknownKeys(problems: &problems)
        guard problems.count == before, let check, let severity else { return nil }
        return RuleDefinition(name: name, dataset: SourceName(dataset), check: check, severity: severity, description: description)
    }

    private static func bound(_ value: (number: Double?, text: String?)?, label: String, problems: inout [String]) -> RangeBound? {
        guard let value else { return nil }
        if let number = value.number { return .number(number) }
        guard let text = value.text else { return nil }
        if text == "today" { return .today }
        if case .standardized(let date) = DateParsing.parseDate(text) { return .date(date.isoText) }
        problems.append("\(label): bound '\(text)' is neither a number, an ISO date nor \"today\"")
        return nil
    }

    /// Decodes and plans a workflow file.
    public static func workflow(jsonData: Data, file: String, sources: [SourceName]) throws(EngineError) -> WorkflowPlan {
        let definition: WorkflowDefinition
        do {
            definition = try JSONDecoder().decode(WorkflowDefinition.self, from: jsonData)
        } catch let error as DecodingError {
            throw EngineError(.invalidConfiguration, "\(file) is invalid; nothing was run: \(describe(error))")
        } catch {
            throw EngineError(.invalidConfiguration, "\(file) is not valid JSON: \(error)")
        }
        do {
            return try WorkflowPlan(definition, sources: sources)
        } catch {
            throw EngineError(.invalidConfiguration, "\(file) is invalid; nothing was run. Fix:", details: error.problems)
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            return "\(at.isEmpty ? "" : at + ": ")`\(key.stringValue)` is missing"
        case .typeMismatch(let type, let context):
            return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)): expected \(type), found null"
        case .dataCorrupted(let context):
            let at = path(context)
            let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
            return "\(at.isEmpty ? "" : at + ": ")\(underlying ?? context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }

    static func parse(_ text: String, file: String) throws(EngineError) -> TOMLTable {
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw EngineError(
                .invalidConfiguration,
                "\(file):\(error.source.begin.line):\(error.source.begin.column): \(error.description); nothing was run")
        } catch {
            throw EngineError(.invalidConfiguration, "\(file) cannot be parsed as TOML: \(error)")
        }
    }
}
