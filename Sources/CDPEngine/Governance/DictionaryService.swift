import CDPCore
import CDPRepositories
import Foundation

/// The data dictionary as the CLI and the console use it: browse, edit (with the `edit_dictionary`
/// permission, audited), history and diff, import and export, suggestions from the lake's data.
///
/// The dictionary is seeded from the workspace's schema by `cdp init`; a workspace made before the
/// dictionary existed is seeded on first use, and entries for a source added to `cdp.toml` since are
/// added the same way. Seeding only ever adds: an entry someone edited is never overwritten.
/// Without `view_pii`, examples and sampled values of personal columns come back masked.
public struct DictionaryService: Sendable {
    public let workspace: Workspace
    public let environment: Environment

    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    /// How many values of a column `suggest` reads.
    public static let sampleSize = 10_000

    /// What a seeded version's history says.
    public static let seedChange = "seeded from the workspace schema"

    private var lake: LakeRepositories { workspace.repositories }

    // MARK: Seeding

    /// The entries the workspace's schema, sources and rules give (what seeding writes where missing).
    public func seedEntries() throws(EngineError) -> [DictionaryEntry] {
        var schema: [DatasetSchema] = []
        for (layer, name) in DataDictionary.lakeDatasets {
            if let dataset = try storeCall({ () throws(StoreError) in try lake.dictionary.datasetSchema(name, layer: layer) }) {
                schema.append(dataset)
            }
        }
        return DataDictionary.seed(schema: schema, sources: workspace.configuration.sources, rules: workspace.rules)
    }

    /// Adds an entry for every dataset and column the dictionary lacks, as version 1 by this user, and
    /// audits it as `dictionary.seed`. Edited entries are left as they are.
    /// - Returns: how many entries were added (0 when the dictionary was complete).
    @discardableResult
    public func seed() throws(EngineError) -> Int {
        let existing = try storeCall { () throws(StoreError) in try lake.dictionary.dictionaryKeys() }
        let missing = try seedEntries().filter { !existing.contains($0.key) }
        guard !missing.isEmpty else { return 0 }
        let actor = environment.user
        return try storeCall { () throws(StoreError) in
            try lake.dictionary.seedDictionary(missing, actor: actor, at: environment.timestamp, change: Self.seedChange) { count in
                AuditDraft(
                    actor: actor, action: "dictionary.seed", target: "dictionary",
                    after: "\(count) entries added from the workspace schema")
            }
        }
    }

    // MARK: Reading

    /// The current entries (of one layer), in dictionary order.
    public func entries(layer: DictionaryLayer? = nil) throws(EngineError) -> [DictionaryVersion] {
        try seed()
        return try storeCall { () throws(StoreError) in try lake.dictionary.dictionaryEntries(layer: layer) }.map(masked)
    }

    /// The entry a reference names.
    /// - Throws: `.notFound` naming the columns of the dataset when it exists; `.refused` when the name is
    ///   in several layers and no layer was given.
    public func entry(_ reference: DictionaryReference) throws(EngineError) -> DictionaryVersion {
        masked(try current(reference))
    }

    /// Entries without a description or a classification.
    public func gaps(layer: DictionaryLayer? = nil) throws(EngineError) -> [DictionaryGap] {
        DataDictionary.gaps(try entries(layer: layer).map(\.entry))
    }

    /// Every version of an entry, oldest first.
    public func history(_ reference: DictionaryReference) throws(EngineError) -> [DictionaryVersion] {
        let key = try current(reference).key
        return try storeCall { () throws(StoreError) in try lake.dictionary.dictionaryVersions(of: key) }.map(masked)
    }

    /// The latest edits across the dictionary, newest first.
    public func recentChanges(limit: Int = 50) throws(EngineError) -> [DictionaryVersion] {
        try seed()
        return try storeCall { () throws(StoreError) in try lake.dictionary.dictionaryChanges(limit: limit) }.map(masked)
    }

    /// Two versions of an entry and the fields that differ between them.
    public struct Diff: Sendable, Hashable {
        public var from: DictionaryVersion
        public var to: DictionaryVersion
        public var changes: [DictionaryFieldChange]
    }

