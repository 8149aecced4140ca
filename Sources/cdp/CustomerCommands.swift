import ArgumentParser
import CDPCore
import CDPEngine
import Foundation

struct CustomerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer", abstract: "Customer 360: find a customer by name, email or phone, and print a profile.",
        subcommands: [Search.self, Show.self])

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find customers by name, email or phone; tolerant of case, accents and a typo per word.")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "Words to look for, e.g. \"jose garcia\", jane@example.com or 07700 900123.") var text: String
        @Option(help: "At most this many customers.") var limit = 20
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let hits = try present { () throws(EngineError) in
                try Customer360Service(workspace: workspace, environment: environment).search(text, limit: limit)
            }
            if json { return Output.json(hits) }
            guard !hits.isEmpty else {
                print("no customer matches '\(text)'")
                return
            }
            print(Output.table(
                ["golden", "name", "email", "phone", "city", "sources", "orders", "ltv"],
                hits.map { hit in
                    let row = hit.customer
                    return [
                        row.golden.description, row.displayName, row.email ?? "", row.phone ?? "", row.city ?? "",
                        String(row.sourceCount), String(row.orders), Money.text(row.lifetimeValue),
                    ]
                }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A customer's profile: identity with provenance, consent, metrics, engagement, open issues, merge history.")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "A golden id (G12), a source record (crm_customers:C0000012) or an email.") var customer: String
        @Option(help: "Timeline events to print, newest first.") var events = 15
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let service = Customer360Service(workspace: workspace, environment: environment)
            let profile = try present { () throws(EngineError) in try service.profile(try service.find(customer)) }
            if json { return Output.json(profile) }
            print(CustomerProfileText(profile, events: events).text)
        }
    }
}

/// A profile as plain text for the terminal.
struct CustomerProfileText {
    let profile: Customer360Service.Profile
    let events: Int

    init(_ profile: Customer360Service.Profile, events: Int) {
        self.profile = profile
        self.events = events
    }

    var text: String {
        let row = profile.customer
        var lines: [String] = []
        lines.append("\(row.golden)  \(row.displayName.isEmpty ? "(no name)" : row.displayName)  · \(row.sourceCount) source records (\(row.sources.joined(separator: ", ")))")
        lines.append("first seen \(row.firstSeen ?? "–") · last seen \(row.lastSeen ?? "–")")
        lines.append("")
        lines.append(Output.table(
            ["attribute", "value", "from", "rule"],
            profile.golden.attributes.map { [$0.name, $0.value, $0.source?.description ?? "steward override", $0.rule] }))
        lines.append("")
        lines.append("consent   email \(Self.flag(row.emailOptIn)) · sms \(Self.flag(row.smsOptIn))")
        lines.append(
            "orders    \(row.orders) · lifetime value \(Money.text(row.lifetimeValue))" + (row.lastOrder.map { " · last order \($0)" } ?? ""))
        lines.append(
            "campaigns \(row.campaignsReached) reached · \(row.sent) sent · \(row.opens) opens · \(row.clicks) clicks · "
                + "\(row.conversions) conversions (\(Money.text(row.conversionRevenue))) · \(row.unsubscribes) unsubscribes")
        if let last = row.lastEngagement { lines.append("last engagement \(last)") }
        if !profile.months.isEmpty {
            let first = profile.months.first?.month ?? "", last = profile.months.last?.month ?? ""
            lines.append("per month  \(Sparkline.text(profile.months.map(\.count)))  \(first) … \(last)")
        }
        if let top = profile.channels.first?.count, top > 0 {
            for channel in profile.channels {
                let bar = String(repeating: "█", count: max(1, channel.count * 30 / top))
                lines.append("  " + channel.channel.padding(toLength: 12, withPad: " ", startingAt: 0) + " \(bar) \(channel.count)")
            }
        }
        lines.append("")
        lines.append("records   " + profile.golden.members.map(\.description).joined(separator: ", "))
        if profile.issues.isEmpty {
            lines.append("issues    none open")
        } else {
            lines.append("issues    " + profile.issues.map { "\($0.id) (\($0.failures.map(\.rule).joined(separator: ", ")))" }.joined(separator: ", "))
        }
        if !profile.timeline.isEmpty {
            lines.append("")
            lines.append("timeline, newest first (\(min(events, profile.timeline.count)) of \(profile.timeline.count)):")
            lines.append(Output.table(
                ["when", "event", "detail", "channel", "amount"],
                profile.timeline.prefix(events).map { [$0.at, $0.kind, $0.detail, $0.channel ?? "", $0.amount.map(Money.text) ?? ""] }))
        }
        if !profile.decisions.isEmpty {
            lines.append("")
            lines.append("merge history:")
            lines.append(Output.table(
                ["when", "who", "action", "target", "change"],
                profile.decisions.map { [$0.at, $0.actor, $0.action, $0.target, $0.after ?? ""] }))
        }
        return lines.joined(separator: "\n")
    }

    static func flag(_ value: Bool?) -> String {
        value.map { $0 ? "opted in" : "opted out" } ?? "unknown"
    }
}

/// Eight-level block sparkline of counts.
enum Sparkline {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func text(_ values: [Int]) -> String {
        guard let top = values.max(), top > 0 else { return String(repeating: levels[0], count: values.count) }
        return String(values.map { levels[min(levels.count - 1, $0 * (levels.count - 1) / top)] })
    }
}

enum Money {
    static func text(_ value: Double) -> String { String(format: "%.2f", value) }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a lake table or view (customer_360, campaign_performance, silver_customer, …) as CSV, JSON or Markdown; masked without view_pii.")

    @OptionGroup var options: WorkspaceOptions
    @Argument(help: "The table or view, e.g. customer_360.") var table: String
    @Option(help: "csv, json or md.") var format: String = "csv"
    @Option(help: "Write to this file instead of standard output.") var out: String?

    func run() throws {
        guard let format = ExportFormat(rawValue: format) else {
            throw ValidationError("--format must be one of: \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let workspace = try options.open()
        let environment = try options.environment(in: workspace)
        guard let out else {
            var buffer = Data()
            _ = try present { () throws(EngineError) in
                try workspace.export(table, format: format, as: environment) { text in
                    buffer.append(contentsOf: text.utf8)
                    if buffer.count >= 1 << 20 {
                        try FileHandle.standardOutput.write(contentsOf: buffer)
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
            }
            return try FileHandle.standardOutput.write(contentsOf: buffer)
        }
        let count = try present { () throws(EngineError) in
            let file = try ExportFile(path: out, in: workspace, for: environment)
            let count = try workspace.export(table, format: format, as: environment) { text in try file.write(text) }
            try file.commit()
            return count
        }
        FileHandle.standardError.write(Data("exported \(Output.grouped(count)) rows of \(table) to \(out)\n".utf8))
    }
}
