import TermUI

/// A type-to-search list over a modal (the workbench's `f`, `s` and `t`): each choice with its count, choices
/// with none greyed but still there to pick; typing narrows the list, Up/Down move, Enter picks, Esc cancels.
struct Picker {
    struct Choice: Hashable {
        /// What picking it sets (nil: no filter, "all").
        var value: String?
        var label: String
        var count: Int?
    }

    var title: String
    var choices: [Choice]
    var field = TextFieldState()
    var selected = 0
    var onPick: (Choice) -> Void

    init(title: String, choices: [Choice], current: String?, onPick: @escaping (Choice) -> Void) {
        self.title = title
        self.choices = choices
        self.onPick = onPick
        selected = choices.firstIndex { $0.value == current } ?? 0
    }

    /// The choices whose label holds the typed text (case-insensitive): the one it names exactly first, then
    /// those it starts, then the others, each in their order.
    var shown: [Choice] {
        let text = field.value.lowercased().trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return choices }
        let matching = choices.filter { $0.label.lowercased().contains(text) }
        func rank(_ choice: Choice) -> Int {
            let label = choice.label.lowercased()
            return label == text ? 0 : (label.hasPrefix(text) ? 1 : 2)
        }
        return matching.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    enum Outcome {
        case pick(Choice)
        case cancel
    }

    /// Handles a key; an outcome when the picker is done.
    mutating func handle(_ key: KeyEvent) -> Outcome? {
        switch key.key {
        case .escape where !key.ctrl && !key.alt:
            return .cancel
        case .enter:
            let shown = self.shown
            return shown.indices.contains(selected) ? .pick(shown[selected]) : nil
        case .down:
            selected = min(selected + 1, max(0, shown.count - 1))
        case .up:
            selected = max(0, selected - 1)
        case .pageDown:
            selected = min(selected + 10, max(0, shown.count - 1))
        case .pageUp:
            selected = max(0, selected - 10)
        default:
            if field.handle(key) { selected = 0 }
        }
        return nil
    }
}
