import CDPCore

/// A marketing campaign: its true running dates, and the dates the file states (which a problem may break).
struct Campaign: Sendable {
    var number: Int
    var name: String
    var channel: String
    var start: Int
    var end: Int
    var statedEnd: Int
    var statedChannel: String
    var budgetCents: Int?
    var currency: String
    var problem: GeneratedProblem?

    static let channels = ["email", "paid_search", "social", "display", "sms"]
    static let stream: UInt64 = 60
    static let problemStream: UInt64 = 61

    /// All campaigns; the few problem campaigns are chosen up front so there are always some.
    static func all(seed: UInt64, count: Int, problemRate: Double) -> [Campaign] {
        var campaigns = (0..<count).map { campaign(seed: seed, index: $0) }
        let problems = min(count, max(problemRate > 0 ? 1 : 0, Int((Double(count) * problemRate).rounded())))
        var random = SplitMix64.record(seed: seed, stream: problemStream, index: 0)
        var indices = Array(0..<count)
        let rotation: [GeneratedProblem] = [.endBeforeStart, .unknownChannel, .negativeBudget]
        for position in 0..<problems {
            indices.swapAt(position, position + random.below(count - position))
            let index = indices[position]
            let problem = rotation[position % rotation.count]
            campaigns[index].problem = problem
            switch problem {
            case .endBeforeStart: campaigns[index].statedEnd = campaigns[index].start - random.between(1, 30)
            case .unknownChannel: campaigns[index].statedChannel = random.pick(["tv", "carrier_pigeon", "EMAIL ", "radio"])
            default: campaigns[index].budgetCents = -random.between(100, 5_000) * 100
            }
        }
        return campaigns
    }

    private static func campaign(seed: UInt64, index: Int) -> Campaign {
        var random = SplitMix64.record(seed: seed, stream: stream, index: index)
        let start = random.between(CivilDate.days(2023, 1, 1), CivilDate.days(2025, 9, 30))
        let end = start + random.between(7, 75)
        let date = CivilDate(daysSinceEpoch: start)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]
        let seasons = ["Winter", "Winter", "Spring", "Spring", "Spring", "Summer", "Summer", "Summer", "Autumn",
                       "Autumn", "Black Friday", "Christmas"]
        let year = String(date.year)
        let channel = random.pick(channels)
        let name: String
        switch random.below(6) {
        case 0: name = seasons[date.month - 1] + " Sale " + year
        case 1: name = "Newsletter " + months[date.month - 1] + " " + year
        case 2: name = "Loyalty Rewards Q\((date.month - 1) / 3 + 1) " + year
        case 3: name = random.pick(["Welcome Series", "Win-back", "Abandoned Basket", "New Arrivals"]) + " " + year
        case 4: name = random.pick(["Brand Awareness", "Retargeting", "Prospecting"]) + " – " + months[date.month - 1]
        default: name = seasons[date.month - 1] + " Collection, " + year
        }
        let currencies = ["GBP", "EUR", "USD"]
        return Campaign(
            number: index + 1, name: name, channel: channel, start: start, end: end, statedEnd: end,
            statedChannel: channel, budgetCents: random.chance(0.15) ? nil : random.between(20, 1500) * 10_000,
            currency: currencies[random.weightedIndex([45, 40, 15])], problem: nil)
    }
}

extension GenerationContext {
    /// Writes `inbox/marketing/campaigns.csv` and returns the number of data rows.
    func writeCampaigns(to sink: ByteSink, tally: inout ProblemTally) throws -> Int {
        sink.append("campaign_id,name,channel,start_date,end_date,budget,currency\n")
        for campaign in campaigns {
            sink.append("CMP")
            sink.append(padded: campaign.number, width: 3)
            sink.append(UInt8(ascii: ","))
            sink.append(csvField: campaign.name)
            sink.append(UInt8(ascii: ","))
            sink.append(csvField: campaign.statedChannel)
            sink.append(UInt8(ascii: ","))
            sink.append(isoDate: CivilDate(daysSinceEpoch: campaign.start))
            sink.append(UInt8(ascii: ","))
            sink.append(isoDate: CivilDate(daysSinceEpoch: campaign.statedEnd))
            sink.append(UInt8(ascii: ","))
            if let budget = campaign.budgetCents { sink.append(cents: budget) }
            sink.append(UInt8(ascii: ","))
            sink.append(campaign.currency)
            sink.append(UInt8(ascii: "\n"))
            if let problem = campaign.problem { tally.record(problem) }
        }
        return campaigns.count
    }
}
