import CDPCore
import CDPPostgresStore
import CDPRepositories
import Foundation
import Testing

/// Consoles of several stewards see each other's work on the team store (#17): what one login commits, another's
/// lake names at its next look (any role may look, a viewer too), with action names only; a viewer's own rows,
/// which wait in the inbox, move nothing.
extension TeamStoreTests {
    @Test func aLookAtTheStoreNamesWhatAnotherLoginCommittedAndOnlyItsActions() async throws {
        let fixture = try await TeamStoreFixture.make("feed")
        defer { Task { await fixture.drop() } }
        let cluster = fixture.cluster
        func lake(_ user: String) throws -> PostgresLake {
            try PostgresLake.open(
                "postgresql://\(user)@/\(fixture.database)?host=\(cluster.folder)&port=\(cluster.port)",
                environment: cluster.clientEnvironment,
                osUser: user)
        }
        let viewer = try lake("vic")
        defer { viewer.close() }
        let feed = viewer.repositories.changes
        let start = try feed.auditedChanges(after: nil)
        #expect(start.actions.isEmpty && start.head.rawValue > 0)
        #expect(try feed.auditedChanges(after: start.head) == start)

        // The viewer's own visit waits in the inbox: the chain, and so the mark, does not move.
        try viewer.repositories.audit.appendAudit(AuditDraft(actor: "vic", action: "console.visit", target: "quarantine"), at: "now")
        #expect(try feed.auditedChanges(after: start.head) == start)

        // sam rejects Q1 through the store's function, from psql: the viewer's next look names the actions and nothing
        // else (the visit joined the chain with sam's write).
        let rejected = try fixture.psql("SELECT cdp.quarantine_reject(1, 'open', 'not a customer of ours')", as: "sam")
        try #require(rejected.status == 0, "\(rejected.output)")
        let changed = try feed.auditedChanges(after: start.head)
        #expect(changed.actions == ["console.visit", "quarantine.reject"], "\(changed)")
        #expect(changed.head.rawValue > start.head.rawValue)
        #expect(try feed.auditedChanges(after: changed.head).actions.isEmpty)

        // An analyst may look too.
        let analyst = try lake("ana")
        defer { analyst.close() }
        #expect(try analyst.repositories.changes.auditedChanges(after: start.head) == changed)
    }
}
