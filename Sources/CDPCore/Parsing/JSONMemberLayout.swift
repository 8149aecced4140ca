/// Which canonical fields each member of a JSON line feeds, and whether it repeats a key of its line.
///
/// Lines of one file almost always list their members in the same order, so the keys of the last line are
/// remembered by position, each with the fields it feeds and whether an earlier member had the same key: a
/// line like the last costs one comparison of keys a member instead of building a dictionary of them, and
/// finding a repeated key costs nothing more. A line that departs from the remembered one is remembered
/// from there on instead (its keys compared with the earlier ones of the line once).
public struct JSONMemberLayout: Sendable {
    /// Field indexes by the JSON key (source column) the mapping reads them from.
    private let fieldsByKey: [String: [Int]]
    /// The keys of one line, by position: always a single line's (a prefix of it), so a hit at every
    /// position up to `p` means this line's keys up to `p` are those, repeats and all.
    private var byPosition: [Member] = []

    private struct Member: Sendable {
        var key: String
        var fields: [Int]
        /// The 0-based position of the first earlier member with the same key, or -1.
        var repeats: Int
    }

    /// `fields[i]` is the source column canonical field `i` is read from, if mapped.
    public init(fields: [String?]) {
        var fieldsByKey: [String: [Int]] = [:]
        for (index, column) in fields.enumerated() {
            if let column { fieldsByKey[column, default: []].append(index) }
        }
        self.fieldsByKey = fieldsByKey
    }

    /// The member at `position` (0-based) of a line has `key`: the fields it feeds, and the position of an
    /// earlier member of the same line with the same key, if any. Call for positions 0, 1, 2… of each line.
    public mutating func member(_ key: String, at position: Int) -> (fields: [Int], repeats: Int?) {
        if position < byPosition.count, byPosition[position].key == key {
            let member = byPosition[position]
            return (member.fields, member.repeats < 0 ? nil : member.repeats)
        }
        if position < byPosition.count { byPosition.removeSubrange(position...) }
        precondition(position == byPosition.count, "members are asked for in order")
        let repeats = byPosition.firstIndex { $0.key == key }
        let member = Member(key: key, fields: fieldsByKey[key] ?? [], repeats: repeats ?? -1)
        byPosition.append(member)
        return (member.fields, repeats)
    }
}
