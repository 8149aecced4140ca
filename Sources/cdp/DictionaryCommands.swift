import ArgumentParser
import CDPCore
import CDPEngine
import Foundation

struct DictionaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dictionary",
        abstract: "The data dictionary: what every dataset and column of every layer holds, who owns it, how it is checked.",
        discussion: """
            Entries are named DATASET.COLUMN (silver_customer.email) or DATASET; --layer tells apart a name in
            several layers. Editing needs the edit_dictionary permission; every edit is a new version, audited.
            Columns tagged PII.* are masked for users without view_pii.
            """,
        subcommands: [List.self, Show.self, Edit.self, History.self, Diff.self, Export.self, Import.self, Suggest.self],
        defaultSubcommand: List.self)

    /// The workspace, the acting user and an optional layer: what every dictionary command takes.
    struct Options: ParsableArguments {
        @OptionGroup var workspace: WorkspaceOptions
        @Option(help: "The layer: bronze, silver, quarantine or gold.") var layer: String?

        func parsedLayer() throws -> DictionaryLayer? {
            guard let layer else { return nil }
            guard let parsed = DictionaryLayer(rawValue: layer.lowercased()) else {
                throw ValidationError("--layer must be one of \(DictionaryLayer.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return parsed
        }

        func service() throws -> DictionaryService {
            let opened = try workspace.open()
            return DictionaryService(workspace: opened, environment: try workspace.environment(in: opened))
        }

        func reference(_ text: String) throws -> DictionaryReference {
            DictionaryReference(parsing: text, layer: try parsedLayer())
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Entries, layer by layer; --gaps lists those without a description or classification.")
        @OptionGroup var options: Options
        @Flag(help: "Only entries without a description or a classification.") var gaps = false
        @Option(help: "Only entries whose name, description or tags contain this text.") var search: String?
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let service = try options.service()
            let layer = try options.parsedLayer()
            if gaps {
                let found = try present { () throws(EngineError) in try service.gaps(layer: layer) }
                if json { return Output.json(found) }
                print(
                    Output.table(
                        ["layer", "entry", "missing"],
                        found.map { [$0.key.layer.rawValue, $0.key.description, $0.missing.map(\.rawValue).joined(separator: ", ")] }))
                print("\(found.count) gaps; fill them with `cdp dictionary edit ENTRY --description … --classification …`")
                return
            }
            var entries = try present { () throws(EngineError) in try service.entries(layer: layer) }.map(\.entry)
            if let search {
                entries = entries.filter { entry in
                    [entry.key.description, entry.description, entry.tags.joined(separator: " ")].contains {
                        $0.localizedCaseInsensitiveContains(search)
                    }
                }
            }
            if json { return Output.json(entries) }
            print(
                Output.table(
                    ["layer", "entry", "type", "classification", "tags", "description"],
                    entries.map {
                        [
                            $0.layer.rawValue, $0.key.description, $0.dataType, $0.classification?.rawValue ?? "—",
                            $0.tags.joined(separator: ","),
                            Self.clipped($0.description.isEmpty ? "—" : $0.description, 70),
                        ]
                    }))
            print("\(entries.count) entries")
        }

        static func clipped(_ text: String, _ width: Int) -> String {
            text.count <= width ? text : String(text.prefix(width - 1)) + "…"
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One entry whole, with its rules' definitions.")
        @OptionGroup var options: Options
        @Argument(help: "DATASET.COLUMN or DATASET, e.g. silver_customer.email.") var entry: String
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let service = try options.service()
            let reference = try options.reference(entry)
            let found = try present { () throws(EngineError) in try service.entry(reference) }
            if json { return Output.json(found) }
            print(DictionaryPrinter.describe(found, rules: service.workspace.rules))
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an entry (needs edit_dictionary); refused whole, naming each field, when anything is invalid.",
            discussion: "Text set to \"\" clears a field. --tag and --rule add, --remove-tag and --remove-rule take away.")
        @OptionGroup var options: Options
        @Argument(help: "DATASET.COLUMN or DATASET.") var entry: String
        @Option(help: "What it holds, in words.") var description: String?
        @Option(help: "The storage type, e.g. TEXT.") var dataType: String?
        @Option(help: "public, internal, confidential or restricted.") var classification: String?
        @Option(help: "A tag to add, e.g. PII.Email (repeatable).") var tag: [String] = []
        @Option(help: "A tag to remove (repeatable).") var removeTag: [String] = []
        @Option(help: "The owner: a user of governance/access.toml.") var owner: String?
        @Option(help: "The data steward: a user of governance/access.toml.") var steward: String?
        @Option(help: "The shape of a value in words, e.g. 'yyyy-MM-dd'.") var valueFormat: String?
        @Option(help: "The values it may hold, comma separated (\"\" clears).") var allowedValues: String?
        @Option(help: "A rule of governance/rules.toml that checks it (repeatable).") var rule: [String] = []
        @Option(help: "A rule to remove (repeatable).") var removeRule: [String] = []
        @Option(help: "An example value.") var example: String?
        @Option(help: "What feeds it, comma separated DATASET.COLUMN (\"\" clears).") var lineage: String?
        @Option(help: "Why, for the audit log.") var reason: String?

        func run() throws {
            let service = try options.service()
            let reference = try options.reference(entry)
            let saved = try present { () throws(EngineError) in
                var change = DictionaryChange(
                    description: description, dataType: dataType, classification: classification, owner: owner, steward: steward,
                    allowedValues: allowedValues.map(Self.list), format: valueFormat, example: example, lineage: lineage.map(Self.list))
                if !tag.isEmpty || !removeTag.isEmpty || !rule.isEmpty || !removeRule.isEmpty {
                    let current = try service.entry(reference).entry
                    if !tag.isEmpty || !removeTag.isEmpty { change.tags = (current.tags + tag).filter { !removeTag.contains($0) } }
                    if !rule.isEmpty || !removeRule.isEmpty { change.rules = (current.rules + rule).filter { !removeRule.contains($0) } }
                }
                return try service.edit(reference, change, reason: reason)
            }
            print("saved \(saved.key) version \(saved.version): \(saved.change)")
        }

        static func list(_ text: String) -> [String] {
            text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An entry's versions (who, when, what changed), or the latest edits of the whole dictionary.")
        @OptionGroup var options: Options
        @Argument(help: "DATASET.COLUMN or DATASET; without it, the latest edits.") var entry: String?
        @Option(help: "How many of the latest edits.") var limit: Int = 50
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let service = try options.service()
            let reference = try entry.map(options.reference)
            let versions = try present { () throws(EngineError) in
                if let reference { return try service.history(reference) }
                return try service.recentChanges(limit: limit)
            }
            if json { return Output.json(versions) }
            print(
                Output.table(
                    ["entry", "version", "at", "by", "changed"],
                    versions.map { [$0.key.description, "\($0.version)", $0.changedAt, $0.changedBy, $0.change] }))
            if let reference, versions.count > 1 {
                print("compare two with: cdp dictionary diff \(reference) 1 \(versions.count)")
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What changed between two versions of an entry, field by field.")
        @OptionGroup var options: Options
        @Argument(help: "DATASET.COLUMN or DATASET.") var entry: String
        @Argument(help: "The older version.") var from: Int
        @Argument(help: "The newer version (default: the current one).") var to: Int?
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let service = try options.service()
            let reference = try options.reference(entry)
            let diff = try present { () throws(EngineError) in
                let newer: Int
                if let to { newer = to } else { newer = try service.entry(reference).version }
                return try service.diff(reference, from: from, to: newer)
            }
            if json { return Output.json(diff.changes) }
            print(
                "\(diff.to.key): version \(diff.from.version) (\(diff.from.changedBy), \(diff.from.changedAt)) → version \(diff.to.version) (\(diff.to.changedBy), \(diff.to.changedAt))"
            )
            if diff.changes.isEmpty { print("  no field differs") }
            for change in diff.changes {
                print("  \(change.field.rawValue)")
                print("    - \(change.before.isEmpty ? "∅" : change.before)")
                print("    + \(change.after.isEmpty ? "∅" : change.after)")
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the dictionary as Markdown documentation, JSON for tools, or TOML (governance/dictionary.toml) for git.")
        @OptionGroup var options: Options
        @Option(help: "md, json or toml.") var format: String = "md"
        @Option(help: "The file to write (default: standard output).") var out: String?

        func run() throws {
            guard let parsed = DictionaryExportFormat(rawValue: format == "markdown" ? "md" : format) else {
                throw ValidationError("--format must be md, json or toml")
            }
            let service = try options.service()
            // Private, as every export is (an example of a personal column is as typed), and whole or not at all.
            let file = try out.map { out in try present { () throws(EngineError) in try ExportFile(workspaceDocument: out, for: service.environment) } }
            let text = try present { () throws(EngineError) in try service.export(as: parsed) }
            guard let out, let file else { return Swift.print(text, terminator: "") }  // a document, byte for byte
            try present { () throws(EngineError) in
                try file.write(text)
                try file.commit()
            }
            print("wrote \(out)")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Apply a dictionary TOML file (needs edit_dictionary): each changed entry becomes a new version; any bad entry refuses the whole file."
        )
        @OptionGroup var options: Options
        @Argument(help: "The file, e.g. governance/dictionary.toml.") var file: String

        func run() throws {
            let service = try options.service()
            let summary = try present { () throws(EngineError) in try service.importFile(file) }
            for version in summary.changed { print("  \(version.key): \(version.change) (version \(version.version))") }
            print("imported \(file): \(summary.changed.count) entries changed, \(summary.unchanged) unchanged")
        }
    }

    struct Suggest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Profile a column's values in the lake and suggest a classification, tags and rules; --accept applies it.")
        @OptionGroup var options: Options
        @Argument(help: "DATASET.COLUMN, e.g. silver_customer.email.") var entry: String
        @Flag(help: "Apply the suggestion (needs edit_dictionary).") var accept = false
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let service = try options.service()
            let reference = try options.reference(entry)
            let suggestion = try present { () throws(EngineError) in try service.suggest(reference) }
            if json && !accept { return Output.json(suggestion) }
            if !json { print(DictionaryPrinter.describe(suggestion)) }
            guard accept else {
                print("accept with: cdp dictionary suggest \(suggestion.key) --accept")
                return
            }
            let saved = try present { () throws(EngineError) in try service.accept(suggestion) }
            if json { return Output.json(saved) }
            print("accepted: saved \(saved.key) version \(saved.version): \(saved.change)")
        }
    }
}

/// Plain-text views of dictionary entries and suggestions.
enum DictionaryPrinter {
    static func describe(_ version: DictionaryVersion, rules: RuleSet) -> String {
        let entry = version.entry
        func value(_ text: String) -> String { text.isEmpty ? "—" : text }
        var lines = [
            "\(entry.key) · \(entry.layer.rawValue) · version \(version.version), \(version.change) by \(version.changedBy) at \(version.changedAt)"
        ]
        for field in DictionaryField.allCases where field != .rules {
            lines.append(
                "  \(field.rawValue.replacingOccurrences(of: "_", with: " ").padding(toLength: 16, withPad: " ", startingAt: 0))\(value(entry.text(of: field)))"
            )
        }
        lines.append("  rules")
        if entry.rules.isEmpty { lines.append("    —") }
        for name in entry.rules {
            let definition = rules.rule(named: name).map {
                "\($0.check.kindName) \($0.fields.joined(separator: ", ")) · \($0.severity.rawValue) · \($0.dataset)"
            }
            lines.append("    \(name)\(definition.map { ": \($0)" } ?? " (no longer in rules.toml)")")
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ suggestion: DictionarySuggestion) -> String {
        let profile = suggestion.profile
        var lines = ["suggestion for \(suggestion.key) from \(Output.grouped(profile.sampled)) sampled values"]
        let distinct = profile.repetitionWithheld == true ? Workspace.withheldValue : Output.grouped(profile.distinct)
        var facts = [String(format: "empty %.1f%%", profile.nullRate * 100), "distinct \(distinct)"]
        if let pattern = profile.pattern { facts.append(String(format: "pattern %@ (%.0f%%)", pattern, profile.patternShare * 100)) }
        lines.append("  " + facts.joined(separator: " · "))
        if !profile.topValues.isEmpty {
            lines.append("  top values: " + profile.topValues.map { "\($0.value) (\($0.count))" }.joined(separator: ", "))
        }
        let rows: [(String, String)] = [
            ("classification", suggestion.classification.rawValue), ("tags", suggestion.tags.joined(separator: ", ")),
            ("rules", suggestion.rules.joined(separator: ", ")), ("format", suggestion.format ?? ""),
            ("allowed values", suggestion.allowedValues.joined(separator: ", ")), ("example", suggestion.example ?? ""),
        ]
        for (name, value) in rows {
            lines.append("  \(name.padding(toLength: 16, withPad: " ", startingAt: 0))\(value.isEmpty ? "—" : value)")
        }
        if !suggestion.reasons.isEmpty {
            lines.append("why:")
            lines += suggestion.reasons.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
