import CDPCore
import Foundation

/// The golden records of a Spark run, in the engine's own code: which previous golden id each cluster keeps
/// (`golden-ids`, on the driver, `GoldenIDAssignment`'s rule) and each cluster's values (`golden`, on the executors,
/// `Survivorship` and `GoldenJSONWriter`, the very writer the embedded lake stores golden records with).
extension SparkMatchWorker {
    // MARK: - golden-ids (on the driver)

    /// The previous golden ids clusters keep: `{"cluster":L,"golden":G,"votes":V}` in (V: how many of cluster L's
    /// records belonged to golden record G before this run; Spark counts them), `{"cluster":L,"golden":G}` out for
    /// each claim granted. A cluster granted none gets a new id, in order of its first record (Spark numbers those
    /// from the run's next id), as `GoldenIDAssignment.assign` does.
    public func goldenIDs(_ input: [UInt8]) throws(EngineError) -> String {
        var claims: [GoldenIDAssignment.Claim] = []
        for line in Self.lines(input) {
            let fields = try Self.fields(line)
            let cluster = try Self.integer(fields, "cluster", line: line.number)
            let golden = try Self.integer(fields, "golden", line: line.number)
            let votes = try Self.integer(fields, "votes", line: line.number)
            guard let cluster = Int32(exactly: cluster), cluster >= 0, golden > 0, let votes = Int32(exactly: votes), votes > 0 else {
                throw Self.problem(line.number, "\"cluster\" must be a record number, \"golden\" a golden id and \"votes\" a count above 0")
            }
            claims.append(.init(cluster: cluster, votes: votes, golden: golden))
        }
        return GoldenIDAssignment.granted(claims).map { "{\"cluster\":\($0.cluster),\"golden\":\($0.golden)}\n" }.joined()
    }

    // MARK: - golden

    /// Each cluster's golden record: a record line with `"cluster":L` (the cluster's label, its smallest record
    /// number) and `"golden":G` (its golden id) for every member, every member of a cluster in the same input, in any
    /// order; and `{"override":G,"attribute":A,"value":V}` for a steward's override of golden record G. Out one line per
    /// cluster, `{"golden":G,"cluster":L,"members":K,"attributes":"[…]"}`, the attributes as the embedded lake stores
    /// them. Survivorship's tie-breaks follow record order, which numbering in the canonical order keeps.
    public func golden(_ input: [UInt8]) throws(EngineError) -> String {
        var numbered: [NumberedRecord] = []
        var membership: [Int32: (cluster: Int32, golden: Int64, line: Int)] = [:]
        var overrides: [Int64: [String: String]] = [:]
        for line in Self.lines(input) {
            let fields = try Self.fields(line)
            if fields["override"] != nil {
                let golden = try Self.integer(fields, "override", line: line.number)
                guard let attribute = fields["attribute"]?.text, Survivorship.attributes.contains(attribute), let value = fields["value"]?.text
                else {
                    throw Self.problem(
                        line.number,
                        "an override needs \"attribute\" (one of \(Survivorship.attributes.joined(separator: ", "))) and \"value\"")
                }
                overrides[golden, default: [:]][attribute] = value
                continue
            }
            let number = Int32(try Self.integer(fields, "record", line: line.number))
            let cluster = Int32(try Self.integer(fields, "cluster", line: line.number))
            let golden = try Self.integer(fields, "golden", line: line.number)
            numbered.append(try Self.record(fields, number: number, attributes: configuration.attributeNames, line: line.number))
            membership[number] = (cluster, golden, line.number)
        }
        let (records, numbers) = self.records(numbered)
        var position: [Int32: Int32] = [:]
        for (index, number) in numbers.enumerated() { position[number] = Int32(index) }
        var clusterOf = [Int32](repeating: 0, count: numbers.count)
        for (index, number) in numbers.enumerated() {
            guard let member = membership[number] else { continue }
            // The label is the cluster's first record, a member of its own cluster with the same golden id: else the
            // cluster was split between inputs, and survivorship would see only part of it.
            guard let label = position[member.cluster], let first = membership[member.cluster], first.cluster == member.cluster,
                first.golden == member.golden, member.cluster <= number
            else {
                throw Self.problem(
                    member.line,
                    "record \(number) is in cluster \(member.cluster) (golden \(member.golden)), whose first record is not given as its "
                        + "member here; send every member of a cluster to the same stage")
            }
            clusterOf[index] = label
        }
        let set = GoldenRecordSet(clusterOf: clusterOf, survivorship: Survivorship(policy: configuration.survivorship, records: records), threads: 1)
        let writer = GoldenJSONWriter(set: set, records: records, policy: configuration.survivorship)
        var output = ""
        writer.withCursor { cursor in
            var buffer: [UInt8] = []
            for cluster in 0..<set.count {
                let members = set.members(of: cluster)
                let label = numbers[Int(members[members.startIndex])]
                let golden = membership[label]?.golden ?? 0
                cursor.write(cluster: cluster, overrides: overrides[golden], into: &buffer)
                output += "{\"golden\":\(golden),\"cluster\":\(label),\"members\":\(members.count),\"attributes\":"
                output += Self.quoted(String(decoding: buffer, as: UTF8.self)) + "}\n"
            }
        }
        return output
    }
}
