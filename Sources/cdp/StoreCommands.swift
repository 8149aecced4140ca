import ArgumentParser
import CDPCore
import CDPEngine
import Foundation

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Team stores on PostgreSQL: move a workspace's lake into one; list and end its sessions.",
        subcommands: [Migrate.self, Sessions.self, EndSession.self])

    struct Sessions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The sessions logged in to a team store and what each holds (admin, act_as).",
            discussion: """
                Oldest open transaction first. A session holding the audit log's head keeps every audited change \
                waiting (they fail after 15 s naming it); one holding a masked view keeps a dictionary tag change \
                waiting. End one with cdp store end-session PID.
                """)
        @Option(help: ArgumentHelp("The team store: postgresql://…, a socket folder or service=NAME (no password).", valueName: "address"))
        var store: String

        func run() throws {
            let sessions = try present { () throws(EngineError) in try Workspace.teamStoreSessions(store) }
            if sessions.isEmpty {
                print("no other session is logged in to the team store")
            } else {
                print(
                    Output.table(
                        ["pid", "login", "program", "state", "transaction since", "holds"],
                        sessions.map {
                            [String($0.pid), $0.login, $0.program, $0.state, $0.transactionSince, $0.holds.joined(separator: ", ")]
                                .map(TerminalSafeText.of)
                        }))
            }
            let left = try present { () throws(EngineError) in try Workspace.teamStoreRequestsLeft(store) }
            guard !left.isEmpty else { return }
            print("\nrequests with no end recorded (the second step of cdp store end-session or cdp runs unlock never ran, or was rolled back):")
            for request in left { print(TerminalSafeText.of(Self.describe(request))) }
        }

        /// One line for a request left without an end: what it asked, and what became of the session it named.
        static func describe(_ request: Workspace.TeamStoreRequestLeft) -> String {
            let (asked, effect) =
                request.action == "run.unlock" ? ("break the run lock held by", "run.unlock") : ("end the session of", "session.end")
            let outcome: String
            switch (request.sessionAlive, request.expiresAt) {
            case (true, let until?):
                outcome = "not carried out yet: the session is still logged in; the request may be carried out until \(until)"
            case (true, nil):
                outcome = "not carried out: the session is still logged in and the request expired (ask again to carry it out)"
            case (false, _):
                outcome =
                    "the session is gone, but no \(effect) was recorded: the second step ended it and was rolled back, or the session "
                    + "ended on its own"
            }
            return "request \(request.request) by \(request.requestedBy) at \(request.requestedAt) to \(asked) \(request.session) "
                + "(\(request.reason)): \(outcome)"
        }
    }

    struct EndSession: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "end-session",
            abstract: "End a session of a team store (admin, act_as; audited as session.end).",
            discussion: """
                For a transaction left open (an idle psql after BEGIN) that keeps audited changes or a dictionary \
                edit waiting. The server ends the session: its open transaction is rolled back and its locks let go. \
                The audit row names whose session it was and why.
                """)
        @Argument(help: "The session's pid (cdp store sessions lists them).") var pid: Int
        @Option(help: ArgumentHelp("The team store: postgresql://…, a socket folder or service=NAME (no password).", valueName: "address"))
        var store: String
        @Option(help: "Why (recorded in the audit log).") var reason: String

        func run() throws {
            let (pid, reason) = (self.pid, self.reason)
            let ended = try present { () throws(EngineError) in try Workspace.endTeamStoreSession(store, pid: pid, reason: reason) }
            print("ended the session of \(TerminalSafeText.of(ended)) (audited as session.end)")
        }
    }

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a workspace's lake into a team store (COPY, one transaction; audited there as store.migrate).",
            discussion: """
                Installs the team store's schema where it is missing, then copies every table the two share (silver, \
                quarantine, candidates, golden records, gold, runs, the dictionary and the audit chain) with COPY in \
                one transaction, holding the lake's run lock. The store must hold no lake yet. The chain goes on \
                unbroken: the store's last audit row, store.migrate, follows the lake's head; both chains are verified. \
                Needs view_pii (it copies every personal value). Then: cdp access apply -w WORKSPACE --store ADDRESS.
                """)
        @Option(help: "The workspace whose lake moves.") var from: String
        @Option(
            help: ArgumentHelp(
                "The team store: postgresql://USER@HOST/DATABASE, a socket folder, or service=NAME (no password).", valueName: "address"))
        var to: String

        func run() throws {
            let path = from
            let workspace = try present { () throws(EngineError) in try Workspace(at: path, mode: .readOnly) }
            let environment = try present { () throws(EngineError) in try workspace.session(actingAs: nil) }
            let address = to
            let report = try present { () throws(EngineError) in try workspace.migrate(toTeamStore: address, as: environment) }
            if !report.migrations.isEmpty {
                print("installed the team store's schema: \(report.migrations.joined(separator: ", "))")
            }
            print("moved the lake of \(path) into the team store as \(report.migratedBy) (one transaction; audited as store.migrate):")
            print(Output.table(["table", "rows"], report.tables.filter { $0.rows > 0 }.map { [$0.table, String($0.rows)] }))
            print(
                "audit chain: \(report.auditRows) rows copied, head \(report.auditHead.prefix(16))…, verified on both sides; "
                    + "the store's chain goes on with store.migrate")
            print("next: cdp access apply -w \(path) --store \(address)")
        }
    }
}
