import Foundation

/// Every rule of a workspace, checked as a whole against the sources they name.
public struct RuleSet: Hashable, Codable, Sendable {
    public var rules: [RuleDefinition]

    public init(rules: [RuleDefinition]) { self.rules = rules }

    public func rules(for source: SourceName) -> [RuleDefinition] {
        rules.filter { $0.dataset == source }
    }

    public func rule(named name: String) -> RuleDefinition? { rules.first { $0.name == name } }

    /// Every problem of the rule set against the declared sources, in declaration order, each naming the
    /// rule's setting (`rules[3].field`). An empty result means the rules can run.
    /// - Parameters:
    ///   - sources: the workspace's sources; nil when they are unknown (cdp.toml is broken), which skips the
    ///     checks against them.
    ///   - positions: each rule's index in the file, when some rules of the file could not be read.
    public func problems(sources: [SourceConfiguration]?, positions: [Int]? = nil) -> [ConfigurationIssue] {
        var problems: [ConfigurationIssue] = []
        var seenNames: [String: Int] = [:]
        let byName = Dictionary((sources ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (offset, rule) in rules.enumerated() {
            let index = positions.flatMap { offset < $0.count ? $0[offset] : nil } ?? offset
            let path = "rules[\(index)]"
            if rule.name.isEmpty { problems.append(ConfigurationIssue("\(path).name", "is empty")) }
            if let first = seenNames[rule.name] {
                problems.append(ConfigurationIssue("\(path).name", "'\(rule.name)' is already the name of rules[\(first)]; names must be unique"))
            } else {
                seenNames[rule.name] = index
            }
            problems += Self.problems(of: rule.check, path: path)
            if rule.severity == .omitValue {
                if !rule.check.judgesOneValue {
                    problems.append(ConfigurationIssue(
                        "\(path).severity",
                        "'omit_value' needs a check of one value (format, allowed_values, range, length, reference); "
                            + "a '\(rule.check.kindName)' check has no single value to leave out: use warn or error"))
                } else if rule.fields.contains(RuleFieldName.sourceKey) {
                    problems.append(ConfigurationIssue(
                        "\(path).severity", "'omit_value' cannot leave out the key (source_key): use error"))
                }
            }
            guard let sources else { continue }
            guard let source = byName[rule.dataset] else {
                let known = sources.map(\.name.rawValue).joined(separator: ", ")
                problems.append(ConfigurationIssue("\(path).dataset", "'\(rule.dataset)' is not a source of cdp.toml (sources: \(known))"))
                continue
            }
            problems += Self.problems(of: rule.check, path: path, source: source, sources: byName)
        }
        return problems
    }

    /// What a check gets wrong on its own, whatever the sources.
    private static func problems(of check: RuleCheck, path: String) -> [ConfigurationIssue] {
        var problems: [ConfigurationIssue] = []
        switch check {
        case .required(let fields, let anyOf) where fields.isEmpty && anyOf.isEmpty:
            problems.append(ConfigurationIssue("\(path).fields", "'required' needs at least one field"))
        case .required(_, let anyOf) where anyOf.count == 1:
            problems.append(
                ConfigurationIssue(
                    "\(path).any_of", "names one field ('\(anyOf[0])'); at least one of a single field is that field: move it to `fields`"))
        case .format(_, .regex(let pattern)):
            if (try? NSRegularExpression(pattern: pattern)) == nil {
                problems.append(ConfigurationIssue("\(path).pattern", "'\(pattern)' is not a valid regular expression"))
            }
        case .allowedValues(_, let values) where values.isEmpty:
            problems.append(ConfigurationIssue("\(path).values", "'allowed_values' needs a non-empty list"))
        case .range(_, nil, nil):
            problems.append(ConfigurationIssue(path, "'range' needs 'min' or 'max'"))
        case .range(_, .some(.number(let low)), .some(.number(let high))) where low > high:
            problems.append(ConfigurationIssue("\(path).min", "\(DecimalText.format(low)) is above max \(DecimalText.format(high))"))
        case .length(_, let low, let high):
            if low == nil && high == nil { problems.append(ConfigurationIssue(path, "'length' needs 'min' or 'max'")) }
            if let low, let high, low > high { problems.append(ConfigurationIssue("\(path).min", "\(low) is above max \(high)")) }
        case .rowCount(let low, let high):
            if low == nil && high == nil { problems.append(ConfigurationIssue(path, "'row_count' needs 'min' or 'max'")) }
        default:
            break
        }
        return problems
    }

    /// The setting that names a check's `position`th field: `fields[1]`, `left`, `right` or `field`.
    private static func setting(naming position: Int, of check: RuleCheck) -> String {
        switch check {
        case .required(let fields, _):
            return position < fields.count ? "fields[\(position)]" : "any_of[\(position - fields.count)]"
        case .compare: return position == 0 ? "left" : "right"
        default: return "field"
        }
    }

    /// What a check gets wrong against its source: fields the source does not have or map, formats that
    /// cannot apply, references to unknown sources.
    private static func problems(
        of check: RuleCheck, path: String, source: SourceConfiguration,
        sources: [SourceName: SourceConfiguration]
    ) -> [ConfigurationIssue] {
        var problems: [ConfigurationIssue] = []
        let entity = source.entity
        for (position, field) in check.fields.enumerated() where field != RuleFieldName.sourceKey {
            let at = "\(path).\(Self.setting(naming: position, of: check))"
            if entity.fieldIndex(field) == nil {
                let known = ([RuleFieldName.sourceKey] + entity.fields.map(\.name)).joined(separator: ", ")
                problems.append(ConfigurationIssue(at, "'\(field)' is not a field of \(entity) source '\(source.name)' (known: \(known))"))
            } else if source.mapping[field] == nil {
                problems.append(ConfigurationIssue(at, "'\(field)' is not mapped by source '\(source.name)'; add it to its [sources.mapping]"))
            }
        }
        switch check {
        case .format(let field, let format):
            if case .regex = format { break }
            if let index = entity.fieldIndex(field), !format.provingKind.contains(entity.fields[index].kind) {
                let kind = entity.fields[index].kind.rawValue
                problems.append(ConfigurationIssue("\(path).format", "'\(format.name)' cannot apply to '\(field)', which holds \(kind) values"))
            }
        case .reference(_, let target):
            if sources[target] == nil {
                let known = sources.keys.map(\.rawValue).sorted().joined(separator: ", ")
                problems.append(ConfigurationIssue("\(path).source", "'\(target)' is not a source of cdp.toml (sources: \(known))"))
            }
        default:
            break
        }
        return problems
    }
}

/// Field names with a meaning of their own in rules.
public enum RuleFieldName {
    /// The record's key, read from the source's primary key column.
    public static let sourceKey = "source_key"
}
