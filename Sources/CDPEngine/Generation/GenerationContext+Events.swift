extension GenerationContext {
    enum EventStream {
        static let contact: UInt64 = 50
        static let problem: UInt64 = 51
    }

    /// The funnel: of sent messages some are opened, of those some clicked, of those some convert.
    static let openRate = 0.35
    static let clickRate = 0.30
    static let conversionRate = 0.20
    static let unsubscribeRate = 0.01
    /// Events per sent message the funnel gives on average.
    static let eventsPerSend = 1 + openRate + openRate * clickRate + openRate * clickRate * conversionRate + unsubscribeRate

    /// Writes `inbox/marketing/campaign_events.csv` and returns the number of data rows.
    func writeEvents(to sink: ByteSink, tally: inout ProblemTally) throws -> Int {
        sink.append("event_id,contact_id,campaign_id,event_type,occurred_at,revenue\n")
        let contactCount = plan.contactPeople.count
        guard contactCount > 0, !campaigns.isEmpty else { return 0 }
        let target = options.eventsPerCustomer * Double(options.customers)
        let sendsPerContact = min(Double(campaigns.count), target / (Double(contactCount) * Self.eventsPerSend))
        let spread = 2 * sendsPerContact + 1
        // Unknown contacts are about half of the problem events (≈3% of rows at the default rate).
        let others: [GeneratedProblem] = [.unknownCampaign, .unknownEventType, .revenueOnNonConversion, .malformedTimestamp]
        let rotation: [GeneratedProblem] = others.flatMap { [.unknownContact, $0] }
        var order = Array(0..<campaigns.count)
        var written = 0

        func emit(contact: Int, campaign: Int, type: String, at seconds: Int, revenueCents: Int?) throws {
            var problemRandom = random(EventStream.problem, written)
            var contactNumber = contact
            var campaignText: String?
            var typeText = type
            var revenue = revenueCents
            var timestampText: String?
            if problemRandom.chance(options.problemRate) {
                let problem = tally.next(of: rotation)
                tally.record(problem)
                switch problem {
                case .unknownContact: contactNumber = min(9_999_999, contactCount + 1 + problemRandom.below(1_000_000))
                case .unknownCampaign: campaignText = "CMP999"
                case .unknownEventType: typeText = problemRandom.pick(["bounce", "forward", "OPEN", "clicked", "view"])
                case .revenueOnNonConversion:
                    if typeText == "conversion" { typeText = "click" }
                    revenue = problemRandom.between(500, 15_000)
                default:
                    timestampText = problemRandom.pick([
                        "2024-13-45T25:61:00Z", "2024-05-01 10:00", "01/05/2024 10:00", "not a date", "2024-02-30T10:00:00Z",
                        "1714557600",
                    ])
                }
            }
            sink.append(UInt8(ascii: "E"))
            sink.append(padded: written + 1, width: 9)
            sink.append(",M")
            sink.append(padded: contactNumber, width: 7)
            sink.append(UInt8(ascii: ","))
            if let campaignText {
                sink.append(campaignText)
            } else {
                sink.append("CMP")
                sink.append(padded: campaign + 1, width: 3)
            }
            sink.append(UInt8(ascii: ","))
            sink.append(typeText)
            sink.append(UInt8(ascii: ","))
            if let timestampText { sink.append(timestampText) } else { sink.append(timestamp: seconds, iso: true) }
            sink.append(UInt8(ascii: ","))
            if let revenue { sink.append(cents: revenue) }
            sink.append(UInt8(ascii: "\n"))
            written += 1
            try sink.endRow()
            report(.events, written)
        }

        for position in 0..<contactCount {
            let contact = position + 1
            var random = self.random(EventStream.contact, contact)
            let sends = min(campaigns.count, Int(random.unit() * spread))
            for pick in 0..<sends {
                // A partial shuffle picks distinct campaigns; the array stays a permutation between contacts.
                order.swapAt(pick, pick + random.below(campaigns.count - pick))
                let index = order[pick]
                let campaign = campaigns[index]
                let last = campaign.end * 86_400 + 86_399
                var time = campaign.start * 86_400 + random.below((campaign.end - campaign.start) * 86_400)
                try emit(contact: contact, campaign: index, type: "sent", at: time, revenueCents: nil)
                if random.chance(Self.unsubscribeRate) {
                    time = min(last, time + random.between(60, 5 * 86_400))
                    try emit(contact: contact, campaign: index, type: "unsubscribe", at: time, revenueCents: nil)
                    continue
                }
                guard random.chance(Self.openRate) else { continue }
                time = min(last, time + random.between(60, 2 * 86_400))
                try emit(contact: contact, campaign: index, type: "open", at: time, revenueCents: nil)
                guard random.chance(Self.clickRate) else { continue }
                time = min(last, time + random.between(5, 7_200))
                try emit(contact: contact, campaign: index, type: "click", at: time, revenueCents: nil)
                guard random.chance(Self.conversionRate) else { continue }
                time = min(last, time + random.between(60, 3 * 86_400))
                let revenue = random.chance(0.3) ? 4_990 : random.between(900, 25_000)
                try emit(contact: contact, campaign: index, type: "conversion", at: time, revenueCents: revenue)
            }
        }
        return written
    }

    /// Writes `truth/entities.csv`: every customer and contact record and the person it belongs to.
    func writeTruth(to sink: ByteSink) throws -> Int {
        sink.append("source,record_id,entity_id\n")
        var written = 0
        for (row, code) in plan.customerRows.enumerated() {
            sink.append("crm_customers,C")
            sink.append(padded: row + 1, width: 7)
            sink.append(",P")
            sink.append(padded: Int(code >> 1) + 1, width: 8)
            sink.append(UInt8(ascii: "\n"))
            written += 1
            try sink.endRow()
            report(.truth, written)
        }
        for (position, person) in plan.contactPeople.enumerated() {
            sink.append("marketing_contacts,M")
            sink.append(padded: position + 1, width: 7)
            sink.append(",P")
            sink.append(padded: Int(person) + 1, width: 8)
            sink.append(UInt8(ascii: "\n"))
            written += 1
            try sink.endRow()
            report(.truth, written)
        }
        return written
    }
}
