/// One attribute of a golden record and where it came from.
public struct GoldenAttribute: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    /// The source record that gave the value (nil for a steward override).
    public var source: SourceRecordID?
    /// The survivorship rule that chose it, or `override`.
    public var rule: String
    public init(name: String, value: String, source: SourceRecordID?, rule: String) {
        self.name = name
        self.value = value
        self.source = source
        self.rule = rule
    }
}

/// Chooses each golden attribute from a cluster's records by the policy's rule, with provenance.
/// A class: its sort closures capture it by reference instead of copying every column.
public final class Survivorship: Sendable {
    public static let attributes = ["first_name", "last_name", "email", "phone", "birth_date", "street", "city", "postcode", "country"]

    public let policy: SurvivorshipPolicy
    public let records: MatchRecords
    private let trust: [Int]
    /// Per attribute (in `attributes` order), its column and rule, looked up once.
    private let columns: [InternedColumn]
    private let rules: [SurvivorshipRule]

    public init(policy: SurvivorshipPolicy, records: MatchRecords) {
        self.policy = policy
        self.records = records
        // Sources not listed are trusted least, in name order.
        trust = records.sources.map { source in
            policy.sourceOrder.firstIndex(of: source) ?? (policy.sourceOrder.count + 1)
        }
        columns = Self.attributes.map { Self.column($0, records) }
        rules = Self.attributes.map { policy.rule(for: $0) }
    }

    static func column(_ attribute: String, _ records: MatchRecords) -> InternedColumn {
        switch attribute {
        case "first_name": return records.firstName
        case "last_name": return records.lastName
        case "email": return records.email
        case "phone": return records.phone
        case "birth_date": return records.birthDate
        case "street": return records.street
        case "city": return records.city
        case "postcode": return records.postcode
        default: return records.country
        }
    }

    /// Golden attributes of the cluster `members` (record indexes); `overrides` (attribute → value) win.
    public func goldenAttributes(_ members: [Int], overrides: [String: String] = [:]) -> [GoldenAttribute] {
        if members.count == 1 && overrides.isEmpty {
            // Most golden records have one source record: every value comes from it.
            let record = members[0]
            let source = records.id(of: record)
            var result: [GoldenAttribute] = []
            for (index, attribute) in Self.attributes.enumerated() {
                let id = columns[index].ids[record]
                guard id != InternedColumn.missing else { continue }
                result.append(GoldenAttribute(name: attribute, value: columns[index].values[Int(id)], source: source, rule: rules[index].rawValue))
            }
            return result
        }
        // Candidates ordered by trust, then most recent, then record order: every rule's tie-break.
        let ordered = members.sorted { a, b in
            let ta = trust[Int(records.sourceIndex[a])], tb = trust[Int(records.sourceIndex[b])]
            if ta != tb { return ta < tb }
            let ua = records.updatedAt.value(of: a) ?? "", ub = records.updatedAt.value(of: b) ?? ""
            if ua != ub { return ua > ub }
            return a < b
        }
        var result: [GoldenAttribute] = []
        for (attributeIndex, attribute) in Self.attributes.enumerated() {
            if let value = overrides[attribute] {
                result.append(GoldenAttribute(name: attribute, value: value, source: nil, rule: "override"))
                continue
            }
            let column = columns[attributeIndex]
            let holders = ordered.filter { column.ids[$0] != InternedColumn.missing }
            guard !holders.isEmpty else { continue }
            let rule = rules[attributeIndex]
            let chosen: Int
            switch rule {
            case .sourceOrder:
                chosen = holders[0]
            case .mostRecent:
                chosen = holders.max { a, b in
                    let ua = records.updatedAt.value(of: a) ?? "", ub = records.updatedAt.value(of: b) ?? ""
                    return ua != ub ? ua < ub : a > b
                } ?? holders[0]
            case .mostFrequent:
                var counts: [Int32: Int] = [:]
                for record in holders { counts[column.ids[record], default: 0] += 1 }
                let best = counts.values.max() ?? 0
                chosen = holders.first { counts[column.ids[$0]] == best } ?? holders[0]
            case .mostComplete:
                let longest = holders.map { column.value(of: $0)?.count ?? 0 }.max() ?? 0
                chosen = holders.first { (column.value(of: $0)?.count ?? 0) == longest } ?? holders[0]
            }
            result.append(GoldenAttribute(name: attribute, value: column.value(of: chosen) ?? "", source: records.id(of: chosen), rule: rule.rawValue))
        }
        return result
    }
}

/// Keeps golden ids stable across runs.
///
/// Each new cluster votes for the previous golden ids of its records. Claims are granted in order of most
/// votes, then smaller golden id, then the cluster's first record: a cluster that grew keeps its id; when
/// an old golden record splits, the part holding most of its records keeps the id; when two merge, the one
/// with more records (then the older id) survives. Clusters left without an id get new ones in order of
/// their first record.
public enum GoldenIDAssignment {
    /// - Parameters:
    ///   - clusters: each cluster's member record indexes, clusters ordered by their first record.
    ///   - previous: per record, its previous golden id, or nil.
    ///   - nextID: the first id never used.
    /// - Returns: per cluster, its golden id.
    public static func assign(clusters: [[Int]], previous: (Int) -> Int64?, nextID: Int64) -> [Int64] {
        var claims: [(cluster: Int, golden: Int64, votes: Int)] = []
        for (index, members) in clusters.enumerated() {
            var votes: [Int64: Int] = [:]
            for record in members { if let id = previous(record) { votes[id, default: 0] += 1 } }
            for (golden, count) in votes { claims.append((index, golden, count)) }
        }
        claims.sort { ($0.votes, -$0.golden, -$0.cluster) > ($1.votes, -$1.golden, -$1.cluster) }
        var result = [Int64?](repeating: nil, count: clusters.count)
        var taken = Set<Int64>()
        for claim in claims where result[claim.cluster] == nil && !taken.contains(claim.golden) {
            result[claim.cluster] = claim.golden
            taken.insert(claim.golden)
        }
        var next = nextID
        return result.map { id in
            if let id { return id }
            defer { next += 1 }
            return next
        }
    }
}
