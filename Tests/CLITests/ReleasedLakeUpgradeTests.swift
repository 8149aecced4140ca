import Foundation
import Testing

/// A workspace saved by an earlier release opens with this build: a read-only command refuses its lake while
/// it lacks migrations (saying to run a writing command), a writing command brings its schema up to date, and
/// it still verifies.
/// The fixtures are made by the release they are named after (Tests/Fixtures/README.md says how).
@Suite(.serialized) struct ReleasedLakeUpgradeTests {
    static let releases = ["released-lake-debf824"]

    /// A copy of the fixture workspace in a temporary folder: opening a lake writes beside it (its WAL and
    /// shared-memory files), and the run below writes into it.
    static func copy(of release: String) throws -> URL {
        let source = CLI.repositoryRoot.appendingPathComponent("Tests/Fixtures/\(release)")
        try #require(FileManager.default.fileExists(atPath: source.appendingPathComponent("lake/lake.sqlite").path))
        let folder = CLI.temporaryFolder(release)
        try FileManager.default.createDirectory(at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source, to: folder)
        return folder
    }

    @Test(arguments: releases) func aReleasedLakeVerifiesUpgradesAndRunsAgain(release: String) throws {
        let folder = try Self.copy(of: release)
        let ws = ["--workspace", folder.path]
        // This build has migrations the release lacks (v8-run-parameters, v9-customer-attributes, v10-work-claims,
        // v11-decided-items-end-their-holds, v12-gold-changes, v13-deleted-silver-rows-lower-the-gold-mark, v14-runs-are-recorded-with-their-start, v15-match-state): a command
        // that only reads refuses the lake, saying how to upgrade it, and leaves it as it is.
        let before = try CLI.run(["verify"] + ws)
        #expect(before.status == 10, "\(before.stdout)\(before.stderr)")
        #expect(before.stderr.contains("needs upgrading (migrations v8-run-parameters, v9-customer-attributes, v10-work-claims, v11-decided-items-end-their-holds, v12-gold-changes, v13-deleted-silver-rows-lower-the-gold-mark, v14-runs-are-recorded-with-their-start, v15-match-state are not applied)"), "\(before.stderr)")
        // A writing command migrates; running the pipeline again over the same inbox changes no row.
        let run = try CLI.run(["run"] + ws)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let after = try CLI.run(["verify"] + ws)
        #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
        let audit = try CLI.run(["audit", "verify"] + ws)
        #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
    }
}
