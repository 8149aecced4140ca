import ArgumentParser
import CDPCore
import CDPEngine
import CDPRepositories
import Foundation

struct WhoAmICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "Who you act as in this workspace: user, role and permissions (governance/access.toml).")

    @OptionGroup var options: WorkspaceOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let workspace = try options.open(readOnly: true)
        let principal = workspace.principal(try options.environment(in: workspace))
        if json { return Output.json(principal) }
        print("\(principal.user) · role \(principal.role ?? "none (not in governance/access.toml and no default_role)")")
        for permission in Permission.allCases {
            print(
                "  \(principal.may(permission) ? "✔" : "✘") \(permission.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) \(permission.phrase)"
            )
        }
        if !principal.may(.viewPII) { print("personal data is shown masked") }
    }
}

struct AccessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "The versions of governance/access.toml the lake recorded, and restoring a removed one.",
        discussion: """
            The lake records the access file's SHA-256 and text when it first sees it and whenever it changes
            (an audited access.changed event with the diff). A workspace that had the file and lost it refuses
            every command until the workspace owner (the OS user owning its folder) puts it back, e.g. with
            `cdp access restore`. A workspace that never had one is single-user: everyone is an admin.
            Only the workspace owner adopts a changed file (`cdp access apply`, or any command they run); anyone
            else is refused until then. A file not owned by the workspace owner, or writable by group or others
            (or in a folder that is), is refused, like ssh's StrictModes.
            """,
        subcommands: [History.self, Apply.self, Check.self, Restore.self], defaultSubcommand: History.self)

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every recorded version, oldest first.")
        @OptionGroup var options: WorkspaceOptions
        @Flag(help: "Print as JSON, with each version's text.") var json = false

        func run() throws {
            let workspace = try options.open(readOnly: true)
            let reader = workspace.reader(for: try options.environment(in: workspace))
            let versions = try present { () throws(EngineError) in try reader.accessPolicyHistory() }
            if json { return Output.json(versions) }
            guard !versions.isEmpty else {
                return print(
                    "no access file recorded: this workspace is single-user (everyone is an admin) until it has \(Workspace.accessPath)")
            }
            let rows: [[String]] = versions.map { version in
                [String(version.id), version.recordedAt, version.recordedBy, version.event, String(version.sha256.prefix(16)) + "…"]
            }
            print(Output.table(["version", "recorded", "by", "event", "SHA-256"], rows))
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adopt a changed access file (workspace owner only; audited as access.changed with the diff).",
            discussion: """
                With --store, also compile it into a team store on PostgreSQL: a group role cdp_<database>_<role> per role, each \
                listed user's login role in its group (and no other), and grants by permission; users without \
                view_pii get no privilege on tables holding personal columns, only their <table>_masked views, made \
                from the dictionary's tags. One transaction, audited in the store as access.apply by the role the \
                server logged in (who needs to be allowed to create and grant roles there). A session reading the store \
                in an open transaction makes it wait 5 s at most (--lock-timeout), then it stops, changing nothing, \
                and names that session.
                """)
        @OptionGroup var options: WorkspaceOptions
        @Option(
            help: ArgumentHelp(
                "A team store to apply it to: postgresql://USER@HOST/DATABASE, a socket folder, or service=NAME (no password: peer authentication, ~/.pgpass or a service file).",
                valueName: "address"))
        var store: String?
        @Option(help: "With --store: how many seconds to wait for a session holding the store's tables.")
        var lockTimeout: Int = 5

        func run() throws {
            // Opening the workspace as its owner records a changed file (through a short-lived writing
            // connection); anyone else is refused there, and audited where the lake can be written.
            // An upgrade of the team store is this command's to install: the store may lack this release's migrations.
            let workspace = try options.open(readOnly: true, upgradingTeamStore: true)
            // A workspace whose lake is a team store applies the file there unless told another store.
            if let store = store ?? (workspace.isOnTeamStore ? workspace.configuration.storeAddress : nil) {
                let timeout = Duration.seconds(max(lockTimeout, 1))
                let report = try present { () throws(EngineError) in try workspace.applyAccess(toTeamStore: store, lockTimeout: timeout) }
                if !report.migrations.isEmpty {
                    print("installed the team store's schema: \(report.migrations.joined(separator: ", "))")
                }
                print(
                    "applied \(Workspace.accessPath) to the team store as \(report.appliedBy) (\(report.statements) statements; audited as access.apply):"
                )
                print(report.summary)
                for note in report.notes { print("note: \(note)") }
                return
            }
            let reader = workspace.reader(for: try options.environment(in: workspace))
            let latest = try present { () throws(EngineError) in try reader.accessPolicyHistory().last }
            guard let latest else {
                return print("no \(Workspace.accessPath): this workspace is single-user (everyone is an admin)")
            }
            print(
                "\(Workspace.accessPath) in force: version \(latest.id), \(latest.event) \(latest.recordedAt) by \(latest.recordedBy) (SHA-256 \(latest.sha256.prefix(16))…)"
            )
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What every login of a team store's server may do in each of its databases.",
            discussion: """
                The team store closes its own database (no connecting, temporary tables or objects in public but \
                through the roles access.toml grants). The server's other databases (postgres, template1) are the \
                cluster admin's: by default every login may connect there and make temporary tables. This lists what \
                PUBLIC may do in each, and the one line that closes them. Exit 9 when any database lets every login \
                create something.
                """)
        @Option(
            help: ArgumentHelp(
                "The team store: postgresql://USER@HOST/DATABASE, a socket folder, or service=NAME (no password).", valueName: "address"))
        var store: String

        func run() throws {
            let (exposures, fix) = try present { () throws(EngineError) in try Workspace.teamStorePublicExposure(store) }
            let rows: [[String]] = exposures.map { exposure in
                let schema: String =
                    switch exposure.createInPublicSchema {
                    case true?: "CREATE"
                    case false?: "-"
                    case nil: "not looked at: \(exposure.unchecked ?? "")"
                    }
                return [
                    exposure.database + (exposure.isStore ? " (the team store)" : ""),
                    exposure.databasePrivileges.isEmpty ? "-" : exposure.databasePrivileges.joined(separator: ", "), schema,
                ]
            }
            print("what every login of the server (PUBLIC) may do:")
            print(Output.table(["database", "on the database", "in schema public"], rows))
            if let fix {
                print("\nthe databases the team store does not own are the cluster admin's to close; as them, run:\n  \(fix)")
            }
            let owner = try present { () throws(EngineError) in try Workspace.teamStoreOwnerExposure(store) }
            var failed = false
            if owner.databases.count > 1 && !owner.members.isEmpty {
                let members = owner.members.map { TerminalSafeText.of($0) }.joined(separator: ", ")
                ErrorPresenter.print(
                    EngineError(
                        .verification,
                        "the owner role cdp_owner owns the cdp schema of \(owner.databases.count) databases of this server "
                            + "(\(owner.databases.map { TerminalSafeText.of($0) }.joined(separator: ", "))) and \(members) "
                            + "\(owner.members.count == 1 ? "is a member" : "are members") of it without being a superuser: through it "
                            + "they read every lake's personal data and can rewrite every lake's audit log, not only their own. "
                            + "Take them out (as a superuser: "
                            + TerminalSafeText.of(owner.revocation)
                            + ") and apply access as a superuser"))
                failed = true
            }
            let open = exposures.filter(\.canCreate).map(\.database)
            if !open.isEmpty {
                ErrorPresenter.print(
                    EngineError(
                        .verification,
                        "every login of the server may create objects or temporary tables in \(open.joined(separator: ", "))"))
                failed = true
            }
            if failed { throw ExitCode(ErrorPresenter.exitCode(for: .verification)) }
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write back the access file the lake recorded last, when it was removed (workspace owner only; audited).")
        @Option(name: [.short, .long], help: "The workspace folder (default: $CDP_WORKSPACE or the current folder).")
        var workspace: String?

        func run() throws {
            let path = workspace ?? ProcessInfo.processInfo.environment["CDP_WORKSPACE"] ?? FileManager.default.currentDirectoryPath
            let version = try present { () throws(EngineError) in try Workspace.restoreAccessFile(workspaceAt: path) }
            print(
                "restored \(Workspace.accessPath): version \(version.id) recorded \(version.recordedAt) by \(version.recordedBy) (SHA-256 \(version.sha256.prefix(16))…)"
            )
        }
    }
}
