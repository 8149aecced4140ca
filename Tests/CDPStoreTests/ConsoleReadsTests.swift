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
        #expect(try store.appliedMigrations().contains("v2-console-indexes"))
        let plan = try store.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT id FROM quarantine_record WHERE status = 'open' ORDER BY id")
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
        #expect(plan.contains("quarantine_by_status_id"))
        #expect(!plan.contains("TEMP B-TREE"))
    }
}

/// The console's JSON reader against Foundation's, on what the store writes.
struct FlatJSONTests {
    static let awkward = [
        "", "plain", "quote \" and backslash \\", "slash / and tab \t", "line\nbreak\r", "\u{1}\u{1F}control",
        "山田 太郎", "emoji 👩‍👩‍👧 and combining é", "\u{FFFF}", "null", "{\"not\": \"json\"}",
    ]

    @Test(arguments: awkward)
    func readsWhatTheEncoderWrites(value: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let fields = ["email": value, "first_name": "Ann", value: "key"]
        let text = String(decoding: try encoder.encode(fields), as: UTF8.self)
        var copy = text
        let parsed = copy.withUTF8 { FlatJSON.stringObject($0) }
        #expect(parsed?.compactMapValues { $0 } == fields)

        let failures = [
            RuleFailure(rule: "email_format", field: "email", value: value, message: "not an e-mail: \(value)", severity: .error),
            RuleFailure(rule: "row", field: nil, value: nil, message: value, severity: .warn),
        ]
        var failuresText = String(decoding: try encoder.encode(failures), as: UTF8.self)
        let objects = try #require(failuresText.withUTF8 { FlatJSON.objectArray($0) })
        #expect(objects.count == 2)
        #expect(objects[0]["value"] == .some(value))
        #expect(objects[1]["field"] == nil)
        #expect(objects[1]["message"] == .some(value))
    }

    @Test(arguments: ["", "[", "{\"a\": 1}", "{\"a\": {\"b\": \"c\"}}", "{\"a\": \"b\"} x", "[{\"a\": \"b\"},]", "{\"a\": \"\\q\"}"])
    func refusesOtherShapes(text: String) {
        var object = text
        var array = text
        #expect(object.withUTF8 { FlatJSON.stringObject($0) } == nil)
        #expect(array.withUTF8 { FlatJSON.objectArray($0) } == nil || text.hasPrefix("[") == false)
    }

    @Test(arguments: StoreKind.allCases)
    func fastAndDecoderReadingsOfARecordAgree(kind: StoreKind) throws {
        let store = try kind.make()
        try writeBatch(store, sha: "a", silver: [], held: ["K1", "K2"])
        let ids = try store.quarantineIDs(.init())
        let fast = try store.quarantineRecords(ids: ids.map { QuarantineID($0) })
        let slow = try ids.map { try #require(try store.quarantineRecord(QuarantineID($0))) }
        #expect(fast == slow)
    }
}
