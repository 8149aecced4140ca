/// Groups records into clusters without chaining.
///
/// Plain connected components join thousands of people through a few weak links. Instead:
/// 1. Only strong edges count (hard-identifier links, steward approvals, pairs at or above the auto-merge
///    threshold).
/// 2. Edges are taken strongest first (ties by record index), and two clusters are joined only if the result
///    stays within `maxSize` records and no steward "not a match" decision (cannot-link) spans them.
/// 3. A cluster of three or more whose linked-pair density (strong edges inside ÷ possible pairs) is below
///    `minDensity` is a chain, not a person: it is cut at its weakest joining edge, and each part is checked
///    again.
/// 4. With `birthDays`, two clusters whose known birth dates conflict hard are never joined, not even by a
///    shared email or phone: a family inbox or a recycled number links different people. A scored edge
///    between two records whose own dates conflict is the exception: its score weighed them already (the
///    comparison's else level), so the veto applies only to dates it did not see. What a hard
///    conflict is comes from `birthDatesConflict` (the pipeline asks the birth-date comparison: a date a
///    year off, one digit off or with day and month swapped lands on a level of its own and weighs as
///    evidence; only one that no level explains conflicts); without it, dates conflict unless equal or
///    day/month swapped. When birth dates cannot vouch for a scored join (one side has none), two clusters
///    whose known phone numbers conflict (`phonesConflict`, else: differ) are not joined either; a
///    hard-identifier link (`identifierWeight`) is not undone by a changed number. Only a steward's approval
///    (an edge of infinite weight) overrides these checks.
/// 5. With `familyMembersDiffer`, a hard-identifier link between two records that are different members of
///    one family (the same surname, first names no level relates) is not taken, nor one between clusters
///    whose first records are: a household's landline or a family inbox is shared by people, not a person.
///    The pair is still scored like any other.
public struct Clusterer: Sendable {
    public struct Edge: Sendable, Hashable {
        public var a: Int32
        public var b: Int32
        public var weight: Double
        public init(_ a: Int32, _ b: Int32, weight: Double) {
            self.a = min(a, b)
            self.b = max(a, b)
            self.weight = weight
        }
    }

    public var maxSize: Int
    public var minDensity: Double
    /// Per record, days since 1970-01-01 or `Int32.min` when unknown; nil turns the check off.
    public var birthDays: [Int32]?
    /// Per record, its phone's value id or `InternedColumn.missing`; used with `birthDays`.
    public var phoneIDs: [Int32]?

    /// Edges at least this heavy are hard-identifier links: a changed phone number does not veto them (a
    /// person keeps their email or CRM id when their number changes); a conflicting birth date still does.
    public var identifierWeight: Double = .infinity

    /// Whether two records' (both known) birth dates conflict hard; nil: unless equal or day/month swapped.
    public var birthDatesConflict: (@Sendable (Int32, Int32) -> Bool)?
    /// Whether two records' (both known) phone numbers conflict; nil: unless equal.
    public var phonesConflict: (@Sendable (Int32, Int32) -> Bool)?
    /// Whether two records are different people of one family (see rule 5); nil turns the check off.
    public var familyMembersDiffer: (@Sendable (Int32, Int32) -> Bool)?

    public init(maxSize: Int, minDensity: Double, birthDays: [Int32]? = nil, phoneIDs: [Int32]? = nil) {
        self.maxSize = maxSize
        self.minDensity = minDensity
        self.birthDays = birthDays
        self.phoneIDs = phoneIDs
    }

