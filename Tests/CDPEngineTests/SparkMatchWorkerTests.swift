import CDPCore
import Foundation
import Testing

@testable import CDPEngine

/// The matching stages of a Spark run (`cdp spark worker match-keys|stitch|compare|train|score|cluster`), fed the
/// way the driver feeds them — records split over partitions, pairs joined on keys, counts aggregated — give the
/// embedded match's candidate pairs, links, patterns, model, weights and clusters on the sample workspace. No JVM:
/// what Spark does between the stages (joins, counts) is done here by hand, so a stage that depended on seeing the
/// whole set would fail.
@Suite(.serialized) struct SparkMatchWorkerTests {
    /// The sample's current customers as the embedded match numbers them, its configuration and its outcome.
    struct Embedded {
        /// The sample workspace, its lake matched by the embedded engine (golden records written).
        var workspace: Workspace
        var records: MatchRecords
        var configuration: MatchingConfiguration
        var outcome: MatchPipeline.Outcome
        var blocked: Blocker.Result
    }

    static let embedded: Result<Embedded, any Error> = Result {
        let workspace = try SparkTestEnvironment.ingestedSample("spark-match-worker")
        let service = MatchService(workspace: workspace, environment: .fixed(at: 1_765_000_000))
        // The workspace draws 30,000 random pairs, not the shipped 300,000 (see `ingestedSample`).
        let configuration = try service.configuration()
        let records = try service.loadRecords(attributes: configuration.attributeNames)
        let outcome = MatchPipeline(configuration: configuration).run(records)
        _ = try service.runAuthorized(persist: true)
        return Embedded(
            workspace: workspace, records: records, configuration: configuration, outcome: outcome,
            blocked: Blocker(records: records, blocking: configuration.blocking).candidatePairs())
    }

    struct RecordLine: Encodable {
        var record: Int
        var source: String
        var source_key: String
        var values: String
    }

    /// Record `index` as the driver hands it to a worker: its number and its silver values as JSON text.
    static func recordFields(_ records: MatchRecords, _ index: Int) -> RecordLine { recordLines(records)[index] }

    static let cachedLines = LockedBox<[RecordLine]>([])

    /// Every record's line, made once.
    static func recordLines(_ records: MatchRecords) -> [RecordLine] {
        if cachedLines.value.count == records.count { return cachedLines.value }
        let lines = (0..<records.count).map { makeRecordFields(records, $0) }
        cachedLines.value = lines
        return lines
    }