    /// The field-by-field difference between two versions of an entry.
    /// - Throws: `.notFound` naming the versions the entry has.
    public func diff(_ reference: DictionaryReference, from: Int, to: Int) throws(EngineError) -> Diff {
        let versions = try history(reference)
        func version(_ number: Int) throws(EngineError) -> DictionaryVersion {
            guard let found = versions.first(where: { $0.version == number }) else {
                let key = versions.first?.key.description ?? reference.description
                throw EngineError(
                    .notFound, "\(key) has no version \(number) (versions 1…\(versions.count); see `cdp dictionary history \(key)`)")
            }
            return found
        }
        let old = try version(from), new = try version(to)
        return Diff(from: old, to: new, changes: old.entry.differences(to: new.entry))
    }

    /// The dictionary as Markdown, JSON or `governance/dictionary.toml`.
    public func export(as format: DictionaryExportFormat) throws(EngineError) -> String {
        DataDictionary.export(try entries().map(\.entry), as: format, workspace: workspace.configuration.name)
    }

    /// Who may own or steward an entry and which rules exist: the users of `governance/access.toml`, plus
    /// the acting user when they are an admin (a workspace without an access file names no users).
    public var vocabulary: DictionaryVocabulary {
        var users = Set(workspace.accessPolicy.users.keys)
        if workspace.principal(environment).role == "admin" { users.insert(environment.user) }
        return DictionaryVocabulary(users: users, rules: Set(workspace.rules.rules.map(\.name)))
    }

    /// What stops an entry being saved, for a form that validates as the steward types.
    public func problems(of entry: DictionaryEntry) -> [DictionaryProblem] {
        entry.problems(in: vocabulary)
    }

    // MARK: Editing

    /// Checks the user may edit the dictionary before a form opens, auditing a refusal.
    /// - Throws: `.forbidden` naming the missing permission.
    public func authorizeEdit(_ key: DictionaryKey) throws(EngineError) {
        try workspace.authorize(.editDictionary, environment, attempt: "dictionary.edit \(key)")
    }

    /// Applies an edit as the entry's next version, audited as `dictionary.edit` with the changed fields
    /// before and after.
    /// - Throws: `.forbidden` without `edit_dictionary`, or without `view_pii` for an edit that takes a PII tag off
    ///   or changes its kind (both audited); `.invalidEntry` listing every problem,
    ///   each naming its field; `.refused` when the edit changes nothing or the entry changed meanwhile.
    @discardableResult
    public func edit(_ reference: DictionaryReference, _ change: DictionaryChange, reason: String? = nil) throws(EngineError)
        -> DictionaryVersion
    {
        let target = try current(reference)
        try authorizeEdit(target.key)
        guard !change.isEmpty else {
            throw EngineError(.refused, "\(target.key): no change given; say what to set (e.g. --description, --classification, --tag)")
        }
        let write = try prepare(target, change, reason: reason)
        guard let write else {
            throw EngineError(.refused, "\(target.key): the edit changes nothing; it already says that (version \(target.version))")
        }
        let derived = try lineageWrites(following: [write])
        let saved = try storeCall { () throws(StoreError) in
            try lake.dictionary.saveDictionaryEntries([write] + derived, actor: environment.user, at: environment.timestamp)
        }
        return masked(saved[0])
    }

    /// The write an edit makes, or nil when it changes nothing.
    private func prepare(_ current: DictionaryVersion, _ change: DictionaryChange, reason: String?) throws(EngineError) -> DictionaryWrite? {
        let updated: DictionaryEntry
        do {
            updated = try current.entry.applying(change, vocabulary: vocabulary)
        } catch {
            throw EngineError(
                .invalidEntry, "\(current.key) was not saved; fix and try again:", details: error.problems.map(\.description))
        }
        let changes = current.entry.differences(to: updated)
        guard !changes.isEmpty else { return nil }
        // Masking follows the tags, so taking a column's PII tag off (or changing its kind: a birth date's mask
        // hides digits only) would show its values to everyone without view_pii, this user first. Only someone
        // who may already see them may loosen it; adding a tag needs no more than edit_dictionary.
        if let before = current.entry.personalKind, updated.personalKind != before {
            let after = updated.personalKind?.rawValue ?? "no PII tag"
            try workspace.authorize(.viewPII, environment, attempt: "dictionary.edit \(current.key) (\(before.rawValue) → \(after))")
        }
        // The audit log is read by every role, and the masker cannot tell a personal column's example by
        // its key: such an example is logged masked.
        let kind = updated.personalKind ?? current.entry.personalKind
        func logged(_ change: DictionaryFieldChange, _ value: String) -> (String, String) {
            guard change.field == .example, let kind, !value.isEmpty else { return (change.field.rawValue, value) }
            return (change.field.rawValue, PIIMasker.mask(value, as: kind))
        }
        let audit = AuditDraft(
            actor: environment.user, action: "dictionary.edit", target: current.key.description,
            before: Self.json(changes.map { logged($0, $0.before) }), after: Self.json(changes.map { logged($0, $0.after) }), reason: reason
        )
        return DictionaryWrite(
            entry: updated, expectedVersion: current.version, change: DataDictionary.summary(changes), audit: audit)
    }

