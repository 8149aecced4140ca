import ArgumentParser
import CDPCore
import CDPEngine
import CDPRepositories
import Foundation

struct CandidatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "candidates", abstract: "Review candidate pairs the matcher was unsure about.",
        subcommands: [
            List.self, Show.self, Approve.self, Reject.self, Undo.self, ClaimCommand<CandidatesCommand>.self, AssignCommand<CandidatesCommand>.self,
            UnassignCommand<CandidatesCommand>.self, HoldsCommand<CandidatesCommand>.self, CommentCommand<CandidatesCommand>.self,
        ])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Candidates, most uncertain first.")
        @OptionGroup var options: WorkspaceOptions
        @Option(help: "open, approved, rejected or all.") var status: String = "open"
        @Option(help: "At most this many.") var limit: Int = 50
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let wanted: CandidateStatus?
            if status == "all" {
                wanted = nil
            } else if let parsed = CandidateStatus(rawValue: status) {
                wanted = parsed
            } else {
                throw ValidationError("--status must be open, approved, rejected or all")
            }
            let review = MatchReview(workspace: workspace, environment: environment)
            let rows = try present { () throws(EngineError) in try review.candidates(status: wanted, limit: limit) }
            if json { return Output.json(rows) }
            print(Output.table(
                ["id", "probability", "record a", "record b", "key", "status"],
                rows.map { [$0.id.description, String(format: "%.4f", $0.probability), $0.a.description, $0.b.description, $0.key, $0.status.rawValue] }))
            let counts = try present { () throws(EngineError) in try review.counts() }
            print("\(counts[.open] ?? 0) open · \(counts[.approved] ?? 0) approved · \(counts[.rejected] ?? 0) rejected")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Both records side by side, with the explanation of the score.")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The candidate id, e.g. P12.") var id: String
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let candidate = try parseCandidateID(id)
            let detail = try present { () throws(EngineError) in try MatchReview(workspace: workspace, environment: environment).detail(candidate) }
            if json { return Output.json(detail) }
            let c = detail.candidate
            print("\(c.id)  \(c.status.rawValue)  probability \(String(format: "%.4f", c.probability))  \(c.key)")
            func values(_ record: MatchInput?) -> [String] {
                guard let r = record else { return Array(repeating: "(gone)", count: 9) }
                return [r.firstName, r.lastName, r.email, r.phone, r.birthDate, r.street, r.city, r.postcode, r.country].map { $0 ?? "" }
            }
            let names = ["first_name", "last_name", "email", "phone", "birth_date", "street", "city", "postcode", "country"]
            let left = values(detail.recordA), right = values(detail.recordB)
            print(Output.table(
                ["", "\(c.a) (\(detail.goldenA?.description ?? "-"))", "\(c.b) (\(detail.goldenB?.description ?? "-"))", ""],
                names.indices.map { [names[$0], left[$0], right[$0], left[$0] == right[$0] ? "" : "≠"] }))
            if let explanation = detail.explanation { print("\n" + explanation.text) }
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A match: merge the two golden records now and keep them merged (one pair, or every open pair of a key).")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The candidate id, e.g. P12.") var id: String?
        @Option(help: "Why (kept in the audit log).") var reason: String?
        @OptionGroup(title: "Every open pair of an explanation key") var selection: PairSelectionOptions
        @Flag(help: "Decide a pair someone else claimed or was assigned (audited).") var takeOver = false

        func run() throws {
            if let plan = try selection.bulk(.approved, id: id, reason: reason) { return try BulkPairCLI.run(plan, options: options) }
            guard let id else { throw ValidationError("name a pair (P12), or every open pair of a key (--key KEY --above P)") }
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let candidate = try parseCandidateID(id)
            let golden = try present { () throws(EngineError) in
                try MatchReview(workspace: workspace, environment: environment, takingOverHolds: takeOver).approve(candidate, reason: reason)
            }
            print("\(candidate) approved" + (golden.map { "; both records are now in \($0)" } ?? ""))
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Not a match: never propose or merge this pair again (one pair, or every open pair of a key).")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The candidate id, e.g. P12.") var id: String?
        @Option(help: "Why (kept in the audit log).") var reason: String?
        @OptionGroup(title: "Every open pair of an explanation key") var selection: PairSelectionOptions
        @Flag(help: "Decide a pair someone else claimed or was assigned (audited).") var takeOver = false

        func run() throws {
            if let plan = try selection.bulk(.rejected, id: id, reason: reason) { return try BulkPairCLI.run(plan, options: options) }
            guard let id else { throw ValidationError("name a pair (P12), or every open pair of a key (--key KEY --above P)") }
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let candidate = try parseCandidateID(id)
            try present { () throws(EngineError) in try MatchReview(workspace: workspace, environment: environment, takingOverHolds: takeOver).reject(candidate, reason: reason) }
            print("\(candidate) rejected; the pair will not be proposed again")
        }
    }

    struct Undo: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reopen a decided candidate (golden records follow at the next `cdp match run`).")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The candidate id, e.g. P12.") var id: String

        func run() throws {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let candidate = try parseCandidateID(id)
            try present { () throws(EngineError) in try MatchReview(workspace: workspace, environment: environment).undo(candidate) }
            print("\(candidate) is open again")
        }
    }
}

