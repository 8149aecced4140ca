import ArgumentParser
import CDPCore
import CDPEngine
import Foundation

struct WhoAmICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "Who you act as in this workspace: user, role and permissions (governance/access.toml).")

    @OptionGroup var options: WorkspaceOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let workspace = try options.open()
        let principal = workspace.principal(try options.environment(in: workspace))
        if json { return Output.json(principal) }
        print("\(principal.user) · role \(principal.role ?? "none (not in governance/access.toml and no default_role)")")
        for permission in Permission.allCases {
            print("  \(principal.may(permission) ? "✔" : "✘") \(permission.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) \(permission.phrase)")
        }
        if !principal.may(.viewPII) { print("personal data is shown masked") }
    }
}
