/// Reference-count-free copies of everything comparisons read, so the threads comparing pairs never touch
/// a shared array's retain count (atomic, and a bottleneck when two cores hammer it). `PairComparator`
/// keeps the readable reference implementation; a test checks both give the same patterns.
final class ComparisonKernel: @unchecked Sendable {
    /// A compared column's distinct values, for the levels that read text.
    struct RawColumn {
        var bytes: UnsafeMutablePointer<UInt8>
        var offsets: UnsafeMutablePointer<Int32>

        @inline(__always)
        func value(_ id: Int32) -> UnsafeBufferPointer<UInt8> {
            let start = Int(offsets[Int(id)])
            return UnsafeBufferPointer(start: bytes + start, count: Int(offsets[Int(id) + 1]) - start)
        }
    }

    struct Step {
        var kind: ComparisonLevel.Kind
        var threshold: Double
    }

    struct Plan {
        var column: RawColumn
        var isDate: Bool
        var steps: UnsafeMutablePointer<Step>
        var stepCount: Int
    }

    private var allocations: [UnsafeMutableRawPointer] = []
    private(set) var plans: UnsafeMutablePointer<Plan>
    let planCount: Int
    let givens: UnsafeMutablePointer<PairComparator.Given>
    let givenCount: Int
    let family: PairComparator.FamilyRule?
    /// Every id a pair's comparison reads, one row per record, a row a multiple of a cache line: the two
    /// records of a pair lie anywhere among a million, and reading a dozen separate columns would miss the
    /// cache a dozen times per record. Row layout: each comparison's value id (in comparison order), then
    /// the slots named below.
    let rows: UnsafeMutablePointer<Int32>
    let rowStride: Int
    let firstCanonicalSlot: Int
    var lastPhoneticSlot: Int { firstCanonicalSlot + 1 }
    var emailLocalPartSlot: Int { firstCanonicalSlot + 2 }
    /// Days since 1970-01-01, or `Int32.min`.
    var birthDaySlot: Int { firstCanonicalSlot + 3 }
    var birthIDSlot: Int { firstCanonicalSlot + 4 }
    /// The folded first name's id, and the folded last name's id among first names (for swapped names).
    var firstKeySlot: Int { firstCanonicalSlot + 5 }
    var lastAsFirstSlot: Int { firstCanonicalSlot + 6 }
    /// Per birth-date value id, the day number of the date with day and month swapped, or `Int32.min`.
    let swappedDays: UnsafeMutablePointer<Int32>

    static let cacheLine = 64

