import CDPCore
import CDPStore
import Foundation
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
        let reopened = try Workspace(at: workspace.root.path, identity: Self.sam)
        #expect(reopened.principal(.fixed(at: 0, user: "ana")).role == "admin")
        let entry = try #require(try reopened.store.auditEntries(.init(action: "access.changed")).first)
        #expect(entry.actor == "sam")
        #expect(entry.before == before)
        #expect(entry.after == after)
        #expect(entry.reason?.contains("- ana = \"analyst\"; + ana = \"admin\"") == true)
        #expect(try reopened.store.accessPolicyHistory().map(\.event) == ["recorded", "changed"])
        #expect(try reopened.store.auditChainProblems() == [])
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
