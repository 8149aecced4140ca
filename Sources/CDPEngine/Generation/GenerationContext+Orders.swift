extension GenerationContext {
    enum OrderStream {
        static let count: UInt64 = 40
        static let order: UInt64 = 41
        static let problem: UInt64 = 42
    }

    /// Writes `inbox/crm/orders.csv` and returns the number of data rows.
    func writeOrders(to sink: ByteSink, tally: inout ProblemTally) throws -> Int {
        sink.append("order_id,customer_id,order_date,amount,currency,status\n")
        let rotation: [GeneratedProblem] = [.unknownCustomer, .negativeAmount, .nonNumericAmount, .unknownCurrency]
        let spread = 2 * options.ordersPerCustomer + 1
        let customerCount = plan.customerRows.count
        var written = 0
        for row in 0..<customerCount {
            var countRandom = random(OrderStream.count, row)
            let orders = Int(countRandom.unit() * spread)
            guard orders > 0 else { continue }
            let record = customerRecord(row: row)
            let firstDay = record.created / 86_400
            let currency = record.person.profile.currency
            for _ in 0..<orders {
                var random = self.random(OrderStream.order, written)
                var customer = row + 1
                let day = random.between(firstDay, max(firstDay, GenerationContext.lastDay))
                // Basket values: mostly modest, a long tail of large orders.
                var cents = random.chance(0.85) ? random.between(499, 12_000) : random.between(12_000, 95_000)
                var amountText: String?
                var currencyText = currency
                let statuses = ["completed", "refunded", "cancelled"]
                let status = statuses[random.weightedIndex([90, 6, 4])]
                var problemRandom = self.random(OrderStream.problem, written)
                if problemRandom.chance(options.problemRate) {
                    let problem = tally.next(of: rotation)
                    tally.record(problem)
                    switch problem {
                    case .unknownCustomer: customer = customerCount + 1 + problemRandom.below(1_000_000)
                    case .negativeAmount: cents = -cents
                    case .nonNumericAmount:
                        amountText = problemRandom.pick(["N/A", "12,50", "abc", "£23.00", "1.234,56", "--"])
                    default: currencyText = problemRandom.pick(["XXX", "GBX", "€", "EURO", "usd$"])
                    }
                }
                sink.append(UInt8(ascii: "O"))
                sink.append(padded: written + 1, width: 8)
                sink.append(",C")
                sink.append(padded: min(customer, 9_999_999), width: 7)
                sink.append(UInt8(ascii: ","))
                sink.append(isoDate: CivilDate(daysSinceEpoch: day))
                sink.append(UInt8(ascii: ","))
                if let amountText { sink.append(csvField: amountText) } else { sink.append(cents: cents) }
                sink.append(UInt8(ascii: ","))
                sink.append(currencyText)
                sink.append(UInt8(ascii: ","))
                sink.append(status)
                sink.append(UInt8(ascii: "\n"))
                written += 1
                try sink.endRow()
                report(.orders, written)
            }
        }
        return written
    }
}
