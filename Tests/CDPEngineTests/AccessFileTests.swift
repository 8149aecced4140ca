import CDPCore
import CDPStore
import Foundation
import GRDB
import Testing

@testable import CDPEngine

/// `governance/access.toml` against a careless or hostile edit: the lake records every version, a change is
/// an audited `access.changed` with its diff, and a removed file fails closed until the owner repairs it.
@Suite struct AccessFileTests {
    static let sam = OSIdentity(uid: 4242, user: "sam")

    static func accessFile(_ workspace: Workspace) -> URL { workspace.root.appendingPathComponent(Workspace.accessPath) }

    @Test func identityComesFromTheKernelNotTheEnvironment() throws {
        let workspace = try EngineFixture.sampleWorkspace("identity")
        let kernel = try #require(OSIdentity.userName(of: getuid()))
        #expect(OSIdentity.current.user == kernel)
        #expect(OSIdentity.current.uid == getuid())
        #expect(workspace.identity == OSIdentity.current)
        #expect(try workspace.session(actingAs: nil).user == kernel)
        // The identity is injectable: a workspace opened as sam acts as sam, and sam may not act as ann.
        let asSam = try Workspace(at: workspace.root.path, identity: Self.sam)
        #expect(try asSam.session(actingAs: nil).user == "sam")
        #expect(throws: EngineError.self) { try asSam.session(actingAs: "ann") }
    }

    @Test func theFirstSightOfTheFileIsRecordedAndAudited() throws {
        let workspace = try EngineFixture.sampleWorkspace("recorded")
        let history = try workspace.store.accessPolicyHistory()
        #expect(history.map(\.event) == ["recorded"])
        #expect(history.first?.text == (try String(contentsOf: Self.accessFile(workspace), encoding: .utf8)))
        let entry = try #require(try workspace.store.auditEntries(.init(action: "access.recorded")).first)
        #expect(entry.actor == OSIdentity.current.user)
        #expect(entry.target == Workspace.accessPath)
        // Opening again changes nothing.
        _ = try Workspace(at: workspace.root.path)
        #expect(try workspace.store.accessPolicyHistory().count == 1)
    }

    @Test func aChangedFileIsAnAuditedChangeWithItsDiff() throws {
        let workspace = try EngineFixture.sampleWorkspace("changed")
        let file = Self.accessFile(workspace)
        let before = try String(contentsOf: file, encoding: .utf8)
        let after = before.replacingOccurrences(of: "ana = \"analyst\"", with: "ana = \"admin\"")
        try after.write(to: file, atomically: true, encoding: .utf8)
        let reopened = try Workspace(at: workspace.root.path)
        #expect(reopened.principal(.fixed(at: 0, user: "ana")).role == "admin")
        let entry = try #require(try reopened.store.auditEntries(.init(action: "access.changed")).first)
        #expect(entry.actor == OSIdentity.current.user)
        #expect(entry.before == before)
        #expect(entry.after == after)
        #expect(entry.reason?.contains("- ana = \"analyst\"; + ana = \"admin\"") == true)
        #expect(entry.reason?.contains("file owner uid \(getuid())") == true)
        #expect(try reopened.store.accessPolicyHistory().map(\.event) == ["recorded", "changed"])
        #expect(try reopened.store.auditChainProblems() == [])
    }

