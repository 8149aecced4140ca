import CDPCore
import CDPRepositories
import Foundation

/// Customer 360 for every front end: the gold layer's rebuild, search by name, email or phone (tolerant of
/// case, accents and one typo per word, through the `customer_search` key index), and a customer's profile.
/// Everything it returns is masked for a user without `view_pii`.
public struct Customer360Service: Sendable {
    public let workspace: Workspace
    public let environment: Environment

    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    private var lake: LakeRepositories { workspace.repositories }
    private var masker: PIIMasker { workspace.masker(for: environment) }

    /// Rebuilds the gold tables (the workflow's `gold` step).
    /// - Parameter shouldStop: asked while the rebuild runs; an error stops it with that error, keeping the
    ///   old layer whole.
    @discardableResult
    public func rebuildGold(run: RunID?, shouldStop: @escaping @Sendable () -> EngineError? = { nil }) throws(EngineError) -> GoldCounts {
        try updateGold(run: run, full: true, shouldStop: shouldStop)
    }

    /// Brings the gold layer up to date: only the golden customers, campaigns and days whose inputs changed since the
    /// last build, or all of it when `full` (`cdp run --full`), on the first build, or where the store cannot tell
    /// (the team store). Either way the layer ends the same, row for row, but for the run each row names as built by.
    /// - Parameter shouldStop: asked while the build runs; an error stops it with that error, keeping the
    ///   old layer whole.
    @discardableResult
    public func updateGold(run: RunID?, full: Bool, shouldStop: @escaping @Sendable () -> EngineError? = { nil }) throws(EngineError)
        -> GoldCounts
    {
        let sources = goldSources()
        do {
            return try lake.gold.updateGold(sources, run: run, full: full, shouldStop: { shouldStop() != nil })
        } catch {
            if error.code == .interrupted, let stop = shouldStop() {
                throw EngineError(stop.code, "\(stop.message); the gold layer was left as it was", details: stop.details)
            }
            throw EngineError.store(error)
        }
    }

    /// Orders and events refer to the customer sources of their own system (CRM orders to CRM customers,
    /// marketing events to marketing contacts).
    func goldSources() -> GoldSources {
        let all = workspace.configuration.sources
        func owners(of entity: CanonicalEntity) -> [SourceName] {
            let systems = Set(all.filter { $0.entity == entity }.map(\.system))
            return all.filter { $0.entity == .customer && systems.contains($0.system) }.map(\.name)
        }
        return GoldSources(orderOwners: owners(of: .order), eventOwners: owners(of: .event))
    }

    // MARK: Search

    public struct SearchHit: Sendable, Hashable, Codable {
        public var customer: Customer360Row
        /// How many words of the search met this customer; nil for a user without `view_pii`.
        public var wordsMatched: Int?
        /// The sum of each word's best match (exact 4, prefix 3, one edit 2, sounds alike 1); nil for a user without
        /// `view_pii`, for whom it would confirm a guessed name letter by letter (exact against one edit away).
        public var score: Int?
    }

