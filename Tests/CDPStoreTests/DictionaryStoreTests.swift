import CDPCore
import Foundation
import GRDB
import Testing

@testable import CDPStore

/// The dictionary's tables: the current entry, every version kept, seeding that never overwrites.
struct DictionaryStoreTests {
    static let email = DictionaryEntry(
        DictionaryKey(.silver, "silver_customer", "email"), description: "E-mail.", dataType: "TEXT", classification: .confidential,
        tags: ["PII.Email"], rules: ["email_format"], lineage: ["crm.email"])
    static let city = DictionaryEntry(DictionaryKey(.silver, "silver_customer", "city"), description: "Town.", dataType: "TEXT")

    func audit(_ target: String) -> LakeStore.AuditDraft {
        LakeStore.AuditDraft(actor: "sam", action: "dictionary.edit", target: target)
    }

    @Test(arguments: StoreKind.allCases)
    func seedingAddsOnlyMissingEntriesAndAuditsOnce(kind: StoreKind) throws {
        let store = try kind.make()
        #expect(try !store.hasDictionary())
        let added = try store.seedDictionary([Self.email], actor: "ann", at: at, change: "seeded") { count in
            LakeStore.AuditDraft(actor: "ann", action: "dictionary.seed", target: "dictionary", after: "\(count) entries")
        }
        #expect(added == 1)
        var edited = Self.email
        edited.owner = "sam"
        try store.saveDictionaryEntries(
            [LakeStore.DictionaryWrite(entry: edited, expectedVersion: 1, change: "owner", audit: audit("silver_customer.email"))],
            actor: "sam", at: at)
        // Seeding again with the original entry and a new one: the edit stays, the new one is added.
        let again = try store.seedDictionary([Self.email, Self.city], actor: "ann", at: at, change: "seeded") { _ in nil }
        #expect(again == 1)
        #expect(try store.dictionaryEntry(Self.email.key)?.entry.owner == "sam")
        #expect(try store.dictionaryEntries().map(\.key.column) == ["city", "email"])
        #expect(try store.auditEntries(LakeStore.AuditFilter(action: "dictionary.seed")).count == 1)
        #expect(try store.dictionaryKeys() == [Self.email.key, Self.city.key])
    }

    @Test(arguments: StoreKind.allCases)
    func everyVersionIsKeptWithWhoWhenAndWhat(kind: StoreKind) throws {
        let store = try kind.make()
        try store.seedDictionary([Self.email], actor: "ann", at: at, change: "seeded from the schema") { _ in nil }
        var second = Self.email
        second.classification = .restricted
        try store.saveDictionaryEntries(
            [LakeStore.DictionaryWrite(entry: second, expectedVersion: 1, change: "classification", audit: audit("silver_customer.email"))],
            actor: "sam", at: "2026-01-02T00:00:00Z")
        let versions = try store.dictionaryVersions(of: Self.email.key)
        #expect(versions.map(\.version) == [1, 2])
        #expect(versions.map(\.changedBy) == ["ann", "sam"])
        #expect(versions.map(\.change) == ["seeded from the schema", "classification"])
        #expect(versions[0].entry == Self.email)
        #expect(versions[1].entry == second)
        let current = try #require(try store.dictionaryEntry(Self.email.key))
        #expect(current.version == 2)
        #expect(current.entry == second)
        #expect(current.change == "classification")
        #expect(try store.dictionaryChanges().map(\.version) == [2])
        #expect(try store.auditEntries(LakeStore.AuditFilter(action: "dictionary.edit")).first?.target == "silver_customer.email")
    }

    @Test(arguments: StoreKind.allCases)
    func aSaveFromAStaleVersionIsRefusedAndWritesNothing(kind: StoreKind) throws {
        let store = try kind.make()
        try store.seedDictionary([Self.email, Self.city], actor: "ann", at: at, change: "seeded") { _ in nil }
        var city = Self.city
        city.description = "Town or city."
        var email = Self.email
        email.description = "Address."
        let error = try #require(throws: StoreError.self) {
            try store.saveDictionaryEntries(
                [
                    LakeStore.DictionaryWrite(entry: city, expectedVersion: 1, change: "description", audit: audit("silver_customer.city")),
                    LakeStore.DictionaryWrite(
                        entry: email, expectedVersion: 3, change: "description", audit: audit("silver_customer.email")),
                ], actor: "sam", at: at)
        }
        #expect(error.code == .conflict)
        #expect(error.message.contains("silver_customer.email changed while you edited it"))
        // All or nothing: the first write was rolled back with the second.
        #expect(try store.dictionaryEntry(Self.city.key)?.entry.description == "Town.")
        #expect(try store.auditEntries(LakeStore.AuditFilter(action: "dictionary.edit")).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func schemaAndSamplesComeFromTheLake(kind: StoreKind) throws {
        let store = try kind.make()
        try writeBatch(store, sha: "a", silver: [("C1", false), ("C2", false)])
        let schema = try #require(try store.datasetSchema("silver_customer", layer: .silver))
        #expect(schema.columns.first?.name == "id")
        #expect(schema.columns.contains { $0.name == "email" && $0.type == "TEXT" })
        #expect(try store.datasetSchema("match_summary", layer: .gold)?.isView == true)
        #expect(try store.datasetSchema("nothing", layer: .gold) == nil)
        #expect(try store.sampleColumn(dataset: "silver_customer", column: "email", limit: 10) == ["C1@x.io", "C2@x.io"])
        #expect(throws: StoreError.self) { try store.sampleColumn(dataset: "silver_customer", column: "email\"--", limit: 1) }
    }
}
