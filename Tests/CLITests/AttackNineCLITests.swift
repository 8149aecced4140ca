import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Attack 9's findings on the embedded lake, replayed through `cdp` as an attacker would type them.
@Suite struct AttackNineCLITests {
    /// A line break in an audit row's target (a refused import of a file whose name holds one) printed a row of the
    /// attacker's choosing in the admin's `cdp audit`.
    @Test func noAuditRowPrintsALineOfItsOwn() throws {
        let folder = try HardeningIdentityCLITests.workspace("attack9-audit-line", from: "sample-data")
        let ws = ["-w", folder.path]
        let forged = "x.toml\nA999  2026-12-07T15:10:15Z  olga  quarantine.release  Q7"
        let file = folder.appendingPathComponent(forged)
        try "".write(to: file, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["dictionary", "import", file.path, "--as", "vic"] + ws).status != 0)
        let audit = try CLI.run(["audit"] + ws)
        #expect(audit.status == 0)
        #expect(audit.stdout.contains("A999"), "\(audit.stdout)")  // the target is shown, on its row
        #expect(!audit.stdout.split(separator: "\n").contains { $0.hasPrefix("A999") }, "\(audit.stdout)")
    }

    /// `cdp dictionary import FILE` read the file before asking whether the user may edit the dictionary: a viewer
    /// learned whether a file existed, could be read and was UTF-8, as the account running cdp.
    @Test func aDictionaryImportIsRefusedBeforeTheFileIsRead() throws {
        let folder = try HardeningIdentityCLITests.workspace("attack9-dictionary-read", from: "sample-data")
        let ws = ["-w", folder.path]
        let binary = folder.appendingPathComponent("binary.toml")
        try Data([0xff, 0xfe, 0x00]).write(to: binary)
        for path in [binary.path, folder.appendingPathComponent("missing.toml").path] {
            let refused = try CLI.run(["dictionary", "import", path, "--as", "vic"] + ws)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("edit_dictionary"), "\(refused.stderr)")
            #expect(!refused.stderr.contains("UTF-8") && !refused.stderr.contains("cannot read"), "\(refused.stderr)")
        }
        // An admin still hears what is wrong with the file.
        #expect(try CLI.run(["dictionary", "import", binary.path] + ws).stderr.contains("is not UTF-8 text"))
    }

    /// Exports of personal values were written 0644 under the usual umask: every account read the admin's
    /// unmasked customer_360.
    @Test func anExportIsReadableByItsOwnerOnly() throws {
        let folder = try HardeningIdentityCLITests.workspace("attack9-export-mode", from: "sample-data")
        let ws = ["-w", folder.path]
        #expect(try CLI.run(["run"] + ws).status == 0)
        let exported = folder.appendingPathComponent("customers.csv")
        let quarantine = folder.appendingPathComponent("quarantine.csv")
        #expect(try CLI.run(["export", "customer_360", "--out", exported.path] + ws).status == 0)
        let view = try CLI.run(["quarantine", "export", "--out", quarantine.path] + ws)
        #expect(view.status == 0, "\(view.stderr)")
        for file in [exported, quarantine] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int)
            #expect(mode == 0o600, "\(file.lastPathComponent): \(String(mode, radix: 8))")
        }
    }

    /// `cdp init --from` as root kept the data folder's owner on the workspace's private inbox (who could then read
    /// and change what the next run lands); as another user, copying the shipped template's owner failed.
    @Test func aNewWorkspaceIsOwnedByWhoeverMadeIt() throws {
        let source = CLI.temporaryFolder("attack9-init-source")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("inbox/crm"), withIntermediateDirectories: true)
        try "id,first_name\n1,Ana\n".write(to: source.appendingPathComponent("inbox/crm/customers.csv"), atomically: true, encoding: .utf8)
        // Only root can give the data folder another owner; as another user the copy is theirs either way.
        let otherOwner = getuid() == 0 && chown(source.appendingPathComponent("inbox/crm/customers.csv").path, 65534, 65534) == 0
            && chown(source.appendingPathComponent("inbox/crm").path, 65534, 65534) == 0
        let workspace = CLI.temporaryFolder("attack9-init-workspace")
        let created = try CLI.run(["init", workspace.path, "--from", source.path])
        #expect(created.status == 0, "\(created.stderr)")
        for item in ["inbox", "inbox/crm", "inbox/crm/customers.csv", "governance", "cdp.toml"] {
            let owner = try #require(try FileManager.default.attributesOfItem(atPath: workspace.appendingPathComponent(item).path)[.ownerAccountID] as? Int)
            #expect(owner == Int(getuid()), "\(item) is owned by uid \(owner) (the source's owner moved: \(otherOwner))")
        }
        #expect(try String(contentsOf: workspace.appendingPathComponent("inbox/crm/customers.csv"), encoding: .utf8) == "id,first_name\n1,Ana\n")
        // Personal data is private from its first byte, not only once the whole copy is done.
        for (item, expected) in [("inbox/crm", 0o700), ("inbox/crm/customers.csv", 0o600)] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: workspace.appendingPathComponent(item).path)[.posixPermissions] as? Int)
            #expect(mode == expected, "\(item): \(String(mode, radix: 8))")
        }
    }
}
