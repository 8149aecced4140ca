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

extension Survivorship {
    /// What `goldenAttributes` computes, as record indexes instead of strings, over views of the columns: the
    /// hot path of a run's golden records. A test holds it to `goldenAttributes`.
    struct Kernel: @unchecked Sendable {
        let columns: [InternedColumn.View]
        let updated: InternedColumn.View
        let sourceIndex: UnsafeBufferPointer<UInt8>
        let trust: [Int]
        let rules: [SurvivorshipRule]

        /// Fills `out` (one slot per attribute) with the surviving record of each attribute, or -1.
        /// `members` are ascending record indexes; `scratch` is reused between calls.
        func choose(_ members: UnsafeBufferPointer<Int32>, into out: UnsafeMutableBufferPointer<Int32>, scratch: inout [Int32]) {
            if members.count == 1 {
                let record = Int(members[0])
                for attribute in 0..<columns.count { out[attribute] = columns[attribute].ids[record] == InternedColumn.missing ? -1 : Int32(record) }
                return
            }
            // Candidates ordered by trust, then most recent, then record order: every rule's tie-break.
            scratch.removeAll(keepingCapacity: true)
            for record in members {
                var position = scratch.count
                scratch.append(record)
                while position > 0 && precedes(record, scratch[position - 1]) {
                    scratch[position] = scratch[position - 1]
                    position -= 1
                }
                scratch[position] = record
            }
            for attribute in 0..<columns.count {
                let ids = columns[attribute].ids
                var chosen: Int32 = -1
                switch rules[attribute] {
                case .sourceOrder:
                    chosen = scratch.first { ids[Int($0)] != InternedColumn.missing } ?? -1
                case .mostRecent:
                    for record in scratch where ids[Int(record)] != InternedColumn.missing {
                        if chosen < 0 { chosen = record; continue }
                        let order = compareUpdated(record, chosen)
                        if order > 0 || (order == 0 && record < chosen) { chosen = record }
                    }
                case .mostFrequent:
                    var best = 0
                    for record in scratch where ids[Int(record)] != InternedColumn.missing {
                        let id = ids[Int(record)]
                        var count = 0
                        for other in scratch where ids[Int(other)] == id { count += 1 }
                        if count > best {
                            best = count
                            chosen = record
                        }
                    }
                case .mostComplete:
                    var longest = -1
                    for record in scratch where ids[Int(record)] != InternedColumn.missing {
                        let length = String(decoding: columns[attribute].value(ids[Int(record)]), as: UTF8.self).count
                        if length > longest {
                            longest = length
                            chosen = record
                        }
                    }
                }
                out[attribute] = chosen
            }
        }

        /// Whether record `a` comes before `b`: more trusted source, then more recent, then smaller index.
        @inline(__always)
        func precedes(_ a: Int32, _ b: Int32) -> Bool {
            let ta = trust[Int(sourceIndex[Int(a)])], tb = trust[Int(sourceIndex[Int(b)])]
            if ta != tb { return ta < tb }
            let order = compareUpdated(a, b)
            if order != 0 { return order > 0 }
            return a < b
        }

        /// The order of two records' update times as strings (a missing one is ""): -1, 0 or 1.
        @inline(__always)
        func compareUpdated(_ a: Int32, _ b: Int32) -> Int {
            let ia = updated.ids[Int(a)], ib = updated.ids[Int(b)]
            if ia == ib { return 0 }
            if ia == InternedColumn.missing { return -1 }
            if ib == InternedColumn.missing { return 1 }
            return Self.compareText(updated.value(ia), updated.value(ib))
        }

        /// Compares UTF-8 text as Swift's `String` does: byte order for ASCII (timestamps), `String` otherwise.
        static func compareText(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
            if a.allSatisfy({ $0 < 0x80 }) && b.allSatisfy({ $0 < 0x80 }) {
                let common = min(a.count, b.count)
                for index in 0..<common where a[index] != b[index] { return a[index] < b[index] ? -1 : 1 }
                return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
            }
            let x = String(decoding: a, as: UTF8.self), y = String(decoding: b, as: UTF8.self)
            return x == y ? 0 : (x < y ? -1 : 1)
        }
    }

