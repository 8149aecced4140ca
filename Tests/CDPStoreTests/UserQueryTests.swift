import CDPCore
import Foundation
import Testing

@testable import CDPStore

/// The store's side of user SQL: `landed_text` reads only landed files, and the query connection's
/// authorizer decides from what SQLite reads.
struct UserQueryTests {
    /// A workspace folder with one landed file, a file outside the landing folder and links out of it.
    static func workspaceRoot() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-landed-\(UUID().uuidString)")
        let landing = root.appendingPathComponent("lake/landing/crm")
        try FileManager.default.createDirectory(at: landing, withIntermediateDirectories: true)
        try Data("id,name\nC1,Ann\n".utf8).write(to: landing.appendingPathComponent("c.csv"))
        try Data("secret\n".utf8).write(to: root.appendingPathComponent("outside.txt"))
        try FileManager.default.createSymbolicLink(
            atPath: landing.appendingPathComponent("link.csv").path, withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(
            atPath: landing.appendingPathComponent("up").path, withDestinationPath: root.path)
        return root.path
    }

    @Test func landedTextReadsALandedFile() throws {
        let root = try Self.workspaceRoot()
        #expect(LakeStore.landedText(root: root, path: "lake/landing/crm/c.csv", span: RecordSpan(offset: 8, length: 6)) == "C1,Ann")
    }

    @Test(arguments: [
        "../../../../../../etc/passwd", "/etc/passwd", "outside.txt", "lake/landing/../../outside.txt",
        "lake/landing/crm/../../../outside.txt",
        "lake/landing/crm/link.csv", "lake/landing/crm/up/outside.txt", "lake/landing/./crm/c.csv", "lake//landing/crm/c.csv",
        "lake/landing",
    ])
    func landedTextReadsNothingOutsideTheLandingFolder(path: String) throws {
        let root = try Self.workspaceRoot()
        #expect(LakeStore.landedText(root: root, path: path, span: RecordSpan(offset: 0, length: 4)) == nil)
    }

    @Test func landedTextRefusesANegativeOrHugeSpan() throws {
        let root = try Self.workspaceRoot()
        #expect(LakeStore.landedText(root: root, path: "lake/landing/crm/c.csv", span: RecordSpan(offset: -1, length: 2)) == nil)
        #expect(LakeStore.landedText(root: root, path: "lake/landing/crm/c.csv", span: RecordSpan(offset: 0, length: 1 << 40)) == nil)
    }

    static let policy = LakeStore.QueryPolicy(
        readsPersonalData: false, masker: PIIMasker(columns: ["email": .email]), withheld: "(withheld)"
    ) {
        _, column in column == "email" ? .mask(.email) : .show
    }

