import CDPCore
import Foundation

/// The matching stages of a Spark run, in the engine's own code: Spark numbers the current silver customers in the
/// canonical order (source, then key, byte order: what `MatchColumns.canonicallyOrdered` gives the embedded match),
/// joins, groups and aggregates; every judgement is made here, by `MatchPipeline`'s stages.
///
/// Every stage reads JSON lines and writes JSON lines. A record is `{"record":N,"source":…,"source_key":…,
/// "values":"{…}"}` (N its number in the canonical order, `values` the silver row's values as the ingest wrote them).
/// - `match-keys`: records in; per record `{"record":N,"keys":[…],"stitch":[{"identifier":i,"group":"value"},…],"tf":[…]}`: each blocking
///   rule's key text (null when a part is missing), the groups of hard identifier `i` the record belongs to, and per
///   comparison the value its term frequency counts (null when none).
/// - `stitch`: records with `"identifier":i,"group":"value"`, sorted by identifier, group and record; out the
///   hard-identifier links `{"a":N,"b":M,"identifier":"email"}` of each group.
/// - `compare`: pairs `{"tag":…,"a":N,"b":M}` and a record line for every record they name (in any order: a record
///   is sent once per partition, not once per pair); out `{"tag":…,"a":N,"b":M,"pattern":P}` (P: the levels, four
///   bits per comparison).
/// - `train` (on the driver): pattern histograms, links and the linked records in; the model out.
/// - `score`: `{"a":N,"b":M,"rule":R,"pattern":P,"tf":[count|null,…]}` in (count: how many of all records hold the
///   first record's term-frequency value); the same with `"weight"` and `"probability"` out.
/// - `cluster` (on the driver): strong edges and their records in; `{"record":N,"cluster":L}` out.
public struct SparkMatchWorker: Sendable {
    public let configuration: MatchingConfiguration
    var pipeline: MatchPipeline { MatchPipeline(configuration: configuration, threads: 1) }

    public init(configuration: MatchingConfiguration) {
        self.configuration = configuration
    }

    /// The worker for the workspace at `root`: its `governance/matching.toml` (or the shipped default) and the extra
    /// attributes its cdp.toml maps; no lake is opened.
    /// - Throws: `EngineError.invalidConfiguration` listing the problems of either file.
    public init(workspaceAt root: URL) throws(EngineError) {
        let workspace = try Workspace.loadConfiguration(root: root)
        var file = root.appendingPathComponent(MatchingConfigurationLoader.path)
        if !FileManager.default.fileExists(atPath: file.path), let template = WorkspaceInitializer.templateFolder {
            file = template.appendingPathComponent(MatchingConfigurationLoader.path)
        }
        let text = try Workspace.readText(file, label: MatchingConfigurationLoader.path)
        configuration = try MatchingConfigurationLoader.load(
            tomlText: text, file: file.path, attributes: SourceConfiguration.customerAttributes(workspace))
    }

    // MARK: - Records

    /// A record of the input: its number in the canonical order and its values.
    struct NumberedRecord {
        var number: Int32
        var input: MatchInput
    }

    /// Reads a record from a line's fields, `prefix` naming them (`a_` and `b_` in a pair line).
    static func record(_ fields: [String: JSONScalar], number: Int32, prefix: String = "", attributes: [String], line: Int)
        throws(EngineError) -> NumberedRecord
    {
        guard let source = fields[prefix + "source"]?.text, let key = fields[prefix + "source_key"]?.text,
            let valuesText = fields[prefix + "values"]?.text
        else {
            throw problem(line, "a record needs \"\(prefix)source\", \"\(prefix)source_key\" and \"\(prefix)values\"")
        }
        let values: [String: JSONScalar]
        do throws(JSONLineError) { values = try JSONLineParser.parseDictionary(valuesText) } catch {
            throw problem(line, "\"\(prefix)values\" of \(source):\(key) is not a JSON object: \(error.message)")
        }
        func text(_ name: String) -> String? { values[name]?.text.flatMap { $0.isEmpty ? nil : $0 } }
        var input = MatchInput(
            source: SourceName(source), sourceKey: key, firstName: text("first_name"), lastName: text("last_name"), email: text("email"),
            phone: text("phone"), birthDate: text("birth_date"), street: text("street"), city: text("city"), postcode: text("postcode"),
            country: text("country"), crmCustomerID: text("crm_customer_id"),
            // As the store reads it for matching: updated_at, else created_at.
            updatedAt: text("updated_at") ?? text("created_at"))
        if !attributes.isEmpty, let object = text("attributes") {
            guard let parsed = try? JSONLineParser.parseDictionary(object) else {
                throw problem(line, "the attributes of \(source):\(key) are not a JSON object")
            }
            for name in attributes { if let value = parsed[name]?.text, !value.isEmpty { input.attributes[name] = value } }
        }
        return NumberedRecord(number: number, input: input)
    }