    /// Only the workspace owner adopts a change: anyone else is refused (and the refusal audited) until the
    /// owner has, and the change is then the owner's `access.changed`.
    @Test func aChangeSeenByAnotherUserIsRefusedUntilTheOwnerAdoptsIt() throws {
        let workspace = try EngineFixture.sampleWorkspace("changed-by-stranger")
        let file = Self.accessFile(workspace)
        try (try String(contentsOf: file, encoding: .utf8) + "eve = \"admin\"\n").write(to: file, atomically: true, encoding: .utf8)
        for mode in [LakeStore.OpenMode.readWrite, .readOnly] {
            let refused = try #require(throws: EngineError.self) { try Workspace(at: workspace.root.path, mode: mode, identity: Self.sam) }
            #expect(refused.code == .forbidden)
            #expect(refused.message.contains("only the workspace owner (\(OSIdentity.current)) may adopt a change"), "\(refused.message)")
            #expect(refused.message.contains("cdp access apply -w \(workspace.root.path)"))
        }
        let refusal = try #require(try workspace.store.auditEntries(.init(action: "access.refused")).first)
        #expect(refusal.actor == "sam")
        #expect(refusal.reason?.contains("+ eve = \"admin\"") == true)
        #expect(try workspace.store.accessPolicyHistory().map(\.event) == ["recorded"])

        let owner = try Workspace(at: workspace.root.path)
        #expect(try owner.store.auditEntries(.init(action: "access.changed")).first?.actor == OSIdentity.current.user)
        let asSam = try Workspace(at: workspace.root.path, identity: Self.sam)
        #expect(asSam.principal(.fixed(at: 0, user: "eve")).role == "admin")
    }

