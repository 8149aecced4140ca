import CDPCore
import Foundation
import TOMLKit

/// Reads `governance/matching.toml` into a `MatchingConfiguration`. Every problem is collected and the
/// file is refused whole, each problem naming the line and the setting.
public enum MatchingConfigurationLoader {
    public static let path = "governance/matching.toml"

    /// - Throws: `EngineError.invalidConfiguration` listing every problem as `file:line: setting: message`.
    public static func load(tomlText: String, file: String) throws(EngineError) -> MatchingConfiguration {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: tomlText)
        } catch let error as TOMLParseError {
            throw EngineError(.invalidConfiguration, "\(file):\(error.source.begin.line):\(error.source.begin.column): \(error.description); nothing was run")
        } catch {
            throw EngineError(.invalidConfiguration, "\(file) cannot be parsed as TOML: \(error)")
        }
        var problems: [String] = []
        var reader = TOMLReader(root, path: "")

        var thresholds = MatchingConfiguration.Thresholds(autoMerge: 0.99, review: 0.8)
        if let table = reader.table("thresholds", problems: &problems) {
            var t = TOMLReader(table, path: "thresholds")
            thresholds.autoMerge = t.number("auto_merge", problems: &problems) ?? thresholds.autoMerge
            thresholds.review = t.number("review", problems: &problems) ?? thresholds.review
            t.unknownKeys(problems: &problems, known: ["auto_merge", "review"])
        }
        var prior: Double?
        var estimation = MatchingConfiguration.Estimation(randomPairs: 300_000, emIterations: 40, convergence: 1e-4, seed: 42)
        if let table = reader.table("estimation", problems: &problems) {
            var e = TOMLReader(table, path: "estimation")
            estimation.randomPairs = e.int("random_pairs", problems: &problems) ?? estimation.randomPairs
            estimation.emIterations = e.int("em_iterations", problems: &problems) ?? estimation.emIterations
            estimation.convergence = e.number("convergence", problems: &problems) ?? estimation.convergence
            estimation.seed = UInt64(max(0, e.int("seed", problems: &problems) ?? Int(estimation.seed)))
            estimation.minLinkedPairs = e.int("min_linked_pairs", problems: &problems) ?? estimation.minLinkedPairs
            prior = e.number("prior", problems: &problems)
            e.unknownKeys(problems: &problems, known: ["random_pairs", "em_iterations", "convergence", "seed", "prior", "min_linked_pairs"])
        }
        var stitching = MatchingConfiguration.Stitching(identifiers: [.email, .crmID, .phone], maxRecordsPerValue: 4, crmSource: "crm_customers")
        if let table = reader.table("stitching", problems: &problems) {
            var s = TOMLReader(table, path: "stitching")
            if let names = s.strings("identifiers", problems: &problems) {
                stitching.identifiers = names.enumerated().compactMap { index, name in
                    enumValue(MatchingConfiguration.HardIdentifier.self, name, "stitching.identifiers[\(index)]", &problems)
                }
            }
            stitching.maxRecordsPerValue = s.int("max_records_per_value", problems: &problems) ?? stitching.maxRecordsPerValue
            stitching.crmSource = SourceName(s.string("crm_source", required: false, problems: &problems) ?? stitching.crmSource.rawValue)
            s.unknownKeys(problems: &problems, known: ["identifiers", "max_records_per_value", "crm_source"])
        }
        var blocking = MatchingConfiguration.Blocking(rules: [], maxBlockSize: 300)
        if let table = reader.table("blocking", problems: &problems) {
            var b = TOMLReader(table, path: "blocking")
            blocking.maxBlockSize = b.int("max_block_size", problems: &problems) ?? blocking.maxBlockSize
            for (index, ruleTable) in b.tables("rules", problems: &problems).enumerated() {
                var r = TOMLReader(ruleTable, path: "blocking.rules[\(index)]")
                let name = r.string("name", problems: &problems) ?? "rule \(index + 1)"
                let keys = (r.strings("keys", problems: &problems) ?? []).enumerated().compactMap { keyIndex, key in
                    enumValue(DerivedKey.self, key, "blocking.rules[\(index)].keys[\(keyIndex)]", &problems)
                }
                r.unknownKeys(problems: &problems, known: ["name", "keys"])
                blocking.rules.append(BlockingRule(name: name, keys: keys))
            }
            b.unknownKeys(problems: &problems, known: ["max_block_size", "rules"])
        }
        var comparisons: [Comparison] = []
        for (index, table) in reader.tables("comparisons", problems: &problems).enumerated() {
            let path = "comparisons[\(index)]"
            var c = TOMLReader(table, path: path)
            let name = c.string("name", problems: &problems) ?? path
            let tag = c.string("tag", required: false, problems: &problems) ?? name.uppercased().replacingOccurrences(of: " ", with: "_")
            let field = c.string("field", problems: &problems).flatMap { enumValue(MatchField.self, $0, "\(path).field", &problems) }
            var levels: [ComparisonLevel] = []
            for (levelIndex, levelTable) in c.tables("levels", problems: &problems).enumerated() {
                var l = TOMLReader(levelTable, path: "\(path).levels[\(levelIndex)]")
                let kind = l.string("kind", problems: &problems).flatMap {
                    enumValue(ComparisonLevel.Kind.self, $0, "\(path).levels[\(levelIndex)].kind", &problems)
                }
                let threshold = l.number("threshold", problems: &problems)
                let label = l.string("label", required: false, problems: &problems)
                let termFrequency = levelTable["term_frequency"].map { value -> Bool in
                    if let flag = value.bool { return flag }
                    problems.append("\(path).levels[\(levelIndex)].term_frequency must be true or false")
                    return false
                } ?? false
                var typeChecked: [String] = []  // already checked above as a boolean; this marks the key as used
                _ = l.string("term_frequency", required: false, problems: &typeChecked)
                l.unknownKeys(problems: &problems, known: ["kind", "threshold", "label", "term_frequency"])
                if let kind { levels.append(ComparisonLevel(kind, threshold: threshold, label: label, termFrequency: termFrequency)) }
            }
            c.unknownKeys(problems: &problems, known: ["name", "tag", "field", "levels"])
            if let field { comparisons.append(Comparison(name: name, tag: tag, field: field, levels: levels)) }
        }
        var clustering = MatchingConfiguration.Clustering(maxClusterSize: 8, minDensity: 0.5)
        if let table = reader.table("clustering", problems: &problems) {
            var c = TOMLReader(table, path: "clustering")
            clustering.maxClusterSize = c.int("max_cluster_size", problems: &problems) ?? clustering.maxClusterSize
            clustering.minDensity = c.number("min_density", problems: &problems) ?? clustering.minDensity
            c.unknownKeys(problems: &problems, known: ["max_cluster_size", "min_density"])
        }
        var survivorship = SurvivorshipPolicy(sourceOrder: [], rules: [:], defaultRule: .sourceOrder)
        if let table = reader.table("survivorship", problems: &problems) {
            var s = TOMLReader(table, path: "survivorship")
            survivorship.sourceOrder = (s.strings("source_order", problems: &problems) ?? []).map { SourceName($0) }
            if let text = s.string("default", required: false, problems: &problems) {
                survivorship.defaultRule = enumValue(SurvivorshipRule.self, text, "survivorship.default", &problems) ?? .sourceOrder
            }
            if let rules = s.table("rules", problems: &problems) {
                var r = TOMLReader(rules, path: "survivorship.rules")
                for attribute in rules.keys.sorted() {
                    guard let text = r.string(attribute, problems: &problems) else { continue }
                    if !Survivorship.attributes.contains(attribute) {
                        problems.append("survivorship.rules.\(attribute): not a golden attribute (one of: \(Survivorship.attributes.joined(separator: ", ")))")
                    }
                    if let rule = enumValue(SurvivorshipRule.self, text, "survivorship.rules.\(attribute)", &problems) {
                        survivorship.rules[attribute] = rule
                    }
                }
            }
            s.unknownKeys(problems: &problems, known: ["source_order", "default", "rules"])
        }
        reader.unknownKeys(problems: &problems, known: ["thresholds", "estimation", "stitching", "blocking", "comparisons", "clustering", "survivorship"])

        let configuration = MatchingConfiguration(
            thresholds: thresholds, prior: prior, estimation: estimation, stitching: stitching, blocking: blocking,
            comparisons: comparisons, clustering: clustering, survivorship: survivorship)
        if problems.isEmpty {
            problems += configuration.problems().map { "\($0.path): \($0.message)" }
        }
        guard problems.isEmpty else {
            let locator = TOMLLineLocator(text: tomlText)
            throw EngineError(
                .invalidConfiguration, "\(file) is invalid; nothing was run. Fix:",
                details: problems.map { problem in locator.line(ofProblem: problem).map { "line \($0): \(problem)" } ?? problem })
        }
        return configuration
    }

    private static func enumValue<T: RawRepresentable & CaseIterable>(
        _ type: T.Type, _ text: String, _ path: String, _ problems: inout [String]
    ) -> T? where T.RawValue == String {
        if let value = T(rawValue: text) { return value }
        problems.append("\(path): '\(text)' is unknown (one of: \(T.allCases.map(\.rawValue).joined(separator: ", ")))")
        return nil
    }
}

