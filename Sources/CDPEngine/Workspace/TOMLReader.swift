import CDPCore
import TOMLKit

/// Reads a TOML table by key while noting which keys were used, so misspelt keys are reported instead
/// of silently ignored. Problems are collected, never thrown one at a time, each naming its setting.
struct TOMLReader {
    let table: TOMLTable
    /// Where this table sits, e.g. `sources[2].mapping`, for messages.
    let path: String
    private(set) var used: Set<String> = []

    init(_ table: TOMLTable, path: String) {
        self.table = table
        self.path = path
    }

    func label(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// `a string ("five")`, `a whole number (5)`, `a list`: what a setting holds, for messages.
    static func found(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: return "a string (\"\(value.string ?? "")\")"
        case .int: return "a whole number (\(value.int.map { String($0) } ?? ""))"
        case .double: return "a number (\(value.double.map { String($0) } ?? ""))"
        case .bool: return "\(value.bool ?? false)"
        case .array: return "a list"
        case .table: return "a table"
        case .date, .time, .dateTime: return "a date or time"
        }
    }

    mutating func string(_ key: String, required: Bool = true, problems: inout [ConfigurationIssue]) -> String? {
        used.insert(key)
        guard let value = table[key] else {
            if required { problems.append(ConfigurationIssue(label(key), "is missing")) }
            return nil
        }
        guard let text = value.string else {
            problems.append(ConfigurationIssue(label(key), "must be a string, found \(Self.found(value))"))
            return nil
        }
        return text
    }

    /// A `true` or `false` setting; nil when absent or of another type (a problem then).
    mutating func bool(_ key: String, problems: inout [ConfigurationIssue]) -> Bool? {
        used.insert(key)
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else {
            problems.append(ConfigurationIssue(label(key), "must be true or false, found \(Self.found(value))"))
            return nil
        }
        return flag
    }

    mutating func int(_ key: String, problems: inout [ConfigurationIssue]) -> Int? {
        used.insert(key)
        guard let value = table[key] else { return nil }
        guard let number = value.int else {
            problems.append(ConfigurationIssue(label(key), "must be a whole number, found \(Self.found(value))"))
            return nil
        }
        return number
    }

    mutating func number(_ key: String, problems: inout [ConfigurationIssue]) -> Double? {
        used.insert(key)
        guard let value = table[key] else { return nil }
        if let int = value.int { return Double(int) }
        guard let double = value.double else {
            problems.append(ConfigurationIssue(label(key), "must be a number, found \(Self.found(value))"))
            return nil
        }
        guard double.isFinite else {
            problems.append(ConfigurationIssue(label(key), "\(double) is out of range (a finite number)"))
            return nil
        }
        return double
    }

    /// A value that may be a number or a string (range bounds).
    mutating func scalarText(_ key: String, problems: inout [ConfigurationIssue]) -> (number: Double?, text: String?)? {
        used.insert(key)
        guard let value = table[key] else { return nil }
        if let int = value.int { return (Double(int), nil) }
        if let double = value.double {
            guard double.isFinite else {
                problems.append(ConfigurationIssue(label(key), "\(double) is out of range (a finite number)"))
                return nil
            }
            return (double, nil)
        }
        if let text = value.string { return (nil, text) }
        if let date = value.date { return (nil, String(format: "%04d-%02d-%02d", date.year, date.month, date.day)) }
        problems.append(ConfigurationIssue(label(key), "must be a number, a date or \"today\", found \(Self.found(value))"))
        return nil
    }

    mutating func strings(_ key: String, problems: inout [ConfigurationIssue]) -> [String]? {
        used.insert(key)
        guard let value = table[key] else { return nil }
        if let single = value.string { return [single] }
        guard let array = value.array else {
            problems.append(ConfigurationIssue(label(key), "must be a list of strings, found \(Self.found(value))"))
            return nil
        }
        var result: [String] = []
        for (index, element) in array.enumerated() {
            if let text = element.string {
                result.append(text)
            } else if let int = element.int {
                result.append(String(int))
            } else {
                problems.append(ConfigurationIssue("\(label(key))[\(index)]", "must be a string, found \(Self.found(element))"))
            }
        }
        return result
    }

    mutating func table(_ key: String, problems: inout [ConfigurationIssue]) -> TOMLTable? {
        used.insert(key)
        guard let value = table[key] else { return nil }
        guard let nested = value.table else {
            problems.append(ConfigurationIssue(label(key), "must be a table ([\(label(key))]), found \(Self.found(value))"))
            return nil
        }
        return nested
    }

    mutating func tables(_ key: String, problems: inout [ConfigurationIssue]) -> [TOMLTable] {
        used.insert(key)
        guard let value = table[key] else { return [] }
        guard let array = value.array else {
            problems.append(ConfigurationIssue(label(key), "must be an array of tables ([[\(label(key))]]), found \(Self.found(value))"))
            return []
        }
        var result: [TOMLTable] = []
        for (index, element) in array.enumerated() {
            if let nested = element.table {
                result.append(nested)
            } else {
                problems.append(ConfigurationIssue("\(label(key))[\(index)]", "must be a table, found \(Self.found(element))"))
            }
        }
        return result
    }

    /// Reports every key present but never read: most often a typo.
    func unknownKeys(problems: inout [ConfigurationIssue], known: [String]? = nil) {
        for key in table.keys.sorted() where !used.contains(key) {
            let hint = known.map { " (expected one of: \($0.joined(separator: ", ")))" } ?? ""
            problems.append(ConfigurationIssue(label(key), "is not a known setting\(hint)"))
        }
    }
}
