import Foundation

/// The header line of a CSV file: its column names, trimmed.
public struct CSVHeader: Sendable, Hashable {
    /// The column names in file order, without surrounding spaces.
    public let names: [String]

    public init(_ fields: [String]) {
        names = fields.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Names that head more than one column, each with every (1-based) column it heads, in the order the
    /// names first appear. Only the names in `names` are looked at when it is given (the ones a mapping
    /// reads: a repeated column nobody reads is harmless, and exports often end with several unnamed ones).
    public func repeatedNames(among wanted: Set<String>? = nil) -> [(name: String, columns: [Int])] {
        var columnsByName: [String: [Int]] = [:]
        var order: [String] = []
        for (index, name) in names.enumerated() where wanted?.contains(name) ?? true {
            if columnsByName[name] == nil { order.append(name) }
            columnsByName[name, default: []].append(index + 1)
        }
        return order.compactMap { name in
            guard let columns = columnsByName[name], columns.count > 1 else { return nil }
            return (name, columns)
        }
    }
}
