import CDPCore
import Foundation
import GRDB
import Testing

@testable import CDPStore

/// Commands that only read open the lake read-only: no migration, no write, so they work on a lake the
/// user may not write. (Tests run as root, whom file modes do not stop: these open read-only on purpose;
/// CLITests runs `cdp` as `nobody` on a lake made read-only with chmod.)
@Suite struct ReadOnlyLakeTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-readonly-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func digest(_ path: String) throws -> String { try FileDigest.sha256(ofFileAt: path).hex }

    @Test func aReadOnlyOpenReadsButNeverWrites() throws {
        let path = try Self.folder().appendingPathComponent("lake.sqlite").path
        do {
            let store = try LakeStore(path: path)
            try store.appendAudit(.init(actor: "ann", action: "test", target: "T1"), at: at)
        }
        let before = try Self.digest(path)
        let store = try LakeStore(path: path, mode: .readOnly)
        #expect(store.mode == .readOnly)
        #expect(try store.auditEntries().map(\.target) == ["T1"])
        #expect(try store.auditChainProblems() == [])
        let error = try #require(throws: StoreError.self) {
            try store.appendAudit(.init(actor: "ann", action: "test", target: "T2"), at: at)
        }
        #expect(error.code == .readOnly)
        #expect(error.message.contains("the lake is open read-only"))
        // Even SQL that gets past the store's own guard is refused by SQLite.
        #expect(throws: (any Error).self) { try store.writer.writeWithoutTransaction { db in try db.execute(sql: "DELETE FROM batch") } }
        #expect(try Self.digest(path) == before)
    }

    @Test func aReadOnlyOpenOfAnOlderLakeRefusesWithoutMigrating() throws {
        let path = try Self.folder().appendingPathComponent("lake.sqlite").path
        let old = try DatabaseQueue(path: path)
        try LakeSchema.migrator.migrate(old, upTo: "v5-bronze-in-landed-files")
        try old.close()
        let before = try Self.digest(path)
        let error = try #require(throws: StoreError.self) { try LakeStore(path: path, mode: .readOnly) }
        #expect(error.code == .schemaOutdated)
        #expect(error.message.contains("needs upgrading (migrations v6-audit-anchors, v6-access-policy, v7-audit-anchor-state, v8-run-parameters, v9-customer-attributes, v10-work-claims, v11-decided-items-end-their-holds, v12-gold-changes, v13-deleted-silver-rows-lower-the-gold-mark, v14-runs-are-recorded-with-their-start, v15-match-state are not applied)"))
        #expect(error.message.contains("run a writing command once"))
        #expect(try Self.digest(path) == before)
        let upgraded = try LakeStore(path: path)
        #expect(try upgraded.appliedMigrations().contains("v6-audit-anchors"))
    }
}
