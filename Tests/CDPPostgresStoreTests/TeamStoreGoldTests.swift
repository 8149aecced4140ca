import CDPCore
import CDPPostgresStore
import CDPRepositories
import CDPStore
import Foundation
import Testing

/// The gold layer on the team store: the sample's gold step gives the embedded lake's Customer 360, search index,
/// campaigns and days, row for row; the reads over it (search, profile, analytics) answer alike, masked for an
/// analyst; and only a run holding the run lock writes it.
extension TeamStoreTests {
    /// The gold tables in key order, as text both stores answer alike (a double to 9 significant digits: the stores
    /// sum money in different orders).
    static let goldQueries: [String] = {
        func text(_ columns: String) -> String {
            columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .map { $0.hasPrefix("#") ? "CAST(\($0.dropFirst()) AS TEXT)" : $0 }.joined(separator: ", ")
        }
        return [
            """
            SELECT \(text("#golden_id, first_name, last_name, email, phone, birth_date, street, city, postcode, country, #email_opt_in, #sms_opt_in, #source_count, sources, first_seen, last_seen, #orders, #lifetime_value, last_order, #campaigns_reached, #sent, #opens, #clicks, #conversions, #conversion_revenue, #unsubscribes, last_engagement, #open_quality_issues, #built_run"))
            FROM customer_360 ORDER BY customer_360.golden_id
            """,
            "SELECT key, CAST(golden_id AS TEXT) FROM customer_search ORDER BY customer_search.golden_id, key",
            "SELECT variant, name FROM customer_name_variant ORDER BY name, variant",
            """
            SELECT \(text("campaign_id, name, channel, start_date, end_date, #budget, currency, #sent, #unique_reached, #opens, #clicks, #conversions, #unsubscribes, #open_rate, #click_rate, #conversion_rate, #revenue, #cost_per_conversion"))
            FROM campaign_performance ORDER BY campaign_id
            """,
            "SELECT \(text("channel, day, #sent, #opens, #clicks, #conversions, #unsubscribes, #revenue")) FROM engagement_daily ORDER BY channel, day",
        ]
    }()

    /// The rows a query of the lake's tables answers on a workspace's lake: the embedded file, or the store's database
    /// (as its superuser, the tables in schema `cdp`; `postgresSQL` rewrites the query for PostgreSQL where the two differ).
    static func lakeRows(_ sql: String, workspace: String, database: String?, postgresSQL: (String) -> String = { $0 }) async throws -> [[String?]] {
        guard let database else { return try LakeStore(path: workspace + "/lake/lake.sqlite", mode: .readOnly).query(sql, limit: 1_000_000).rows }
        let admin = try await PostgresTestCluster.get().superuser(database)
        defer { Task { await admin.close() } }
        return try await admin.rows(postgresSQL(sql).replacingOccurrences(of: "FROM ", with: "FROM cdp."))
    }

    static func goldTables(workspace: String, database: String?) async throws -> [[[String?]]] {
        var tables: [[[String?]]] = []
        for sql in goldQueries {
            // Text in byte order, as SQLite sorts it.
            let rows = try await lakeRows(sql, workspace: workspace, database: database) {
                $0.replacingOccurrences(of: "golden_id, key", with: "golden_id, key COLLATE \"C\"")
                    .replacingOccurrences(of: "ORDER BY name, variant", with: "ORDER BY name COLLATE \"C\", variant COLLATE \"C\"")
                    .replacingOccurrences(of: "ORDER BY campaign_id", with: "ORDER BY campaign_id COLLATE \"C\"")
                    .replacingOccurrences(of: "ORDER BY channel, day", with: "ORDER BY channel COLLATE \"C\", day COLLATE \"C\"")
            }
            tables.append(rows.map { $0.map(Self.comparable) })
        }
        return tables
    }

    /// A value as both stores print it: numbers as numbers (a double to 9 significant digits), text as is.
    static func comparable(_ text: String?) -> String? {
        guard let text, text.contains("."), let number = Double(text) else { return text }
        return String(format: "%.9g", number)
    }

