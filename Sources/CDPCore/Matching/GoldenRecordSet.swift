/// The golden records of a whole run, in columns: per cluster its member records, and per cluster and
/// attribute the record whose value survived. Built on both cores without one string per value: text is
/// only produced when the records are written (`GoldenJSONWriter`).
public struct GoldenRecordSet: Sendable {
    /// Cluster `c`'s members are `members[memberStart[c]..<memberStart[c + 1]]`, ascending. Clusters are in
    /// order of their first record.
    public let memberStart: [Int32]
    public let members: [Int32]
    /// At `c * attributeCount + a`: the record whose value of attribute `a` (in `Survivorship.attributes`
    /// order) survived in cluster `c`, or -1 when no member has one.
    public let chosen: [Int32]

    public static var attributeCount: Int { Survivorship.attributes.count }

    public var count: Int { memberStart.count - 1 }

    public func members(of cluster: Int) -> ArraySlice<Int32> { members[Int(memberStart[cluster])..<Int(memberStart[cluster + 1])] }

    /// Groups records by cluster label (the smallest record index of each cluster, as `MatchPipeline` and
    /// `Clusterer` give them) and applies survivorship to every cluster on `threads` threads.
    public init(clusterOf: [Int32], survivorship: Survivorship, threads: Int = 2) {
        let count = clusterOf.count
        // A cluster starts at its smallest record, which is its label: clusters come out in first-record order.
        var clusterIndex = [Int32](repeating: -1, count: count)
        var sizes: [Int32] = []
        for record in 0..<count {
            let label = Int(clusterOf[record])
            if clusterIndex[label] < 0 {
                clusterIndex[label] = Int32(sizes.count)
                sizes.append(0)
            }
            sizes[Int(clusterIndex[label])] += 1
        }
        var start = [Int32](repeating: 0, count: sizes.count + 1)
        for cluster in sizes.indices { start[cluster + 1] = start[cluster] + sizes[cluster] }
        var fill = start
        var members = [Int32](repeating: 0, count: count)
        for record in 0..<count {
            let cluster = Int(clusterIndex[Int(clusterOf[record])])
            members[Int(fill[cluster])] = Int32(record)
            fill[cluster] += 1
        }
        let attributes = Self.attributeCount
        var chosen = [Int32](repeating: -1, count: sizes.count * attributes)
        let starts = start
        let grouped = members
        survivorship.withKernel { kernel in
            starts.withUnsafeBufferPointer { starts in
                grouped.withUnsafeBufferPointer { grouped in
                    chosen.withUnsafeMutableBufferPointer { chosen in
                        let output = SharedOutput(chosen)
                        let starts = SharedInput(starts), grouped = SharedInput(grouped)
                        Parallel.forEachRange(count: sizes.count, threads: threads) { range, _ in
                            var scratch: [Int32] = []
                            for cluster in range {
                                let slice = UnsafeBufferPointer(rebasing: grouped.base[Int(starts[cluster])..<Int(starts[cluster + 1])])
                                let out = UnsafeMutableBufferPointer(rebasing: output.base[(cluster * attributes)..<((cluster + 1) * attributes)])
                                kernel.choose(slice, into: out, scratch: &scratch)
                            }
                        }
                    }
                }
            }
        }
        memberStart = start
        self.members = members
        self.chosen = chosen
    }
}