struct GoldenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "golden", abstract: "Golden records: attributes with provenance, members, unmerge and override.",
        subcommands: [Show.self, Unmerge.self, Override.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A golden record's attributes (with source and rule), members and history.")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The golden id, e.g. G12.") var id: String
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let golden = try parseGoldenID(id)
            let detail = try present { () throws(EngineError) in try MatchReview(workspace: workspace, environment: environment).golden(golden) }
            if json { return Output.json(detail) }
            print("\(detail.id)\(detail.retiredRun.map { "  (retired at \($0))" } ?? "")  \(detail.members.count) source records")
            print(Output.table(["attribute", "value", "from", "rule"], detail.attributes.map { [$0.name, $0.value, $0.source?.description ?? "steward", $0.rule] }))
            print("\nmembers: " + detail.members.map(\.description).joined(separator: ", "))
            let past = detail.history.filter { $0.validTo != nil }
            if !past.isEmpty {
                print("history: " + past.map { "\($0.record) \($0.validFrom)…\($0.validTo?.description ?? "")" }.joined(separator: ", "))
            }
        }
    }

    struct Unmerge: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Split a source record out into its own golden record; it will not be merged back.")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The golden id, e.g. G12.") var id: String
        @Option(help: "The source record to split out, as source:key (e.g. crm_customers:C0000012).") var record: String
        @Option(help: "Why (kept in the audit log).") var reason: String?

        func run() throws {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let golden = try parseGoldenID(id)
            guard let source = SourceRecordID(parsing: record) else { throw ValidationError("--record must be source:key, e.g. crm_customers:C0000012") }
            let fresh = try present { () throws(EngineError) in
                try MatchReview(workspace: workspace, environment: environment).unmerge(golden, record: source, reason: reason)
            }
            print("\(source) moved from \(golden) to \(fresh); it will not be merged back")
        }
    }

    struct Override: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a golden attribute by hand (attribute=value); it survives later runs.")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The golden id, e.g. G12.") var id: String
        @Argument(help: "attribute=value") var assignment: String
        @Option(help: "Why (kept in the audit log).") var reason: String?

        func run() throws {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let golden = try parseGoldenID(id)
            guard let equals = assignment.firstIndex(of: "=") else { throw ValidationError("write the override as attribute=value") }
            let attribute = String(assignment[..<equals]), value = String(assignment[assignment.index(after: equals)...])
            try present { () throws(EngineError) in
                try MatchReview(workspace: workspace, environment: environment).override(golden, attribute: attribute, value: value, reason: reason)
            }
            print("\(golden).\(attribute) = \(value)")
        }
    }
}

func parseCandidateID(_ text: String) throws -> CandidateID {
    guard let id = CandidateID(parsing: text) else { throw ValidationError("'\(text)' is not a candidate id (e.g. P12)") }
    return id
}

func parseGoldenID(_ text: String) throws -> GoldenID {
    guard let id = GoldenID(parsing: text) else { throw ValidationError("'\(text)' is not a golden id (e.g. G12)") }
    return id
}
