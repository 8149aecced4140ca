import Foundation
import TermUI

/// A semantic role a theme gives a style to; screens never name colours, only roles.
public enum ThemeRole: String, Sendable, Hashable, CaseIterable {
    case background, text, muted, accent, selection, header, error, warning, success, pii
    case diffAdd = "diff-add"
    case diffRemove = "diff-remove"
}

/// A problem in a theme file: which file, which role (or line), and what to write instead.
public struct ThemeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var role: String?
    public var message: String

    public init(file: String, line: Int? = nil, role: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.role = role
        self.message = message
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let role { place += " (role \(role))" }
        return "theme \(place): \(message)"
    }
}

/// Styles by semantic role, loaded from `themes/NAME.toml`.
///
/// The file format is a flat TOML subset: `role = "#rrggbb"` sets the foreground, and
/// `role = { fg = "…", bg = "…", bold = true }` sets colours and modifiers. Colours are `#rrggbb`,
/// `default`, an ANSI name (`red`, `bright-blue`) or a 256-colour index (`color208`).
public struct Theme: Sendable, Hashable {
    public var name: String
    public var styles: [ThemeRole: Style]

    public init(name: String, styles: [ThemeRole: Style]) {
        self.name = name
        self.styles = styles
    }

    /// The style of a role (plain when the theme leaves it out).
    public subscript(role: ThemeRole) -> Style { styles[role] ?? .plain }

    /// The shipped themes, in the order ``ConsoleApp`` cycles through them.
    public static let shippedNames = ["dark", "light", "high-contrast", "mono"]

    /// The default theme, always available (built in).
    public static var dark: Theme { builtIn(named: "dark") ?? Theme(name: "dark", styles: [:]) }
    /// The colourless theme, chosen when `NO_COLOR` is set.
    public static var mono: Theme { builtIn(named: "mono") ?? Theme(name: "mono", styles: [:]) }

    /// A shipped theme compiled into the module (the same text as `themes/NAME.toml`).
    public static func builtIn(named name: String) -> Theme? {
        guard let text = BuiltInThemes.text[name] else { return nil }
        return try? parse(text, name: name, file: "built-in \(name).toml")
    }

    /// Loads `themesFolder/NAME.toml`.
    /// - Throws: ``ThemeError`` naming the file, and the role or line, when it is missing or invalid.
    public static func load(named name: String, from themesFolder: URL) throws(ThemeError) -> Theme {
        try refuseAnythingButAName(name)
        let file = themesFolder.appendingPathComponent("\(name).toml")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            let available = availableThemes(in: themesFolder).joined(separator: ", ")
            throw ThemeError(file: file.path, message: "no such theme file (available: \(available))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ThemeError(file: file.path, message: "not valid UTF-8")
        }
        return try parse(text, name: name, file: file.path)
    }

