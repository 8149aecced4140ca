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
        // Stewards name views after what they look for: the name is as personal as the search.
        try sam.save(SavedView(name: "jane.doe@example.com", rule: "email_format"))
        try sam.delete(named: "jane.doe@example.com")
        #expect(try sam.view(named: "one-customer").text == "jane.doe@example.com")
        #expect(try sam.views().map(\.name) == ["one-customer"])
        let ana = Environment.fixed(at: 1_764_300_000, user: "ana")
        let rows = try workspace.reader(for: ana).auditEntries(AuditFilter(action: "view.save"))
            + workspace.reader(for: ana).auditEntries(AuditFilter(action: "view.delete"))
        #expect(rows.count == 3)
        #expect(!rows.contains { $0.target.contains("jane") || ($0.after ?? "").contains("jane") || ($0.reason ?? "").contains("jane") }, "\(rows)")
        let sql = try workspace.query("SELECT target, after, reason FROM audit_log_masked WHERE action LIKE 'view.%'", limit: 10, as: ana)
        #expect(sql.rows.count == 3)
        #expect(!sql.rows.flatMap { $0 }.contains { ($0.text ?? "").contains("jane") })
    }

    /// Views saved before names were withheld (`view:NAME` targets, settings in `after`) are still read.
    @Test func viewsSavedBeforeNamesWereWithheldAreStillRead() throws {
        let (workspace, _) = try WorkAssignmentsTests.workspace("views-earlier-rows")
        let settings = #"{"ascending":true,"columns":[],"name":"old-view","rule":"email_format","statuses":["open"]}"#
        _ = try workspace.repositories.audit.appendAudit(
            AuditDraft(actor: "sam", action: "view.save", target: "view:old-view", after: settings, reason: "smith"), at: "2026-12-01T10:00:00Z")
        _ = try workspace.repositories.audit.appendAudit(
            AuditDraft(actor: "sam", action: "view.save", target: "view:gone", after: settings.replacingOccurrences(of: "old-view", with: "gone")),
            at: "2026-12-01T10:00:00Z")
        _ = try workspace.repositories.audit.appendAudit(AuditDraft(actor: "sam", action: "view.delete", target: "view:gone"), at: "2026-12-01T10:01:00Z")
        let sam = SavedViews(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "sam"))
        let old = try sam.view(named: "old-view")
        #expect(old.rule == "email_format" && old.text == "smith")
        #expect(try sam.views().map(\.name) == ["old-view"])
        // Saved again under the new rule, the newest row wins.
        try sam.save(SavedView(name: "old-view", rule: "phone_format"))
        #expect(try sam.view(named: "old-view").rule == "phone_format")
    }
}