    /// Runs `body` with a kernel over this survivorship's columns, valid only inside `body`.
    func withKernel<R>(_ body: (Kernel) -> R) -> R {
        InternedColumn.withViews(columns + [records.updatedAt]) { views in
            records.sourceIndex.withUnsafeBufferPointer { sourceIndex in
                body(Kernel(columns: Array(views.dropLast()), updated: views[views.count - 1], sourceIndex: sourceIndex, trust: trust, rules: rules))
            }
        }
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
        var memberStart: [Int32] = [0]
        var members: [Int32] = []
        for cluster in clusters {
            members += cluster.map { Int32($0) }
            memberStart.append(Int32(members.count))
        }
        let previousIDs = (0..<(members.map { Int($0) + 1 }.max() ?? 0)).map { previous($0) ?? 0 }
        return assign(memberStart: memberStart, members: members, previous: previousIDs, nextID: nextID)
    }

    /// The same over clusters in columns (`GoldenRecordSet`'s layout).
    /// - Parameter previous: per record, its previous golden id, or 0.
    public static func assign(memberStart: [Int32], members: [Int32], previous: [Int64], nextID: Int64) -> [Int64] {
        let clusterCount = memberStart.count - 1
        var claims: [Claim] = []
        var ids: [Int64] = []
        for cluster in 0..<clusterCount {
            ids.removeAll(keepingCapacity: true)
            for member in members[Int(memberStart[cluster])..<Int(memberStart[cluster + 1])] where previous[Int(member)] != 0 {
                ids.append(previous[Int(member)])
            }
            guard !ids.isEmpty else { continue }
            if ids.count > 1 { ids.sort() }
            var index = 0
            while index < ids.count {
                var end = index + 1
                while end < ids.count && ids[end] == ids[index] { end += 1 }
                claims.append(Claim(cluster: Int32(cluster), votes: Int32(end - index), golden: ids[index]))
                index = end
            }
        }
        var result = [Int64](repeating: 0, count: clusterCount)
        for claim in granted(claims) { result[Int(claim.cluster)] = claim.golden }
        var next = nextID
        for cluster in 0..<clusterCount where result[cluster] == 0 {
            result[cluster] = next
            next += 1
        }
        return result
    }

    /// A cluster's claim on a previous golden id: how many of its records held it.
    public struct Claim: Sendable, Hashable {
        /// The cluster, by any number that orders clusters by their first record.
        public var cluster: Int32
        public var votes: Int32
        public var golden: Int64

        public init(cluster: Int32, votes: Int32, golden: Int64) {
            self.cluster = cluster
            self.votes = votes
            self.golden = golden
        }
    }

    /// The claims granted, most votes first, then the smaller golden id, then the cluster's first record: a cluster
    /// keeps at most one id and an id goes to at most one cluster. The clusters granted none get new ids, in order of
    /// their first record (a Spark run grants the claims it aggregated here and numbers the rest itself).
    public static func granted(_ claims: [Claim]) -> [Claim] {
        let ordered = claims.sorted { a, b in
            if a.votes != b.votes { return a.votes > b.votes }
            if a.golden != b.golden { return a.golden < b.golden }
            return a.cluster < b.cluster
        }
        var result: [Claim] = []
        var clustersDone = Set<Int32>()
        var taken = Set<Int64>()
        taken.reserveCapacity(ordered.count)
        for claim in ordered where !clustersDone.contains(claim.cluster) && !taken.contains(claim.golden) {
            result.append(claim)
            clustersDone.insert(claim.cluster)
            taken.insert(claim.golden)
        }
        return result
    }
}