    @Test func aPersonalColumnReadAnywhereIsRefusedAndItsMaskedViewReadsMasked() throws {
        let store = try StoreKind.onDisk.make()
        try writeBatch(store, sha: "a", silver: [("K1", false), ("K2", false)])
        func run(_ sql: String, _ policy: LakeStore.QueryPolicy? = nil) throws -> [[CellValue]] {
            var rows: [[CellValue]] = []
            try store.userQuery(sql, policy: policy ?? Self.policy) { _ in
            } rows: { batch in
                rows += batch
                return true
            }
            return rows
        }
        for sql in [
            "SELECT email FROM silver_customer", "SELECT count(*) FROM silver_customer WHERE email > 'k'",
            "SELECT source_key FROM silver_customer ORDER BY email", "WITH t(a) AS (SELECT email FROM silver_customer) SELECT a FROM t",
            "SELECT 1 WHERE 0 UNION ALL SELECT email FROM silver_customer",
        ] {
            let error = try #require(throws: StoreError.self, "\(sql)") { try run(sql) }
            #expect(error.code == .notAuthorized)
            #expect(error.message.contains("personal column silver_customer.email"))
        }
        #expect(
            try run("SELECT source_key, email FROM silver_customer_masked ORDER BY id") == [
                [.text("K1"), .text(PIIMasker.mask("K1@x.io", as: .email))], [.text("K2"), .text(PIIMasker.mask("K2@x.io", as: .email))],
            ])
        #expect(try run("SELECT count(*), sum(is_current) FROM silver_customer") == [[.integer(2), .integer(2)]])
        var viewer = Self.policy
        viewer.readsPersonalData = true
        #expect(try run("SELECT email FROM silver_customer ORDER BY id", viewer) == [[.text("K1@x.io")], [.text("K2@x.io")]])
        let write = try #require(throws: StoreError.self) { try run("DELETE FROM batch", viewer) }
        #expect(write.code == .conflict)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-vacuum-\(UUID().uuidString).sqlite").path
        #expect(throws: StoreError.self) { try run("VACUUM INTO '\(copy)'", viewer) }
        #expect(!FileManager.default.fileExists(atPath: copy))
        let pragma = try #require(throws: StoreError.self) { try run("PRAGMA writable_schema = 1", viewer) }
        #expect(pragma.code == .notAuthorized)
    }

    /// SQLite 3.40 does not report to the authorizer the columns a `USING` or `NATURAL` join compares or merges:
    /// without `view_pii` the dataset's name reads its masked columns, so such a join sees masked values only,
    /// and the lake's own tables cannot be named at all.
    @Test func aJoinTheAuthorizerDoesNotSeeReadsMaskedValuesAndTheLakeCannotBeNamed() throws {
        let store = try StoreKind.onDisk.make()
        try writeBatch(store, sha: "a", silver: [("K1", false), ("K2", false)])
        func run(_ sql: String) throws -> [[CellValue]] {
            var rows: [[CellValue]] = []
            try store.userQuery(sql, policy: Self.policy) { _ in
            } rows: { batch in
                rows += batch
                return true
            }
            return rows
        }
        let masked = [[CellValue.text(PIIMasker.mask("K1@x.io", as: .email))], [.text(PIIMasker.mask("K2@x.io", as: .email))]]
        for sql in [
            "SELECT email FROM (SELECT NULL email WHERE 0) FULL JOIN silver_customer USING (email) ORDER BY source_key",
            "SELECT email FROM (SELECT NULL email WHERE 0) NATURAL FULL JOIN silver_customer ORDER BY source_key",
        ] {
            #expect(try run(sql) == masked, "\(sql)")
        }
        // An equality test through USING compares with the masked value, so it tells nothing.
        #expect(try run("SELECT g.e FROM (SELECT 'K1@x.io' email, 'guessed' e) g JOIN silver_customer USING (email)").isEmpty)
        #expect(try run("SELECT g.e FROM (SELECT 'K1@x.io' email, 'guessed' e) g LEFT JOIN silver_customer s USING (email) WHERE s.id IS NOT NULL").isEmpty)
        for sql in ["SELECT email FROM main.silver_customer", "SELECT count(*) FROM main.batch"] {
            #expect(throws: StoreError.self, "\(sql)") { try run(sql) }
        }
        #expect(try run("SELECT count(*) FROM batch") == [[.integer(1)]])
    }

    /// The unsalted hash of a whole landed record and the record's length let a masked value be guessed (hash each
    /// guess with the record's known fields): without `view_pii` they are read like personal columns.
    @Test func contentHashAndRecordLengthAreWithheldWithoutViewPII() throws {
        let store = try StoreKind.onDisk.make()
        try writeBatch(store, sha: "a", silver: [("K1", false)])
        func run(_ sql: String) throws -> [[CellValue]] {
            var rows: [[CellValue]] = []
            try store.userQuery(sql, policy: Self.policy) { _ in
            } rows: { batch in
                rows += batch
                return true
            }
            return rows
        }
        for sql in ["SELECT content_hash FROM silver_customer", "SELECT count(*) FROM silver_customer WHERE record_length > 10"] {
            let error = try #require(throws: StoreError.self, "\(sql)") { try run(sql) }
            #expect(error.code == .notAuthorized)
            #expect(error.message.contains("personal column silver_customer."))
        }
        #expect(try run("SELECT content_hash FROM silver_customer_masked") == [[.text("(withheld)")]])
        #expect(
            try run("SELECT content_hash FROM (SELECT NULL content_hash WHERE 0) FULL JOIN silver_customer USING (content_hash)")
                == [[.text("(withheld)")]])
    }

    @Test func anInMemoryLakeCannotBeQueriedAsAUser() throws {
        let store = try StoreKind.inMemory.make()
        #expect(throws: StoreError.self) {
            try store.userQuery("SELECT 1", policy: Self.policy) { _ in
            } rows: { _ in
                true
            }
        }
    }
}
