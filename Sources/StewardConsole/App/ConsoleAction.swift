import TermUI

/// Something a steward can do: a long name for the command palette, the keys that trigger it, and
/// a line for the help overlay. Screens list their actions; help and the palette are generated from
/// those lists, so a key cannot exist without its name and its help.
public struct ConsoleAction: Sendable, Hashable {
    /// Long name typed in the `:` palette, e.g. `release` or `fix-all-like-this`.
    public var name: String
    public var keys: [KeyEvent]
    public var help: String
    /// Help overlay group ("Navigation", "Record", …).
    public var group: String

    public init(_ name: String, keys: [KeyEvent], help: String, group: String) {
        self.name = name
        self.keys = keys
        self.help = help
        self.group = group
    }

    /// The keys as shown in help and hints: "r", "Enter", "j/Down".
    public var keyText: String { keys.map(\.description).joined(separator: "/") }
}

extension Array where Element == ConsoleAction {
    /// The action bound to `key`, if any.
    func action(for key: KeyEvent) -> ConsoleAction? {
        first { $0.keys.contains(key) }
    }

    /// Help groups in first-seen order.
    func helpGroups() -> [HelpGroup] {
        var order: [String] = []
        var entries: [String: [HelpEntry]] = [:]
        for action in self {
            if entries[action.group] == nil { order.append(action.group) }
            entries[action.group, default: []].append(HelpEntry(keys: action.keyText, description: action.help))
        }
        return order.map { HelpGroup(title: $0, entries: entries[$0] ?? []) }
    }
}

/// The command palette's completion over long action names.
public enum PaletteCompletion {
    /// Names matching `text`: prefix matches first (in the given order), then names containing it.
    public static func candidates(for text: String, in names: [String]) -> [String] {
        let query = text.lowercased().trimmingCharacters(in: .whitespaces)
        guard !query.isEmpty else { return names }
        let prefix = names.filter { $0.lowercased().hasPrefix(query) }
        let contains = names.filter { !$0.lowercased().hasPrefix(query) && $0.lowercased().contains(query) }
        return prefix + contains
    }

    /// What Tab completes `text` to: the only candidate, else the longest common prefix of the
    /// prefix matches (never shorter than `text`).
    public static func complete(_ text: String, in names: [String]) -> String {
        let query = text.lowercased()
        let prefixed = names.filter { $0.lowercased().hasPrefix(query) }
        guard let first = prefixed.first else {
            return candidates(for: text, in: names).first ?? text
        }
        var common = first
        for name in prefixed.dropFirst() {
            while !name.hasPrefix(common) { common.removeLast() }
        }
        return common.count >= text.count ? common : text
    }
}
