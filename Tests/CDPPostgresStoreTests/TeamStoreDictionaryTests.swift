import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// The data dictionary on the team store: `cdp init --store` seeds it as the embedded init does, and
/// `cdp dictionary list/show/edit/history` work on it through the store's functions (the role checked and the
/// edit audited by the database, masked views following a tag).
extension TeamStoreTests {
    /// The scenario: the seeded entries, sam describing silver_customer.email and tagging silver_customer.city as
    /// an address, ana refused the edit, and what list, show and history then say. Returns the entries (times and
    /// the editor's name left out).
    static func dictionaryScenario(on store: Store) async throws -> String {
        try await withSampleWorkspace(on: store, "dictionary") { workspace, database, run in
            let ran = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
            try #require(ran.status == 0, "\(ran.output)")
            if let database { try await letSampleUsersLogIn(database) }
            func cdp(_ user: String, _ arguments: [String]) throws -> Subprocess.Result {
                try Self.run(as: user, on: store, workspace: workspace, arguments + ["-w", workspace], run)
            }
            let seeded = try cdp("sam", ["audit", "list", "--action", "dictionary.seed", "--json"])
            #expect(seeded.status == 0 && seeded.stdout.contains("entries added from the workspace schema"), "\(store): \(seeded.output)")
            let described = try cdp("sam", ["dictionary", "edit", "silver_customer.email", "--description", "Where we write to", "--reason", "clearer"])
            #expect(described.status == 0, "\(store): \(described.output)")
            let tagged = try cdp("sam", ["dictionary", "edit", "silver_customer.city", "--tag", "PII.Address"])
            #expect(tagged.status == 0, "\(store): \(tagged.output)")
            let refused = try cdp("ana", ["dictionary", "edit", "silver_customer.email", "--description", "mine"])
            #expect(refused.status != 0 && refused.stderr.contains("edit_dictionary"), "\(store): \(refused.output)")
            let show = try cdp("sam", ["dictionary", "show", "silver_customer.email", "--json"])
            #expect(show.status == 0 && show.stdout.contains("Where we write to"), "\(store): \(show.output)")
            let versionList = try cdp("sam", ["dictionary", "history", "silver_customer.email"])
            #expect(versionList.status == 0 && versionList.stdout.contains("cdp dictionary diff silver_customer.email 1 2"), "\(store): \(versionList.output)")
            let versions = try cdp("sam", ["dictionary", "history", "silver_customer.email", "--json"])
            try #require(versions.status == 0, "\(store): \(versions.output)")
            let anasList = try cdp("ana", ["dictionary", "list", "--json"])
            #expect(anasList.status == 0, "\(store): \(anasList.output)")
            let list = try cdp("sam", ["dictionary", "list", "--json"])
            try #require(list.status == 0, "\(store): \(list.output)")
            if let database {
                let cluster = try PostgresTestCluster.get()
                // The edit is the database's: by sam, audited in the same transaction, and city now reads masked.
                let admin = try await cluster.superuser(database)
                defer { Task { await admin.close() } }
                let rows = try await admin.rows(
                    "SELECT actor, target FROM cdp.audit_log WHERE action = 'dictionary.edit' ORDER BY id").map { $0.map { $0 ?? "" } }
                #expect(rows == [["sam", "silver_customer.email"], ["sam", "silver_customer.city"]], "\(rows)")
                let city = try cluster.psql("SELECT city FROM silver_customer_masked WHERE city IS NOT NULL LIMIT 1", as: "ana", database: database)
                #expect(city.status == 0 && city.stdout.contains("*"), "\(city.output)")
                let byHand = try cluster.psql("UPDATE dictionary_entry SET description = 'x'", as: "sam", database: database)
                #expect(byHand.status != 0 && byHand.stderr.contains("permission denied"), "\(byHand.output)")
                let seedByAnalyst = try cluster.psql("SELECT cdp.dictionary_seed('[]', 'x', true)", as: "ana", database: database)
                #expect(seedByAnalyst.status != 0 && seedByAnalyst.stderr.contains("permission denied"), "\(seedByAnalyst.output)")
                #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
            }
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
            let kept = entries.map { $0.filter { !["changedAt", "changedBy"].contains($0.key) } }
            let history = try #require(try JSONSerialization.jsonObject(with: Data(versions.stdout.utf8)) as? [[String: Any]])
                .map { $0.filter { $0.key != "changedAt" && !($0.key == "changedBy" && ($0.value as? String) != "sam") } }
            let document: [String: Any] = ["entries": kept, "history": history]
            return String(decoding: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]), as: UTF8.self)
        }
    }

    @Test func theDictionaryIsSeededAndEditedAlikeOnBothStores() async throws {
        let embedded = try await Self.dictionaryScenario(on: .embedded)
        let onStore = try await Self.dictionaryScenario(on: .postgres)
        #expect(onStore == embedded, "\(Self.firstDifference(onStore, embedded))")
    }
}
