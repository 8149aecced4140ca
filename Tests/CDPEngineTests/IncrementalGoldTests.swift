import CDPCore
import Foundation
import GRDB
import Testing

@testable import CDPEngine
@testable import CDPStore

/// The gold build updates only the golden customers (and campaigns and days) whose inputs changed, and ends with the
/// layer a whole rebuild makes, row for row, after each kind of change: new and changed records (customers, orders,
/// contacts, events, a record held in quarantine), a merge decision, an unmerge, an override.
@Suite struct IncrementalGoldTests {
    /// Every gold table's rows, sorted, without the run that built each customer's row (a whole rebuild names itself).
    static func goldTables(_ workspace: Workspace) throws -> [String: [[DatabaseValue]]] {
        try workspace.store.writer.read { db in
            var tables: [String: [[DatabaseValue]]] = [:]
            for table in ["customer_360", "customer_search", "customer_name_variant", "campaign_performance", "engagement_daily"] {
                tables[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { row in
                    row.columnNames.filter { $0 != "built_run" }.map { row[$0] as DatabaseValue }
                }.sorted { "\($0)" < "\($1)" }
            }
            return tables
        }
    }

    /// What the incremental build left equals what a whole rebuild then makes, table by table.
    static func expectSameAsWholeRebuild(_ workspace: Workspace, after step: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let incremental = try goldTables(workspace)
        let whole = try Customer360Service(workspace: workspace, environment: EngineFixture.clock).rebuildGold(run: nil)
        #expect(whole.fullBecause != nil)
        let rebuilt = try goldTables(workspace)
        for (table, rows) in rebuilt.sorted(by: { $0.key < $1.key }) {
            let mine = incremental[table] ?? []
            guard mine != rows else { continue }
            let extra = Set(mine.map { "\($0)" }).subtracting(rows.map { "\($0)" })
            let missing = Set(rows.map { "\($0)" }).subtracting(mine.map { "\($0)" })
            let difference =
                "after \(step), \(table) differs from a whole rebuild: \(extra.count) rows only in the incremental build "
                + "(\(extra.sorted().prefix(3))), \(missing.count) only in the rebuild (\(missing.sorted().prefix(3)))"
            Issue.record(Comment(rawValue: difference), sourceLocation: sourceLocation)
        }
    }

    static func update(_ workspace: Workspace) throws -> GoldCounts {
        try Customer360Service(workspace: workspace, environment: EngineFixture.clock).updateGold(run: nil, full: false)
    }

    static func write(_ text: String, _ path: String, in workspace: Workspace) throws {
        try Data(text.utf8).write(to: workspace.root.appendingPathComponent(path))
    }

    @Test func incrementalGoldEqualsAWholeRebuildAfterEachKindOfChange() throws {
        let workspace = try EngineFixture.sampleWorkspace("incremental-gold")
        let service = Customer360Service(workspace: workspace, environment: EngineFixture.clock)
        try EngineFixture.run(workspace)
        let customers = try workspace.store.customer360Count()
        #expect(customers > 1000)

        // New and changed records of every source: a changed CRM customer and a new one just like it (they merge), a
        // new customer, one held in quarantine under a known key, a changed and two new orders, a changed and a new
        // contact, events of an old and of the new contact.
        try Self.write(
            """
            customer_id,first_name,last_name,email,phone,birth_date,street,city,postcode,country,created_at,updated_at,loyalty_tier,email_opt_in,sms_opt_in
            C0000002,Pilar,González,pilar.gonzalez53@yahoo.es,669 443 380,1953-01-16,"Avenida Diagonal, 101",Barcelona,08025,ES,2025-05-28 11:21:02,2026-11-02 14:28:37,gold,Y,N
            C9000001,Quentin,Deltaworth,quentin.deltaworth@example.com,07700 900111,1981-02-03,5 New Road,Leeds,LS2 2AA,GB,2026-11-01 10:00:00,2026-11-01 10:00:00,silver,Y,Y
            C9000002,Pilar,González,pilar.gonzalez53@yahoo.es,669 443 380,1953-01-16,"Avenida Diagonal, 99",Barcelona,08025,ES,2026-11-01 10:00:00,2026-11-01 10:00:00,bronze,N,N
            C0000005,Held,Record,not an email,07700 900222,1970-01-01,1 Any Street,Leeds,LS1 1AA,GB,2026-11-01 10:00:00,2026-11-03 10:00:00,bronze,N,N

            """, "inbox/crm/customers_delta.csv", in: workspace)
        try Self.write(
            """
            order_id,customer_id,order_date,amount,currency,status
            O00000001,C0000002,2025-07-21,30.84,EUR,refunded
            O90000001,C0000002,2026-11-03,99.99,EUR,completed
            O90000002,C9000001,2026-11-04,12.50,GBP,completed

            """, "inbox/crm/orders_delta.csv", in: workspace)
        try Self.write(
            """
            {"contact_id":"M0000001","full_name":"MANON GUÉRIN","email":"mguerin61@sfr.fr","phone":"+33639327799","country":"France","birthday":"04/10/1961","crm_customer_id":null,"signup_source":"web","subscribed":false,"created":"2025-01-07T07:00:31Z"}
            {"contact_id":"M9000001","full_name":"Lena Deltasson","email":"lena.deltasson@example.se","phone":null,"country":"SE","birthday":"02/03/1990","crm_customer_id":null,"signup_source":"web","subscribed":true,"created":"2026-11-01T00:00:00Z"}

            """, "inbox/marketing/contacts_delta.jsonl", in: workspace)
        try Self.write(
            """
            event_id,contact_id,campaign_id,event_type,occurred_at,revenue
            E900000001,M0000001,CMP002,click,2026-11-05T10:00:00Z,
            E900000002,M9000001,CMP001,sent,2026-11-05T10:00:00Z,
            E900000003,M9000001,CMP001,conversion,2026-11-06T10:00:00Z,25.00

            """, "inbox/marketing/campaign_events_delta.csv", in: workspace)
        let delta = try EngineFixture.run(workspace)
        #expect(delta.state == .succeeded)
        let gold = try #require(delta.tasks.first { $0.key == "build_gold" })
        let rebuilt = try #require(gold.counts["customers_rebuilt"])
        #expect(rebuilt > 0 && rebuilt < customers / 10, "only the customers the delta touched: \(rebuilt) of \(customers)")
        let pilar = try service.find("crm_customers:C0000002")
        #expect(try service.find("crm_customers:C9000002") == pilar)
        #expect(try #require(try workspace.store.customer360([pilar]).first).orders >= 2)
        try Self.expectSameAsWholeRebuild(workspace, after: "new and changed records")

        // A merge decision: the first pair waiting for review, approved.
        let review = MatchReview(workspace: workspace, environment: EngineFixture.clock)
        let pair = try #require(try review.candidates(status: .open, limit: 1).first)
        try review.approve(pair.id, reason: "the same person")
        let merged = try Self.update(workspace)
        #expect(merged.fullBecause == nil && merged.customersRebuilt >= 1 && merged.customersRebuilt <= 3)
        try Self.expectSameAsWholeRebuild(workspace, after: "a merge decision")

        // An unmerge: the new CRM record leaves Pilar's golden record for one of its own.
        let apart = try review.unmerge(pilar, record: SourceRecordID(source: "crm_customers", key: "C9000002"), reason: "different people")
        let split = try Self.update(workspace)
        #expect(split.fullBecause == nil && split.customersRebuilt == 2)
        #expect(try workspace.store.customer360([apart]).count == 1)
        try Self.expectSameAsWholeRebuild(workspace, after: "an unmerge")

        // An override of a golden value, then a run with nothing new: nothing more to redo.
        try review.override(pilar, attribute: "city", value: "Girona", reason: "moved")
        let overridden = try Self.update(workspace)
        #expect(overridden.customersRebuilt == 1)
        #expect(try #require(try workspace.store.customer360([pilar]).first).city == "Girona")
        try Self.expectSameAsWholeRebuild(workspace, after: "an override")
        // The first run after the decisions matches again with them; the one after it finds nothing changed.
        try EngineFixture.run(workspace)
        try Self.expectSameAsWholeRebuild(workspace, after: "a match run after the decisions")
        let quiet = try EngineFixture.run(workspace)
        let untouched = try #require(quiet.tasks.first { $0.key == "build_gold" })
        #expect(untouched.counts["customers_rebuilt"] == 0, "\(untouched.counts)")
        try Self.expectSameAsWholeRebuild(workspace, after: "a run with nothing new")
    }

    /// Review: a deleted last silver row (a release taken back, a discarded batch) gave its id to the next row written,
    /// which the next build took for one it had read: a new order of another customer was missed. The delete lowers
    /// the build's mark below itself.
    @Test func aRowThatTakesADeletedRowsIdIsReadAsNew() throws {
        let workspace = try EngineFixture.sampleWorkspace("incremental-gold-reused-id")
        try EngineFixture.run(workspace)
        // The last order goes (as a release taken back does), and an order of another customer takes its id.
        try workspace.store.writer.write { db in
            let last = try #require(try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM silver_order"))
            let owner = try #require(try String.fetchOne(db, sql: "SELECT customer_id FROM silver_order WHERE id = ?", arguments: [last]))
            let other = try #require(
                try String.fetchOne(
                    db, sql: "SELECT customer_id FROM silver_order WHERE customer_id <> ? AND is_current = 1 ORDER BY id LIMIT 1", arguments: [owner]))
            try db.execute(sql: "CREATE TEMP TABLE reused AS SELECT * FROM silver_order WHERE id = ?", arguments: [last])
            try db.execute(sql: "DELETE FROM silver_order WHERE id = ?", arguments: [last])
            try db.execute(sql: "UPDATE temp.reused SET customer_id = ?, source_key = 'O99999999', amount = 1234.5", arguments: [other])
            try db.execute(sql: "INSERT INTO silver_order SELECT * FROM temp.reused")
            try db.execute(sql: "DROP TABLE temp.reused")
            #expect(try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM silver_order") == last)
        }
        let update = try Self.update(workspace)
        #expect(update.fullBecause == nil && update.customersRebuilt >= 2, "\(update)")
        try Self.expectSameAsWholeRebuild(workspace, after: "an order that took a deleted order's id")
    }

