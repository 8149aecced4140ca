import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Exporting the workbench's view: exactly the filtered records, in order, with the chosen columns, masked as the
/// user reads them, and audited.
@Suite struct QuarantineExportTests {
    static func file(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("cdp-export-\(getpid())-\(name)-\(UUID().uuidString)").path
    }

    @Test func aMaskedUserExportsMaskedValuesAndTheExportIsAudited() throws {
        let (seeded, _) = try QuarantineBulkTests.workspace("export-masked")
        let workspace = try EngineFixture.withAccess(seeded, roles: [:], users: ["vic": "viewer"])
        let vic = Environment.fixed(at: 1_764_300_000, user: "vic")
        let emails = LakeStore.QuarantineFilter(rule: "email_format", statuses: [.open, .fixed])
        let columns: [QuarantineViewColumn] = [.id, .name, .value]

        let admin = Self.file("admin.csv")
        defer { try? FileManager.default.removeItem(atPath: admin) }
        let count = try QuarantineService(workspace: workspace, environment: EngineFixture.clock)
            .exportView(emails, columns: columns, format: .csv, toFile: admin)
        #expect(count == 5)
        let real = try String(contentsOfFile: admin, encoding: .utf8)
        #expect(real == "id,name,failing value\nQ1,Ann Lee,ann at example.com\nQ2,Bob Stone,bob at example.com\nQ3,Cy Moss,cy@@example.com\nQ4,Di Ray,n/a\nQ5,Ed Fox,ed at example.com\n")

        let masked = Self.file("vic.csv")
        defer { try? FileManager.default.removeItem(atPath: masked) }
        try QuarantineService(workspace: workspace, environment: vic).exportView(emails, columns: columns, format: .csv, toFile: masked)
        let text = try String(contentsOfFile: masked, encoding: .utf8)
        // What vic's own reads show, cell for cell; none of the real values.
        let shown = try workspace.reader(for: vic).quarantineRecords(ids: (1...5).map { QuarantineID(Int64($0)) })
        let expected = "id,name,failing value\n" + shown.map { record in columns.map { $0.text(record, now: 0) }.joined(separator: ",") + "\n" }.joined()
        #expect(text == expected)
        for secret in ["Ann Lee", "ann at example.com", "Stone", "cy@@example.com"] { #expect(!text.contains(secret), "\(secret) in \(text)") }

        let audit = try #require(try workspace.store.auditEntries(LakeStore.AuditFilter(actor: "vic", action: "quarantine.export")).first)
        #expect(audit.target == "5 records")
        #expect(audit.before == "rule email_format, status open+fixed")
        #expect(audit.after == "csv to \(masked): id,name,value")
    }

    @Test func jsonKeepsTheOrderAndTheColumnsAsked() throws {
        let (workspace, service) = try QuarantineBulkTests.workspace("export-json")
        let path = Self.file("view.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try service.exportView(
            LakeStore.QuarantineFilter(statuses: [.open]), order: .key, ascending: false, columns: [.key, .rules], format: .json, toFile: path)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [[String: String]])
        #expect(rows.map { $0["key"] } == ["C5", "C4", "C3", "C2", "C1"])
        #expect(rows.first == ["key": "C5", "rules": "email_format,born_valid"])
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.export")).count == 1)
        let refused = #expect(throws: EngineError.self) { try service.exportView(LakeStore.QuarantineFilter(), columns: [], format: .csv, toFile: path) }
        #expect(refused?.code == .refused)
        let unwritable = #expect(throws: EngineError.self) {
            try service.exportView(LakeStore.QuarantineFilter(), columns: [.id], format: .csv, toFile: "/nonexistent-folder/x.csv")
        }
        #expect(unwritable?.message.contains("cannot write /nonexistent-folder/x.csv") == true)
    }

    /// The owner column is who holds each record now (empty: nobody), for a masked reader as for anyone: a steward's
    /// name is not a customer's personal data, and every role's console shows it.
    @Test func theOwnerColumnNamesWhoHoldsEachRecord() throws {
        let (seeded, _) = try QuarantineBulkTests.workspace("export-owner")
        let workspace = try EngineFixture.withAccess(
            seeded, roles: ["steward": ["view_pii", "remediate_quarantine"], "lead": ["view_pii", "remediate_quarantine", "assign_work"]],
            users: ["sam": "steward", "lee": "lead", "vic": "viewer"])
        try WorkAssignments(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "lee"))
            .assign([.quarantine(QuarantineID(1))], to: "sam")
        try WorkAssignments(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "lee")).claim([.quarantine(QuarantineID(3))])
        let emails = LakeStore.QuarantineFilter(rule: "email_format", statuses: [.open, .fixed])
        for user in ["lee", "vic"] {
            let path = Self.file("owner-\(user).csv")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try QuarantineService(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: user))
                .exportView(emails, columns: [.id, .owner], format: .csv, toFile: path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "id,owner\nQ1,sam\nQ2,\nQ3,lee\nQ4,\nQ5,\n")
        }
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.export")).first?.after?.hasSuffix(": id,owner") == true)
    }

    /// The console's `:export PATH` is this call: it writes nothing among the workspace's own files, nor any file while
    /// cdp acts for another user (attack 10, F3), and reads nothing before refusing (no `quarantine.export` row).
    @Test func theConsolesExportRefusesTheWorkspacesFilesAndActingForAnother() throws {
        let (workspace, service) = try QuarantineBulkTests.workspace("export-destination")
        let configuration = workspace.configurationFile
        let before = try Data(contentsOf: configuration)
        for path in [configuration.path, workspace.root.appendingPathComponent("lake/lake.sqlite").path] {
            let refused = #expect(throws: EngineError.self) { try service.exportView(LakeStore.QuarantineFilter(), columns: [.id], format: .csv, toFile: path) }
            #expect(refused?.code == .forbidden)
        }
        #expect(try Data(contentsOf: configuration) == before)
        let acting = Environment(now: { 1_764_300_000 }, user: "vic", actingAccount: "cdp")
        let path = Self.file("acting.csv")
        let refused = #expect(throws: EngineError.self) {
            try QuarantineService(workspace: workspace, environment: acting).exportView(LakeStore.QuarantineFilter(), columns: [.id], format: .csv, toFile: path)
        }
        #expect(refused?.code == .forbidden)
        #expect(refused?.message.contains("while cdp acts as vic") == true)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.export")).isEmpty)
    }
}
