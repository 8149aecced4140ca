import CDPCore
import Foundation
import TOMLKit

/// Reads `governance/matching.toml` into a `MatchingConfiguration`. Every problem is collected and the
/// file is refused whole, each problem naming the line and the setting.
public enum MatchingConfigurationLoader {
    public static let path = "governance/matching.toml"

    /// - Parameter attributes: the extra attributes the workspace's sources map (`[sources.attributes]`); an
    ///   `attributes.<name>` the file reads that none maps is a problem. nil leaves that check out.
    /// - Throws: `EngineError.configuration` listing every problem as `file:line:column: setting: message`.
    public static func load(tomlText: String, file: String, attributes: Set<String>? = nil) throws(EngineError) -> MatchingConfiguration {
        let root = try ConfigurationLoader.parse(tomlText, file: file)
        var problems: [ConfigurationIssue] = []
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
            estimation.uGiven = e.strings("u_given", problems: &problems) ?? estimation.uGiven
            prior = e.number("prior", problems: &problems)
            e.unknownKeys(
                problems: &problems, known: ["random_pairs", "em_iterations", "convergence", "seed", "prior", "min_linked_pairs", "u_given"])
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
                let termFrequency = l.bool("term_frequency", problems: &problems) ?? false
                l.unknownKeys(problems: &problems, known: ["kind", "threshold", "label", "term_frequency"])
                if let kind { levels.append(ComparisonLevel(kind, threshold: threshold, label: label, termFrequency: termFrequency)) }
            }
            let given = c.string("given", required: false, problems: &problems)
            let household = c.bool("household", problems: &problems) ?? false
            c.unknownKeys(problems: &problems, known: ["name", "tag", "field", "levels", "given", "household"])
            if let field { comparisons.append(Comparison(name: name, tag: tag, field: field, levels: levels, given: given, household: household)) }
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
                        problems.append(
                            ConfigurationIssue("survivorship.rules.\(attribute)", "'\(attribute)' is not a golden attribute (known: \(Survivorship.attributes.joined(separator: ", ")))"))
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
            problems += configuration.problems()
        }
        if let attributes {
            let known = attributes.isEmpty ? "no source maps any in cdp.toml" : "known: \(attributes.sorted().joined(separator: ", "))"
            for reference in configuration.attributeReferences where !attributes.contains(reference.name) {
                problems.append(
                    ConfigurationIssue(
                        reference.path,
                        "'attributes.\(reference.name)' is not an attribute any customer source maps (\(known)); map it under [sources.attributes] in cdp.toml"))
            }
        }
        try ConfigurationLoader.refuse(problems, text: tomlText, file: file)
        return configuration
    }

    private static func enumValue<T: RawRepresentable & CaseIterable>(
        _ type: T.Type, _ text: String, _ path: String, _ problems: inout [ConfigurationIssue]
    ) -> T? where T.RawValue == String {
        if let value = T(rawValue: text) { return value }
        let attributes = T.self == MatchField.self || T.self == DerivedKey.self || T.self == MatchingConfiguration.HardIdentifier.self
        let known = T.allCases.map(\.rawValue).joined(separator: ", ") + (attributes ? ", or attributes.<name> for an extra attribute" : "")
        problems.append(ConfigurationIssue(path, "'\(text)' is unknown (known: \(known))"))
        return nil
    }
}
