/// A key press with its Ctrl and Alt flags.
///
/// The text form is for help screens and key maps stored as data: `description` gives "Ctrl-R",
/// "F2", "PgDn", "?", "Alt-x", "Space"; ``init?(_:)`` parses the same names case-insensitively
/// ("ctrl-r", "f2", "pgdn") while a bare single character keeps its case ("G" ≠ "g").
/// Ctrl with a letter is normalised to the lowercase letter, so "Ctrl-R" and "ctrl-r" are equal.
public struct KeyEvent: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    public var key: Key
    public var ctrl: Bool
    public var alt: Bool

    public init(_ key: Key, ctrl: Bool = false, alt: Bool = false) {
        if ctrl, case .char(let c) = key, c.isLetter, c.isASCII {
            self.key = .char(Character(c.lowercased()))
        } else {
            self.key = key
        }
        self.ctrl = ctrl
        self.alt = alt
    }

    /// A plain character key.
    public static func char(_ character: Character) -> KeyEvent { KeyEvent(.char(character)) }
    /// Ctrl plus a character, e.g. `.ctrl("r")`.
    public static func ctrl(_ character: Character) -> KeyEvent { KeyEvent(.char(character), ctrl: true) }
    /// Alt plus a character.
    public static func alt(_ character: Character) -> KeyEvent { KeyEvent(.char(character), alt: true) }

    private static let names: [(Key, String)] = [
        (.enter, "Enter"), (.escape, "Esc"), (.backspace, "Backspace"), (.tab, "Tab"),
        (.backTab, "Shift-Tab"), (.up, "Up"), (.down, "Down"), (.left, "Left"), (.right, "Right"),
        (.pageUp, "PgUp"), (.pageDown, "PgDn"), (.home, "Home"), (.end, "End"),
        (.delete, "Del"), (.insert, "Ins"), (.char(" "), "Space"),
    ]

    /// Extra spellings accepted when parsing.
    private static let aliases: [String: Key] = [
        "return": .enter, "ret": .enter, "cr": .enter, "escape": .escape, "bs": .backspace,
        "backtab": .backTab, "s-tab": .backTab, "pageup": .pageUp, "pagedown": .pageDown,
        "pgup": .pageUp, "pgdn": .pageDown, "pgdown": .pageDown, "delete": .delete, "insert": .insert,
        "lt": .char("<"), "gt": .char(">"), "minus": .char("-"),
    ]

    public var description: String {
        var parts = ""
        if ctrl { parts += "Ctrl-" }
        if alt { parts += "Alt-" }
        return parts + KeyEvent.name(of: key, ctrl: ctrl)
    }

    private static func name(of key: Key, ctrl: Bool) -> String {
        if let entry = names.first(where: { $0.0 == key }) { return entry.1 }
        switch key {
        case .char(let c):
            return ctrl && c.isLetter && c.isASCII ? c.uppercased() : String(c)
        case .function(let n):
            return "F\(n)"
        default:
            return "?"
        }
    }

    /// Parses the text form (`KeyEvent(parsing: "ctrl-r")`); nil when it names no key.
    public init?(parsing text: String) {
        self.init(text)
    }

    /// Parses the text form; nil when it names no key.
    public init?(_ description: String) {
        var rest = Substring(description)
        var ctrl = false
        var alt = false
        // Modifier prefixes; a remainder of one character (e.g. "-" in "ctrl--") is the key itself.
        while rest.count > 1 {
            let lower = rest.lowercased()
            if lower.hasPrefix("ctrl-") && rest.count > 5 {
                ctrl = true
                rest = rest.dropFirst(5)
            } else if lower.hasPrefix("c-") && rest.count > 2 {
                ctrl = true
                rest = rest.dropFirst(2)
            } else if lower.hasPrefix("alt-") && rest.count > 4 {
                alt = true
                rest = rest.dropFirst(4)
            } else if lower.hasPrefix("m-") && rest.count > 2 {
                alt = true
                rest = rest.dropFirst(2)
            } else {
                break
            }
        }
        guard let key = KeyEvent.parseKey(String(rest)) else { return nil }
        self.init(key, ctrl: ctrl, alt: alt)
    }

    private static func parseKey(_ text: String) -> Key? {
        if text.count == 1, let c = text.first { return .char(c) }
        let lower = text.lowercased()
        if let entry = names.first(where: { $0.1.lowercased() == lower }) { return entry.0 }
        if let key = aliases[lower] { return key }
        if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...63).contains(n) { return .function(n) }
        return nil
    }
}
