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
    public var customers = 0
    public var searchKeys = 0
    public var campaigns = 0
    public var engagementDays = 0

    public init() {
    }
}