    /// The writes that carry a personal-data tag that `writes` add down the lineage: every column derived from a
    /// newly tagged one (`customer_360.city` from `silver_customer.city`), at any depth, that has no personal-data tag
    /// of its own gets the same tag in the same transaction, each audited as a `dictionary.edit` saying which tag it
    /// follows. Masking follows each column's own tags (the query views, the team store's masked views), so a value
    /// tagged personal upstream would otherwise stay readable wherever it was copied to. Taking a tag off is never
    /// carried down: each derived column keeps its tag until someone with `view_pii` takes it off there too.
    private func lineageWrites(following writes: [DictionaryWrite], entries known: [DictionaryVersion]? = nil) throws(EngineError)
        -> [DictionaryWrite]
    {
        let tagged = writes.filter { write in write.entry.personalKind != nil && !write.entry.isWithheldRecord }
        guard !tagged.isEmpty else { return [] }
        let entries: [DictionaryVersion]
        if let known {
            entries = known
        } else {
            entries = try storeCall { () throws(StoreError) in try lake.dictionary.dictionaryEntries() }
        }
        let written = Set(writes.map(\.entry.key))
        var byUpstream: [String: [DictionaryVersion]] = [:]
        for version in entries where !version.key.isDataset && !written.contains(version.key) {
            for upstream in version.entry.lineage { byUpstream[upstream, default: []].append(version) }
        }
        var derived: [DictionaryWrite] = []
        var reached = written
        var frontier = tagged.compactMap { write in
            write.entry.tags.first { PIIKind(tag: $0) != nil }.map { (reference: write.entry.key.description, tag: $0, origin: write.entry.key) }
        }
        while let next = frontier.popLast() {
            for version in byUpstream[next.reference] ?? [] where !reached.contains(version.key) {
                reached.insert(version.key)
                guard version.entry.personalKind == nil, !version.entry.isWithheldRecord else { continue }
                let change = DictionaryChange(tags: version.entry.tags + [next.tag])
                guard let write = try prepare(version, change, reason: "follows \(next.origin)'s \(next.tag) tag: derived from it") else { continue }
                derived.append(write)
                frontier.append((reference: version.key.description, tag: next.tag, origin: next.origin))
            }
        }
        return derived
    }

    /// What an import did.
    public struct ImportSummary: Sendable, Hashable {
        /// The new versions, each saying which fields changed.
        public var changed: [DictionaryVersion]
        /// Entries the file lists that already said the same.
        public var unchanged: Int
    }

