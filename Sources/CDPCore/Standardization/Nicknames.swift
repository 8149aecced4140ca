/// Nickname equivalence for given names ("Bob" ≈ "Robert", "Pepe" ≈ "José", "Kuba" ≈ "Jakub"): English, then Spanish,
/// Portuguese, German, French, Italian, Dutch and Polish diminutives.
public enum Nicknames {
    /// A formal given name with the nicknames commonly used for it.
    public struct Group: Sendable, Hashable, Codable {
        public let formal: String
        public let nicknames: [String]
    }

    /// Every group, in table order. Groups with the same formal name are merged.
    public static let groups: [Group] = {
        var order: [String] = []
        var byFormal: [String: [String]] = [:]
        for line in NicknameTable.all.joined(separator: "\n").split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard let formalPart = parts.first else { continue }
            let formal = formalPart.trimmingSpaces
            let nicknames = parts.count > 1 ? parts[1].split(separator: ",").map(\.trimmingSpaces) : []
            if byFormal[formal] == nil {
                order.append(formal)
                byFormal[formal] = []
            }
            for nickname in nicknames where !(byFormal[formal] ?? []).contains(nickname) {
                byFormal[formal, default: []].append(nickname)
            }
        }
        return order.map { Group(formal: $0, nicknames: byFormal[$0] ?? []) }
    }()

    /// Folded name → indexes of the groups it belongs to, formal-name groups first, then table order.
    private static let groupsByKey: [String: [Int]] = {
        var formalOf: [String: Int] = [:]
        var nicknameOf: [String: [Int]] = [:]
        for (index, group) in groups.enumerated() {
            formalOf[PersonName.foldedKey(group.formal)] = index
            for nickname in group.nicknames {
                nicknameOf[PersonName.foldedKey(nickname), default: []].append(index)
            }
        }
        var result = nicknameOf
        for (key, index) in formalOf {
            result[key] = [index] + (nicknameOf[key] ?? []).filter { $0 != index }
        }
        return result
    }()

    /// The folded canonical given name: "bob", "Bobby" and "ROBERT" all give "robert". A formal
    /// name is its own canonical form; a nickname in several groups takes the first group listed;
    /// a name not in the table gives its own folded key ("Zoë" → "zoe").
    public static func canonical(_ given: String) -> String {
        let key = PersonName.foldedKey(given)
        return canonicalByKey[key] ?? key
    }

    /// Folded name → folded formal name of its first group.
    private static let canonicalByKey: [String: String] = groupsByKey.compactMapValues { indexes in
        indexes.first.map { PersonName.foldedKey(groups[$0].formal) }
    }

    /// The formal name for a given name as written in the table ("Bob" → "Robert"), or nil.
    public static func formalName(_ given: String) -> String? {
        groupsByKey[PersonName.foldedKey(given)]?.first.map { groups[$0].formal }
    }

    /// Every name equivalent to `given`: the formal names of its groups and their nicknames.
    public static func variants(of given: String) -> [String] {
        guard let indexes = groupsByKey[PersonName.foldedKey(given)] else { return [] }
        var result: [String] = []
        for index in indexes {
            for name in [groups[index].formal] + groups[index].nicknames where !result.contains(name) {
                result.append(name)
            }
        }
        return result
    }

    /// Whether two given names can name the same person: equal once folded, or in a common group.
    public static func areEquivalent(_ a: String, _ b: String) -> Bool {
        let keyA = PersonName.foldedKey(a)
        let keyB = PersonName.foldedKey(b)
        if keyA == keyB { return !keyA.isEmpty }
        guard let groupsA = groupsByKey[keyA], let groupsB = groupsByKey[keyB] else { return false }
        return groupsA.contains { groupsB.contains($0) }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
