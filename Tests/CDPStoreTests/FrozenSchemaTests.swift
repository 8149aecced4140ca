import CDPCore
import Foundation
import GRDB
import Testing

@testable import CDPStore

/// The migrations are fixed SQL: they build exactly the schema the release they shipped in built, and a field
/// added to a canonical entity without a migration of its own is caught here, not in a user's lake.
@Suite struct FrozenSchemaTests {
    /// The lake of the newest released workspace fixture (made by that release's `cdp init` and `cdp run`).
    static let releasedLake = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/released-lake-debf824/lake/lake.sqlite")

    /// Every object of a lake's schema with its SQL text, in a stable order.
    static func schema(_ reader: any DatabaseReader) throws -> [[String?]] {
        try reader.read { db in
            try Row.fetchAll(db, sql: "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").map { row in
                [row["type"], row["name"], row["tbl_name"], row["sql"]]
            }
        }
    }

    /// The released lake, copied to a temporary folder (a WAL database writes beside itself even to read).
    static func releasedCopy() throws -> DatabaseQueue {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-released-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("lake.sqlite")
        try FileManager.default.copyItem(at: releasedLake, to: copy)
        return try DatabaseQueue(path: copy.path)
    }

    /// Migrations added since the released fixture was made, oldest first: what upgrading it applies.
    static let sinceRelease = [
        "v8-run-parameters", "v9-customer-attributes", "v10-work-claims", "v11-decided-items-end-their-holds", "v12-gold-changes",
        "v13-deleted-silver-rows-lower-the-gold-mark", "v14-runs-are-recorded-with-their-start", "v15-match-state",
    ]

    /// A new lake's schema is the released lake's brought up to date by the migrations added since: a shipped
    /// migration edited afterwards makes them differ.
    @Test(arguments: StoreKind.allCases) func aNewLakeHasExactlyTheReleasedSchemaUpgraded(kind: StoreKind) throws {
        let upgraded = try Self.releasedCopy()
        try LakeSchema.migrator.migrate(upgraded)
        let released = try Self.schema(upgraded)
        #expect(released.count > 40)
        let store = try kind.make()
        let fresh = try Self.schema(store.writer)
        #expect(fresh.count == released.count)
        for (new, old) in zip(fresh, released) where new != old {
            Issue.record("schema differs from the released lake's:\nnew: \(new)\nold: \(old)")
        }
    }

    @Test func theReleasedLakeRecordsEveryMigrationThisBuildKnowsByName() throws {
        let applied = try Self.releasedCopy().read { db in try LakeSchema.migrator.appliedIdentifiers(db) }
        #expect(applied == Set(LakeSchema.migrations.map(\.identifier)).subtracting(Self.sinceRelease))
        #expect(LakeSchema.migrations.suffix(Self.sinceRelease.count).map(\.identifier) == Self.sinceRelease)
        #expect(Set(LakeSchema.migrations.map(\.identifier)).count == LakeSchema.migrations.count)
    }

    /// Silver has a column for every field of its entity, in the entity's order after the lineage columns (bound
    /// statements follow that order). A field added to `CanonicalEntity` needs a migration adding its column.
    @Test(arguments: CanonicalEntity.allCases) func silverHasAColumnPerFieldOfItsEntity(entity: CanonicalEntity) throws {
        let store = try LakeStore()
        let columns = try store.writer.read { db in try db.columns(in: entity.silverTable).map(\.name) }
        let lineage = [
            "id", "bronze_id", "batch_id", "line", "record_offset", "record_length", "source", "source_key",
            "content_hash", "is_current", "superseded_by",
        ]
        #expect(
            // Customers keep a source's extra attributes in one last column (v9-customer-attributes).
            columns == lineage + entity.fields.map(\.name) + (entity == .customer ? ["attributes"] : []),
            "\(entity.silverTable) lacks columns for fields of \(entity): add a migration to LakeSchema.migrations")
    }
}