    /// Applies the dictionary TOML file at `path`, read only once the user may edit the dictionary: a refusal must
    /// not tell whether a file exists or what it holds. Never while cdp acts for another user (behind a sudo wrapper
    /// the reader would be the service account, whose files a parse error would quote).
    /// - Throws: `.forbidden` without `edit_dictionary`, or while acting for another user (nothing read); `.input` for
    ///   a file that cannot be read or is not UTF-8; as ``importTOML(_:file:)`` otherwise.
    @discardableResult
    public func importFile(_ path: String) throws(EngineError) -> ImportSummary {
        try workspace.authorize(.editDictionary, environment, attempt: "dictionary.import \(path)")
        try UserNamedFile.checkRead(path, for: environment)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError(.input, "cannot read \(path); export one with `cdp dictionary export --format toml --out \(path)`")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw EngineError(.input, "\(path) is not UTF-8 text") }
        return try importTOML(text, file: path)
    }

    /// Applies a dictionary file (`governance/dictionary.toml`): every entry it lists that differs becomes
    /// a new version, audited as `dictionary.edit`, all in one transaction. Refused whole when any entry is
    /// unknown or invalid, naming each.
    /// - Throws: `.forbidden` without `edit_dictionary`; `.invalidConfiguration` for a malformed file;
    ///   `.invalidEntry` listing every problem by table and field.
    @discardableResult
    public func importTOML(_ text: String, file: String) throws(EngineError) -> ImportSummary {
        try workspace.authorize(.editDictionary, environment, attempt: "dictionary.import \(file)")
        let listed = try ConfigurationLoader.dictionary(tomlText: text, file: file)
        try seed()
        let currentEntries = try storeCall { () throws(StoreError) in try lake.dictionary.dictionaryEntries() }
        let byKey = Dictionary(currentEntries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        var writes: [DictionaryWrite] = []
        for item in listed {
            guard let current = byKey[item.key] else {
                problems.append(
                    "\(item.label): the dictionary has no \(item.key.layer.rawValue) entry \(item.key); see `cdp dictionary list`")
                continue
            }
            do {
                if let write = try prepare(current, item.change, reason: "imported from \(file)") { writes.append(write) }
            } catch where error.code == .forbidden {
                throw error
            } catch {
                problems += error.details.map { "\(item.label) (\(item.key)): \($0)" }
            }
        }
        guard problems.isEmpty else {
            throw EngineError(.invalidEntry, "\(file) was not imported; nothing changed. Fix:", details: problems)
        }
        let unchanged = listed.count - writes.count
        writes += try lineageWrites(following: writes, entries: currentEntries)
        let saved = try storeCall { () throws(StoreError) in
            writes.isEmpty ? [] : try lake.dictionary.saveDictionaryEntries(writes, actor: environment.user, at: environment.timestamp)
        }
        return ImportSummary(changed: saved.map(masked), unchanged: unchanged)
    }

    // MARK: Suggestions

    /// Profiles a column's values in the lake and suggests a classification, tags, rules, a format, allowed
    /// values and an example. Sampled values of a personal column come back masked without `view_pii`.
    /// - Throws: `.refused` for a dataset entry or a source field (its values are inside bronze_row.raw).
    public func suggest(_ reference: DictionaryReference) throws(EngineError) -> DictionarySuggestion {
        let current = try current(reference)
        let key = current.key
        guard !key.isDataset else {
            throw EngineError(.refused, "\(key) is a dataset; suggest works on one column (e.g. \(key.dataset).COLUMN)")
        }
        if let source = workspace.configuration.source(named: SourceName(key.dataset)), key.layer == .bronze {
            let feeds = source.mapping.first { $0.value == key.column }.map { "\(source.entity.silverTable).\($0.key)" }
            throw EngineError(
                .refused,
                "\(key) is a field of the landed files, kept inside bronze_row.raw; suggest from the column it feeds\(feeds.map { " (\($0))" } ?? "")"
            )
        }
        let values = try storeCall { () throws(StoreError) in
            try lake.dictionary.sampleColumn(dataset: key.dataset, column: key.column, limit: Self.sampleSize)
        }
        let profile = ColumnProfile(values: values, defaultCountry: CountryCode(alpha2: workspace.configuration.defaultCountry))
        let suggestion = DataDictionary.suggest(
            for: current.entry, profile: profile, candidateRules: try candidateRules(for: current.entry))
        guard !workspace.principal(environment).may(.viewPII) else { return suggestion }
        // The columns `cdp query` treats as personal first (free text, JSON, messages, search keys: their
        // values quote personal data in no shape a tag or the detector recognises), then the tags, the
        // entry's and the suggested ones.
        let personalData = workspace.personalData
        let treatment = Workspace.maskedColumn(
            dataset: key.dataset, column: key.column, personalData: personalData, masker: PIIMasker(columns: personalData.columns))
        let tags = suggestion.tags + current.entry.tags
        // A record's hash finds a masked value again by hashing guesses; its length and offset tell how long its
        // personal values are: withheld as the query boundary withholds them.
        if Self.recordFingerprintColumns.contains(key.column.lowercased()) { return Self.withheld(suggestion) }
        switch treatment {
        case .withhold, .maskJSON:
            return Self.withheld(suggestion)
        case .mask(let kind):
            return Self.masked(suggestion, as: kind)
        case .show:
            if tags.contains(DataDictionary.recordTag) { return Self.withheld(suggestion) }
            if let kind = tags.compactMap(PIIKind.init(tag:)).sorted(by: { $0 != .other && $1 == .other }).first {
                return Self.masked(suggestion, as: kind)
            }
            return suggestion
        }
    }

    /// A suggestion for a column whose values may quote anything personal: no value, nothing of how values
    /// repeat, no allowed values and no example; the share of empty values and what the values look like stay.
    static func withheld(_ suggestion: DictionarySuggestion) -> DictionarySuggestion {
        var copy = suggestion
        copy.profile = suggestion.profile.withholdingRepetition()
        // No example rather than a placeholder: accepting the suggestion would write it into the entry.
        copy.example = nil
        copy.allowedValues = []
        return copy
    }

    /// A suggestion for a personal column of one kind: no value and nothing of how values repeat, its example
    /// masked as the kind (a masked value, safe to accept into the entry).
    static func masked(_ suggestion: DictionarySuggestion, as kind: PIIKind) -> DictionarySuggestion {
        var copy = suggestion
        copy.profile = suggestion.profile.withholdingRepetition()
        copy.example = suggestion.example.map { PIIMasker.mask($0, as: kind) }
        copy.allowedValues = []
        return copy
    }

    /// Columns about a landed record rather than of it: withheld from a profile for a user without `view_pii`.
    static let recordFingerprintColumns: Set<String> = ["content_hash", "record_length", "record_offset"]

    /// Accepts a suggestion: adds its tags and rules, raises the classification, fills empty fields.
    /// - Throws: as ``edit(_:_:reason:)``; `.refused` when the entry already says everything suggested.
    @discardableResult
    public func accept(_ suggestion: DictionarySuggestion) throws(EngineError) -> DictionaryVersion {
        let reference = DictionaryReference(parsing: suggestion.key.description, layer: suggestion.key.layer)
        // Against the entry as stored, never a masked copy of it; the suggested example is never a real
        // personal value (suggest masks it), so it may be written as it is.
        let current = try current(reference)
        let change = suggestion.change(for: current.entry)
        guard !change.isEmpty else {
            try authorizeEdit(current.key)
            throw EngineError(.refused, "\(current.key) already says everything the data suggests; nothing to accept")
        }
        return try edit(reference, change, reason: "accepted a suggestion from the data")
    }

    /// The rules that check the column or what feeds it (two steps up its lineage), as definitions.
    private func candidateRules(for entry: DictionaryEntry) throws(EngineError) -> [RuleDefinition] {
        let all = try storeCall { () throws(StoreError) in try lake.dictionary.dictionaryEntries() }
        let byName = Dictionary(all.map { ($0.key.description, $0.entry) }, uniquingKeysWith: { first, _ in first })
        var names = entry.rules
        var frontier = entry.lineage
        for _ in 0..<2 {
            let upstream = frontier.compactMap { byName[$0] }
            names += upstream.flatMap(\.rules)
            frontier = upstream.flatMap(\.lineage)
        }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }.compactMap(workspace.rules.rule(named:))
    }

    // MARK: Helpers

    /// The stored entry a reference names, unmasked.
    private func current(_ reference: DictionaryReference) throws(EngineError) -> DictionaryVersion {
        try seed()
        let keys = try storeCall { () throws(StoreError) in try lake.dictionary.dictionaryKeys() }
        let matching = keys.filter(reference.matches).sorted()
        guard let key = matching.first else {
            let columns = keys.filter { $0.dataset == reference.dataset && !$0.isDataset }.map(\.column).sorted()
            let hint =
                columns.isEmpty
                ? "see `cdp dictionary list` for the datasets" : "columns of \(reference.dataset): \(columns.joined(separator: ", "))"
            throw EngineError(.notFound, "the dictionary has no entry \(reference) (\(hint))")
        }
        guard matching.count == 1 else {
            let layers = matching.map(\.layer.rawValue).joined(separator: ", ")
            throw EngineError(.refused, "\(reference) is in several layers (\(layers)); name one with --layer")
        }
        guard let found = try storeCall({ () throws(StoreError) in try lake.dictionary.dictionaryEntry(key) }) else {
            throw EngineError(.notFound, "the dictionary has no entry \(key)")
        }
        return found
    }

    /// The version as this user may see it: the example of a personal column masked without `view_pii`.
    private func masked(_ version: DictionaryVersion) -> DictionaryVersion {
        guard let example = version.entry.example, let kind = version.entry.personalKind,
            !workspace.principal(environment).may(.viewPII)
        else { return version }
        var copy = version
        copy.entry.example = version.entry.isWithheldRecord ? Workspace.withheldValue : PIIMasker.mask(example, as: kind)
        return copy
    }

    /// `{"classification":"internal","tags":""}`: the changed fields, in field order.
    static func json(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(quoted($0.0)):\(quoted($0.1))" }.joined(separator: ",") + "}"
    }

    private static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(text), as: UTF8.self)) ?? "\"\""
    }
}
