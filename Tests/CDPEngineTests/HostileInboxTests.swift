import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// What arrives in an inbox is not always a file, and not always honest: a named pipe, a folder, links
/// leading nowhere or out of the workspace, repeated columns and keys, keys nobody can see.
@Suite(.timeLimit(.minutes(2))) struct HostileInboxTests {
    static let goodFile = "id,first,last,email,born\nC1,Ann,Lee,ann@x.io,1980-01-02\n"

    func workspace(_ name: String, files: [String: String] = ["customers.csv": goodFile]) throws -> Workspace {
        try EngineFixture.customerWorkspace(name, rules: EngineFixture.standardRules, files: files)
    }

    func inbox(_ workspace: Workspace, _ name: String) -> String {
        workspace.root.appendingPathComponent("inbox").appendingPathComponent(name).path
    }

    func warnings(_ workspace: Workspace, _ run: RunSummary) throws -> [String] {
        try workspace.store.events(of: run.id).filter { $0.kind == .warning }.map(\.message)
    }

    /// Opening a pipe with no writer waited forever, and `cdp run` with it.
    @Test func aNamedPipeIsPassedOverWithAWarning() throws {
        let workspace = try workspace("fifo")
        #expect(mkfifo(inbox(workspace, "customers-pipe.csv"), 0o644) == 0)
        let run = try EngineFixture.run(workspace)
        #expect(run.state == .succeeded, "\(run.error ?? "")")
        #expect(try warnings(workspace, run) == ["passed over inbox/customers-pipe.csv is a named pipe (FIFO), not a regular file"])
        #expect(try EngineFixture.status(workspace).silverCurrent == 1)
        #expect(run.tasks.first?.counts["files_passed_over"] == 1)
    }

    /// A folder or a dangling link matching the pattern stopped the run with Foundation's
    /// `NSCocoaErrorDomain Code=256 "(null)"` and left it running.
    @Test func aFolderAndALinkToNothingArePassedOver() throws {
        let workspace = try workspace("folder")
        try FileManager.default.createDirectory(atPath: inbox(workspace, "customers-folder.csv"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: inbox(workspace, "customers-gone.csv"), withDestinationPath: "/nonexistent/customers.csv")
        let run = try EngineFixture.run(workspace)
        #expect(run.state == .succeeded, "\(run.error ?? "")")
        #expect(
            try warnings(workspace, run) == [
                "passed over inbox/customers-folder.csv is a folder, not a regular file",
                "passed over inbox/customers-gone.csv is a symbolic link to /nonexistent/customers.csv, which does not exist",
            ])
        #expect(try workspace.store.batches().count == 1)
    }

    /// A link to /etc/passwd had its first line echoed in an error: a link out of the workspace is never read.
    @Test func aLinkOutOfTheWorkspaceIsNeverRead() throws {
        let workspace = try workspace("outside", files: [:])
        try FileManager.default.createSymbolicLink(atPath: inbox(workspace, "customers.csv"), withDestinationPath: "/etc/passwd")
        let run = try EngineFixture.run(workspace)
        #expect(run.state == .failed)
        #expect(run.failure == .inputRefused)
        let said = (run.error ?? "") + (try workspace.store.events(of: run.id).map(\.message).joined(separator: "\n"))
        #expect(said.contains("inbox/customers.csv is a symbolic link out of the workspace (to /etc/passwd)"), "\(said)")
        #expect(!said.contains("root:"))
        #expect(try workspace.store.batches().isEmpty)
    }

    @Test func aLinkToAFileInsideTheWorkspaceIsReadAsThatFile() throws {
        let workspace = try workspace("inside", files: [:])
        let kept = workspace.root.appendingPathComponent("kept")
        try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
        try Data(Self.goodFile.utf8).write(to: kept.appendingPathComponent("real.csv"))
        try FileManager.default.createSymbolicLink(atPath: inbox(workspace, "customers.csv"), withDestinationPath: "../kept/real.csv")
        #expect(workspace.files(for: try workspace.source("crm")).files.map(workspace.relativePath) == ["kept/real.csv"])
        let run = try EngineFixture.run(workspace)
        #expect(run.state == .succeeded, "\(run.error ?? "")")
        #expect(try EngineFixture.status(workspace).silverCurrent == 1)
    }

    /// Each open is checked on its descriptor: a path swapped for a pipe or a link after the listing is
    /// refused where it is opened, at once.
    @Test func openingRefusesWhatIsNotARegularFile() throws {
        let folder = EngineFixture.temporaryFolder("open")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pipe = folder.appendingPathComponent("pipe").path
        #expect(mkfifo(pipe, 0o644) == 0)
        let link = folder.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/etc/hostname")
        for (path, expected) in [
            (pipe, "p is a named pipe (FIFO), not a regular file"), (link, "p is a symbolic link"),
            (folder.path, "p is a folder, not a regular file"),
        ] {
            let error = #expect(throws: EngineError.self) { try InboxFile.openForReading(path, displayName: "p") }
            #expect(error?.code == .input)
            #expect(error?.message.hasPrefix(expected) == true, "\(error?.message ?? "")")
        }
        let error = #expect(throws: EngineError.self) {
            try FileCopy.copy(URL(fileURLWithPath: pipe), to: folder.appendingPathComponent("out"))
        }
        #expect(error?.message.contains("named pipe") == true)
    }

    @Test func aHeaderNamingAMappedColumnTwiceRefusesTheRun() throws {
        let workspace = try workspace(
            "repeated-header",
            files: [
                "customers.csv": "id,first,last,email,born,email\nC1,Ann,Lee,ann@x.io,1980-01-02,other@x.io\n"
            ])
        let run = try EngineFixture.run(workspace)
        #expect(run.state == .failed)
        #expect(run.failure == .inputRefused)
        #expect(
            run.error?.contains(
                "inbox/customers.csv:1: the header names column 'email' 2 times (columns 4, 6), read by the mapping of source 'crm'")
                == true,
            "\(run.error ?? "")")
        #expect(try workspace.store.batches().isEmpty)
        // A repeated column nobody reads is harmless.
        let unread = try self.workspace(
            "unread-repeat", files: ["customers.csv": "id,first,last,email,born,x,x\nC1,Ann,Lee,ann@x.io,1980-01-02,1,2\n"])
        #expect(try EngineFixture.run(unread).state == .succeeded)
    }

    @Test func keysNobodyCanSeeAndValuesTooLongAreHeld() throws {
        let rows = [
            "C0000001,Ann,Lee,ann@x.io,1980-01-02",
            "C0000001\u{200B},Ann,Lee,ann@x.io,1980-01-02",
            "\u{200B},Bo,Ng,bo@x.io,1980-01-02",
            "C3,\(String(repeating: "x", count: 300)),Fe,cy@x.io,1980-01-02",
        ]
        let workspace = try workspace("keys", files: ["customers.csv": "id,first,last,email,born\n" + rows.joined(separator: "\n") + "\n"])
        let run = try EngineFixture.run(workspace)
        #expect(run.state == .succeeded, "\(run.error ?? "")")
        #expect(try workspace.store.query("SELECT source_key FROM silver_customer").rows == [["C0000001"]])
        let invisible = try workspace.store.quarantineRecords(.init(rule: BuiltInRule.invisibleKey))
        #expect(invisible.map(\.line).sorted() == [3, 4])
        let long = try workspace.store.quarantineRecords(.init(rule: BuiltInRule.tooLong))
        #expect(long.map(\.line) == [5])
        #expect(long.first?.failures.first?.message == "first_name is 300 bytes long; the limit for a person name is 256 bytes")
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
    }

    /// A held record keeps one failure per problem when revalidated, and passes once a steward shortens it.
    @Test func aValueTooLongIsCheckedAgainWhenFixed() throws {
        let workspace = try workspace(
            "fix-long",
            files: [
                "customers.csv": "id,first,last,email,born\nC3,\(String(repeating: "x", count: 300)),Fe,cy@x.io,1980-01-02\n"
            ])
        try EngineFixture.run(workspace)
        let held = try #require(try workspace.store.quarantineRecords(.init(rule: BuiltInRule.tooLong)).first)
        try EngineFixture.run(workspace)  // revalidates: still one failure, not two
        let service = QuarantineService(workspace: workspace, environment: EngineFixture.clock)
        #expect(try service.record(held.id).failures.map(\.rule) == [BuiltInRule.tooLong])
        let fixed = try service.fix(held.id, edits: ["first_name": "Cy"])
        #expect(fixed.status == .fixed, "\(fixed.failures)")
    }

    @Test func jsonKeysThatAreNotStringsOrNumbersAndRepeatedMembersAreHeld() throws {
        let folder = EngineFixture.temporaryFolder("jsonl-keys")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("contacts.jsonl")
        let lines = [
            #"{"id":"M1","name":"Ann Lee"}"#, #"{"id":{"a":1},"name":"Bo Ng"}"#, #"{"id":["M3"],"name":"Cy Fe"}"#,
            #"{"id":true,"name":"Di Ro"}"#, #"{"id":7,"name":"Ed Wu"}"#, #"{"id":"M8","name":"Flo Ho","name":"Gil Ho"}"#,
            #"{"id":"M9","id":"M10"}"#,
        ]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        let source = SourceConfiguration(
            name: "marketing", system: "", entity: .customer, format: .jsonl, path: "contacts*.jsonl", primaryKey: "id",
            mapping: ["full_name": "name"])
        var rows: [(key: String, rules: [String], messages: [String])] = []
        try SourceRowReader(source: source, file: file, displayName: "contacts.jsonl").read(
            { row in
                rows.append((row.sourceKey, row.problems.map(\.rule), row.problems.map(\.message)))
            }, progress: { _ in })
        #expect(
            rows.map(\.rules) == [
                [], [BuiltInRule.keyType], [BuiltInRule.keyType], [BuiltInRule.keyType], [], [BuiltInRule.duplicateMember],
                [BuiltInRule.duplicateMember],
            ])
        #expect(rows[1].messages == [#"contacts.jsonl:2: the key id is an object ({"a":1}); a key must be a string or a number"#])
        #expect(rows[3].messages == ["contacts.jsonl:4: the key id is a boolean (true); a key must be a string or a number"])
        #expect(
            rows[5].messages == [
                #"contacts.jsonl:6: the key "name" appears twice (members 2 and 3, values "Flo Ho" and "Gil Ho"); which is meant cannot be told"#
            ])
        #expect(rows[4].key == "7")
    }
}
