import CDPCore
import Foundation
import GRDB
import Testing

@testable import CDPStore

/// The console's reads: id lists in table order, batch reads by id, search text, index use.
struct ConsoleReadsTests {
    @Test(arguments: StoreKind.allCases)
    func idsFollowTheFilterAndOrderAndRecordsComeBackInTheOrderAsked(kind: StoreKind) throws {
        let store = try kind.make()
        try writeBatch(store, sha: "a", silver: [("C1", false)], held: ["K3", "K1", "K2"])
        let all = try store.quarantineIDs(.init(statuses: [.open, .fixed]))
        #expect(all.count == 3)
        #expect(all == all.sorted())
        #expect(try store.quarantineIDs(.init(statuses: [.open, .fixed]), ascending: false) == all.reversed())
        let byKey = try store.quarantineIDs(.init(), order: .key)
        let keys = try store.quarantineRecords(ids: byKey.map { QuarantineID($0) }).map(\.sourceKey)
        #expect(keys == ["K1", "K2", "K3"])
        #expect(try store.quarantineIDs(.init(statuses: [.rejected])).isEmpty)
        // Unknown ids are left out, the rest keep the order asked for.
        let asked = [all[2], 999, all[0]].map { QuarantineID($0) }
        #expect(try store.quarantineRecords(ids: asked).map(\.id) == [QuarantineID(all[2]), QuarantineID(all[0])])
    }

    @Test func mergingSortedIdListsKeepsOrder() {
        #expect(LakeStore.merge([[1, 4, 9], [2, 3, 10], [], [5]]) == [1, 2, 3, 4, 5, 9, 10])
        #expect(LakeStore.merge([]) == [])
    }

    @Test(arguments: StoreKind.allCases)
    func searchTextHoldsKeysAndValuesNotJSONKeys(kind: StoreKind) throws {
        let store = try kind.make()
        try writeBatch(store, sha: "a", silver: [], held: ["K1"])
        var texts: [String] = []
        try store.forEachQuarantineSearchText { _, text in texts.append(String(decoding: text, as: UTF8.self)) }
        let text = try #require(texts.first)
        let parts = text.split(separator: "\u{1F}").map(String.init)
        #expect(parts.first == "K1")
        #expect(parts.contains("bad"))
        #expect(parts.contains("email_format"))
        // Values only: the failure's field name is a value ("email"), its JSON keys are not.
        #expect(parts.contains("email"))
        #expect(!parts.contains("rule"))
        #expect(!parts.contains("message"))
    }

    @Test func consoleIndexesExistAndServeTheListQuery() throws {
        let store = try StoreKind.onDisk.make()
        #expect(try store.appliedMigrations().last == "v2-console-indexes")
        let plan = try store.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT id FROM quarantine_record WHERE status = 'open' ORDER BY id")
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
        #expect(plan.contains("quarantine_by_status_id"))
        #expect(!plan.contains("TEMP B-TREE"))
    }
}