    /// Customers best matching `text`: those meeting the most words first, then the strongest matches.
    ///
    /// Each word is looked up in the key index (at most `cap` customers). Candidates come from the most
    /// selective word whose customers all fit; the other words are then checked on those candidates alone,
    /// by probes of the index. When every word is common ("john smith" among a million), the customers
    /// holding each word exactly or by a close name are intersected instead.
    /// - Parameter cap: customers read per word before the word counts as common (tests lower it).
    public func search(_ text: String, limit: Int = 20, cap: Int = 2000) throws(EngineError) -> [SearchHit] {
        let lookups = CustomerSearchKeys.lookups(text)
        guard !lookups.isEmpty, limit > 0 else { return [] }
        // Without view_pii a search must not tell more than the masked rows show. E-mails and phones match
        // only whole (the normalised value, as someone who already holds it may confirm it), never by prefix:
        // extending a prefix one character at a time while watching the score read a full e-mail back. A key
        // a word meets exactly counts only when it is one of the customer's own name words (names keep their
        // tolerant search, but not by prefix: see below) or the whole e-mail or phone the word is; a mailbox part or a phone's
        // leading digits never count. Name variants (sounds alike, one edit) come from names alone.
        let masked = masker.isActive
        // Every search of a masked user asks whether someone of that name, e-mail or phone is a customer, and the
        // answer says so even when it is empty: a list of common names tried one by one would read who is called
        // what. Each whole e-mail or phone counts as one lookup (a search of several must meet a customer by every
        // one), a search by name alone as one; they count against the budget before anything is read and are
        // audited with the answer.
        let tests = masked ? Self.lookupsTested(text, lookups) : []
        try checkLookupBudget(adding: tests.count)
        var nameWords: [GoldenID: Set<String>] = [:]
        func loadNameWords(_ goldens: [GoldenID]) throws(EngineError) {
            let missing = Array(Set(goldens.filter { nameWords[$0] == nil })).sorted { $0.rawValue < $1.rawValue }
            guard !missing.isEmpty else { return }
            let names = try storeCall { () throws(StoreError) in try lake.customer360.customerNames(missing) }
            for golden in missing {
                let name = names[golden]
                nameWords[golden] = Set(CustomerSearchKeys.nameWords(firstName: name?.first, lastName: name?.last))
            }
        }
        /// Whether a masked user's word may count by prefix: only a one-letter initial (the mask shows each name
        /// word's first letter). A longer prefix read one letter at a time spells the name the mask hides ("fe",
        /// "fer", …), and would do so even only by choosing which customers the other words are checked on.
        func prefixCounts(_ index: Int) -> Bool { !masked || lookups[index].exact.count <= 1 }
        /// Whether `key` extends the word: a prefix, whatever kind the match is also (a name one letter longer is
        /// one edit away too, and "nune" must not find Nunez where "nun" does not).
        func extendsWord(_ index: Int, _ key: String) -> Bool { key != lookups[index].exact && key.hasPrefix(lookups[index].exact) }
        /// Whether a hit may count for a user without view_pii (names loaded for it first).
        func needsNames(_ index: Int, _ key: String, _ kind: CustomerSearchKeys.MatchKind) -> Bool {
            switch kind {
            // A name one letter longer than the word is one edit away too (and may sound alike): its names are
            // checked, so a close match does not do what a prefix may not.
            case .soundsAlike, .oneEdit: return !prefixCounts(index)
            case .prefix: return true
            case .exact: return !(Self.isContact(lookups[index]) && key == lookups[index].exact)
            }
        }
        func admits(_ index: Int, _ key: String, _ golden: GoldenID, _ kind: CustomerSearchKeys.MatchKind) -> Bool {
            if !prefixCounts(index), kind == .prefix || extendsWord(index, key) { return false }
            guard masked, needsNames(index, key, kind) else { return true }
            let words = nameWords[golden] ?? []
            if kind == .oneEdit || kind == .soundsAlike { return !words.contains { extendsWord(index, $0) } }
            return words.contains(key)
        }
        /// The hits a masked user may count, their customers' names loaded to check.
        func admitted(_ index: Int, _ hits: [(key: String, golden: GoldenID)]) throws(EngineError) -> [(key: String, golden: GoldenID)] {
            guard masked else { return hits }
            let checked = hits.filter { hit in lookups[index].kind(of: hit.key).map { needsNames(index, hit.key, $0) } ?? false }
            try loadNameWords(checked.map(\.golden))
            return hits.filter { hit in lookups[index].kind(of: hit.key).map { admits(index, hit.key, hit.golden, $0) } ?? true }
        }
        var kindsPerLookup: [[GoldenID: CustomerSearchKeys.MatchKind]] = []
        var saturated: [Bool] = []
        var namesPerLookup: [[String: String]] = []
        for (index, lookup) in lookups.enumerated() {
            let hits = try storeCall { () throws(StoreError) in try lake.customer360.customerSearchHits(lookup, limit: cap) }
            var kinds: [GoldenID: CustomerSearchKeys.MatchKind] = [:]
            for hit in try admitted(index, hits) {
                guard let kind = lookup.kind(of: hit.key) else { continue }
                kinds[hit.golden] = max(kinds[hit.golden] ?? kind, kind)
            }
            kindsPerLookup.append(kinds)
            saturated.append(hits.count >= cap)
            namesPerLookup.append(lookups.count > 1 ? try storeCall { () throws(StoreError) in try lake.customer360.nameVariants(lookup) } : [:])
        }
        /// The keys a word meets customers by exactly or through a close name, with how.
        func probeKeys(_ index: Int) -> [String: CustomerSearchKeys.MatchKind] {
            var keys: [String: CustomerSearchKeys.MatchKind] = [lookups[index].exact: .exact]
            for (name, variant) in namesPerLookup[index] { keys[name] = lookups[index].kind(of: variant) ?? .soundsAlike }
            return keys
        }
        /// Records how `index`'s word meets each candidate: by probes of the key index while they are few,
        /// else from the candidates' names (a probe per key and candidate would be millions of seeks).
        var candidateNames: [GoldenID: (first: String?, last: String?)]?
        func complete(_ index: Int, on candidates: [GoldenID]) throws(EngineError) {
            let keys = probeKeys(index)
            if keys.count * candidates.count <= 20_000 {
                let held = try storeCall { () throws(StoreError) in
                    try lake.customer360.customersHolding(keys: Array(keys.keys), among: candidates, limit: cap * keys.count)
                }
                // Probe keys are the word's exact key (maybe a mailbox or part of a phone) and names.
                let exactOnly = try admitted(index, held.filter { $0.key == lookups[index].exact })
                let close = held.filter { $0.key != lookups[index].exact && (prefixCounts(index) || !extendsWord(index, $0.key)) }
                for hit in exactOnly + close {
                    guard let kind = keys[hit.key] else { continue }
                    kindsPerLookup[index][hit.golden] = max(kindsPerLookup[index][hit.golden] ?? kind, kind)
                }
                return
            }
            if candidateNames == nil { candidateNames = try storeCall { () throws(StoreError) in try lake.customer360.customerNames(candidates) } }
            for (golden, name) in candidateNames ?? [:] {
                for word in CustomerSearchKeys.nameWords(firstName: name.first, lastName: name.last) {
                    if !prefixCounts(index), extendsWord(index, word) { continue }
                    guard let kind = keys[word] ?? (word.hasPrefix(lookups[index].exact) ? .prefix : nil) else { continue }
                    kindsPerLookup[index][golden] = max(kindsPerLookup[index][golden] ?? kind, kind)
                }
            }
        }
        var candidates: [GoldenID]
        if lookups.count == 1 {
            candidates = Array(kindsPerLookup[0].keys)
        } else if let anchor = lookups.indices.filter({ !saturated[$0] }).min(by: { kindsPerLookup[$0].count < kindsPerLookup[$1].count }) {
            candidates = Array(kindsPerLookup[anchor].keys)
            // Complete the other words' matches on these candidates: names starting with the word ("Garcia M")
            // from the candidates' own names, then exact and close names by probes of the index.
            let incomplete = lookups.indices.filter { $0 != anchor && saturated[$0] }
            if !incomplete.isEmpty, !candidates.isEmpty {
                let names = try storeCall { () throws(StoreError) in try lake.customer360.customerNames(candidates) }
                for (golden, name) in names {
                    let words = CustomerSearchKeys.nameWords(firstName: name.first, lastName: name.last)
                    for index in incomplete where prefixCounts(index) && words.contains(where: { $0.hasPrefix(lookups[index].exact) }) {
                        kindsPerLookup[index][golden] = max(kindsPerLookup[index][golden] ?? .prefix, .prefix)
                    }
                }
            }
            for index in incomplete where !candidates.isEmpty {
                try complete(index, on: candidates)
            }
        } else {
            // Every word is common: intersect the customers holding each word exactly or by a close name.
            // Initials ("Garcia M") hold too many keys to intersect: they only rank what the other words find.
            let initials = Set(lookups.indices.filter { lookups[$0].exact.count < 3 })
            let words = lookups.indices.filter { !initials.contains($0) }
            // Exact words first; close names only when too few customers hold every word exactly.
            let intersected = words.isEmpty ? Array(lookups.indices) : words
            candidates = try storeCall { () throws(StoreError) in
                try lake.customer360.customersHoldingAll(intersected.map { [lookups[$0].exact] }, limit: cap)
            }
            if candidates.count < limit {
                // Widen only the words that are rare as typed (a typo): a common word stays exact, or every
                // customer of every name close to it would be joined.
                let exactCount = intersected.map { index in kindsPerLookup[index].values.filter { $0 == .exact }.count }
                // Names one edit away first; names that only sound alike are many ("gracia" sounds like
                // Grace, Cruz, Garcia…), so they widen a word only when no name is one edit away.
                let keySets = zip(intersected, exactCount).map { index, count -> [String] in
                    guard count < limit else { return [lookups[index].exact] }
                    let keys = probeKeys(index)
                    let close = keys.filter { $0.value >= .oneEdit }.map(\.key)
                    return close.count > 1 ? close : Array(keys.keys)
                }
                let widened = try storeCall { () throws(StoreError) in try lake.customer360.customersHoldingAll(keySets, limit: cap) }
                candidates = Array(Set(candidates).union(widened))
            }
            for index in intersected where !candidates.isEmpty {
                try complete(index, on: candidates)
            }
            if candidates.isEmpty { candidates = Array(Set(kindsPerLookup.flatMap(\.keys))) }
            if !words.isEmpty, !initials.isEmpty, candidates.count <= 20_000 {
                let names = try storeCall { () throws(StoreError) in try lake.customer360.customerNames(candidates) }
                for (golden, name) in names {
                    let nameWords = CustomerSearchKeys.nameWords(firstName: name.first, lastName: name.last)
                    for index in initials where prefixCounts(index) && nameWords.contains(where: { $0.hasPrefix(lookups[index].exact) }) {
                        kindsPerLookup[index][golden] = max(kindsPerLookup[index][golden] ?? .prefix, .prefix)
                    }
                }
            }
        }
        func rank(_ golden: GoldenID) -> (words: Int, score: Int) {
            var words = 0, score = 0
            for kinds in kindsPerLookup {
                if let kind = kinds[golden] {
                    words += 1
                    score += kind.rawValue
                }
            }
            return (words, score)
        }
        // Without view_pii a customer is found only when every word counts for them: a word that may not match
        // (a longer prefix, a mailbox part) must not narrow the answer either, or which customers remain tells
        // what it matched.
        let ranked: [(GoldenID, (words: Int, score: Int))] = candidates.map { ($0, rank($0)) }
        guard masked else {
            let ordered = ranked.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.rawValue < $1.0.rawValue }.prefix(limit).map(\.0)
            let rows = try storeCall { () throws(StoreError) in try lake.customer360.customer360(Array(ordered)) }
            return rows.map { row in
                let (words, score) = rank(row.golden)
                return SearchHit(customer: row, wordsMatched: words, score: score)
            }
        }
        // In golden id order: an order by score would tell an exact name from one a letter off.
        let found = ranked.filter { $0.1.words == lookups.count }.map(\.0).sorted { $0.rawValue < $1.rawValue }
        guard found.count <= Self.maskedAnswerLimit else {
            try auditLookups(tests, answer: "withheld: more than \(Self.maskedAnswerLimit) customers found")
            throw EngineError(
                .refused,
                "more than \(Self.maskedAnswerLimit) customers match '\(text)'; without view_pii a search lists at most "
                    + "\(Self.maskedAnswerLimit), so that common names tried one by one cannot tell who is called what. Add a first "
                    + "name or an initial, or search by the customer's whole e-mail or phone")
        }
        let shown = Array(found.prefix(limit))
        try auditLookups(tests, answer: "\(shown.count) customer\(shown.count == 1 ? "" : "s") found")
        let rows = try storeCall { () throws(StoreError) in try lake.customer360.customer360(shown) }
        let masker = self.masker
        return rows.map { SearchHit(customer: Self.mask($0, masker), wordsMatched: nil, score: nil) }
    }

    /// What a masked user's search tests, one lookup each: every whole e-mail or phone in it, or, when it has
    /// none, the search itself (by name).
    static func lookupsTested(_ text: String, _ lookups: [CustomerSearchKeys.Lookup]) -> [String] {
        let contacts = lookups.filter(couldBeWholeContact).map(\.word)
        guard contacts.isEmpty else { return contacts }
        return lookups.isEmpty ? [] : [lookups.map(\.word).joined(separator: " ")]
    }

    /// The audit action of each lookup a user without `view_pii` made: a search by name, or a whole e-mail or phone.
    public static let lookupAction = "customer.lookup"
    /// How many lookups a user without `view_pii` may make in an hour. Each one tells whether someone whose name,
    /// e-mail or phone the user holds is a customer, found or not; a list of names or addresses tried would tell
    /// which are, and who is called what.
    public static let lookupsPerHour = 100
    /// How many customers a search by a user without `view_pii` may list: a common name ("smith") answers "add a
    /// word" instead of a page of customers whose surname the search has just told.
    public static let maskedAnswerLimit = 10

    /// Refuses a masked user's `count` more lookups past the hourly budget.
    /// - Throws: `.forbidden` past ``lookupsPerHour`` in the last hour (audited, as refusals are).
    private func checkLookupBudget(adding count: Int) throws(EngineError) {
        guard count > 0 else { return }
        let since = ISOTime.timestamp(environment.now() - 3600)
        let recent = try storeCall { () throws(StoreError) in
            try lake.audit.auditCount(actor: environment.user, action: Self.lookupAction, since: since)
        }
        if recent + count > Self.lookupsPerHour {
            var refusal = EngineError(
                .forbidden,
                "\(environment.user) has made \(recent) customer lookups in the last hour (each search by name, and each whole "
                    + "e-mail address or phone number searched for, is one), and this search has \(count) more; a user without view_pii "
                    + "may make \(Self.lookupsPerHour) an hour, so its answer is withheld. Try again later, or ask a steward with view_pii")
            do {
                try workspace.appendAuditEvenIfReadOnly(
                    AuditDraft(actor: environment.user, action: "access.refused", target: "customer search", reason: refusal.message),
                    at: environment.timestamp)
            } catch {
                refusal.message += " (the refusal could not be written to the audit log: \(error.message))"
            }
            throw refusal
        }
    }

    /// Audits each lookup a masked user made, one row each (what was looked up in the row's withheld reason, for an
    /// admin to read), with the search's answer.
    private func auditLookups(_ tested: [String], answer: String) throws(EngineError) {
        for word in tested {
            try storeCall { () throws(StoreError) in
                try workspace.appendAuditEvenIfReadOnly(
                    AuditDraft(actor: environment.user, action: Self.lookupAction, target: "customer search", after: answer, reason: word),
                    at: environment.timestamp)
            }
        }
    }

    /// A word that could be a customer's whole e-mail or phone, as the lake keeps them: an e-mail address that
    /// standardises, or at least six digits and no letters. Only such a word can ask whether it is someone's.
    static func couldBeWholeContact(_ lookup: CustomerSearchKeys.Lookup) -> Bool {
        guard isContact(lookup) else { return false }
        if lookup.word.contains("@") { return EmailAddress.standardize(lookup.word).value != nil }
        return lookup.word.filter(\.isNumber).count >= 6
    }

    /// A word that is an e-mail or a phone number (no letters), not a name: it may match only whole
    /// without view_pii.
    static func isContact(_ lookup: CustomerSearchKeys.Lookup) -> Bool {
        lookup.word.contains("@") || !lookup.word.contains(where: \.isLetter)
    }

    /// The customers of highest lifetime value, masked: a starting list before anything is searched.
    public func topCustomers(limit: Int) throws(EngineError) -> [Customer360Row] {
        let masker = self.masker
        return try storeCall { () throws(StoreError) in try lake.customer360.topCustomers(limit: limit) }.map { Self.mask($0, masker) }
    }

    static func mask(_ row: Customer360Row, _ masker: PIIMasker) -> Customer360Row {
        guard masker.isActive else { return row }
        var masked = row
        masked.firstName = row.firstName.map { masker.value($0, column: "first_name") }
        masked.lastName = row.lastName.map { masker.value($0, column: "last_name") }
        masked.email = row.email.map { masker.value($0, column: "email") }
        masked.phone = row.phone.map { masker.value($0, column: "phone") }
        masked.birthDate = row.birthDate.map { masker.value($0, column: "birth_date") }
        masked.street = row.street.map { masker.value($0, column: "street") }
        masked.city = row.city.map { masker.value($0, column: "city") }
        masked.postcode = row.postcode.map { masker.value($0, column: "postcode") }
        masked.country = row.country.map { masker.value($0, column: "country") }
        return masked
    }

    // MARK: Profile

    public struct Profile: Sendable, Codable {
        public var customer: Customer360Row
        /// Golden attributes with their provenance, members and the xref history.
        public var golden: MatchReview.GoldenDetail
        /// The linked source records as matched (masked like everything else).
        public var records: [MatchInput]
        /// Newest first.
        public var timeline: [TimelineEvent]
        /// Engagements per month (`yyyy-MM`), oldest first, and per channel, largest first.
        public var months: [MonthCount]
        public var channels: [ChannelCount]
        /// Open quality issues of the linked records: jump targets into the quarantine.
        public var issues: [QuarantineRecord]
        /// Merge decisions, unmerges and overrides touching this golden record, newest first.
        public var decisions: [AuditEntry]

        public struct MonthCount: Sendable, Codable, Hashable {
            public var month: String
            public var count: Int
        }

        public struct ChannelCount: Sendable, Codable, Hashable {
            public var channel: String
            public var count: Int
        }
    }

    /// Everything about one golden customer.
    /// - Throws: `.notFound` when the gold layer has no such customer.
    public func profile(_ id: GoldenID, timelineLimit: Int = 200) throws(EngineError) -> Profile {
        guard let summary = try storeCall({ () throws(StoreError) in try lake.customer360.customer360([id]) }).first else {
            throw EngineError(.notFound, "no customer \(id) in the gold layer; search with `cdp customer search TEXT` (run the pipeline first if it is empty)")
        }
        let golden = try MatchReview(workspace: workspace, environment: environment).golden(id)
        let members = golden.members
        let contacts = members.filter { goldSources().eventOwners.contains($0.source) }
        let customers = members.filter { goldSources().orderOwners.contains($0.source) }
        let records = try storeCall { () throws(StoreError) in try lake.matching.customers(members) }
        let timeline = try storeCall { () throws(StoreError) in try lake.customer360.timeline(contacts: contacts, customers: customers, limit: timelineLimit) }
        let summaryCharts = try storeCall { () throws(StoreError) in try lake.customer360.engagementSummary(contacts: contacts) }
        let issues = try storeCall { () throws(StoreError) in try lake.customer360.openQuarantine(for: members) }
        let masker = self.masker
        let decisions = try storeCall { () throws(StoreError) in try lake.customer360.mergeHistory(of: id, members: members) }
        return Profile(
            customer: Self.mask(summary, masker), golden: golden, records: records.map(masker.matchInput), timeline: timeline,
            months: Self.continuousMonths(summaryCharts.months),
            channels: summaryCharts.channels.map { Profile.ChannelCount(channel: $0.0, count: $0.1) },
            issues: issues.map(masker.record), decisions: decisions.map(masker.auditEntry))
    }

    /// The newest `limit` months from the first engagement to the last, months without one as zero, so a
    /// sparkline's columns are evenly spaced in time.
    static func continuousMonths(_ counts: [(String, Int)], limit: Int = 36) -> [Profile.MonthCount] {
        func parse(_ month: String) -> Int? {
            let parts = month.split(separator: "-")
            guard parts.count == 2, let year = Int(parts[0]), let number = Int(parts[1]), (1...12).contains(number) else { return nil }
            return year * 12 + number - 1
        }
        let known = Dictionary(counts.compactMap { month, count in parse(month).map { ($0, count) } }, uniquingKeysWith: +)
        guard let first = known.keys.min(), let last = known.keys.max() else { return [] }
        return (max(first, last - limit + 1)...last).map { index in
            let label = String(format: "%04d-%02d", index / 12, index % 12 + 1)
            return Profile.MonthCount(month: label, count: known[index] ?? 0)
        }
    }

    /// The golden customer a reference names: `G12`, `12`, a source record `crm_customers:C0000001`, or an email
    /// (for a user without `view_pii`, audited and counted against the hourly budget as a search by e-mail is).
    /// - Throws: `.notFound` naming the reference; `.forbidden` past the budget.
    public func find(_ reference: String) throws(EngineError) -> GoldenID {
        let text = reference.trimmingCharacters(in: .whitespaces)
        if let id = GoldenID(parsing: text) ?? Int64(text).map(GoldenID.init) { return id }
        if let record = SourceRecordID(parsing: text), !text.contains("@"),
            let golden = try storeCall({ () throws(StoreError) in try lake.matching.goldenID(of: record) })
        {
            return golden
        }
        if text.contains("@") {
            let lookup = CustomerSearchKeys.lookups(text)
            if let first = lookup.first {
                let tested = masker.isActive && Self.couldBeWholeContact(first) ? [first.word] : []
                try checkLookupBudget(adding: tested.count)
                let hits = try storeCall { () throws(StoreError) in try lake.customer360.customerSearchHits(first, limit: 50) }
                let exact = hits.first(where: { $0.key == first.exact })
                try auditLookups(tested, answer: exact == nil ? "0 customers found" : "1 customer found")
                if let exact { return exact.golden }
            }
        }
        throw EngineError(.notFound, "no customer '\(reference)'; give a golden id (G12), a source record (crm_customers:C0000001) or an email")
    }
}
