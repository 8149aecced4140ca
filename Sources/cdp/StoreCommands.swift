import ArgumentParser
import CDPCore
import CDPEngine
import Foundation

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Team stores on PostgreSQL: move a workspace's lake into one.", subcommands: [Migrate.self])

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