    /// What the Customer 360 reads answer over a lake, as JSON (doubles as ``comparable(_:)`` prints them).
    static func customer360Reads(_ lake: any Customer360Repository) throws -> String {
        func rounded(_ rows: [Customer360Row]) -> [Customer360Row] {
            rows.map { row in
                var row = row
                row.lifetimeValue = (row.lifetimeValue * 1e6).rounded() / 1e6
                row.conversionRevenue = (row.conversionRevenue * 1e6).rounded() / 1e6
                return row
            }
        }
        let top = rounded(try lake.topCustomers(limit: 40))
        let some = rounded(try lake.customer360(top.suffix(5).map(\.golden) + [GoldenID(999_999)] + [top[0].golden]))
        let names = try lake.customerNames(top.prefix(10).map(\.golden)).sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key) \($0.value.first ?? "-") \($0.value.last ?? "-")" }
        var searches: [String] = []
        for word in ["garcia", "maria", "gar", "jonh", "smiht", "gmail.com"] {
            let lookup = try #require(CustomerSearchKeys.lookups(word).first)
            searches.append("\(word): \(try lake.customerSearchHits(lookup, limit: 30).map { "\($0.key)=\($0.golden)" })")
            searches.append("\(word) variants: \(try lake.nameVariants(lookup).sorted { $0.key < $1.key }.map { "\($0.key)~\($0.value)" })")
        }
        let holding = try lake.customersHolding(keys: ["garcia", "maria", "smith"], among: nil, limit: 50).map { "\($0.key)=\($0.golden)" }
        let among = try lake.customersHolding(keys: ["garcia", "maria"], among: top.map(\.golden), limit: 50).map { "\($0.key)=\($0.golden)" }
        let all = try lake.customersHoldingAll([["maria"], ["garcia", "garcía"]], limit: 50).map(\.description)
        let campaigns = try lake.campaignPerformance().map { "\($0.campaign) \($0.sent) \($0.uniqueReached) \($0.opens) \($0.clicks) \($0.conversions) \(comparable(String($0.revenue)) ?? "") \($0.openRate.map { String(format: "%.9g", $0) } ?? "-")" }
        let summary = try lake.latestMatchSummary().map { "\($0.run) \($0.records ?? -1) \($0.autoMergedPairs ?? -1) \($0.queued) \($0.decided) \($0.goldenRecords ?? -1)" }
        let object: [String: Any] = [
            "count": try lake.customer360Count(), "top": try sortedJSON(try JSONSerialization.jsonObject(with: JSONEncoder().encode(top))),
            "some": try sortedJSON(try JSONSerialization.jsonObject(with: JSONEncoder().encode(some))), "names": names, "searches": searches,
            "holding": holding, "among": among, "all": all, "campaigns": campaigns, "summary": summary ?? "none",
        ]
        return try sortedJSON(object)
    }

    /// The sample on one store: ingested, matched, its gold step run; the gold tables, the repository's reads (as the
    /// workspace's admin) and what `cdp customer search/show` print for an admin and for an analyst.
    static func sampleGold(on store: Store) async throws -> (tables: [[[String?]]], reads: String, admin: String, analyst: String) {
        try await withSampleWorkspace(on: store, "gold") { workspace, database, run in
            try await ingestSample(workspace, database, run)
            let matched = try run(["match", "run", "-w", workspace])
            try #require(matched.status == 0, "\(store): \(matched.output)")
            let gold = try run(["run", "-w", workspace, "--step", "gold"])
            try #require(gold.status == 0, "\(store): \(gold.output)")
            let tables = try await goldTables(workspace: workspace, database: database)
            let reads: String
            if let database {
                let cluster = try PostgresTestCluster.get()
                let lake = try PostgresLake.open(
                    "postgresql://postgres@/\(database)?host=\(cluster.folder)&port=\(cluster.port)", environment: cluster.clientEnvironment,
                    osUser: "postgres")
                defer { lake.close() }
                reads = try customer360Reads(lake.repositories.customer360)
            } else {
                reads = try customer360Reads(try LakeStore(path: workspace + "/lake/lake.sqlite", mode: .readOnly))
            }
            var admin: [String] = []
            for arguments in [["customer", "search", "garcia", "--json"], ["customer", "show", "G3", "--json"], ["customer", "show", "G40"]] {
                let result = try run(arguments + ["-w", workspace])
                try #require(result.status == 0, "\(store) \(arguments): \(result.output)")
                admin.append(result.stdout)
            }
            // The analyst's profile of a customer: its Customer 360 row (on the store, read from customer_360_masked).
            let shown = try Self.run(as: "ana", on: store, workspace: workspace, ["customer", "show", "G3", "--json", "-w", workspace], run)
            try #require(shown.status == 0, "\(store): \(shown.output)")
            let profile = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
            if store == .postgres {
                // The search index is withheld from her by the database (customer_search_masked): a name finds no one.
                let searched = try Self.run(as: "ana", on: store, workspace: workspace, ["customer", "search", "garcia", "-w", workspace], run)
                #expect(searched.status == 0 && searched.stdout.contains("no customer matches 'garcia'"), "\(searched.output)")
                // Her search is a lookup, audited on the store as on the embedded lake (attack 9); she writes nothing, so
                // the row waits in the inbox for the next audited write.
                let admin = try await PostgresTestCluster.get().superuser(try #require(database))
                defer { Task { await admin.close() } }
                let lookups = try await admin.rows("SELECT actor FROM cdp.audit_inbox WHERE action = 'customer.lookup'")
                #expect(lookups == [["ana"]], "\(lookups)")
            }
            return (tables, reads, admin.joined(separator: "\n"), try sortedJSON(try #require(profile["customer"])))
        }
    }

    /// `cdp run --step gold` on the team store builds the embedded lake's gold layer row for row (Customer 360, the
    /// search index and name variants, campaigns, days), and every Customer 360 and analytics read answers alike
    /// over it; `cdp customer search/show` print the same for a steward, and an analyst's profile shows the same
    /// masked Customer 360 row (on the store the database hands the analyst masked rows only).
    @Test func theGoldLayerAndItsReadsAreTheSameOnBothStores() async throws {
        let embedded = try await Self.sampleGold(on: .embedded)
        let postgres = try await Self.sampleGold(on: .postgres)
        #expect(embedded.tables[0].count > 1000 && embedded.tables[1].count > 3000 && embedded.tables[3].count > 3, "\(embedded.tables.map(\.count))")
        for (index, name) in ["customer_360", "customer_search", "customer_name_variant", "campaign_performance", "engagement_daily"].enumerated() {
            #expect(postgres.tables[index].count == embedded.tables[index].count, "\(name)")
            let first = zip(postgres.tables[index], embedded.tables[index]).first { $0.0 != $0.1 }
            #expect(first == nil, "\(name) differ first at \(String(describing: first))")
        }
        #expect(postgres.reads == embedded.reads, "\(Self.firstDifference(postgres.reads, embedded.reads))")
        #expect(postgres.admin == embedded.admin, "\(Self.firstDifference(postgres.admin, embedded.admin))")
        #expect(postgres.analyst == embedded.analyst, "\(Self.firstDifference(postgres.analyst, embedded.analyst))")
        #expect(postgres.analyst.contains("*") && !postgres.admin.contains(postgres.analyst), "the analyst's row is masked: \(postgres.analyst)")
    }

    /// The gold layer is a run's write: an analyst may not call its functions, a steward not holding the run lock is
    /// refused by the functions and, granted a gold table by mistake, by the run-write guard; a session holding the
    /// lock rebuilds it; and `cdp audit verify` reports the guard missing.
    @Test func theGoldLayerIsWrittenOnlyByARunHoldingTheLock() async throws {
        let fixture = try await TeamStoreFixture.make("goldwrites")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let customers = "SELECT count(*)::text FROM cdp.customer_360"
        for function in ["gold_read_begin", "gold_write_begin", "gold_write_end"] {
            let analyst = try fixture.psql("SELECT cdp.\(function)()", as: "ana")
            #expect(analyst.status != 0 && analyst.stderr.contains("permission denied for function \(function)"), "\(analyst.output)")
            let steward = try fixture.psql("SELECT cdp.\(function)()", as: "sam")
            #expect(
                steward.status != 0 && steward.stderr.contains("sam may not rebuild the gold layer: only a run holding the store's run lock does"),
                "\(steward.output)")
        }
        let copied = try fixture.psql(
            "INSERT INTO cdp.customer_search (key, golden_id) VALUES ('mallory', 1)", as: "sam")
        #expect(copied.stderr.contains("sam may not write cdp.customer_search: only a pipeline run writes it"), "\(copied.output)")
        try await admin.execute("GRANT DELETE ON cdp.customer_360 TO \(fixture.group("steward"))")
        let deleted = try fixture.psql("DELETE FROM cdp.customer_360", as: "sam")
        #expect(deleted.stderr.contains("sam may not write cdp.customer_360: only a pipeline run writes it"), "\(deleted.output)")
        #expect(try await admin.rows(customers).first?.first == "2")

        // Holding the lock, a steward's session empties the layer and copies a new one in.
        let rebuilt = try fixture.psql(
            Self.holdingTheRunLock(
                """
                SELECT cdp.gold_read_begin(); SELECT cdp.gold_write_begin();
                INSERT INTO cdp.customer_search (key, golden_id) VALUES ('pilar', 1); SELECT cdp.gold_write_end()
                """), as: "sam")
        #expect(rebuilt.status == 0, "\(rebuilt.output)")
        #expect(try await admin.rows(customers).first?.first == "0")
        #expect(try await admin.rows("SELECT key FROM cdp.customer_search") == [["pilar"]])

        try await admin.execute("ALTER TABLE cdp.customer_360 DISABLE TRIGGER run_write_needs_the_run_lock")
        let problems = try await PostgresTeamStore.auditChainProblems(admin)
        #expect(problems.contains { $0.contains("trigger customer_360.run_write_needs_the_run_lock is missing or disabled") }, "\(problems)")
    }
}
