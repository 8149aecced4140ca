import Foundation
import Testing

/// Attack 10, F3: through README's shared-workspace wrapper every user acts through the service account that owns the
/// lake, and the console's `:export PATH` replaced any of its files — the lake, the audit anchor, the access file —
/// with an export. An export now never goes where the workspace keeps its own files, and cdp acting for another user
/// writes no file at all.
@Suite struct ExportDestinationCLITests {
    @Test func anExportNeverReplacesWhatTheWorkspaceIsMadeOf() throws {
        let folder = try HardeningIdentityCLITests.workspace("export-destination", from: "sample-data")
        let ws = ["-w", folder.path]
        #expect(try CLI.run(["run"] + ws).status == 0)
        // A folder outside that links into the lake is the lake.
        let outside = CLI.temporaryFolder("export-destination-outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let linked = outside.appendingPathComponent("linked")
        try FileManager.default.createSymbolicLink(at: linked, withDestinationURL: folder.appendingPathComponent("lake"))
        let guarded = ["lake/audit.anchor", "lake/lake.sqlite", "governance/access.toml", "cdp.toml", "workflows/customer_pipeline.json"]
        // The lake itself changes as commands audit themselves: the verifications below say whether it was replaced.
        let files = guarded.filter { !$0.hasPrefix("lake/") }
        let before = try files.map { try Data(contentsOf: folder.appendingPathComponent($0)) }
        let targets = guarded.map { folder.appendingPathComponent($0).path } + [
            folder.appendingPathComponent("inbox/crm/exported.csv").path, linked.appendingPathComponent("audit.anchor").path,
        ]
        for target in targets {
            for command in [["export", "customer_360", "--out", target], ["quarantine", "export", "--out", target]] {
                let refused = try CLI.run(command + ws)
                #expect(refused.status == 12, "\(command): \(refused.stderr)")
                #expect(refused.stderr.contains("part of the workspace"), "\(refused.stderr)")
            }
        }
        #expect(try files.map { try Data(contentsOf: folder.appendingPathComponent($0)) } == before)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("inbox/crm/exported.csv").path))
        #expect(try CLI.run(["audit", "verify"] + ws).status == 0)
        #expect(try CLI.run(["verify"] + ws).status == 0)

        // The rest of the workspace folder is the user's.
        let reports = folder.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        let written = try CLI.run(["quarantine", "export", "--out", reports.appendingPathComponent("held.csv").path] + ws)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(FileManager.default.fileExists(atPath: reports.appendingPathComponent("held.csv").path))
    }

    @Test func actingForAnotherUserWritesNoFile() throws {
        let folder = try HardeningIdentityCLITests.workspace("export-acting", from: "sample-data")
        let ws = ["-w", folder.path]
        #expect(try CLI.run(["run"] + ws).status == 0)
        let outside = CLI.temporaryFolder("export-acting-out")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let target = outside.appendingPathComponent("out.csv")
        for command in [
            ["export", "customer_360", "--out", target.path], ["quarantine", "export", "--out", target.path],
            ["dictionary", "export", "--out", target.path],
        ] {
            let refused = try CLI.run(command + ["--as", "vic"] + ws)
            #expect(refused.status == 12, "\(command): \(refused.stderr)")
            #expect(refused.stderr.contains("while \(HardeningIdentityCLITests.kernelUser) acts as vic"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: target.path))
        }
        // Standard output is the caller's own: vic still exports, masked.
        let shown = try CLI.run(["export", "silver_customer", "--format", "csv", "--as", "vic"] + ws)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("p***@y****.es"))
    }
}

extension ExportDestinationCLITests {
    /// Review, HIGH: an export named a folder deleted the folder and what it held, then put the file in its place.
    @Test func anExportNeverReplacesAFolder() throws {
        let folder = try HardeningIdentityCLITests.workspace("export-folder", from: "sample-data")
        let ws = ["-w", folder.path]
        let reports = CLI.temporaryFolder("export-folder-reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        let kept = reports.appendingPathComponent("last-month.csv")
        try Data("kept\n".utf8).write(to: kept)
        for command in [["export", "dictionary_entry", "--out", reports.path], ["quarantine", "export", "--out", reports.path]] {
            let refused = try CLI.run(command + ws)
            #expect(refused.status != 0 && refused.stderr.contains("it is a folder"), "\(command): \(refused.stderr)")
            #expect(try String(contentsOf: kept, encoding: .utf8) == "kept\n")
        }
        // A file in it is written, and written again over itself.
        let file = reports.appendingPathComponent("entries.csv")
        for _ in 0..<2 { #expect(try CLI.run(["export", "dictionary_entry", "--out", file.path] + ws).status == 0) }
        #expect(try String(contentsOf: file, encoding: .utf8).contains("silver_customer"))
    }

    /// Review: `cdp spark run --as USER --export DIR` wrote (and made private) a folder the caller named, as the account
    /// cdp runs as; refused before Spark is looked for.
    @Test func aSparkExportFolderIsRefusedWhileActingForAnotherUser() throws {
        let folder = try HardeningIdentityCLITests.workspace("export-spark", from: "sample-data")
        let target = CLI.temporaryFolder("export-spark-out")
        let refused = try CLI.run(["spark", "run", "-w", folder.path, "--as", "sam", "--export", target.path])
        #expect(refused.status == 12, "\(refused.stderr)")
        #expect(refused.stderr.contains("acts as sam"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target.path))
        let inside = try CLI.run(["spark", "run", "-w", folder.path, "--export", folder.appendingPathComponent("lake/spark").path])
        #expect(inside.status == 12 && inside.stderr.contains("part of the workspace"), "\(inside.stderr)")
    }

    /// Attack 11, F3: `cdp dictionary export --out` wrote a file every local user could read (0644), while a personal
    /// column's example is as an admin typed it; it is now private like every export, also where it replaces a file.
    @Test func aDictionaryExportIsPrivate() throws {
        let folder = try HardeningIdentityCLITests.workspace("export-dictionary-mode", from: "sample-data")
        let ws = ["-w", folder.path]
        let example = ["dictionary", "edit", "silver_customer.email", "--example", "pilar.gonzalez53@yahoo.es", "--reason", "real one"]
        #expect(try CLI.run(example + ws).status == 0)
        let target = folder.appendingPathComponent("governance/dictionary.toml")
        try Data("old\n".utf8).write(to: target)
        let written = try CLI.run(["dictionary", "export", "--format", "toml", "--out", target.path] + ws)
        #expect(written.status == 0, "\(written.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: target.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try String(contentsOf: target, encoding: .utf8).contains("silver_customer"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path).filter { $0.contains(".partial") }
        #expect(leftovers.isEmpty)
    }
}