    static func makeRecordFields(_ records: MatchRecords, _ index: Int) -> RecordLine {
        var values: [String: String] = [:]
        let columns: [(String, InternedColumn)] = [
            ("first_name", records.firstName), ("last_name", records.lastName), ("email", records.email), ("phone", records.phone),
            ("birth_date", records.birthDate), ("street", records.street), ("city", records.city), ("postcode", records.postcode),
            ("country", records.country), ("crm_customer_id", records.crmCustomerID), ("updated_at", records.updatedAt),
        ]
        for (name, column) in columns { values[name] = column.value(of: index) }
        let id = records.id(of: index)
        return RecordLine(record: index, source: id.source.rawValue, source_key: id.key, values: json(values))
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    static func recordLine(_ records: MatchRecords, _ index: Int) -> String { json(recordFields(records, index)) }

    /// A line with a record's fields and more fields (`extra`, JSON text without braces) before them.
    static func line(_ records: MatchRecords, _ index: Int, extra: String) -> String {
        "{" + extra + "," + recordLine(records, index).dropFirst()
    }

    static func bytes(_ lines: [String]) -> [UInt8] { Array(lines.joined(separator: "\n").utf8) }

    static func parsed(_ output: String) throws -> [[String: JSONScalar]] {
        try output.split(separator: "\n").map { try JSONLineParser.parseDictionary(String($0)) }
    }

    static func number(_ fields: [String: JSONScalar], _ name: String) throws -> Int {
        guard case .number(let text)? = fields[name], let value = Int(text) else { throw CancellationError() }
        return value
    }

    struct Keys {
        /// Per rule, per record, the key text.
        var keys: [[String?]]
        /// Per record, its hard-identifier groups.
        var groups: [[(identifier: Int, group: String)]]
        /// Per record, per comparison, its term-frequency value.
        var tf: [[String?]]
    }

    /// `match-keys` over the records split into three partitions (every third record), as executors would see them.
    static func matchKeys(_ worker: SparkMatchWorker, _ records: MatchRecords) throws -> Keys {
        let rules = worker.configuration.blocking.rules.count
        var keys = Keys(
            keys: Array(repeating: Array(repeating: nil, count: records.count), count: rules),
            groups: Array(repeating: [], count: records.count), tf: Array(repeating: [], count: records.count))
        for partition in 0..<3 {
            let lines = stride(from: partition, to: records.count, by: 3).map { recordLine(records, $0) }
            for fields in try parsed(try worker.matchKeys(bytes(lines))) {
                let record = try number(fields, "record")
                guard case .nested(let keyText)? = fields["keys"], case .nested(let stitchText)? = fields["stitch"],
                    case .nested(let tfText)? = fields["tf"]
                else { throw CancellationError() }
                let ruleKeys = try JSONDecoder().decode([String?].self, from: Data(keyText.utf8))
                for rule in 0..<rules { keys.keys[rule][record] = ruleKeys[rule] }
                struct Group: Decodable {
                    var identifier: Int
                    var group: String
                }
                keys.groups[record] = try JSONDecoder().decode([Group].self, from: Data(stitchText.utf8)).map { ($0.identifier, $0.group) }
                keys.tf[record] = try JSONDecoder().decode([String?].self, from: Data(tfText.utf8))
            }
        }
        return keys
    }

    /// What the driver's joins make of the keys: per rule, blocks of 2...max records, each pair to the first rule
    /// forming it, and the pairs later rules form too.
    static func pairs(_ keys: Keys, maxBlockSize: Int) -> (first: [UInt64: Int], overlap: [[UInt64]]) {
        var first: [UInt64: Int] = [:]
        var overlap: [[UInt64]] = []
        for (rule, ruleKeys) in keys.keys.enumerated() {
            var blocks: [String: [Int]] = [:]
            for (record, key) in ruleKeys.enumerated() { if let key { blocks[key, default: []].append(record) } }
            var later: [UInt64] = []
            for members in blocks.values where members.count >= 2 && members.count <= maxBlockSize {
                for x in members.indices {
                    for y in (x + 1)..<members.count {
                        let pair = UInt64(members[x]) << 32 | UInt64(members[y])
                        if first[pair] == nil { first[pair] = rule } else if first[pair] != rule { later.append(pair) }
                    }
                }
            }
            overlap.append(later.sorted())
        }
        return (first, overlap)
    }

    @Test func blockingKeysFormTheEmbeddedCandidatePairsOnAnyPartitioning() throws {
        let embedded = try Self.embedded.get()
        let worker = SparkMatchWorker(configuration: embedded.configuration)
        let keys = try Self.matchKeys(worker, embedded.records)
        let (first, overlap) = Self.pairs(keys, maxBlockSize: embedded.configuration.blocking.maxBlockSize)
        var expected: [UInt64: Int] = [:]
        var start = 0
        for (rule, count) in embedded.blocked.pairsPerRule.enumerated() {
            for pair in embedded.blocked.pairs[start..<start + count] { expected[pair] = rule }
            start += count
        }
        #expect(embedded.blocked.pairs.count > 1_000)
        #expect(first.count == expected.count)
        #expect(first == expected)
        // Below the training limit, the overlap pairs are the same too.
        #expect(overlap == embedded.blocked.overlapPairs.map { $0.sorted() })
    }

    /// The links `stitch` gives, group by group, as the driver groups the records.
    static func links(_ worker: SparkMatchWorker, _ records: MatchRecords, _ keys: Keys) throws -> Set<String> {
        var groups: [String: [Int]] = [:]
        for (record, memberships) in keys.groups.enumerated() {
            for membership in memberships { groups["\(membership.identifier)\u{1}\(membership.group)", default: []].append(record) }
        }
        // Two partitions, split between groups, each sorted by identifier, group and record as the driver sorts them.
        let names = groups.keys.sorted().filter { (groups[$0]?.count ?? 0) >= 2 }
        var found = Set<String>()
        for part in [names[..<(names.count / 2)], names[(names.count / 2)...]] {
            var lines: [String] = []
            for name in part {
                let parts = name.split(separator: "\u{1}", omittingEmptySubsequences: false)
                for record in groups[name] ?? [] {
                    lines.append(
                        Self.line(
                            records, record, extra: #""identifier":\#(parts[0]),"group":\#(SparkMatchWorker.quoted(String(parts[1])))"#))
                }
            }
            for fields in try parsed(try worker.stitch(bytes(lines))) {
                found.insert("\(try number(fields, "a"))-\(try number(fields, "b"))-\(fields["identifier"]?.text ?? "")")
            }
        }
        return found
    }

    @Test func stitchingGroupByGroupGivesTheEmbeddedLinks() throws {
        let embedded = try Self.embedded.get()
        let worker = SparkMatchWorker(configuration: embedded.configuration)
        let keys = try Self.matchKeys(worker, embedded.records)
        let found = try Self.links(worker, embedded.records, keys)
        let expected = Set(
            Stitcher(records: embedded.records, settings: embedded.configuration.stitching).links().map {
                "\($0.a)-\($0.b)-\($0.identifier.rawValue)"
            })
        #expect(expected.count > 500)
        #expect(found == expected)
    }

    @Test func patternsWeightsModelAndClustersAreTheEmbeddedOnes() throws {
        let embedded = try Self.embedded.get()
        let records = embedded.records
        let configuration = embedded.configuration
        let worker = SparkMatchWorker(configuration: configuration)
        let pipeline = MatchPipeline(configuration: configuration)
        let global = PairComparator(comparisons: configuration.comparisons, records: records)

        // compare: candidate, overlap and random pairs, in chunks of 500 pairs with the records they name, records
        // after the pairs that name them (any order will do).
        var tagged: [(tag: String, pair: UInt64)] = []
        var start = 0
        for (rule, count) in embedded.blocked.pairsPerRule.enumerated() {
            tagged += embedded.blocked.pairs[start..<start + count].map { ("c:\(rule)", $0) }
            tagged += embedded.blocked.overlapPairs[rule].map { ("o:\(rule)", $0) }
            start += count
        }
        let random = pipeline.randomPairs(count: records.count)
        tagged += random.enumerated().map { ("r:\($0.offset)", $0.element) }
        var patterns: [String: UInt64] = [:]
        var lines: [String] = []
        var needed = Set<Int>()
        func flush() throws {
            lines += needed.sorted().map { Self.recordLine(records, $0) }
            for fields in try Self.parsed(try worker.compare(Self.bytes(lines))) {
                let key = "\(fields["tag"]?.text ?? "")/\(try Self.number(fields, "a"))/\(try Self.number(fields, "b"))"
                patterns[key] = UInt64(try Self.number(fields, "pattern"))
            }
            lines.removeAll()
            needed.removeAll()
        }
        for (index, item) in tagged.enumerated() {
            let a = Int(item.pair >> 32), b = Int(item.pair & 0xFFFF_FFFF)
            lines.append(#"{"tag":"\#(item.tag)","a":\#(a),"b":\#(b)}"#)
            needed.formUnion([a, b])
            if lines.count == 500 || index == tagged.count - 1 { try flush() }
        }
        var mismatched = 0
        for item in tagged {
            let a = Int(item.pair >> 32), b = Int(item.pair & 0xFFFF_FFFF)
            if patterns["\(item.tag)/\(a)/\(b)"] != global.pattern(a, b) { mismatched += 1 }
        }
        #expect(mismatched == 0)

        // train: the counts of patterns, the links and the linked records.
        var histogram: [String: Int] = [:]
        for item in tagged {
            let a = Int(item.pair >> 32), b = Int(item.pair & 0xFFFF_FFFF)
            let pattern = patterns["\(item.tag)/\(a)/\(b)"] ?? 0
            let parts = item.tag.split(separator: ":")
            let kind = ["c": "candidate", "o": "overlap", "r": "random"][String(parts[0])] ?? ""
            let rule = kind == "random" ? "" : #","rule":\#(parts[1])"#
            histogram[#"{"kind":"\#(kind)"\#(rule),"pattern":\#(pattern),"count":"#, default: 0] += 1
        }
        let links = Stitcher(records: records, settings: configuration.stitching).links()
        let linked = Set(links.flatMap { [Int($0.a), Int($0.b)] }).sorted()
        let trainLines =
            histogram.keys.sorted().map { $0 + "\(histogram[$0] ?? 0)}" }
            + links.map { #"{"kind":"link","a":\#($0.a),"b":\#($0.b),"identifier":"\#($0.identifier.rawValue)"}"# }
            + linked.map { Self.line(records, $0, extra: #""kind":"record""#) }
        let trained = try worker.train(Self.bytes(trainLines.shuffled()), recordCount: records.count)
        struct Trained: Decodable { var model: FellegiSunterModel }
        let model = try JSONDecoder().decode(Trained.self, from: Data(trained.utf8)).model
        #expect(model == embedded.outcome.model)

        // score: each candidate pair with the counts of its first record's term-frequency values over all records.
        let keys = try Self.matchKeys(worker, records)
        var counts: [String: Int] = [:]
        for (record, values) in keys.tf.enumerated() {
            for (c, value) in values.enumerated() { if let value { counts["\(c)\u{1}\(value)", default: 0] += 1 } }
            _ = record
        }
        start = 0
        var scoreLines: [String] = []
        for (rule, count) in embedded.blocked.pairsPerRule.enumerated() {
            for pair in embedded.blocked.pairs[start..<start + count] {
                let a = Int(pair >> 32), b = Int(pair & 0xFFFF_FFFF)
                let tf = keys.tf[a].enumerated().map { c, value in value.flatMap { counts["\(c)\u{1}\($0)"] }.map(String.init) ?? "null" }
                scoreLines.append(
                    #"{"a":\#(a),"b":\#(b),"rule":\#(rule),"pattern":\#(global.pattern(a, b)),"tf":[\#(tf.joined(separator: ","))]}"#)
            }
            start += count
        }
        let scored = try Self.parsed(try worker.score(Self.bytes(scoreLines), model: model, recordCount: records.count))
        #expect(scored.count == embedded.blocked.pairs.count)
        var largest = 0.0
        var kept: [(a: Int32, b: Int32, weight: Double)] = []
        for fields in scored {
            let a = try Self.number(fields, "a"), b = try Self.number(fields, "b")
            guard case .number(let text)? = fields["weight"], let weight = Double(text) else { throw CancellationError() }
            largest = max(largest, abs(weight - embedded.outcome.scorer.weight(a, b, pattern: global.pattern(a, b))))
            if weight >= pipeline.reviewWeight { kept.append((Int32(a), Int32(b), weight)) }
        }
        #expect(largest <= 1e-9)

        // cluster: links and pairs at or above the auto-merge weight, with the records they name.
        let strong = kept.filter { $0.weight >= pipeline.autoMergeWeight }
        let named = Set(linked + strong.flatMap { [Int($0.a), Int($0.b)] }).sorted()
        let clusterLines =
            links.map { #"{"kind":"link","a":\#($0.a),"b":\#($0.b),"identifier":"\#($0.identifier.rawValue)"}"# }
            + strong.map { #"{"kind":"pair","a":\#($0.a),"b":\#($0.b),"weight":\#($0.weight)}"# }
            + named.map { Self.line(records, $0, extra: #""kind":"record""#) }
        var clusterOf = (0..<records.count).map { Int32($0) }
        for fields in try Self.parsed(try worker.cluster(Self.bytes(clusterLines))) {
            clusterOf[try Self.number(fields, "record")] = Int32(try Self.number(fields, "cluster"))
        }
        #expect(Set(clusterOf).count < records.count * 9 / 10)
        #expect(clusterOf == embedded.outcome.clusterOf)
    }

    /// `golden` over clusters spread on three partitions (whole clusters, as Spark's shuffle by cluster places them),
    /// with ids as a first Spark run gives them (1, 2, … in order of each cluster's first record), writes the golden
    /// records the embedded match writes into the lake: the same ids, members and attribute text, byte for byte.
    @Test func goldenRecordsAreTheLakesRowForRow() throws {
        let embedded = try Self.embedded.get()
        let records = embedded.records
        let worker = SparkMatchWorker(configuration: embedded.configuration)
        let labels = Array(Set(embedded.outcome.clusterOf)).sorted()
        var golden: [Int32: Int] = [:]
        for (ordinal, label) in labels.enumerated() { golden[label] = ordinal + 1 }
        var sparkGolden: [Int: (attributes: String, members: Int)] = [:]
        for partition in 0..<3 {
            let lines = (0..<records.count).filter { Int(embedded.outcome.clusterOf[$0]) % 3 == partition }.reversed().map { record in
                let label = embedded.outcome.clusterOf[record]
                return Self.line(records, record, extra: #""cluster":\#(label),"golden":\#(golden[label] ?? 0)"#)
            }
            for fields in try Self.parsed(try worker.golden(Self.bytes(lines))) {
                sparkGolden[try Self.number(fields, "golden")] = (fields["attributes"]?.text ?? "", try Self.number(fields, "members"))
            }
        }
        let lake = try SparkTestEnvironment.lakeGolden(embedded.workspace)
        #expect(lake.count == labels.count)
        #expect(sparkGolden.count == lake.count)
        var differing: [String] = []
        for (id, stored) in lake where sparkGolden[id]?.attributes != stored.attributes || sparkGolden[id]?.members != stored.members.count {
            differing.append("golden \(id): lake \(stored.attributes), Spark \(sparkGolden[id]?.attributes ?? "none")")
        }
        #expect(differing.isEmpty, "\(differing.count) golden records differ: \(differing.prefix(2))")
        // Membership: the lake's golden id of each record is the one Spark gives its cluster.
        var wrongMembers = 0
        for record in 0..<records.count where !(lake[golden[embedded.outcome.clusterOf[record]] ?? 0]?.members.contains(records.id(of: record)) ?? false) {
            wrongMembers += 1
        }
        #expect(wrongMembers == 0)
        // Survivorship had work to do: clusters of several records, values taken from more than one of them.
        #expect(lake.values.contains { $0.members.count > 2 })
    }

    /// `golden-ids` grants the previous ids as `GoldenIDAssignment.assign` does over the whole set: votes counted per
    /// cluster and id (Spark's aggregation), the granted ids kept, every other cluster numbered from the next id in
    /// order of its first record. Previous ids here put every three consecutive records in one old golden record, so
    /// clusters split, merge and compete for ids.
    @Test func goldenIDsAreKeptAsTheEmbeddedAssignmentKeepsThem() throws {
        let embedded = try Self.embedded.get()
        let worker = SparkMatchWorker(configuration: embedded.configuration)
        let clusterOf = embedded.outcome.clusterOf
        // Every seventh record had no golden record before.
        let previous: [Int64] = (0..<clusterOf.count).map { (record: Int) -> Int64 in record % 7 == 6 ? 0 : Int64(record / 3 + 1) }
        let nextID = Int64(clusterOf.count / 3 + 2)
        let set = GoldenRecordSet(
            clusterOf: clusterOf, survivorship: Survivorship(policy: embedded.configuration.survivorship, records: embedded.records), threads: 1)
        let expected = GoldenIDAssignment.assign(memberStart: set.memberStart, members: set.members, previous: previous, nextID: nextID)

        var votes: [String: Int] = [:]
        for (record, id) in previous.enumerated() where id != 0 { votes[#"{"cluster":\#(clusterOf[record]),"golden":\#(id),"votes":"#, default: 0] += 1 }
        var kept: [Int32: Int64] = [:]
        for fields in try Self.parsed(try worker.goldenIDs(Self.bytes(votes.keys.shuffled().map { $0 + "\(votes[$0] ?? 0)}" }))) {
            kept[Int32(try Self.number(fields, "cluster"))] = Int64(try Self.number(fields, "golden"))
        }
        var next = nextID
        var actual: [Int64] = []
        for cluster in 0..<set.count {
            let label = set.members(of: cluster).first ?? 0
            if let id = kept[label] {
                actual.append(id)
            } else {
                actual.append(next)
                next += 1
            }
        }
        #expect(actual == expected)
        #expect(kept.count > set.count / 4 && kept.count < set.count)
    }

    /// Steward decisions reach `train` and `cluster` as the embedded match takes them: with a merged pair rejected and
    /// two records kept apart approved, the model and the clusters are those of the embedded match given the same
    /// decisions; the rejected pair ends apart, the approved one together.
    @Test func stewardDecisionsHoldInTrainingAndClustering() throws {
        let embedded = try Self.embedded.get()
        let records = embedded.records
        let configuration = embedded.configuration
        let worker = SparkMatchWorker(configuration: configuration)
        let pipeline = MatchPipeline(configuration: configuration)
        let before = embedded.outcome.clusterOf
        // A record merged into another's cluster (rejected), and the first record with one of another cluster (approved).
        let merged = try #require((0..<records.count).first { before[$0] != Int32($0) })
        let rejected = (before[merged], Int32(merged))
        let other = try #require((1..<records.count).first { before[$0] != before[0] && before[$0] == Int32($0) })
        let approved = (Int32(0), Int32(other))
        let decisions = MatchPipeline.Decisions(mustLink: [approved], cannotLink: [rejected])
        let expected = pipeline.run(records, decisions: decisions)
        #expect(expected.clusterOf[Int(rejected.0)] != expected.clusterOf[Int(rejected.1)])
        #expect(expected.clusterOf[0] == expected.clusterOf[other])

        let global = PairComparator(comparisons: configuration.comparisons, records: records)
        let decisionLines = [
            #"{"kind":"decision","n":0,"a":\#(approved.0),"b":\#(approved.1),"decision":"match"}"#,
            #"{"kind":"decision","n":1,"a":\#(rejected.0),"b":\#(rejected.1),"decision":"no_match"}"#,
        ]
        let decided = [Int(approved.0), Int(approved.1), Int(rejected.0), Int(rejected.1)]
        var histogram: [String: Int] = [:]
        var start = 0
        for (rule, count) in embedded.blocked.pairsPerRule.enumerated() {
            for pair in embedded.blocked.pairs[start..<start + count] {
                histogram[#"{"kind":"candidate","rule":\#(rule),"pattern":\#(global.pattern(Int(pair >> 32), Int(pair & 0xFFFF_FFFF))),"count":"#, default: 0] += 1
            }
            for pair in embedded.blocked.overlapPairs[rule] {
                histogram[#"{"kind":"overlap","rule":\#(rule),"pattern":\#(global.pattern(Int(pair >> 32), Int(pair & 0xFFFF_FFFF))),"count":"#, default: 0] += 1
            }
            start += count
        }
        for pair in pipeline.randomPairs(count: records.count) {
            histogram[#"{"kind":"random","pattern":\#(global.pattern(Int(pair >> 32), Int(pair & 0xFFFF_FFFF))),"count":"#, default: 0] += 1
        }
        let links = Stitcher(records: records, settings: configuration.stitching).links()
        let linkLines = links.map { #"{"kind":"link","a":\#($0.a),"b":\#($0.b),"identifier":"\#($0.identifier.rawValue)"}"# }
        let trainRecords = Set(links.flatMap { [Int($0.a), Int($0.b)] } + decided).sorted()
        let trainLines = histogram.keys.map { $0 + "\(histogram[$0] ?? 0)}" } + linkLines + decisionLines
            + trainRecords.map { Self.line(records, $0, extra: #""kind":"record""#) }
        let trained = try worker.train(Self.bytes(trainLines.shuffled()), recordCount: records.count)
        struct Trained: Decodable { var model: FellegiSunterModel }
        #expect(try JSONDecoder().decode(Trained.self, from: Data(trained.utf8)).model == expected.model)

        var strong: [(a: Int, b: Int, weight: Double)] = []
        for pair in embedded.blocked.pairs {
            let a = Int(pair >> 32), b = Int(pair & 0xFFFF_FFFF)
            let weight = expected.scorer.weight(a, b, pattern: global.pattern(a, b))
            if weight >= pipeline.autoMergeWeight { strong.append((a, b, weight)) }
        }
        let clusterRecords = Set(links.flatMap { [Int($0.a), Int($0.b)] } + strong.flatMap { [$0.a, $0.b] } + decided).sorted()
        let clusterLines = linkLines + decisionLines + strong.map { #"{"kind":"pair","a":\#($0.a),"b":\#($0.b),"weight":\#($0.weight)}"# }
            + clusterRecords.map { Self.line(records, $0, extra: #""kind":"record""#) }
        var clusterOf = (0..<records.count).map { Int32($0) }
        for fields in try Self.parsed(try worker.cluster(Self.bytes(clusterLines.shuffled()))) {
            clusterOf[try Self.number(fields, "record")] = Int32(try Self.number(fields, "cluster"))
        }
        #expect(clusterOf == expected.clusterOf)
        #expect(clusterOf != before)
    }

    /// A steward's override wins survivorship in `golden`, marked as the lake marks it.
    @Test func anOverrideWinsSurvivorshipInTheGoldenStage() throws {
        let embedded = try Self.embedded.get()
        let worker = SparkMatchWorker(configuration: embedded.configuration)
        let records = embedded.records
        let label = embedded.outcome.clusterOf[0]
        let members = (0..<records.count).filter { embedded.outcome.clusterOf[$0] == label }
        let lines = members.map { Self.line(embedded.records, $0, extra: #""cluster":\#(label),"golden":7"#) }
            + [#"{"override":7,"attribute":"email","value":"steward@example.com"}"#, #"{"override":8,"attribute":"city","value":"Elsewhere"}"#]
        let written = try Self.parsed(try worker.golden(Self.bytes(lines)))
        #expect(written.count == 1)
        let attributes = written.first?["attributes"]?.text ?? ""
        #expect(attributes.contains(#"{"name":"email","rule":"override","value":"steward@example.com"}"#), "\(attributes)")
        #expect(!attributes.contains("Elsewhere"))
        #expect(attributes.contains(#""name":"last_name""#))
    }

    @Test func malformedInputNamesTheLineAndWhatIsWrong() throws {
        let worker = SparkMatchWorker(
            configuration: try MatchingConfigurationLoader.load(
                tomlText: String(
                    contentsOf: WorkspaceInitializer.templateFolder!.appendingPathComponent(MatchingConfigurationLoader.path),
                    encoding: .utf8),
                file: "matching.toml"))
        let record = #"{"record":0,"source":"crm","source_key":"C1","values":"{}"}"#
        #expect(throws: EngineError.self) { try worker.matchKeys(Array((record + "\n{\"record\":\"x\"}").utf8)) }
        do {
            _ = try worker.matchKeys(Array((record + "\n{\"record\":1}").utf8))
            Issue.record("a record without its fields was taken")
        } catch {
            #expect(error.message.contains("line 2"))
            #expect(error.message.contains("source"))
        }
        do {
            _ = try worker.train(Array(#"{"kind":"link","a":0,"b":1,"identifier":"email"}"#.utf8), recordCount: 2)
            Issue.record("a link without its records was taken")
        } catch {
            #expect(error.message.contains("record line"))
        }
        do {
            _ = try worker.score(
                Array(#"{"a":0,"b":1,"rule":0,"pattern":18,"tf":[null]}"#.utf8),
                model: FellegiSunterModel(
                    m: worker.configuration.comparisons.map { [Double](repeating: 0.5, count: $0.levels.count) },
                    u: worker.configuration.comparisons.map { [Double](repeating: 0.1, count: $0.levels.count) }, prior: 0.1),
                recordCount: 2)
            Issue.record("a pair on a term-frequency level without its count was scored")
        } catch {
            #expect(error.message.contains("term-frequency"))
        }
    }
}
