import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// The data dictionary on the team store: `cdp init --store` seeds it as the embedded init does, and
/// `cdp dictionary list/show/edit/history` work on it through the store's functions (the role checked and the
/// edit audited by the database, masked views following a tag).
extension TeamStoreTests {
    /// The scenario: the seeded entries, sam describing silver_customer.email and tagging silver_customer.city as
    /// an address, ana refused the edit, and what list, show and history then say. Returns the entries and the
    /// history of silver_customer.email.
    static func dictionaryScenario(on store: Store) async throws -> DictionaryEnd {
        try await withSampleWorkspace(on: store, "dictionary") { workspace, database, run in
            try await ingestSample(workspace, database, run)
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
                // The tag followed the lineage to customer_360.city (attack 10, F4), in the same transaction.
                #expect(rows == [["sam", "silver_customer.email"], ["sam", "silver_customer.city"], ["sam", "customer_360.city"]], "\(rows)")
                let city = try cluster.psql("SELECT city FROM silver_customer_masked WHERE city IS NOT NULL LIMIT 1", as: "ana", database: database)
                #expect(city.status == 0 && city.stdout.contains("*"), "\(city.output)")
                let treatments = try await admin.rows(
                    "SELECT relation, treatment FROM cdp.masked_column WHERE column_name = 'city' AND relation IN ('silver_customer', 'customer_360') "
                        + "ORDER BY relation")
                #expect(treatments == [["customer_360", "mask:PII.Address"], ["silver_customer", "mask:PII.Address"]], "\(treatments)")
                let byHand = try cluster.psql("UPDATE dictionary_entry SET description = 'x'", as: "sam", database: database)
                #expect(byHand.status != 0 && byHand.stderr.contains("permission denied"), "\(byHand.output)")
                let seedByAnalyst = try cluster.psql("SELECT cdp.dictionary_seed('[]', 'x')", as: "ana", database: database)
                #expect(seedByAnalyst.status != 0 && seedByAnalyst.stderr.contains("permission denied"), "\(seedByAnalyst.output)")
                #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
            }
            // Entries by dataset (its columns' entries as JSON); the history without its times, and the seeding's
            // actor (whoever made the workspace: the OS user, or the store's installer) left out.
            var byDataset: [String: [[String: Any]]] = [:]
            for entry in try jsonObjects(list) {
                byDataset["\(entry["layer"] ?? "")/\(entry["dataset"] ?? "")", default: []].append(entry)
            }
            var datasets: [String: DatasetEntries] = [:]
            for (name, entries) in byDataset {
                // A view's computed column has no declared type in SQLite (ANY) and the one PostgreSQL computes on the
                // store: a view's column types are left out.
                let isView = entries.contains { ($0["column"] as? String) == "" && ($0["data_type"] as? String) == "view" }
                let compared = isView ? entries.map { $0.filter { $0.key != "data_type" || ($0.value as? String) == "view" } } : entries
                datasets[name] = DatasetEntries(
                    columns: entries.compactMap { $0["column"] as? String }.sorted(), json: try sortedJSON(compared))
            }
            let history = try jsonObjects(versions)
                .map { $0.filter { $0.key != "changed_at" && !($0.key == "changed_by" && ($0.value as? String) != "sam") } }
            return DictionaryEnd(datasets: datasets, history: try sortedJSON(history))
        }
    }

    /// A dataset's entries as a scenario ends with them: its columns, and the entries as JSON.
    struct DatasetEntries: Equatable {
        var columns: [String]
        var json: String
    }

    struct DictionaryEnd {
        var datasets: [String: DatasetEntries]
        var history: String
    }

    /// Both stores seed every dataset they hold alike (a dataset whose columns differ between the stores, as
    /// bronze_row's landed text, which the team store reads from the landed file, is described as each holds it), and
    /// an entry's history is the same.
    @Test func theDictionaryIsSeededAndEditedAlikeOnBothStores() async throws {
        let embedded = try await Self.dictionaryScenario(on: .embedded)
        let onStore = try await Self.dictionaryScenario(on: .postgres)
        let same = embedded.datasets.keys.filter { embedded.datasets[$0]?.columns == onStore.datasets[$0]?.columns }.sorted()
        for dataset in same {
            let a = try #require(embedded.datasets[dataset]).json, b = try #require(onStore.datasets[dataset]).json
            #expect(b == a, "\(dataset): \(Self.firstDifference(b, a))")
        }
        // The lake's own datasets are among those compared, and no dataset is seeded on one store only.
        for dataset in ["bronze/crm_customers", "bronze/batch", "silver/silver_customer", "silver/silver_order", "silver/silver_event",
            "quarantine/quarantine_record", "gold/customer_360"]
        {
            #expect(same.contains(dataset), "\(dataset): \(embedded.datasets[dataset]?.columns ?? []) against \(onStore.datasets[dataset]?.columns ?? [])")
        }
        #expect(Set(embedded.datasets.keys) == Set(onStore.datasets.keys))
        #expect(onStore.history == embedded.history, "\(Self.firstDifference(onStore.history, embedded.history))")
    }
}
