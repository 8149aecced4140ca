import Foundation
import TermUI
import Testing

@testable import StewardConsole

@Suite struct ThemeTests {
    @Test(arguments: Theme.shippedNames)
    func shippedThemesParseAndMatchTheBuiltInCopies(name: String) throws {
        let theme = try Theme.load(named: name, from: ConsoleFixture.themesFolder)
        #expect(theme.name == name)
        #expect(theme.styles.count == ThemeRole.allCases.count)
        #expect(Theme.builtIn(named: name) == theme)
        let file = try String(contentsOf: ConsoleFixture.themesFolder.appendingPathComponent("\(name).toml"), encoding: .utf8)
        #expect(BuiltInThemes.text[name] == file.trimmingCharacters(in: .newlines))
    }

    @Test func darkThemeValues() throws {
        let theme = Theme.dark
        #expect(theme[.error].fg == .rgb(0xff, 0x5f, 0x5f))
        #expect(theme[.error].modifiers.contains(.bold))
        #expect(theme[.selection].bg == .rgb(0x00, 0x5f, 0x87))
        #expect(Theme.mono.styles.values.allSatisfy { $0.fg == .default && $0.bg == .default })
    }

    @Test func badColourNamesFileAndRole() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-theme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let dark = try #require(BuiltInThemes.text["dark"])
        try dark.replacingOccurrences(of: "warning     = \"#ffaf00\"", with: "warning     = \"#ffaf0\"")
            .write(to: folder.appendingPathComponent("broken.toml"), atomically: true, encoding: .utf8)
        do {
            _ = try Theme.load(named: "broken", from: folder)
            Issue.record("a bad colour must throw")
        } catch {
            #expect(error.role == "warning")
            #expect(error.file.hasSuffix("broken.toml"))
            #expect(error.description.contains("broken.toml"))
            #expect(error.description.contains("role warning"))
            #expect(error.description.contains("#ffaf0"))
        }
    }

    @Test func missingAndUnknownRolesAreNamed() {
        #expect(throws: ThemeError.self) { try Theme.parse("text = \"#ffffff\"", name: "x", file: "x.toml") }
        do {
            _ = try Theme.parse("text = \"#ffffff\"", name: "x", file: "x.toml")
        } catch {
            #expect(error.description.contains("missing roles background"))
        }
        do {
            _ = try Theme.parse("txet = \"#ffffff\"", name: "x", file: "x.toml")
        } catch {
            #expect(error.role == "txet")
            #expect(error.line == 1)
        }
    }

    /// Attack 9: `--theme ../secret` read any `*.toml` the account running cdp could read and quoted its lines in the
    /// error. A theme is a name in the workspace's themes/, nothing else is opened.
    @Test func aThemeIsANameNeverAPath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-theme-\(UUID().uuidString)")
        let themes = folder.appendingPathComponent("themes")
        try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
        try "this line has a secret S3cret\n".write(to: folder.appendingPathComponent("secret.toml"), atomically: true, encoding: .utf8)
        for name in ["../secret", "/tmp/secret", "..", "a/b", ""] {
            let refusal = #expect(throws: ThemeError.self) { try Theme.resolve(named: name, themesFolder: themes, environment: [:]) }
            #expect(refusal?.description.contains("not a path") == true, "\(name): \(refusal?.description ?? "")")
            #expect(refusal?.description.contains("S3cret") == false)
            #expect(throws: ThemeError.self) { try Theme.load(named: name, from: themes) }
        }
        #expect(try Theme.resolve(named: "high-contrast", themesFolder: themes, environment: [:]).name == "high-contrast")
    }

    @Test func noColorSelectsMono() throws {
        #expect(try Theme.resolve(named: "dark", themesFolder: nil, environment: ["NO_COLOR": "1"]).name == "mono")
        #expect(try Theme.resolve(named: nil, themesFolder: nil, environment: [:]).name == "dark")
        #expect(try Theme.resolve(named: "light", themesFolder: ConsoleFixture.themesFolder, environment: [:]).name == "light")
        #expect(throws: ThemeError.self) { try Theme.resolve(named: "neon", themesFolder: nil, environment: [:]) }
    }

    @Test func styleAndColourSyntax() throws {
        #expect(try Theme.parseStyle("{ fg = \"bright-red\", bg = \"color236\", underline = true }")
            == Style(fg: .ansi(9), bg: .indexed(236), modifiers: .underline))
        #expect(try Theme.parseStyle("\"default\"") == Style())
    }
}