    /// Whether two clusters contradict each other, by their representative records: the first of each whose
    /// birth date (`birthA`, `birthB`) and phone (`phoneA`, `phoneB`) is known, or -1.
    /// `birthsWeighed`: the two are the scored edge's own records, whose score already weighed their dates.
    func conflict(_ birthA: Int32, _ birthB: Int32, _ phoneA: Int32, _ phoneB: Int32, phonesCount: Bool, birthsWeighed: Bool = false) -> Bool {
        let birthsVouch = birthA >= 0 && birthB >= 0
        if birthsVouch && !birthsWeighed {
            if let birthDatesConflict {
                if birthDatesConflict(birthA, birthB) { return true }
            } else if let days = birthDays, !Self.compatible(days[Int(birthA)], days[Int(birthB)]) {
                return true
            }
        }
        guard phonesCount && !birthsVouch && phoneA >= 0 && phoneB >= 0 else { return false }
        if let phonesConflict { return phonesConflict(phoneA, phoneB) }
        return phoneIDs.map { $0[Int(phoneA)] != $0[Int(phoneB)] } ?? false
    }

    /// Whether two known birth dates can belong to one person: equal, or day and month swapped.
    static func compatible(_ a: Int32, _ b: Int32) -> Bool {
        if a == Int32.min || b == Int32.min || a == b { return true }
        guard let date = LocalDate(daysSinceEpoch: Int(a)), let swapped = date.swappingDayAndMonth else { return false }
        return swapped.daysSinceEpoch == Int(b)
    }

    /// Per record, its cluster's label: the smallest record index in the cluster.
    public func cluster(count: Int, edges: [Edge], cannotLink: [(Int32, Int32)] = []) -> [Int32] {
        let sorted = edges.sorted { $0.weight != $1.weight ? $0.weight > $1.weight : ($0.a, $0.b) < ($1.a, $1.b) }
        var forest = Forest(count: count)
        var forbidden: [Int32: [Int32]] = [:]
        for (a, b) in cannotLink where a != b {
            forbidden[a, default: []].append(b)
            forbidden[b, default: []].append(a)
        }
        var treeEdges: [Edge] = []
        // Per cluster root, its first record whose birth date (phone) is known, or -1.
        let checks = birthDays != nil
        var birth: [Int32] = birthDays.map { days in days.indices.map { days[$0] == Int32.min ? -1 : Int32($0) } } ?? []
        var phone: [Int32] = phoneIDs.map { ids in ids.indices.map { ids[$0] == InternedColumn.missing ? -1 : Int32($0) } } ?? []
        if phone.count != birth.count { phone = [Int32](repeating: -1, count: birth.count) }
        for edge in sorted {
            let ra = forest.find(edge.a)
            let rb = forest.find(edge.b)
            guard ra != rb, Int(forest.size[Int(ra)] + forest.size[Int(rb)]) <= maxSize else { continue }
            if !forbidden.isEmpty && forest.forbids(ra, rb, forbidden) { continue }
            if let familyMembersDiffer, edge.weight >= identifierWeight, edge.weight != .infinity,
                familyMembersDiffer(edge.a, edge.b) || familyMembersDiffer(ra, rb)
            {
                continue
            }
            if checks && edge.weight != .infinity {
                let scored = edge.weight < identifierWeight
                let (birthA, birthB) = (birth[Int(ra)], birth[Int(rb)])
                // A score weighed its own two records' birth dates (a date no level explains costs it the
                // else level's weight); only a link it did not score, or dates of other members, can conflict.
                let weighed = scored && ((birthA == edge.a && birthB == edge.b) || (birthA == edge.b && birthB == edge.a))
                if conflict(birthA, birthB, phone[Int(ra)], phone[Int(rb)], phonesCount: scored, birthsWeighed: weighed) { continue }
            }
            let knownBirth = checks ? (birth[Int(ra)] >= 0 ? birth[Int(ra)] : birth[Int(rb)]) : -1
            let knownPhone = checks ? (phone[Int(ra)] >= 0 ? phone[Int(ra)] : phone[Int(rb)]) : -1
            forest.union(ra, rb)
            if checks {
                let root = Int(forest.find(ra))
                birth[root] = knownBirth
                phone[root] = knownPhone
            }
            treeEdges.append(edge)
        }
        var labels = (0..<count).map { forest.find(Int32($0)) }
        guard minDensity > 0 else { return Self.relabel(labels) }

        // Density check on clusters of three or more: gather their strong edges and tree edges.
        var inside: [Int32: [Edge]] = [:]
        var tree: [Int32: [Edge]] = [:]
        for edge in sorted where labels[Int(edge.a)] == labels[Int(edge.b)] && forest.size[Int(labels[Int(edge.a)])] >= 3 {
            inside[labels[Int(edge.a)], default: []].append(edge)
        }
        for edge in treeEdges where forest.size[Int(labels[Int(edge.a)])] >= 3 {
            tree[labels[Int(edge.a)], default: []].append(edge)
        }
        for root in tree.keys.sorted() {
            for part in split(tree: tree[root] ?? [], inside: inside[root] ?? []) {
                let label = part.min() ?? root
                for member in part { labels[Int(member)] = label }
            }
        }
        return Self.relabel(labels)
    }