    /// Review: two event-owning sources may hold the same contact key, and the key's events belong to the first current
    /// link. When that link moves (here an unmerge), the events move to the other source's golden customer, whose own
    /// inputs did not change; the build must rebuild it too.
    @Test func eventsFollowASharedKeyToTheOtherOwningSourcesCustomer() throws {
        let sample = try EngineFixture.sampleWorkspace("incremental-gold-shared-contact-key")
        try EngineFixture.run(sample)
        // A contact with events whose golden customer has another member.
        let (golden, key) = try sample.store.writer.read { db in
            let row = try #require(
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT x.golden_id, x.source_key FROM golden_xref x
                        WHERE x.source = 'marketing_contacts' AND x.valid_to_run IS NULL
                            AND EXISTS (SELECT 1 FROM silver_event e WHERE e.contact_id = x.source_key AND e.is_current = 1)
                            AND EXISTS (SELECT 1 FROM golden_xref o WHERE o.golden_id = x.golden_id AND o.id <> x.id AND o.valid_to_run IS NULL)
                        ORDER BY x.id LIMIT 1
                        """))
            return (GoldenID(rawValue: row[0] as Int64), row[1] as String)
        }

        // A second customer source of the marketing system, whose keys share the contacts' key space, holds someone
        // else under that key.
        let settings = sample.root.appendingPathComponent("cdp.toml")
        try (String(contentsOf: settings, encoding: .utf8) + """

            [[sources]]
            name = "marketing_leads"
            system = "marketing"
            entity = "customer"
            format = "csv"
            path = "inbox/marketing/leads*.csv"
            primary_key = "contact_id"

            [sources.mapping]
            full_name = "full_name"
            email = "email"

            """).write(to: settings, atomically: true, encoding: .utf8)
        let pipeline = sample.root.appendingPathComponent("workflows/customer_pipeline.json")
        let revalidate = #"{"task_key": "revalidate_quarantine", "depends_on": ["#
        let tasks = try String(contentsOf: pipeline, encoding: .utf8)
        #expect(tasks.contains(revalidate))
        try tasks.replacingOccurrences(
            of: revalidate,
            with: #"{"task_key": "ingest_marketing_leads", "cdp_task": {"step": "ingest", "source": "marketing_leads"}},"# + "\n"
                + revalidate + #"{"task_key": "ingest_marketing_leads"}, "#
        ).write(to: pipeline, atomically: true, encoding: .utf8)
        try Self.write(
            "contact_id,full_name,email\n\(key),Zebedee Quillfeather,zebedee.quillfeather@example.org\n",
            "inbox/marketing/leads_1.csv", in: sample)
        let workspace = try Workspace(at: sample.root.path)
        let added = try EngineFixture.run(workspace)
        #expect(added.state == .succeeded)
        let service = Customer360Service(workspace: workspace, environment: EngineFixture.clock)
        let lead = try service.find("marketing_leads:\(key)")
        #expect(lead != golden)
        try Self.expectSameAsWholeRebuild(workspace, after: "a lead under a contact's key")

        // The contact leaves its golden customer: its new link is younger than the lead's, so the events go to the lead's.
        let review = MatchReview(workspace: workspace, environment: EngineFixture.clock)
        try review.unmerge(golden, record: SourceRecordID(source: "marketing_contacts", key: key), reason: "different people")
        let update = try Self.update(workspace)
        #expect(update.fullBecause == nil && update.customersRebuilt == 3, "\(update)")
        try Self.expectSameAsWholeRebuild(workspace, after: "an unmerge of a contact whose key a lead shares")
    }

    /// The first build, and `cdp run --full`, rebuild whole, and the run's log says why.
    @Test func theFirstBuildAndAFullRunRebuildWhole() throws {
        let workspace = try EngineFixture.sampleWorkspace("incremental-gold-full")
        let first = try Customer360Service(workspace: workspace, environment: EngineFixture.clock).updateGold(run: nil, full: false)
        #expect(first.fullBecause == "no earlier gold build to start from")
        try EngineFixture.run(workspace)
        var runner = WorkflowRunner(workspace: workspace, environment: EngineFixture.clock)
        runner.full = true
        let full = try runner.run(workspace.workflow())
        let gold = try #require(full.tasks.first { $0.key == "build_gold" })
        #expect(gold.counts["customers_rebuilt"] == gold.counts["customers"])
        let events = try workspace.store.events(of: full.id)
        #expect(events.contains { $0.message.contains("building the whole gold layer: a full run (--full)") }, "\(events.map(\.message))")
    }
}
