import CDPCore

/// Which customer sources the orders and campaign events of the lake refer to.
public struct GoldSources: Sendable, Hashable {
    /// Customer sources whose keys `silver_order.customer_id` holds.
    public var orderOwners: [SourceName]
    /// Customer sources whose keys `silver_event.contact_id` holds.
    public var eventOwners: [SourceName]

    public init(orderOwners: [SourceName], eventOwners: [SourceName]) {
        self.orderOwners = orderOwners
        self.eventOwners = eventOwners
    }
}

public struct GoldCounts: Sendable, Hashable, Codable {
    /// Rows of `customer_360` after the build.
    public var customers = 0
    /// `customer_360` rows this build wrote (all of them when it rebuilt whole).
    public var customersRebuilt = 0
    /// Search keys this build wrote.
    public var searchKeys = 0
    public var campaigns = 0
    public var engagementDays = 0
    /// Why the build was whole (nil when it updated only what changed).
    public var fullBecause: String?

    public init() {
    }
}
