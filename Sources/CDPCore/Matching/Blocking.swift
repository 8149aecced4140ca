/// Candidate pairs from several blocking rules, unioned: a pair is produced by the first rule that finds
/// it and skipped by every later one, so no pair is scored twice and no global sort is needed.
public struct Blocker: Sendable {
    public let records: MatchRecords
    public let rules: [BlockingRule]
    public let maxBlockSize: Int

    public init(records: MatchRecords, blocking: MatchingConfiguration.Blocking) {
        self.records = records
        rules = blocking.rules
        maxBlockSize = blocking.maxBlockSize
    }

    public struct Result: Sendable {
        /// `a << 32 | b` with a < b, in rule order, then block order.
        public var pairs: [UInt64]
        /// Pairs each rule added (after removing those of earlier rules).
        public var pairsPerRule: [Int]
        /// Blocks left out for being larger than `maxBlockSize`, and the records in them.
        public var oversizedBlocks: Int
        public var recordsInOversizedBlocks: Int
        /// Per rule, pairs it also finds that an earlier rule produced (up to `trainingLimit`): EM trains each
        /// rule on all its pairs, or the later rules would only see the pairs earlier ones missed.
        public var overlapPairs: [[UInt64]]
        /// Per rule, the records of its blocks larger than `maxBlockSize`, ascending (an incremental run pairs a block
        /// again when it shrinks below the size).
        public var oversizedRecords: [[UInt32]] = []
    }

    /// The most overlap pairs kept per rule for training.
    public static let trainingLimit = 150_000

    public func candidatePairs() -> Result {
        var keysByRule: [[UInt64]] = []
        var result = Result(pairs: [], pairsPerRule: [], oversizedBlocks: 0, recordsInOversizedBlocks: 0, overlapPairs: [])
        for rule in rules {
            let blocked = ruleBlocks(rule)
            result.oversizedBlocks += blocked.oversizedBlocks
            result.recordsInOversizedBlocks += blocked.oversizedRecords.count
            result.oversizedRecords.append(blocked.oversizedRecords)
            let order = blocked.order
            var added = 0
            var overlap: [UInt64] = []
            for block in blocked.blocks {
                for x in block {
                    let a = Int(order[x].record)
                    for y in (x + 1)..<block.upperBound {
                        let b = Int(order[y].record)
                        if keysByRule.contains(where: { earlier in earlier[a] != 0 && earlier[a] == earlier[b] }) {
                            if overlap.count < Self.trainingLimit { overlap.append(UInt64(a) << 32 | UInt64(b)) }
                            continue
                        }
                        result.pairs.append(UInt64(a) << 32 | UInt64(b))
                        added += 1
                    }
                }
            }
            result.pairsPerRule.append(added)
            result.overlapPairs.append(overlap)
            keysByRule.append(blocked.keys)
        }
        return result
    }

    /// One rule's blocks: every record's key, the records by key, and the blocks worth pairing.
    struct RuleBlocks {
        /// Per record, its key; 0 when a part is missing or its block is too large, so two records share a block to
        /// pair exactly when their keys are equal and not 0.
        var keys: [UInt64]
        /// The keyed records, by key and then record.
        var order: [(key: UInt64, record: UInt32)]
        /// The blocks of two or more records, at most `maxBlockSize`, as ranges of `order`.
        var blocks: [Range<Int>]
        var oversizedBlocks = 0
        /// The records of blocks larger than `maxBlockSize`, ascending.
        var oversizedRecords: [UInt32] = []
    }

    func ruleBlocks(_ rule: BlockingRule) -> RuleBlocks {
        var keys = blockingKeys(rule)
        var order = [(key: UInt64, record: UInt32)]()
        order.reserveCapacity(records.count)
        for (record, key) in keys.enumerated() where key != 0 { order.append((key, UInt32(record))) }
        order.sort { $0.key != $1.key ? $0.key < $1.key : $0.record < $1.record }
        // Mark records of oversized blocks as unkeyed, so later rules do not count those pairs as produced.
        var start = 0
        var blocks: [Range<Int>] = []
        var oversizedBlocks = 0
        var oversizedRecords: [UInt32] = []
        while start < order.count {
            var end = start + 1
            while end < order.count && order[end].key == order[start].key { end += 1 }
            if end - start > maxBlockSize {
                oversizedBlocks += 1
                for index in start..<end {
                    keys[Int(order[index].record)] = 0
                    oversizedRecords.append(order[index].record)
                }
            } else if end - start > 1 {
                blocks.append(start..<end)
            }
            start = end
        }
        oversizedRecords.sort()
        return RuleBlocks(keys: keys, order: order, blocks: blocks, oversizedBlocks: oversizedBlocks, oversizedRecords: oversizedRecords)
    }

    /// Per record, a non-zero key for `rule`, or 0 when any of its parts is missing.
    func blockingKeys(_ rule: BlockingRule) -> [UInt64] {
        var keys = [UInt64](repeating: 0xcbf2_9ce4_8422_2325, count: records.count)
        for part in rule.keys {
            let values = componentValues(part)
            for record in keys.indices where keys[record] != 0 {
                let value = values[record]
                if value == 0 {
                    keys[record] = 0
                } else {
                    // FNV-style mixing; a collision only adds pairs to score, never loses one.
                    keys[record] = (keys[record] ^ UInt64(value)) &* 0x0000_0100_0000_01b3 | 1
                }
            }
        }
        return keys
    }

    /// Per record, the key part as a non-zero number, or 0 when missing.
    func componentValues(_ key: DerivedKey) -> [UInt32] {
        func ids(_ column: InternedColumn) -> [UInt32] { column.ids.map { UInt32(bitPattern: $0 &+ 1) } }
        switch key {
        case .surnamePhonetic: return ids(records.lastPhonetic)
        case .surname: return ids(records.lastKey)
        case .firstName: return ids(records.firstKey)
        case .firstNameCanonical: return ids(records.firstCanonical)
        case .firstInitial:
            let initials = records.firstKey.values.map { UInt32($0.utf8.first ?? 0) }
            return records.firstKey.ids.map { $0 == InternedColumn.missing ? 0 : initials[Int($0)] }
        case .birthYear:
            return records.birthDate.ids.map { id in
                guard id != InternedColumn.missing, let date = records.birthDates[Int(id)] else { return 0 }
                return UInt32(date.year)
            }
        case .birthDate: return ids(records.birthDate)
        case .postcode: return ids(records.postcodeKey)
        case .emailLocalPart: return ids(records.emailLocalPart)
        case .phoneLastDigits: return ids(records.phoneLastDigits)
        case .city: return ids(records.cityKey)
        case .attribute(let name): return ids(records.attributeKey(name))
        case .namesUnordered:
            // The two names as ids of one space (first names; a last name no record has as a first name keeps
            // its own id, marked apart), smaller first, mixed to 32 bits: a collision only adds pairs.
            let first = records.firstKey.ids, last = records.lastKey.ids, lastAsFirst = records.lastNameAsFirst
            return first.indices.map { record in
                guard first[record] != InternedColumn.missing, last[record] != InternedColumn.missing else { return 0 }
                let x = UInt64(UInt32(bitPattern: first[record]))
                let y = lastAsFirst[record] != InternedColumn.missing
                    ? UInt64(UInt32(bitPattern: lastAsFirst[record])) : UInt64(UInt32(bitPattern: last[record])) | 1 << 63
                var mixed = SplitMix64(seed: min(x, y) << 32 ^ max(x, y))
                return UInt32(truncatingIfNeeded: mixed.next()) | 1
            }
        }
    }
}
