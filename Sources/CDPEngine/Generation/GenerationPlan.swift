import CDPCore

/// Who appears where: which people have CRM records (and in what order), and which have contacts.
///
/// The plan holds only compact integer arrays (a few bytes per record), so a million customers cost a
/// few megabytes; the rows themselves are regenerated from the seed as they are written.
struct GenerationPlan: Sendable {
    /// Streams of the per-record generators; each decision has its own so files stay independent.
    enum Stream {
        static let reRegistration: UInt64 = 10
        static let contactSelection: UInt64 = 11
        static let contactOrder: UInt64 = 12
    }

    /// The share of CRM people who registered twice.
    static let reRegistrationRate = 0.03
    /// The share of contacts who are also CRM customers.
    static let crmContactShare = 0.8

    let crmPeople: Int
    let marketingOnlyPeople: Int
    let reRegistrations: Int
    /// CRM rows in file order: `person << 1 | 1` for a second registration. Customer number = position + 1.
    let customerRows: [UInt32]
    /// Per CRM person, the row of their first record.
    let primaryRow: [UInt32]
    /// Per CRM person, the row of their second record, or `UInt32.max`.
    let secondRow: [UInt32]
    /// Contacts in file order, as person indices. Contact number = position + 1.
    let contactPeople: [UInt32]

    var people: Int { crmPeople + marketingOnlyPeople }

    init(options: GeneratorOptions) {
        let seed = options.seed
        let crmPeople = max(1, Int((Double(options.customers) / (1 + Self.reRegistrationRate)).rounded()))
        self.crmPeople = crmPeople

        // CRM rows: each person's first record in person order; a re-registration follows later, after a
        // random number of other sign-ups, as it would in a real CRM.
        var rows: [UInt32] = []
        rows.reserveCapacity(options.customers + 64)
        var primary = [UInt32](repeating: 0, count: crmPeople)
        var second = [UInt32](repeating: UInt32.max, count: crmPeople)
        var pending: [Int: [UInt32]] = [:]
        var reRegistrations = 0
        func emitSecond(_ person: UInt32) {
            second[Int(person)] = UInt32(rows.count)
            rows.append(person << 1 | 1)
        }
        for person in 0..<crmPeople {
            if let due = pending.removeValue(forKey: person) {
                for waiting in due { emitSecond(waiting) }
            }
            primary[person] = UInt32(rows.count)
            rows.append(UInt32(person) << 1)
            var random = SplitMix64.record(seed: seed, stream: Stream.reRegistration, index: person)
            if random.chance(Self.reRegistrationRate) {
                reRegistrations += 1
                let due = person + 1 + random.below(3000)
                pending[due, default: []].append(UInt32(person))
            }
        }
        for due in pending.keys.sorted() {
            for waiting in pending[due] ?? [] { emitSecond(waiting) }
        }
        customerRows = rows
        primaryRow = primary
        secondRow = second
        self.reRegistrations = reRegistrations

        // Contacts: a fixed-size sample of CRM people (selection sampling keeps the count exact) plus
        // marketing-only people, shuffled so the file order says nothing about the CRM order.
        let contactCount = max(0, Int((options.contactsPerCustomer * Double(options.customers)).rounded()))
        let linked = min(crmPeople, Int((Double(contactCount) * Self.crmContactShare).rounded()))
        let marketingOnly = contactCount - linked
        marketingOnlyPeople = marketingOnly
        var contacts: [UInt32] = []
        contacts.reserveCapacity(contactCount)
        var selector = SplitMix64.record(seed: seed, stream: Stream.contactSelection, index: 0)
        var needed = linked
        for person in 0..<crmPeople where needed > 0 {
            if selector.below(crmPeople - person) < needed {
                contacts.append(UInt32(person))
                needed -= 1
            }
        }
        for offset in 0..<marketingOnly {
            contacts.append(UInt32(crmPeople + offset))
        }
        var shuffler = SplitMix64.record(seed: seed, stream: Stream.contactOrder, index: 0)
        var index = contacts.count - 1
        while index > 0 {
            contacts.swapAt(index, shuffler.below(index + 1))
            index -= 1
        }
        contactPeople = contacts
    }
}