/// Finds the line of a setting such as `comparisons[2].levels[1].threshold` in TOML text that uses
/// `[[array.of.tables]]` headers, so problems can name their line.
struct TOMLLineLocator {
    let lines: [Substring]

    init(text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false) }

    /// The 1-based line the problem's leading setting path points at, or nil.
    func line(ofProblem problem: String) -> Int? {
        let path = problem.prefix { $0 != ":" && $0 != " " }
        return line(of: String(path))
    }

    func line(of path: String) -> Int? {
        // Split `a[1].b[0].c` into table segments with indexes and a final key.
        var tables: [(name: String, index: Int?)] = []
        for part in path.split(separator: ".") {
            if let open = part.firstIndex(of: "["), let index = Int(part[part.index(after: open)...].dropLast()) {
                tables.append((String(part[..<open]), index))
            } else {
                tables.append((String(part), nil))
            }
        }
        guard !tables.isEmpty else { return nil }
        var counts: [String: Int] = [:]
        var current = ""
        var best: Int?
        for (number, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[[") || (line.hasPrefix("[") && !line.hasPrefix("[[")) {
                let isArray = line.hasPrefix("[[")
                let name = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).components(separatedBy: "]")[0]
                    .trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                if isArray {
                    counts[name, default: -1] += 1
                    for key in counts.keys where key.hasPrefix(name + ".") { counts[key] = -1 }
                }
                current = name
                if matches(current, counts, tables, keyIncluded: false) { best = number + 1 }
                continue
            }
            // A `key = value` line inside the section the path names.
            // The last segment may be a key (`threshold`) or an element of a key's list (`keys[0]`).
            if let last = tables.last, matches(current, counts, Array(tables.dropLast()), keyIncluded: true),
                line.hasPrefix(last.name + " ") || line.hasPrefix(last.name + "=")
            {
                return number + 1
            }
        }
        return best
    }

    /// Whether the section `current`, at the array counts seen so far, is the one `tables` names.
    private func matches(_ current: String, _ counts: [String: Int], _ tables: [(name: String, index: Int?)], keyIncluded: Bool) -> Bool {
        let wanted = tables
        guard !wanted.isEmpty else { return current.isEmpty }
        let names = wanted.map(\.name).joined(separator: ".")
        guard current == names else { return false }
        var prefix = ""
        for segment in wanted {
            prefix = prefix.isEmpty ? segment.name : prefix + "." + segment.name
            if let index = segment.index, counts[prefix] != index { return false }
        }
        return true
    }
}
