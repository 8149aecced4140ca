import Foundation

/// Every rule of a workspace, checked as a whole against the sources they name.
public struct RuleSet: Hashable, Codable, Sendable {
    public var rules: [RuleDefinition]

    public init(rules: [RuleDefinition]) { self.rules = rules }

    public func rules(for source: SourceName) -> [RuleDefinition] {
        rules.filter { $0.dataset == source }
    }

    public func rule(named name: String) -> RuleDefinition? { rules.first { $0.name == name } }

    /// Every problem of the rule set against the declared sources, in declaration order.
    /// An empty result means the rules can run.
    public func problems(sources: [SourceConfiguration]) -> [String] {
        var problems: [String] = []
        var seenNames: Set<String> = []
        let byName = Dictionary(sources.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, rule) in rules.enumerated() {
            let label = "rule #\(index + 1) '\(rule.name)'"
            if rule.name.isEmpty { problems.append("rule #\(index + 1): name is empty") }
            if !seenNames.insert(rule.name).inserted {
                problems.append("\(label): the name is used by an earlier rule; names must be unique")
            }
            guard let source = byName[rule.dataset] else {
                let known = sources.map(\.name.rawValue).joined(separator: ", ")
                problems.append("\(label): unknown dataset '\(rule.dataset)' (sources: \(known))")
                continue
            }
            problems += Self.problems(of: rule.check, label: label, source: source, sources: byName)
        }
        return problems
    }

    private static func problems(
        of check: RuleCheck, label: String, source: SourceConfiguration,
        sources: [SourceName: SourceConfiguration]
    ) -> [String] {
        var problems: [String] = []
        let entity = source.entity
        for field in check.fields where field != RuleFieldName.sourceKey {
            if entity.fieldIndex(field) == nil {
                let known = ([RuleFieldName.sourceKey] + entity.fields.map(\.name)).joined(separator: ", ")
                problems.append("\(label): unknown field '\(field)' for \(entity) source '\(source.name)' (known: \(known))")
            } else if source.mapping[field] == nil {
                problems.append("\(label): field '\(field)' is not mapped by source '\(source.name)'; add it to [sources.mapping]")
            }
        }
        switch check {
        case .required(let fields) where fields.isEmpty:
            problems.append("\(label): 'required' needs at least one field")
        case .format(let field, let format):
            if case .regex(let pattern) = format {
                if (try? NSRegularExpression(pattern: pattern)) == nil {
                    problems.append("\(label): pattern '\(pattern)' is not a valid regular expression")
                }
            } else if let index = entity.fieldIndex(field), !format.provingKind.contains(entity.fields[index].kind) {
                let kind = entity.fields[index].kind.rawValue
                problems.append("\(label): format '\(format.name)' cannot apply to '\(field)', which holds \(kind) values")
            }
        case .allowedValues(_, let values) where values.isEmpty:
            problems.append("\(label): 'allowed_values' needs a non-empty 'values' list")
        case .range(_, nil, nil):
            problems.append("\(label): 'range' needs 'min' or 'max'")
        case .range(_, .some(.number(let low)), .some(.number(let high))) where low > high:
            problems.append("\(label): min \(DecimalText.format(low)) is above max \(DecimalText.format(high))")
        case .length(_, let low, let high):
            if low == nil && high == nil { problems.append("\(label): 'length' needs 'min' or 'max'") }
            if let low, let high, low > high { problems.append("\(label): min \(low) is above max \(high)") }
        case .reference(_, let target):
            if sources[target] == nil {
                problems.append("\(label): reference to unknown source '\(target)'")
            }
        case .rowCount(let low, let high):
            if low == nil && high == nil { problems.append("\(label): 'row_count' needs 'min' or 'max'") }
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
