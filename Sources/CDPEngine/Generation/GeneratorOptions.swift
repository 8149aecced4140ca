/// One of the files the sample-data generator writes.
public enum GeneratedFile: String, Sendable, Hashable, Codable, CaseIterable {
    case customers
    case orders
    case contacts
    case campaigns
    case events
    case truth

    /// The file's path under the output directory.
    public var relativePath: String {
        switch self {
        case .customers: "inbox/crm/customers.csv"
        case .orders: "inbox/crm/orders.csv"
        case .contacts: "inbox/marketing/contacts.jsonl"
        case .campaigns: "inbox/marketing/campaigns.csv"
        case .events: "inbox/marketing/campaign_events.csv"
        case .truth: "truth/entities.csv"
        }
    }
}

extension Set where Element == GeneratedFile {
    /// Every file the generator knows.
    public static var all: Set<GeneratedFile> { Set(GeneratedFile.allCases) }
}

/// What to generate: how many people, which seed, the shape of each file and how dirty it is.
public struct GeneratorOptions: Sendable, Hashable {
    /// About how many CRM customer rows to write (people in the CRM plus their re-registrations).
    public var customers: Int
    /// The seed; the same options always give byte-identical files.
    public var seed: UInt64
    /// Marketing contacts per CRM customer row.
    public var contactsPerCustomer: Double
    /// Orders per CRM customer row.
    public var ordersPerCustomer: Double
    /// The number of marketing campaigns (at most 998).
    public var campaigns: Int
    /// Campaign events per CRM customer row.
    public var eventsPerCustomer: Double
    /// The share of rows in each data file that carry a deliberate problem.
    public var problemRate: Double
    /// The files to write.
    public var include: Set<GeneratedFile>

    public init(
        customers: Int,
        seed: UInt64,
        contactsPerCustomer: Double = 0.8,
        ordersPerCustomer: Double = 2.4,
        campaigns: Int = 40,
        eventsPerCustomer: Double = 10,
        problemRate: Double = 0.06,
        include: Set<GeneratedFile> = .all
    ) {
        self.customers = customers
        self.seed = seed
        self.contactsPerCustomer = contactsPerCustomer
        self.ordersPerCustomer = ordersPerCustomer
        self.campaigns = campaigns
        self.eventsPerCustomer = eventsPerCustomer
        self.problemRate = problemRate
        self.include = include
    }
}