    /// Splits one cluster until every part is dense enough. `tree` is in the order edges were accepted
    /// (strongest first), so the last one is the weakest link.
    func split(tree: [Edge], inside: [Edge]) -> [[Int32]] {
        let members = Array(Set(tree.flatMap { [$0.a, $0.b] })).sorted()
        guard members.count >= 3 else { return [members] }
        let memberSet = Set(members)
        let pairs = Set(inside.filter { memberSet.contains($0.a) && memberSet.contains($0.b) }.map { UInt64(UInt32($0.a)) << 32 | UInt64(UInt32($0.b)) })
        let density = Double(pairs.count) / Double(members.count * (members.count - 1) / 2)
        if density >= minDensity { return [members] }
        // Cut the weakest link and check each side again.
        let remaining = Array(tree.dropLast())
        var parent: [Int32: Int32] = Dictionary(uniqueKeysWithValues: members.map { ($0, $0) })
        func find(_ x: Int32) -> Int32 {
            var x = x
            while let p = parent[x], p != x { x = p }
            return x
        }
        for edge in remaining {
            let ra = find(edge.a), rb = find(edge.b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        var groups: [Int32: [Int32]] = [:]
        for member in members { groups[find(member), default: []].append(member) }
        var result: [[Int32]] = []
        for root in groups.keys.sorted() {
            let group = Set(groups[root] ?? [])
            let subtree = remaining.filter { group.contains($0.a) }
            result += group.count >= 3 ? split(tree: subtree, inside: inside) : [group.sorted()]
        }
        return result
    }

    /// Labels become each cluster's smallest record index.
    static func relabel(_ labels: [Int32]) -> [Int32] {
        var smallest: [Int32: Int32] = [:]
        for (record, label) in labels.enumerated() where smallest[label] == nil { smallest[label] = Int32(record) }
        return labels.map { smallest[$0] ?? $0 }
    }

    /// Union–find with sizes and, per cluster, a circular list of members (for cannot-link checks).
    struct Forest {
        var parent: [Int32]
        var size: [Int32]
        var next: [Int32]

        init(count: Int) {
            parent = (0..<Int32(count)).map { $0 }
            size = [Int32](repeating: 1, count: count)
            next = parent
        }

        mutating func find(_ x: Int32) -> Int32 {
            var root = x
            while parent[Int(root)] != root { root = parent[Int(root)] }
            var node = x
            while parent[Int(node)] != root {
                let up = parent[Int(node)]
                parent[Int(node)] = root
                node = up
            }
            return root
        }

        mutating func union(_ a: Int32, _ b: Int32) {
            let (big, small) = size[Int(a)] >= size[Int(b)] ? (a, b) : (b, a)
            parent[Int(small)] = big
            size[Int(big)] += size[Int(small)]
            next.swapAt(Int(big), Int(small))
        }

        /// Whether any member of one cluster must not be linked to a member of the other.
        mutating func forbids(_ ra: Int32, _ rb: Int32, _ forbidden: [Int32: [Int32]]) -> Bool {
            let (small, other) = size[Int(ra)] <= size[Int(rb)] ? (ra, rb) : (rb, ra)
            var member = small
            repeat {
                for partner in forbidden[member] ?? [] where find(partner) == other { return true }
                member = next[Int(member)]
            } while member != small
            return false
        }
    }
}
