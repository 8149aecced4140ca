import Foundation
import Testing

extension TeamStoreTests {
    /// The built `cdp` beside this test bundle (or in .build/debug).
    static func cdp() throws -> String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cdp").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fallback = root.appendingPathComponent(".build/debug/cdp").path
        try #require(FileManager.default.isExecutableFile(atPath: fallback), "build cdp first: swift build")
        return fallback
    }

    /// `cdp access apply --store` compiles the workspace's access file into the team store, audited there by the
    /// role the server logged in; a password in the address is refused before anything is tried.
    @Test func cdpAccessApplyCompilesTheWorkspacesFileIntoTheStore() async throws {
        let fixture = try await TeamStoreFixture.make("cli")
        defer { Task { await fixture.drop() } }
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pg-cli-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let cdp = try Self.cdp()
        var environment = ProcessInfo.processInfo.environment.merging(fixture.cluster.clientEnvironment) { $1 }
        environment["TERM"] = "dumb"
        let initialized = try Subprocess.run([cdp, "init", workspace], environment: environment)
        try #require(initialized.status == 0, "\(initialized.output)")
        let address = "postgresql://postgres@/\(fixture.database)?host=\(fixture.cluster.folder)&port=\(fixture.cluster.port)"
        let applied = try Subprocess.run([cdp, "access", "apply", "--store", address, "-w", workspace], environment: environment)
        #expect(applied.status == 0, "\(applied.output)")
        #expect(applied.stdout.contains("to the team store as postgres"), "\(applied.output)")
        // The file cdp init wrote names its creator an admin: now a member of the database's admin group, audited.
        let creator = fixture.cluster.osUser
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let after = try await admin.rows("SELECT actor, after FROM cdp.audit_log WHERE action = 'access.apply' ORDER BY id DESC LIMIT 1")
        #expect(after.first?[0] == "postgres")
        #expect(after.first?[1]?.contains("\(creator) → \(fixture.group("admin"))") == true, "\(after)")
        let member = try await admin.rows("SELECT pg_has_role($1, $2, 'MEMBER')::text", [creator, fixture.group("admin")])
        #expect(member.first?.first == "true")

        // The store's audit chain, checked from the command line; then tampered with by a superuser.
        let intact = try Subprocess.run([cdp, "audit", "verify", "--store", address], environment: environment)
        #expect(intact.status == 0, "\(intact.output)")
        #expect(intact.stdout.contains("team store audit chain intact"), "\(intact.output)")
        try await admin.execute("ALTER TABLE cdp.audit_log DISABLE TRIGGER audit_log_append_only")
        try await admin.execute("UPDATE cdp.audit_log SET actor = 'nobody' WHERE id = 2")
        let tampered = try Subprocess.run([cdp, "audit", "verify", "--store", address], environment: environment)
        #expect(tampered.status == 9, "\(tampered.output)")
        #expect(tampered.stderr.contains("audit row A2"), "\(tampered.output)")
        #expect(tampered.stderr.contains("audit_log_append_only"), "\(tampered.output)")

        let refused = try Subprocess.run(
            [
                cdp, "access", "apply", "--store", "postgresql://ana:hunter2@/\(fixture.database)?host=\(fixture.cluster.folder)", "-w",
                workspace,
            ],
            environment: environment)
        #expect(refused.status == 3, "\(refused.output)")
        #expect(refused.stderr.contains("holds a password"), "\(refused.output)")
        #expect(!refused.output.contains("hunter2"))
    }
}
