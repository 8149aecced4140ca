import Foundation
import Testing

/// The console and the CLI reach the lake only through the engine: neither imports the store (nor the
/// database library under it), so a screen or command cannot read around the engine's masking.
@Suite struct LayeringTests {
    static let frontEnds = ["Sources/StewardConsole", "Sources/cdp"]
    static let storeModules = ["CDPStore", "GRDB", "GRDBSQLite", "CSQLiteSetup"]

    /// The module an `import` line names (`import CDPStore`, `@testable import CDPStore`,
    /// `import struct CDPStore.LakeStore`, `@_exported import CDPStore`), or nil for any other line.
    static func importedModule(_ line: Substring) -> String? {
        var words = line.split(whereSeparator: \.isWhitespace)
        while let first = words.first, first.hasPrefix("@") { words.removeFirst() }
        guard words.first == "import", words.count >= 2 else { return nil }
        let kinds: Set<Substring> = ["struct", "class", "enum", "protocol", "typealias", "func", "let", "var"]
        let path = words.count >= 3 && kinds.contains(words[1]) ? words[2] : words[1]
        return path.split(separator: ".").first.map(String.init)
    }

    @Test func theImportReaderSeesEveryFormOfImport() {
        #expect(Self.importedModule("import CDPStore") == "CDPStore")
        #expect(Self.importedModule("@testable import CDPStore") == "CDPStore")
        #expect(Self.importedModule("@_exported import CDPStore") == "CDPStore")
        #expect(Self.importedModule("import struct CDPStore.LakeStore") == "CDPStore")
        #expect(Self.importedModule("  import GRDB") == "GRDB")
        #expect(Self.importedModule("// import CDPStore") == nil)
        #expect(Self.importedModule("let important = 1") == nil)
    }

    @Test(arguments: frontEnds) func aFrontEndImportsNoStoreModule(folder: String) throws {
        let root = CLI.repositoryRoot.appendingPathComponent(folder)
        let files = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(files.count > 5)
        for file in files {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() {
                if let module = Self.importedModule(line), Self.storeModules.contains(module) {
                    Issue.record(
                        "\(folder)/\(file.lastPathComponent):\(number + 1) imports \(module); read through the engine's services and CDPRepositories' types instead"
                    )
                }
            }
        }
    }

    /// Package.swift gives neither front end a store module as a dependency.
    @Test func thePackageGivesTheFrontEndsNoStoreDependency() throws {
        let manifest = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let targets = try #require(manifest.range(of: "targets: ["), "Package.swift lists no targets")
        let declarations = manifest[targets.upperBound...].components(separatedBy: "\n        .")
        for target in ["StewardConsole", "cdp"] {
            let declaration = try #require(
                declarations.first { $0.contains("name: \"\(target)\"") }, "no target \(target) in Package.swift")
            #expect(declaration.contains("\"CDPEngine\""))
            for module in Self.storeModules {
                #expect(!declaration.contains("\"\(module)\""), "\(target) depends on \(module) in Package.swift")
            }
        }
    }
}
