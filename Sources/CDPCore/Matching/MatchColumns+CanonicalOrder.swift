import Foundation

extension MatchColumns {
    /// The same records ordered by source name, then key (byte order), with the sources listed by name.
    ///
    /// Matching numbers records by their position, and that number breaks every tie downstream: which
    /// values are interned first, which records the seeded random pairs for u land on, which of two equal
    /// edges clustering takes first, which record a stitched star hangs from, which golden id a new cluster
    /// gets. Read in the lake's row order, all of these followed the order the input rows arrived in; in
    /// this order the same records give the same clusters and scores however their rows were ordered.
    /// Cheap when the lake's order already is this one (one pass to check). Each column is reordered in place of the
    /// one it replaces, so at most one column per thread is held twice.
    public consuming func canonicallyOrdered(threads: Int = 2) -> MatchColumns {
        let sourceOrder = sources.indices.sorted { sources[$0].rawValue.utf8.lexicographicallyPrecedes(sources[$1].rawValue.utf8) }
        var rank = [UInt8](repeating: 0, count: max(1, sources.count))
        for (position, source) in sourceOrder.enumerated() { rank[source] = UInt8(truncatingIfNeeded: position) }
        let count = self.count
        let order: [Int32] = keys.bytes.withUnsafeBufferPointer { bytes in
            keys.offsets.withUnsafeBufferPointer { offsets in
                sourceIndex.withUnsafeBufferPointer { sourceIndex in
                    func precedes(_ a: Int32, _ b: Int32) -> Bool {
                        let rankA = rank[Int(sourceIndex[Int(a)])], rankB = rank[Int(sourceIndex[Int(b)])]
                        if rankA != rankB { return rankA < rankB }
                        let keyA = UnsafeBufferPointer(rebasing: bytes[Int(offsets[Int(a)])..<Int(offsets[Int(a) + 1])])
                        let keyB = UnsafeBufferPointer(rebasing: bytes[Int(offsets[Int(b)])..<Int(offsets[Int(b) + 1])])
                        let common = min(keyA.count, keyB.count)
                        if common > 0, let baseA = keyA.baseAddress, let baseB = keyB.baseAddress {
                            let compared = memcmp(baseA, baseB, common)
                            if compared != 0 { return compared < 0 }
                        }
                        if keyA.count != keyB.count { return keyA.count < keyB.count }
                        return a < b
                    }
                    var order = (0..<Int32(count)).map { $0 }
                    if order.indices.dropFirst().allSatisfy({ precedes(order[$0 - 1], order[$0]) }) { return [] }
                    order.sort(by: precedes)
                    return order
                }
            }
        }
        let sourcesInOrder = sourceOrder == Array(sources.indices)
        guard !order.isEmpty || !sourcesInOrder else { return self }
        var result = MatchColumns()
        result.sources = sourceOrder.map { sources[$0] }
        result.sourceNames = sourceOrder.map { sourceNames.indices.contains($0) ? sourceNames[$0] : Array(sources[$0].rawValue.utf8) }
        result.sourceIndex = order.isEmpty ? sourceIndex.map { rank[Int($0)] } : order.map { rank[Int(sourceIndex[Int($0)])] }
        // This array holds the only reference to each column, so writing a reordered one over it lets the old one go.
        var columns = takeTextColumns()
        if !order.isEmpty {
            columns.withUnsafeMutableBufferPointer { columns in
                let columns = SharedOutput(columns)
                Parallel.forEachTask(count: columns.base.count, threads: threads) { index in
                    columns[index] = columns[index].permuted(by: order)
                }
            }
        }
        result.putTextColumns(columns)
        result.attributeNames = attributeNames
        return result
    }
}

extension TextColumn {
    /// The values in the order `permutation` gives: record `r` of the result is record `permutation[r]` of this.
    public func permuted(by permutation: [Int32]) -> TextColumn {
        var result = TextColumn()
        result.reserveCapacity(records: permutation.count, bytes: bytes.count)
        bytes.withUnsafeBufferPointer { bytes in
            offsets.withUnsafeBufferPointer { offsets in
                for record in permutation {
                    result.append(UnsafeBufferPointer(rebasing: bytes[Int(offsets[Int(record)])..<Int(offsets[Int(record) + 1])]))
                }
            }
        }
        return result
    }
}