    /// Like ssh's StrictModes: a file someone other than the workspace owner could have written is refused
    /// whoever runs the command, and the refusal is audited with the file's owner.
    @Test(arguments: ["file g+w", "file o+w", "governance o+w", "workspace o+w", "file owned by nobody", "symbolic link"])
    func anAccessFileOthersCouldWriteIsRefused(_ how: String) throws {
        let workspace = try EngineFixture.sampleWorkspace("strict-\(how.replacingOccurrences(of: " ", with: "-"))")
        let file = Self.accessFile(workspace)
        let governance = file.deletingLastPathComponent().path
        var expected: String
        switch how {
        case "file g+w":
            chmod(file.path, 0o664)
            expected = "governance/access.toml is writable by its group (mode 664)"
        case "file o+w":
            chmod(file.path, 0o646)
            expected = "governance/access.toml is writable by others (mode 646)"
        case "governance o+w":
            chmod(governance, 0o777)
            expected = "governance/ is writable by others (mode 777)"
        case "workspace o+w":
            chmod(workspace.root.path, 0o757)
            expected = "the workspace folder is writable by others (mode 757)"
        case "file owned by nobody":
            guard getuid() == 0 else { return }
            chown(file.path, 65534, 65534)
            expected = "governance/access.toml is owned by"
        default:
            let real = workspace.root.appendingPathComponent("access-real.toml")
            try FileManager.default.moveItem(at: file, to: real)
            try FileManager.default.createSymbolicLink(at: file, withDestinationURL: real)
            expected = "governance/access.toml is not a regular file"
        }
        defer { chmod(workspace.root.path, 0o755) }
        for mode in [LakeStore.OpenMode.readWrite, .readOnly] {
            let refused = try #require(throws: EngineError.self) { try Workspace(at: workspace.root.path, mode: mode) }
            #expect(refused.code == .forbidden)
            #expect(refused.message.hasPrefix("governance/access.toml is refused: only the workspace owner"), "\(refused.message)")
            #expect(refused.details.contains { $0.hasPrefix(expected) }, "\(refused.details)")
        }
        let refusal = try #require(try workspace.store.auditEntries(.init(action: "access.refused")).first)
        #expect(refusal.target == Workspace.accessPath)
        #expect(
            refusal.reason?.contains("file owner uid \(how == "file owned by nobody" ? 65534 : getuid())") == true,
            "\(refusal.reason ?? "")")
    }

    /// Every recorded version deleted (the trigger dropped and put back verbatim) and the file removed: the
    /// audit log still says the workspace had one, so it fails closed rather than making everyone an admin.
    @Test func deletedVersionsAndARemovedFileStillFailClosed() throws {
        let workspace = try EngineFixture.sampleWorkspace("versions-deleted")
        try FileManager.default.removeItem(at: Self.accessFile(workspace))
        let attacker = try DatabaseQueue(path: workspace.databaseFile.path)
        try attacker.write { db in
            try db.execute(
                sql: """
                    DROP TRIGGER access_policy_version_no_delete;
                    DELETE FROM access_policy_version;
                    CREATE TRIGGER access_policy_version_no_delete BEFORE DELETE ON access_policy_version
                        BEGIN SELECT RAISE(ABORT, 'access_policy_version is append-only'); END;
                    """)
        }
        try attacker.close()
        for mode in [LakeStore.OpenMode.readWrite, .readOnly] {
            let refused = try #require(throws: EngineError.self) { try Workspace(at: workspace.root.path, mode: mode, identity: Self.sam) }
            #expect(refused.code == .forbidden)
            #expect(refused.message.contains("its audit log shows this workspace had one"), "\(refused.message)")
        }
        #expect(try workspace.store.auditChainProblems().contains { $0.contains("but access_policy_version holds 0") })
    }

    /// A read-only open still records a change (through a short-lived writing connection): a change is
    /// never applied unaudited.
    @Test func aReadingCommandRecordsAChangeToo() throws {
        let workspace = try EngineFixture.sampleWorkspace("changed-read-only")
        let file = Self.accessFile(workspace)
        try (try String(contentsOf: file, encoding: .utf8) + "eve = \"admin\"\n").write(to: file, atomically: true, encoding: .utf8)
        let reading = try Workspace(at: workspace.root.path, mode: .readOnly)
        #expect(reading.store.mode == .readOnly)
        #expect(reading.principal(.fixed(at: 0, user: "eve")).role == "admin")
        #expect(try reading.store.auditEntries(.init(action: "access.changed")).first?.reason?.contains("+ eve = \"admin\"") == true)
    }

    @Test func aRemovedFileFailsClosedUntilTheOwnerRestoresIt() throws {
        let workspace = try EngineFixture.sampleWorkspace("removed")
        let file = Self.accessFile(workspace)
        let text = try String(contentsOf: file, encoding: .utf8)
        try FileManager.default.removeItem(at: file)

        for mode in [LakeStore.OpenMode.readWrite, .readOnly] {
            let refused = try #require(throws: EngineError.self) { try Workspace(at: workspace.root.path, mode: mode) }
            #expect(refused.code == .forbidden)
            #expect(refused.message.contains("governance/access.toml is missing, but this workspace had one"))
            #expect(refused.message.contains("cdp access restore -w \(workspace.root.path)"))
        }

        // Not the owner (the folder belongs to the user running the tests): refused and audited.
        let stranger = try #require(throws: EngineError.self) {
            try Workspace.restoreAccessFile(workspaceAt: workspace.root.path, identity: Self.sam)
        }
        #expect(stranger.code == .forbidden)
        #expect(stranger.message.contains("sam (uid 4242) may not restore governance/access.toml: only the workspace owner"))
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(try workspace.store.auditEntries(.init(action: "access.refused")).first?.target == "access.restore")

        let restored = try Workspace.restoreAccessFile(workspaceAt: workspace.root.path, identity: OSIdentity.current)
        #expect(restored.text == text)
        #expect(try String(contentsOf: file, encoding: .utf8) == text)
        let reopened = try Workspace(at: workspace.root.path)
        #expect(reopened.principal(.fixed(at: 0, user: "ana")).role == "analyst")
        #expect(try reopened.store.auditEntries(.init(action: "access.restored")).first?.actor == OSIdentity.current.user)
        #expect(try reopened.store.accessPolicyHistory().map(\.event) == ["recorded", "restored"])

        let again = try #require(throws: EngineError.self) { try Workspace.restoreAccessFile(workspaceAt: workspace.root.path) }
        #expect(again.code == .refused)
    }

    /// A workspace that never had the file stays single-user: everyone is an admin, nothing is recorded, and
    /// there is nothing to restore.
    @Test func aWorkspaceThatNeverHadTheFileStaysUnrestricted() throws {
        let workspace = try EngineFixture.customerWorkspace("never", rules: EngineFixture.standardRules, files: [:])
        let reopened = try Workspace(at: workspace.root.path, identity: Self.sam)
        #expect(reopened.principal(.fixed(at: 0, user: "anyone")).permissions == Set(Permission.allCases))
        #expect(try reopened.store.accessPolicyHistory().isEmpty)
        let error = try #require(throws: EngineError.self) { try Workspace.restoreAccessFile(workspaceAt: workspace.root.path) }
        #expect(error.code == .refused)
        #expect(error.message.contains("never recorded"))
    }
}