    init(comparator: PairComparator) {
        func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(1, array.count))
            _ = UnsafeMutableBufferPointer(start: pointer, count: array.count).initialize(from: array)
            return pointer
        }
        var allocations: [UnsafeMutableRawPointer] = []
        func raw(_ column: InternedColumn) -> RawColumn {
            let parts = column.rawParts()
            let result = RawColumn(bytes: copy(parts.bytes), offsets: copy(parts.offsets))
            allocations += [UnsafeMutableRawPointer(result.bytes), UnsafeMutableRawPointer(result.offsets)]
            return result
        }
        let records = comparator.records
        let comparisons = comparator.comparisons
        let planArray = comparisons.map { comparison -> Plan in
            let steps = copy(comparison.levels.map { Step(kind: $0.kind, threshold: $0.threshold ?? 0) })
            allocations.append(UnsafeMutableRawPointer(steps))
            return Plan(column: raw(comparator.column(comparison.field)), isDate: comparison.field == .birthDate, steps: steps, stepCount: comparison.levels.count)
        }
        plans = copy(planArray)
        planCount = planArray.count
        allocations.append(UnsafeMutableRawPointer(plans))
        givens = copy(comparator.givens)
        givenCount = comparator.givens.count
        family = comparator.family
        allocations.append(UnsafeMutableRawPointer(givens))

        let slotColumns: [[Int32]] =
            comparisons.map { comparator.column($0.field).ids }
            + [
                records.firstCanonical.ids, records.lastPhonetic.ids, records.emailLocalPart.ids, records.birthDays, records.birthDate.ids,
                records.firstKey.ids, records.lastNameAsFirst,
            ]
        let perLine = Self.cacheLine / MemoryLayout<Int32>.stride
        let stride = (slotColumns.count + perLine - 1) / perLine * perLine
        let count = records.count
        let rowBytes = UnsafeMutableRawPointer.allocate(byteCount: max(1, count * stride) * MemoryLayout<Int32>.stride, alignment: Self.cacheLine)
        let rows = rowBytes.initializeMemory(as: Int32.self, repeating: InternedColumn.missing, count: max(1, count * stride))
        for (slot, column) in slotColumns.enumerated() {
            column.withUnsafeBufferPointer { column in
                for record in 0..<count { rows[record * stride + slot] = column[record] }
            }
        }
        self.rows = rows
        rowStride = stride
        firstCanonicalSlot = comparisons.count
        allocations.append(rowBytes)
        swappedDays = copy(records.birthDates.map { date in date?.swappingDayAndMonth.map { Int32($0.daysSinceEpoch) } ?? Int32.min })
        allocations.append(UnsafeMutableRawPointer(swappedDays))
        self.allocations = allocations
    }

    deinit {
        for pointer in allocations { pointer.deallocate() }
    }

    @inline(__always)
    func pattern(_ a: Int, _ b: Int) -> UInt64 {
        let rowA = rows + a * rowStride
        let rowB = rows + b * rowStride
        var pattern: UInt64 = 0
        for c in 0..<planCount {
            let plan = plans[c]
            let level = plan.isDate ? dateLevel(plan, c, rowA, rowB) : level(plan, c, rowA, rowB)
            pattern |= UInt64(level) << (UInt64(c) * 4)
        }
        for index in 0..<givenCount {
            let given = givens[index]
            if PairComparator.level(pattern, given.other) == given.exactLevel {
                pattern &= ~(UInt64(0xF) << (UInt64(given.comparison) * 4))
            }
        }
        return family?.apply(pattern) ?? pattern
    }

    private func level(_ plan: Plan, _ c: Int, _ rowA: UnsafeMutablePointer<Int32>, _ rowB: UnsafeMutablePointer<Int32>) -> Int {
        let left = rowA[c]
        let right = rowB[c]
        for index in 0..<plan.stepCount {
            let step = plan.steps[index]
            switch step.kind {
            case .null:
                if left == InternedColumn.missing || right == InternedColumn.missing { return index }
            case .exact:
                if left == right { return index }
            case .nickname:
                let slot = firstCanonicalSlot
                if rowA[slot] != InternedColumn.missing && rowA[slot] == rowB[slot] { return index }
            case .phonetic:
                let slot = lastPhoneticSlot
                if rowA[slot] != InternedColumn.missing && rowA[slot] == rowB[slot] { return index }
            case .emailLocalPart:
                let slot = emailLocalPartSlot
                if rowA[slot] != InternedColumn.missing && rowA[slot] == rowB[slot] { return index }
            case .namesSwapped:
                let first = firstKeySlot, swapped = lastAsFirstSlot
                if rowA[first] != InternedColumn.missing && rowA[first] == rowB[swapped] && rowA[swapped] == rowB[first] { return index }
            case .jaroWinkler:
                if StringSimilarity.jaroWinkler(plan.column.value(left), plan.column.value(right)) >= step.threshold { return index }
            case .levenshtein:
                if StringSimilarity.isWithinEditDistance(plan.column.value(left), plan.column.value(right), Int(step.threshold)) { return index }
            case .dayMonthSwapped, .withinDays:
                continue
            case .else:
                return index
            }
        }
        return plan.stepCount - 1
    }

    private func dateLevel(_ plan: Plan, _ c: Int, _ rowA: UnsafeMutablePointer<Int32>, _ rowB: UnsafeMutablePointer<Int32>) -> Int {
        let left = rowA[birthDaySlot]
        let right = rowB[birthDaySlot]
        for index in 0..<plan.stepCount {
            let step = plan.steps[index]
            switch step.kind {
            case .null:
                if left == Int32.min || right == Int32.min { return index }
            case .exact:
                if left == right { return index }
            case .dayMonthSwapped:
                let swapped = swappedDays[Int(rowA[birthIDSlot])]
                if swapped != Int32.min && swapped == right { return index }
            case .withinDays:
                if Double(abs(Int(left) - Int(right))) <= step.threshold { return index }
            case .levenshtein:
                if StringSimilarity.isWithinEditDistance(plan.column.value(rowA[c]), plan.column.value(rowB[c]), Int(step.threshold)) { return index }
            case .else:
                return index
            default:
                continue
            }
        }
        return plan.stepCount - 1
    }
}
