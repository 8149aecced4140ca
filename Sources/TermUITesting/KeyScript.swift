import TermUI

/// A token of a key script that names no key.
public struct KeyScriptError: Error, Hashable, CustomStringConvertible {
    public var token: String
    /// 0-based index of the token in the script.
    public var position: Int

    public init(token: String, position: Int) {
        self.token = token
        self.position = position
    }

    public var description: String {
        "key script token \(position + 1) \"\(token)\" names no key; use a character, text, or <name> such as <enter>, <ctrl-r>, <f2>, <pgdn>, <space>"
    }
}

/// Compact key scripts for tests: `"j j j <pgdn> / a b c <enter> <esc> <ctrl-r>"`.
///
/// Tokens are separated by spaces. `<name>` is one key in ``KeyEvent``'s text form
/// (`<enter>`, `<ctrl-r>`, `<alt-x>`, `<f2>`, `<s-tab>`, `<space>`, `<lt>` for "<"). A bare token
/// types its characters one by one ("abc" is a, b, c). `<resize:WxH>` is a resize event;
/// `<click:X,Y>` a left press, `<release:X,Y>` a left release, `<scrollup:X,Y>` and
/// `<scrolldown:X,Y>` wheel events (0-based cells).
public enum KeyScript {
    /// The events of `script`.
    /// - Throws: ``KeyScriptError`` for the first token that names no key.
    public static func parse(_ script: String) throws -> [InputEvent] {
        var events: [InputEvent] = []
        let tokens = script.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        for (position, token) in tokens.enumerated() {
            if token.count > 2, token.hasPrefix("<"), token.hasSuffix(">") {
                let name = String(token.dropFirst().dropLast())
                if name.lowercased().hasPrefix("resize:"), let size = parseSize(name.dropFirst(7)) {
                    events.append(.resize(size))
                } else if let mouse = parseMouse(name) {
                    events.append(.mouse(mouse))
                } else if let key = KeyEvent(name) {
                    events.append(.key(key))
                } else {
                    throw KeyScriptError(token: String(token), position: position)
                }
            } else {
                for character in token { events.append(.key(.char(character))) }
            }
        }
        return events
    }

    /// The key events of `script` (resize tokens are left out).
    public static func keys(_ script: String) throws -> [KeyEvent] {
        try parse(script).compactMap { event in
            if case .key(let key) = event { return key }
            return nil
        }
    }

    private static func parseMouse(_ name: String) -> MouseEvent? {
        let parts = name.lowercased().split(separator: ":")
        guard parts.count == 2 else { return nil }
        let kind: MouseEvent.Kind
        switch parts[0] {
        case "click": kind = .press(.left)
        case "release": kind = .release(.left)
        case "scrollup": kind = .scrollUp
        case "scrolldown": kind = .scrollDown
        default: return nil
        }
        let coordinates = parts[1].split(separator: ",")
        guard coordinates.count == 2, let x = Int(coordinates[0]), let y = Int(coordinates[1]), x >= 0, y >= 0 else { return nil }
        return MouseEvent(kind, x: x, y: y)
    }

    private static func parseSize(_ text: Substring) -> Size? {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w >= 0, h >= 0 else { return nil }
        return Size(width: w, height: h)
    }
}
