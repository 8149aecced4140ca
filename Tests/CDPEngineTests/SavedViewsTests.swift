import CDPCore
import CDPRepositories
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Saved views of the workbench: per user, kept through the engine (audited rows), the newest of a name winning.
@Suite struct SavedViewsTests {
    @Test func viewsArePerUserTheNewestOfANameWinsAndADeletedOneIsGone() throws {
        let (workspace, _) = try WorkAssignmentsTests.workspace("views")
        let sam = SavedViews(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "sam"))
        let tom = SavedViews(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "tom"))
        let emails = SavedView(name: "eu-emails", rule: "email_format", statuses: [.open], sort: "age", ascending: false, columns: ["id", "name", "value"])
        try sam.save(emails)
        try sam.save(SavedView(name: "all-held"))
        var changed = emails
        changed.text = "example"
        try sam.save(changed)
        #expect(try sam.views().map(\.name) == ["all-held", "eu-emails"])
        let read = try sam.view(named: "eu-emails")
        #expect(read == changed)
        #expect(read.viewColumns == [.id, .name, .value] && read.order == .age && read.filter.rule == "email_format")
        #expect(read.summary == "eu-emails: rule email_format · open · text \"example\" · by age ▼ · 3 columns")
        // Another user has none of sam's views.
        #expect(try tom.views().isEmpty)
        let missing = #expect(throws: EngineError.self) { try tom.view(named: "eu-emails") }
        #expect(missing?.code == .notFound && missing?.message.contains("you have none") == true)

        try sam.delete(named: "all-held")
        #expect(try sam.views().map(\.name) == ["eu-emails"])
        let bad = #expect(throws: EngineError.self) { try sam.save(SavedView(name: "two words")) }
        #expect(bad?.code == .refused)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "view.save")).count == 3)
    }

    /// A view's search text is what a steward typed (here an e-mail address): a reader without view_pii never
    /// reads it back, through the audit list or SQL; its owner gets the view whole.
    @Test func aViewsSearchTextIsWithheldFromReadersWithoutViewPII() throws {
        let (workspace, _) = try WorkAssignmentsTests.workspace("views-masked")
        let sam = SavedViews(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "sam"))
        try sam.save(SavedView(name: "one-customer", text: "jane.doe@example.com"))
        #expect(try sam.view(named: "one-customer").text == "jane.doe@example.com")
        let ana = Environment.fixed(at: 1_764_300_000, user: "ana")
        let rows = try workspace.reader(for: ana).auditEntries(AuditFilter(action: "view.save"))
        #expect(rows.count == 1)
        #expect(!rows.contains { ($0.after ?? "").contains("jane") || ($0.reason ?? "").contains("jane") })
        let sql = try workspace.query("SELECT after, reason FROM audit_log_masked WHERE action = 'view.save'", limit: 10, as: ana)
        #expect(sql.rows.count == 1)
        #expect(!sql.rows.flatMap { $0 }.contains { ($0.text ?? "").contains("jane") })
    }
}
