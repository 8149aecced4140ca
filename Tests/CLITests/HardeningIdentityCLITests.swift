import CDPCore
import CDPStore
import Foundation
import GRDB
import Testing

/// Identity, the access file and the audit trail as a user of the CLI meets them, forged `$USER` and
/// tampered lakes included.
@Suite(.serialized) struct HardeningIdentityCLITests {
    static var kernelUser: String { getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "" }

    /// A fresh workspace without sample data: `cdp init` records the access file and seeds the dictionary,
    /// so the audit log already has rows (the first with NULL before).
    /// - Parameter shared: let other OS accounts read the lake, inbox and truth (which `cdp init` keeps private to
    ///   the owner), as an owner sharing a read-only lake deliberately would; the tests run as `nobody` need it.
    static func workspace(_ name: String, from: String? = nil, shared: Bool = false) throws -> URL {
        let folder = CLI.temporaryFolder(name)
        let created = try CLI.run(["init", folder.path] + (from.map { ["--from", $0] } ?? []))
        try #require(created.status == 0, "\(created.stderr)")
        if shared {
            for item in ["lake", "inbox", "truth"] where FileManager.default.fileExists(atPath: folder.appendingPathComponent(item).path) {
                try #require(try CLI.chmod(["-R", "go+rX", folder.appendingPathComponent(item).path]) == 0)
            }
        }
        return folder
    }