    /// The records as `MatchRecords` in their canonical order, and each one's number there.
    func records(_ numbered: [NumberedRecord]) -> (records: MatchRecords, numbers: [Int32]) {
        let sorted = numbered.sorted { $0.number < $1.number }
        var builder = MatchRecords.Builder(attributeNames: configuration.attributeNames)
        for record in sorted { builder.append(record.input) }
        return (MatchRecords(builder), sorted.map(\.number))
    }

    static func lines(_ input: [UInt8]) -> [(number: Int, text: String)] {
        input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).enumerated().map {
            ($0.offset + 1, String(decoding: $0.element, as: UTF8.self))
        }
    }

    static func fields(_ line: (number: Int, text: String)) throws(EngineError) -> [String: JSONScalar] {
        do throws(JSONLineError) { return try JSONLineParser.parseDictionary(line.text) } catch {
            throw problem(line.number, "not a JSON object: \(error.message)")
        }
    }

    static func integer(_ fields: [String: JSONScalar], _ name: String, line: Int) throws(EngineError) -> Int64 {
        guard case .number(let text)? = fields[name], let value = Int64(text) else {
            throw problem(line, "\"\(name)\" must be a whole number")
        }
        return value
    }

    static func problem(_ line: Int, _ message: String) -> EngineError {
        EngineError(.input, "spark match worker input, line \(line): \(message)")
    }

    static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        var copy = text
        copy.withUTF8 { JSONString.appendQuoted($0, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - match-keys

    /// Blocking keys, hard-identifier groups and term-frequency values of each record (see the type's text).
    public func matchKeys(_ input: [UInt8]) throws(EngineError) -> String {
        var numbered: [NumberedRecord] = []
        for line in Self.lines(input) {
            let fields = try Self.fields(line)
            numbered.append(
                try Self.record(
                    fields, number: Int32(try Self.integer(fields, "record", line: line.number)), attributes: configuration.attributeNames,
                    line: line.number))
        }
        let (records, numbers) = self.records(numbered)
        let blocker = Blocker(records: records, blocking: configuration.blocking)
        let keys = configuration.blocking.rules.map { blocker.blockingKeyTexts($0) }
        let comparator = PairComparator(comparisons: configuration.comparisons, records: records)
        let termFrequency = configuration.comparisons.map { comparison in
            comparison.levels.contains { $0.kind == .exact && $0.termFrequency } ? comparator.column(comparison.field) : nil
        }
        let crmSource = records.sources.firstIndex(of: configuration.stitching.crmSource)
        var output = ""
        for record in 0..<records.count {
            var groups: [(Int, String)] = []
            for (index, identifier) in configuration.stitching.identifiers.enumerated() {
                switch identifier {
                case .email: if let value = records.email.value(of: record) { groups.append((index, value)) }
                case .phone: if let value = records.phone.value(of: record) { groups.append((index, value)) }
                case .attribute(let name): if let value = records.attributeKey(name).value(of: record) { groups.append((index, value)) }
                case .crmID:
                    // A CRM record with the customers that name it: its own key, and the key it names itself.
                    if let crmSource, Int(records.sourceIndex[record]) == crmSource { groups.append((index, records.keys[record])) }
                    if let value = records.crmCustomerID.value(of: record), !groups.contains(where: { $0 == (index, value) }) {
                        groups.append((index, value))
                    }
                }
            }
            output += "{\"record\":\(numbers[record]),\"keys\":["
            output += keys.map { $0[record].map(Self.quoted) ?? "null" }.joined(separator: ",")
            output += "],\"stitch\":["
            output += groups.map { "{\"identifier\":\($0.0),\"group\":\(Self.quoted($0.1))}" }.joined(separator: ",")
            output += "],\"tf\":["
            output += termFrequency.map { column in column.flatMap { $0.value(of: record) }.map(Self.quoted) ?? "null" }.joined(
                separator: ",")
            output += "]}\n"
        }
        return output
    }

    // MARK: - stitch

    /// The hard-identifier links of each group of records sharing a value (see the type's text): the engine's
    /// `Stitcher` over the group alone, which links the same records as over the whole set, since a group holds every
    /// record with its value.
    public func stitch(_ input: [UInt8]) throws(EngineError) -> String {
        var output = ""
        var group: [NumberedRecord] = []
        var current: (identifier: Int, value: String)?
        func flush() {
            guard let current, group.count >= 2 else { return }
            let identifier = configuration.stitching.identifiers[current.identifier]
            var settings = configuration.stitching
            settings.identifiers = [identifier]
            let (records, numbers) = self.records(group)
            var local = records.sources.firstIndex(of: settings.crmSource).flatMap { crm in
                (0..<records.count).first { Int(records.sourceIndex[$0]) == crm && records.keys[$0] == current.value }
            }
            if identifier != .crmID { local = nil }
            for link in Stitcher(records: records, settings: settings).links() {
                // A CRM group's links are those to the CRM record it is named after; the others' belong to other groups.
                if identifier == .crmID, link.a != local.map(Int32.init), link.b != local.map(Int32.init) { continue }
                output +=
                    "{\"a\":\(numbers[Int(link.a)]),\"b\":\(numbers[Int(link.b)]),\"identifier\":\(Self.quoted(identifier.rawValue))}\n"
            }
        }
        for line in Self.lines(input) {
            let fields = try Self.fields(line)
            let identifier = Int(try Self.integer(fields, "identifier", line: line.number))
            guard configuration.stitching.identifiers.indices.contains(identifier), let value = fields["group"]?.text else {
                throw Self.problem(line.number, "\"identifier\" must number one of the configured identifiers and \"group\" name its value")
            }
            if current.map({ $0.identifier != identifier || $0.value != value }) ?? true {
                flush()
                group.removeAll(keepingCapacity: true)
                current = (identifier, value)
            }
            group.append(
                try Self.record(
                    fields, number: Int32(try Self.integer(fields, "record", line: line.number)), attributes: configuration.attributeNames,
                    line: line.number))
        }
        flush()
        return output
    }

    // MARK: - compare

    /// The comparison pattern of each pair (see the type's text), by the engine's `PairComparator` over the pairs' records.
    public func compare(_ input: [UInt8]) throws(EngineError) -> String {
        var numbered: [Int32: NumberedRecord] = [:]
        var pairs: [(tag: String, a: Int32, b: Int32, line: Int)] = []
        for line in Self.lines(input) {
            let fields = try Self.fields(line)
            if fields["values"] != nil {
                let number = Int32(try Self.integer(fields, "record", line: line.number))
                numbered[number] = try Self.record(fields, number: number, attributes: configuration.attributeNames, line: line.number)
            } else {
                let a = Int32(try Self.integer(fields, "a", line: line.number))
                let b = Int32(try Self.integer(fields, "b", line: line.number))
                pairs.append((fields["tag"]?.text ?? "", a, b, line.number))
            }
        }
        let (records, numbers) = self.records(Array(numbered.values))
        var local: [Int32: Int] = [:]
        for (index, number) in numbers.enumerated() { local[number] = index }
        let comparator = PairComparator(comparisons: configuration.comparisons, records: records)
        var output = ""
        for pair in pairs {
            guard let a = local[pair.a], let b = local[pair.b] else {
                throw Self.problem(pair.line, "the pair \(pair.a)–\(pair.b) names a record not given; send a record line for each")
            }
            output += "{\"tag\":\(Self.quoted(pair.tag)),\"a\":\(pair.a),\"b\":\(pair.b),\"pattern\":\(comparator.pattern(a, b))}\n"
        }
        return output
    }

    // MARK: - train and cluster (on the driver)

    /// What the driver gathers for `train` and `cluster`, read from JSON lines by `kind`: pattern counts
    /// (`candidate`, `overlap`, `random`), `link`s, scored `pair`s and the `record`s these name.
    struct DriverInput {
        var candidate: [[UInt64]]
        var overlap: [[UInt64]]
        var random: [UInt64] = []
        var links: [(a: Int32, b: Int32, identifier: MatchingConfiguration.HardIdentifier)] = []
        var scored: [(a: Int32, b: Int32, weight: Double)] = []
        /// Steward decisions by their order in the lake (`n`), which clustering's ties follow.
        var decided: [(order: Int64, a: Int32, b: Int32, decision: PairDecisionKind)] = []
        /// The named records as `MatchRecords`, in their canonical order, and each one's number there.
        var records = MatchRecords([])
        var numbers: [Int32] = []
        private var local: [Int32: Int32] = [:]

        init(rules: Int) {
            candidate = Array(repeating: [], count: rules)
            overlap = Array(repeating: [], count: rules)
        }

        /// The position in `records` of record `number`.
        /// - Throws: `EngineError.input` when no record line gave it.
        func position(_ number: Int32) throws(EngineError) -> Int32 {
            guard let index = local[number] else {
                throw EngineError(.input, "spark match worker: record \(number) is named but not given; send a record line for each")
            }
            return index
        }

        /// The links between positions in `records`.
        func localLinks() throws(EngineError) -> [Stitcher.Link] {
            var result: [Stitcher.Link] = []
            for link in links { result.append(Stitcher.Link(try position(link.a), try position(link.b), identifier: link.identifier)) }
            return result
        }

        /// The steward decisions between positions in `records`, in the lake's order.
        func localDecisions() throws(EngineError) -> MatchPipeline.Decisions {
            var decisions = MatchPipeline.Decisions()
            for decision in decided.sorted(by: { $0.order < $1.order }) {
                let pair = (try position(decision.a), try position(decision.b))
                if decision.decision == .match { decisions.mustLink.append(pair) } else { decisions.cannotLink.append(pair) }
            }
            return decisions
        }

        mutating func place(_ numbered: [NumberedRecord], _ worker: SparkMatchWorker) {
            (records, numbers) = worker.records(numbered)
            for (index, number) in numbers.enumerated() { local[number] = Int32(index) }
        }
    }

    /// Reads the driver's input, taking only lines of the `kinds` given.
    func driverInput(_ input: [UInt8], kinds: [String]) throws(EngineError) -> DriverInput {
        let rules = configuration.blocking.rules.count
        var result = DriverInput(rules: rules)
        var named: [NumberedRecord] = []
        for line in Self.lines(input) {
            let fields = try Self.fields(line)
            let kind = fields["kind"]?.text ?? ""
            guard kinds.contains(kind) else {
                throw Self.problem(line.number, "\"kind\" must be one of \(kinds.joined(separator: ", "))")
            }
            func pair() throws(EngineError) -> (Int32, Int32) {
                (Int32(try Self.integer(fields, "a", line: line.number)), Int32(try Self.integer(fields, "b", line: line.number)))
            }
            switch kind {
            case "candidate", "overlap", "random":
                let pattern = UInt64(bitPattern: try Self.integer(fields, "pattern", line: line.number))
                let repeated = [UInt64](repeating: pattern, count: max(0, Int(try Self.integer(fields, "count", line: line.number))))
                if kind == "random" {
                    result.random += repeated
                    continue
                }
                let rule = Int(try Self.integer(fields, "rule", line: line.number))
                guard (0..<rules).contains(rule) else {
                    throw Self.problem(line.number, "\"rule\" \(rule) is not a blocking rule's number")
                }
                if kind == "candidate" { result.candidate[rule] += repeated } else { result.overlap[rule] += repeated }
            case "link":
                guard let name = fields["identifier"]?.text, let identifier = MatchingConfiguration.HardIdentifier(rawValue: name) else {
                    throw Self.problem(line.number, "a link needs \"identifier\", one of the configured hard identifiers")
                }
                let (a, b) = try pair()
                result.links.append((a, b, identifier))
            case "decision":
                guard let name = fields["decision"]?.text, let decision = PairDecisionKind(rawValue: name) else {
                    throw Self.problem(line.number, "a decision needs \"decision\", \"match\" or \"no_match\"")
                }
                let (a, b) = try pair()
                result.decided.append((try Self.integer(fields, "n", line: line.number), a, b, decision))
            case "pair":
                guard case .number(let text)? = fields["weight"], let weight = Double(text) else {
                    throw Self.problem(line.number, "a pair needs \"weight\" as a number")
                }
                let (a, b) = try pair()
                result.scored.append((a, b, weight))
            default:
                named.append(
                    try Self.record(
                        fields, number: Int32(try Self.integer(fields, "record", line: line.number)),
                        attributes: configuration.attributeNames, line: line.number))
            }
        }
        result.place(named, self)
        return result
    }

    /// The model, from what Spark gathered (JSON lines): `{"kind":"candidate"|"overlap","rule":R,"pattern":P,"count":N}`,
    /// `{"kind":"random","pattern":P,"count":N}`, `{"kind":"link","a":N,"b":M,"identifier":"email"}`, the steward's
    /// `{"kind":"decision","n":I,"a":N,"b":M,"decision":"match"|"no_match"}` (decided pairs train EM as labelled
    /// pairs, as in the embedded match) and a `{"kind":"record",…}` for every linked or decided record. Returns `{"model":…,"training":[…]}`.
    public func train(_ input: [UInt8], recordCount: Int) throws(EngineError) -> String {
        let gathered = try driverInput(input, kinds: ["candidate", "overlap", "random", "link", "decision", "record"])
        let (model, training) = pipeline.estimateParameters(
            candidatePatterns: gathered.candidate.flatMap { $0 }, pairsPerRule: gathered.candidate.map(\.count),
            overlapPatterns: gathered.overlap, randomPatterns: gathered.random, links: try gathered.localLinks(),
            decisions: try gathered.localDecisions(), comparator: PairComparator(comparisons: configuration.comparisons, records: gathered.records), recordCount: recordCount)
        struct Trained: Encodable {
            var model: FellegiSunterModel
            var training: [MatchPipeline.Statistics.TrainingSession]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(Trained(model: model, training: training)) else {
            throw EngineError(.input, "spark match worker: the model does not encode as JSON (a weight is not a number)")
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The model `train` wrote.
    /// - Throws: `EngineError.input` when the file does not hold one.
    public static func model(file: URL) throws(EngineError) -> FellegiSunterModel {
        struct Trained: Decodable { var model: FellegiSunterModel }
        guard let data = FileManager.default.contents(atPath: file.path), let trained = try? JSONDecoder().decode(Trained.self, from: data)
        else {
            throw EngineError(.input, "cannot read a model from \(file.path); it is what `cdp spark worker train` writes")
        }
        return trained.model
    }

    // MARK: - score

    /// Each pair's weight under `model` (see the type's text), by the engine's `PairScorer`.
    public func score(_ input: [UInt8], model: FellegiSunterModel, recordCount: Int) throws(EngineError) -> String {
        let scorer = PairScorer(comparator: PairComparator(comparisons: configuration.comparisons, records: MatchRecords([])), model: model)
        let total = Double(max(1, recordCount))
        var output = ""
        for line in Self.lines(input) {
            let fields = try Self.fields(line)
            let pattern = UInt64(bitPattern: try Self.integer(fields, "pattern", line: line.number))
            var counts: [Double?] = []
            if case .nested(let text)? = fields["tf"] {
                counts = text.dropFirst().dropLast().split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            }
            var missing: Int?
            let weight = scorer.weight(pattern: pattern) { c in
                guard c < counts.count, let count = counts[c] else {
                    missing = c
                    return 0
                }
                return count / total
            }
            if let missing {
                throw Self.problem(
                    line.number, "the pair is on comparison \(missing)'s term-frequency level but \"tf\" has no count for it")
            }
            output += "{\"a\":\(try Self.integer(fields, "a", line: line.number)),\"b\":\(try Self.integer(fields, "b", line: line.number))"
            output += ",\"rule\":\(try Self.integer(fields, "rule", line: line.number)),\"pattern\":\(pattern),\"weight\":\(weight)"
            output += ",\"probability\":\(FellegiSunterModel.probability(weight: weight))}\n"
        }
        return output
    }

    /// Clusters (see the type's text): `{"kind":"link",…}`, `{"kind":"pair","a":N,"b":M,"weight":W}` (scored
    /// pairs at or above the review threshold), the steward's `{"kind":"decision",…}` (an approved pair always joins,
    /// a rejected one never does) and a `{"kind":"record",…}` for every record they name. Prints each
    /// such record's cluster, labelled by its smallest record number; a record named by no edge is a cluster alone.
    public func cluster(_ input: [UInt8]) throws(EngineError) -> String {
        let gathered = try driverInput(input, kinds: ["link", "pair", "decision", "record"])
        var scored: [(a: Int32, b: Int32, weight: Double)] = []
        for pair in gathered.scored { scored.append((try gathered.position(pair.a), try gathered.position(pair.b), pair.weight)) }
        let pipeline = self.pipeline
        let decisions = try gathered.localDecisions()
        let edges = pipeline.strongEdges(links: try gathered.localLinks(), decisions: decisions, scored: scored)
        let clusterOf = pipeline.clusterer(PairComparator(comparisons: configuration.comparisons, records: gathered.records))
            .cluster(count: gathered.records.count, edges: edges, cannotLink: decisions.cannotLink)
        var output = ""
        for (index, label) in clusterOf.enumerated() {
            output += "{\"record\":\(gathered.numbers[index]),\"cluster\":\(gathered.numbers[Int(label)])}\n"
        }
        return output
    }
}