    /// Resolves the theme the console starts with: mono when `NO_COLOR` is set, else `name` from the
    /// folder (when given and present), else the built-in theme of that name.
    /// - Throws: ``ThemeError`` when the theme exists nowhere or its file is invalid.
    public static func resolve(
        named name: String?, themesFolder: URL?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ThemeError) -> Theme {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return mono }
        let wanted = name ?? "dark"
        try refuseAnythingButAName(wanted)
        if let themesFolder, FileManager.default.fileExists(atPath: themesFolder.appendingPathComponent("\(wanted).toml").path) {
            return try load(named: wanted, from: themesFolder)
        }
        if let theme = builtIn(named: wanted) { return theme }
        let known = availableThemes(in: themesFolder).joined(separator: ", ")
        throw ThemeError(file: "\(wanted).toml", message: "no theme named \(wanted) (available: \(known))")
    }

    /// A theme is a name (letters, digits, `-`, `_`), never a path: `--theme ../x` read any `*.toml` file the account
    /// running cdp can read and quoted its lines in the error (behind a sudo wrapper, files the caller may not read).
    /// - Throws: ``ThemeError`` for anything else.
    static func refuseAnythingButAName(_ name: String) throws(ThemeError) {
        let allowed = name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "_" }
        guard !name.isEmpty, allowed else {
            throw ThemeError(
                file: "--theme", message: "a theme is a name such as dark or high-contrast (the workspace's themes/NAME.toml), not a path")
        }
    }

    /// Theme names: the shipped ones first, then any other `*.toml` in the folder, sorted.
    public static func availableThemes(in themesFolder: URL?) -> [String] {
        var names = shippedNames
        if let themesFolder, let files = try? FileManager.default.contentsOfDirectory(atPath: themesFolder.path) {
            for file in files.sorted() where file.hasSuffix(".toml") {
                let name = String(file.dropLast(5))
                if !names.contains(name) { names.append(name) }
            }
        }
        return names
    }

    /// Parses theme text; every role must be given.
    /// - Throws: ``ThemeError`` for the first bad line, unknown role, bad colour, or a missing role.
    public static func parse(_ text: String, name: String, file: String) throws(ThemeError) -> Theme {
        var styles: [ThemeRole: Style] = [:]
        var themeName = name
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = stripComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("[") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ThemeError(file: file, line: lineNumber, message: "expected `role = value`, found `\(line)`")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if key == "name" {
                themeName = unquote(value) ?? themeName
                continue
            }
            guard let role = ThemeRole(rawValue: key) else {
                let roles = ThemeRole.allCases.map(\.rawValue).joined(separator: ", ")
                throw ThemeError(file: file, line: lineNumber, role: key, message: "unknown role (roles: \(roles))")
            }
            do {
                styles[role] = try parseStyle(value)
            } catch let message {
                throw ThemeError(file: file, line: lineNumber, role: key, message: message.text)
            }
        }
        let missing = ThemeRole.allCases.filter { styles[$0] == nil }
        if let first = missing.first {
            throw ThemeError(
                file: file, role: first.rawValue,
                message: "missing role\(missing.count > 1 ? "s" : "") \(missing.map(\.rawValue).joined(separator: ", "))")
        }
        return Theme(name: themeName, styles: styles)
    }

    struct ValueProblem: Error {
        var text: String
    }

    private static func stripComment(_ line: String) -> String {
        var inString = false
        for (offset, character) in line.enumerated() {
            if character == "\"" { inString.toggle() }
            if character == "#" && !inString { return String(line.prefix(offset)) }
        }
        return line
    }

    private static func unquote(_ value: String) -> String? {
        guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { return nil }
        return String(value.dropFirst().dropLast())
    }

    static func parseStyle(_ value: String) throws(ValueProblem) -> Style {
        if let colorText = unquote(value) {
            return Style(fg: try parseColor(colorText))
        }
        guard value.hasPrefix("{"), value.hasSuffix("}") else {
            throw ValueProblem(text: "expected \"#rrggbb\" or { fg = \"…\", bg = \"…\", bold = true }, found `\(value)`")
        }
        var style = Style()
        let body = value.dropFirst().dropLast()
        for item in body.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { throw ValueProblem(text: "expected key = value in `\(item.trimmingCharacters(in: .whitespaces))`") }
            switch parts[0] {
            case "fg", "bg":
                guard let text = unquote(parts[1]) else { throw ValueProblem(text: "\(parts[0]) needs a quoted colour, found \(parts[1])") }
                let color = try parseColor(text)
                if parts[0] == "fg" { style.fg = color } else { style.bg = color }
            case "bold", "dim", "italic", "underline", "reverse":
                guard parts[1] == "true" || parts[1] == "false" else {
                    throw ValueProblem(text: "\(parts[0]) must be true or false, found \(parts[1])")
                }
                let modifier: Modifier
                switch parts[0] {
                case "bold": modifier = .bold
                case "dim": modifier = .dim
                case "italic": modifier = .italic
                case "underline": modifier = .underline
                default: modifier = .reverse
                }
                if parts[1] == "true" { style.modifiers.insert(modifier) }
            default:
                throw ValueProblem(text: "unknown attribute \(parts[0]) (fg, bg, bold, dim, italic, underline, reverse)")
            }
        }
        return style
    }

    private static let ansiNames = [
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
    ]

    static func parseColor(_ text: String) throws(ValueProblem) -> Color {
        let lower = text.lowercased()
        if lower == "default" || lower.isEmpty { return .default }
        if lower.hasPrefix("#") {
            let hex = lower.dropFirst()
            guard hex.count == 6, let value = UInt32(hex, radix: 16) else {
                throw ValueProblem(text: "bad colour \"\(text)\"; write #rrggbb with six hex digits")
            }
            return .rgb(UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff))
        }
        if let index = ansiNames.firstIndex(of: lower) { return .ansi(UInt8(index)) }
        if lower.hasPrefix("bright-"), let index = ansiNames.firstIndex(of: String(lower.dropFirst(7))) {
            return .ansi(UInt8(index + 8))
        }
        if lower.hasPrefix("color"), let index = UInt8(lower.dropFirst(5)) { return .indexed(index) }
        throw ValueProblem(text: "bad colour \"\(text)\"; use #rrggbb, default, an ANSI name or colorN")
    }
}