    /// `cdp init` keeps what holds personal data private to the workspace's owner; another account is told why it
    /// cannot open the lake and what to do, instead of reading it (with cdp or with sqlite3).
    @Test(.enabled(if: CLI.setpriv != nil && getuid() == 0, "needs setpriv and root to switch to nobody"))
    func aNewWorkspaceKeepsItsLakePrivateToItsOwner() throws {
        let folder = try Self.workspace("private", from: "sample-data")
        for item in ["lake", "inbox", "truth"] {
            let mode = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(item).path)[.posixPermissions] as? Int
            #expect(mode == 0o700, "\(item): \(String(mode ?? 0, radix: 8))")
        }
        let stranger = try CLI.runAsNobody(["status", "-w", folder.path])
        #expect(stranger.status == 4)
        #expect(stranger.stderr.contains("lake is private to \(Self.kernelUser): the embedded lake is single-user"), "\(stranger.stderr)")
    }

    @Test func userInTheEnvironmentDoesNotChangeWhoYouAre() throws {
        let folder = try Self.workspace("whoami")
        let forged = try CLI.run(["whoami", "-w", folder.path], environment: ["USER": "ana", "LOGNAME": "ana"])
        #expect(forged.status == 0, "\(forged.stderr)")
        #expect(forged.stdout.hasPrefix("\(Self.kernelUser) · role admin"), "\(forged.stdout)")
        #expect(!forged.stdout.contains("ana"))
    }

    /// What an admin does `--as sam` is recorded under sam; the row before it keeps who really acted.
    @Test func actingAsAnotherUserIsAuditedUnderTheRealUser() throws {
        let folder = try Self.workspace("act-as")
        let ws = ["-w", folder.path]
        #expect(try CLI.run(["audit", "--action", "access.act_as", "--json"] + ws).stdout.contains("\"actor\"") == false)
        let whoami = try CLI.run(["whoami", "--as", "sam"] + ws)
        #expect(whoami.stdout.hasPrefix("sam · role steward"), "\(whoami.stdout) \(whoami.stderr)")
        let audit = try CLI.run(["audit", "--action", "access.act_as", "--json"] + ws)
        #expect(audit.status == 0, "\(audit.stderr)")
        #expect(audit.stdout.contains("\"actor\" : \"\(Self.kernelUser)\""), "\(audit.stdout)")
        #expect(audit.stdout.contains("\"target\" : \"user:sam\""), "\(audit.stdout)")
        #expect(audit.stdout.contains("acts as sam (role steward)"), "\(audit.stdout)")
        // Acting as yourself is no act.
        #expect(try CLI.run(["whoami", "--as", Self.kernelUser] + ws).status == 0)
        let again = try CLI.run(["audit", "--action", "access.act_as", "--json"] + ws)
        #expect(again.stdout.components(separatedBy: "\"action\" : \"access.act_as\"").count == 2, "\(again.stdout)")
        #expect(try CLI.run(["audit", "verify"] + ws).status == 0)
    }

    @Test(.enabled(if: CLI.setpriv != nil && getuid() == 0, "needs setpriv and root to switch to nobody"))
    func nobodyClaimingToBeRootIsStillNobody() throws {
        let folder = try Self.workspace("nobody", shared: true)
        let whoami = try CLI.runAsNobody(["whoami", "-w", folder.path], claimedUser: "root")
        #expect(whoami.status == 0, "\(whoami.stderr)")
        #expect(whoami.stdout.hasPrefix("nobody · role viewer"), "\(whoami.stdout)")
        let query = try CLI.runAsNobody(["query", "SELECT count(*) AS n FROM silver_customer", "-w", folder.path, "--as", "root"])
        #expect(query.status == 12)
        #expect(query.stderr.contains("nobody (viewer) may not act as another user"))
    }

    /// chmod -R a-w on the lake, then `nobody` (whom file modes bind, unlike root) reads it with every
    /// command that only reads; a writing command says the lake is read-only.
    @Test(.enabled(if: CLI.setpriv != nil && getuid() == 0, "needs setpriv and root to switch to nobody"))
    func aReadOnlyLakeStillAnswersReadingCommands() throws {
        let folder = try Self.workspace("read-only", from: "sample-data", shared: true)
        let ws = ["-w", folder.path]
        #expect(try CLI.run(["run"] + ws).status == 0)
        let lake = folder.appendingPathComponent("lake").path
        #expect(try CLI.chmod(["-R", "a-w", lake]) == 0)
        defer { _ = try? CLI.chmod(["-R", "u+w", lake]) }
        for command in [
            ["status"], ["verify"], ["query", "SELECT count(*) AS n FROM silver_customer"], ["audit", "verify"], ["runs"], ["whoami"],
        ] {
            let result = try CLI.runAsNobody(command + ws)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("grdb_issue_102"))
        }
        let run = try CLI.runAsNobody(["run"] + ws)
        #expect(run.status == 10)
        #expect(
            run.stderr.contains("is read-only (the database file \(lake)/lake.sqlite: no write permission) and this command writes to it"),
            "\(run.stderr)")
    }

    @Test func aRemovedAccessFileRefusesEverythingUntilTheOwnerRestoresIt() throws {
        let folder = try Self.workspace("access-removed", shared: true)
        let ws = ["-w", folder.path]
        let file = folder.appendingPathComponent("governance/access.toml")
        let text = try String(contentsOf: file, encoding: .utf8)
        try FileManager.default.removeItem(at: file)
        for command in [["whoami"], ["status"], ["verify"], ["run"]] {
            let refused = try CLI.run(command + ws)
            #expect(refused.status == 12, "\(command)")
            #expect(refused.stderr.contains("governance/access.toml is missing, but this workspace had one"), "\(refused.stderr)")
        }
        if CLI.setpriv != nil && getuid() == 0 {
            let stranger = try CLI.runAsNobody(["access", "restore"] + ws)
            #expect(stranger.status == 12)
            #expect(stranger.stderr.contains("only the workspace owner (\(Self.kernelUser)"), "\(stranger.stderr)")
        }
        let restore = try CLI.run(["access", "restore"] + ws)
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(try String(contentsOf: file, encoding: .utf8) == text)
        #expect(try CLI.run(["whoami"] + ws).status == 0)
        let audit = try CLI.run(["audit", "--action", "access.restored"] + ws)
        #expect(audit.stdout.contains("governance/access.toml"))
        let history = try CLI.run(["access", "history"] + ws)
        #expect(history.stdout.contains("recorded") && history.stdout.contains("restored"), "\(history.stdout)")
    }

    /// The reviewer's attack: `nobody` can write `governance/` (not the lake) and replaces access.toml with
    /// `default_role = "admin"`. Neither nobody's own commands nor root's next harmless `cdp status` adopt
    /// it (root's would have, as root's own `access.changed`), so nobody never reads clear emails.
    @Test(.enabled(if: CLI.setpriv != nil && getuid() == 0, "needs setpriv and root to switch to nobody"))
    func anAccessFileReplacedBySomeoneElseIsRefusedForEveryone() throws {
        let folder = try Self.workspace("strict-modes", from: "sample-data", shared: true)
        let ws = ["-w", folder.path]
        #expect(try CLI.run(["run"] + ws).status == 0)
        let governance = folder.appendingPathComponent("governance").path
        let file = governance + "/access.toml"
        #expect(try CLI.chmod(["o+w", governance]) == 0)
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(
            of: "default_role = \"viewer\"", with: "default_role = \"admin\"")
        try text.write(toFile: folder.appendingPathComponent("forged.toml").path, atomically: true, encoding: .utf8)
        let replaced = try CLI.runShellAsNobody("rm -f \(file) && cat \(folder.path)/forged.toml > \(file)")
        try #require(replaced == 0)

        let own = try CLI.runAsNobody(["query", "SELECT email FROM silver_customer LIMIT 3"] + ws)
        #expect(own.status == 12, "\(own.stdout)")
        #expect(own.stderr.contains("governance/access.toml is refused: only the workspace owner (\(Self.kernelUser))"), "\(own.stderr)")
        #expect(own.stderr.contains("the lake is read-only to this user"))
        let status = try CLI.run(["status"] + ws)
        #expect(status.status == 12)
        #expect(status.stderr.contains("governance/access.toml is owned by nobody (uid 65534), not by the workspace owner"), "\(status.stderr)")
        #expect(status.stderr.contains("governance/ is writable by others"))
        let after = try CLI.runAsNobody(["query", "SELECT email FROM silver_customer LIMIT 3"] + ws)
        #expect(after.status == 12)
        #expect(!after.stdout.contains("@"))
        // Nothing was adopted, and the refusal (with the file's owner) is in the audit log.
        #expect(try CLI.chmod(["o-w", governance]) == 0)
        try FileManager.default.removeItem(atPath: file)
        #expect(try CLI.run(["access", "restore"] + ws).status == 0)
        let history = try CLI.run(["access", "history"] + ws)
        #expect(!history.stdout.contains("changed"), "\(history.stdout)")
        let refusals = try CLI.run(["audit", "--action", "access.refused", "--json"] + ws)
        #expect(refusals.stdout.contains("file owner uid 65534"), "\(refusals.stdout)")
        let restored = try CLI.runAsNobody(["query", "SELECT email FROM silver_customer LIMIT 3"] + ws)
        #expect(!restored.stdout.contains("@"), "\(restored.stdout)")
    }

    /// A change the workspace owner made is adopted only by them (`cdp access apply`); anyone else is refused.
    @Test(.enabled(if: CLI.setpriv != nil && getuid() == 0, "needs setpriv and root to switch to nobody"))
    func onlyTheOwnerAppliesAChangedAccessFile() throws {
        let folder = try Self.workspace("apply", shared: true)
        let ws = ["-w", folder.path]
        let file = folder.appendingPathComponent("governance/access.toml")
        try (try String(contentsOf: file, encoding: .utf8) + "nobody = \"admin\"\n").write(to: file, atomically: true, encoding: .utf8)
        let stranger = try CLI.runAsNobody(["access", "apply"] + ws)
        #expect(stranger.status == 12)
        #expect(stranger.stderr.contains("only the workspace owner (\(Self.kernelUser)"), "\(stranger.stderr)")
        let applied = try CLI.run(["access", "apply"] + ws)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("changed"), "\(applied.stdout)")
        #expect(try CLI.runAsNobody(["whoami"] + ws).stdout.hasPrefix("nobody · role admin"))
    }

    @Test func aChangedAccessFileIsAuditedWithItsDiff() throws {
        let folder = try Self.workspace("access-changed")
        let ws = ["-w", folder.path]
        let file = folder.appendingPathComponent("governance/access.toml")
        try (try String(contentsOf: file, encoding: .utf8)).replacingOccurrences(of: "vic = \"viewer\"", with: "vic = \"admin\"")
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["whoami", "--as", "vic"] + ws).stdout.hasPrefix("vic · role admin"))
        let audit = try CLI.run(["audit", "--action", "access.changed", "--json"] + ws)
        #expect(audit.stdout.contains("- vic = \\\"viewer\\\"; + vic = \\\"admin\\\""), "\(audit.stdout)")
        #expect(audit.stdout.contains("\"actor\" : \"\(Self.kernelUser)\""))
        // The table keeps each row on one line; the texts are whole in --json.
        let table = try CLI.run(["audit", "--action", "access.changed"] + ws)
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 4, "\(table.stdout)")
        #expect(lines[2].contains("# Who may do what in this workspace. The engine enforces it"))
        #expect(table.stdout.contains("(long values cut; --json prints rows whole)"))
    }

    /// Each tampering an attacker with `sqlite3` can do; triggers are put back exactly unless dropping them
    /// is the tampering.
    enum Tampering: String, CaseIterable, CustomTestStringConvertible {
        case deletedLastRow, deletedTail, rewrittenHistory, nullEditedToEmptySetSign, droppedTriggers
        case deletedTailAndAnchorFile, deletedTailAndEmptiedAnchorFile, deletedAccessVersions
        var testDescription: String { rawValue }
    }

    @Test(arguments: Tampering.allCases)
    func everyTamperingIsCaughtByBothVerifyCommands(_ tampering: Tampering) throws {
        let folder = try Self.workspace("tamper-\(tampering.rawValue)")
        let ws = ["-w", folder.path]
        // More rows: a change of the access file and back, each audited.
        let file = folder.appendingPathComponent("governance/access.toml")
        let text = try String(contentsOf: file, encoding: .utf8)
        try (text + "eve = \"viewer\"\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["whoami"] + ws).status == 0)
        try text.write(to: file, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["whoami"] + ws).status == 0)

        let clean = try CLI.run(["verify"] + ws)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("✔ holds: the audit log's hash chain"))
        #expect(try CLI.run(["audit", "verify"] + ws).status == 0)

        let lake = try DatabaseQueue(path: folder.appendingPathComponent("lake/lake.sqlite").path)
        let rows = try lake.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM audit_log") ?? 0 }
        try #require(rows >= 4)
        let restoreTriggers = """
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
            """
        try lake.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete")
            switch tampering {
            case .deletedLastRow:
                try db.execute(sql: "DELETE FROM audit_log WHERE id = ?", arguments: [rows])
            case .deletedTail:
                try db.execute(sql: "DELETE FROM audit_log WHERE id > ?", arguments: [rows - 3])
            case .rewrittenHistory:
                var previous = LakeStore.genesisHash
                for row in try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id") {
                    let id: Int64 = row["id"]
                    let actor = id == 2 ? "eve" : row["actor"] as String
                    let hash = FileDigest.sha256(
                        of: Data(
                            AuditEntry.canonicalText(
                                id: id, at: row["at"], actor: actor, action: row["action"], target: row["target"], before: row["before"],
                                after: row["after"], reason: row["reason"], previousHash: previous
                            ).utf8))
                    try db.execute(
                        sql: "UPDATE audit_log SET actor = ?, previous_hash = ?, hash = ? WHERE id = ?",
                        arguments: [actor, previous, hash, id])
                    previous = hash
                }
            case .nullEditedToEmptySetSign:
                try db.execute(sql: "UPDATE audit_log SET before = '∅' WHERE id = (SELECT MIN(id) FROM audit_log WHERE before IS NULL)")
            case .droppedTriggers:
                return
            case .deletedTailAndAnchorFile, .deletedTailAndEmptiedAnchorFile:
                try db.execute(sql: "DELETE FROM audit_log WHERE id > ?", arguments: [rows - 2])
            case .deletedAccessVersions:
                try db.execute(
                    sql: """
                        DROP TRIGGER access_policy_version_no_delete;
                        DELETE FROM access_policy_version;
                        CREATE TRIGGER access_policy_version_no_delete BEFORE DELETE ON access_policy_version
                            BEGIN SELECT RAISE(ABORT, 'access_policy_version is append-only'); END;
                        """)
            }
            try db.execute(sql: restoreTriggers)
        }
        try lake.close()
        let anchorFile = folder.appendingPathComponent("lake/audit.anchor")
        switch tampering {
        case .deletedTailAndAnchorFile: try FileManager.default.removeItem(at: anchorFile)
        case .deletedTailAndEmptiedAnchorFile: try Data().write(to: anchorFile)
        default: break
        }

        let expected: String =
            switch tampering {
            case .deletedLastRow, .deletedTail: "were deleted"
            case .rewrittenHistory: "the history up to it was rewritten"
            case .nullEditedToEmptySetSign: "was edited: its hash does not match its content"
            case .droppedTriggers: "trigger audit_log_no_delete is missing (dropped)"
            case .deletedTailAndAnchorFile: "lake/audit.anchor is missing but the audit log has"
            case .deletedTailAndEmptiedAnchorFile: "lake/audit.anchor is empty but the audit log has"
            case .deletedAccessVersions: "but access_policy_version holds 0: recorded versions were deleted"
            }
        let audit = try CLI.run(["audit", "verify"] + ws)
        #expect(audit.status == 9)
        #expect(audit.stderr.contains(expected), "\(audit.stderr)")
        let verify = try CLI.run(["verify"] + ws)
        #expect(verify.status == 9)
        #expect(verify.stderr.contains(expected), "\(verify.stderr)")
        #expect(verify.stdout.contains("✘ FAILS: the audit log's hash chain"))
        #expect(!verify.stdout.contains("✔ holds: the audit log's"))
    }
}

extension CLI {
    /// A shell command run as the OS user `nobody` through `setpriv`; its exit status.
    static func runShellAsNobody(_ command: String) throws -> Int32 {
        let setpriv = try #require(setpriv)
        let nobody = try #require(getpwnam("nobody")?.pointee)
        let process = Process()
        process.executableURL = setpriv
        process.arguments = ["--reuid=\(nobody.pw_uid)", "--regid=\(nobody.pw_gid)", "--clear-groups", "--", "/bin/sh", "-c", command]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// `chmod` with arguments; its exit status.
    static func chmod(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/chmod")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
