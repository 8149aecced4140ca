/// Reference-count-free copies of everything comparisons read, so the threads comparing pairs never touch
/// a shared array's retain count (atomic, and a bottleneck when two cores hammer it). `PairComparator`
/// keeps the readable reference implementation; a test checks both give the same patterns.
final class ComparisonKernel: @unchecked Sendable {
    struct RawColumn {
        var ids: UnsafeMutablePointer<Int32>
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
    let firstCanonical: UnsafeMutablePointer<Int32>
    let lastPhonetic: UnsafeMutablePointer<Int32>
    let emailLocalPart: UnsafeMutablePointer<Int32>
    let birthDays: UnsafeMutablePointer<Int32>
    /// Per birth-date value id, the day number of the date with day and month swapped, or `Int32.min`.
    let swappedDays: UnsafeMutablePointer<Int32>
    let birthIDs: UnsafeMutablePointer<Int32>

    init(comparator: PairComparator) {
        func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(1, array.count))
            _ = UnsafeMutableBufferPointer(start: pointer, count: array.count).initialize(from: array)
            return pointer
        }
        var allocations: [UnsafeMutableRawPointer] = []
        func raw(_ column: InternedColumn) -> RawColumn {
            let parts = column.rawParts()
            let result = RawColumn(ids: copy(column.ids), bytes: copy(parts.bytes), offsets: copy(parts.offsets))
            allocations += [UnsafeMutableRawPointer(result.ids), UnsafeMutableRawPointer(result.bytes), UnsafeMutableRawPointer(result.offsets)]
            return result
        }
        let records = comparator.records
        let planArray = comparator.comparisons.map { comparison -> Plan in
            let steps = copy(comparison.levels.map { Step(kind: $0.kind, threshold: $0.threshold ?? 0) })
            allocations.append(UnsafeMutableRawPointer(steps))
            return Plan(column: raw(comparator.column(comparison.field)), isDate: comparison.field == .birthDate, steps: steps, stepCount: comparison.levels.count)
        }
        plans = copy(planArray)
        planCount = planArray.count
        firstCanonical = copy(records.firstCanonical.ids)
        lastPhonetic = copy(records.lastPhonetic.ids)
        emailLocalPart = copy(records.emailLocalPart.ids)
        birthDays = copy(records.birthDays)
        birthIDs = copy(records.birthDate.ids)
        swappedDays = copy(records.birthDates.map { date in date?.swappingDayAndMonth.map { Int32($0.daysSinceEpoch) } ?? Int32.min })
        allocations.append(UnsafeMutableRawPointer(plans))
        for pointer in [firstCanonical, lastPhonetic, emailLocalPart, birthDays, birthIDs, swappedDays] {
            allocations.append(UnsafeMutableRawPointer(pointer))
        }
        self.allocations = allocations
    }

    deinit {
        for pointer in allocations { pointer.deallocate() }
    }

    @inline(__always)
    func pattern(_ a: Int, _ b: Int) -> UInt64 {
        var pattern: UInt64 = 0
        for c in 0..<planCount {
            let plan = plans[c]
            let level = plan.isDate ? dateLevel(plan, a, b) : level(plan, a, b)
            pattern |= UInt64(level) << (UInt64(c) * 4)
        }
        return pattern
    }

    private func level(_ plan: Plan, _ a: Int, _ b: Int) -> Int {
        let left = plan.column.ids[a]
        let right = plan.column.ids[b]
        for index in 0..<plan.stepCount {
            let step = plan.steps[index]
            switch step.kind {
            case .null:
                if left == InternedColumn.missing || right == InternedColumn.missing { return index }
            case .exact:
                if left == right { return index }
            case .nickname:
                if firstCanonical[a] != InternedColumn.missing && firstCanonical[a] == firstCanonical[b] { return index }
            case .phonetic:
                if lastPhonetic[a] != InternedColumn.missing && lastPhonetic[a] == lastPhonetic[b] { return index }
            case .emailLocalPart:
                if emailLocalPart[a] != InternedColumn.missing && emailLocalPart[a] == emailLocalPart[b] { return index }
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

    private func dateLevel(_ plan: Plan, _ a: Int, _ b: Int) -> Int {
        let left = birthDays[a]
        let right = birthDays[b]
        for index in 0..<plan.stepCount {
            let step = plan.steps[index]
            switch step.kind {
            case .null:
                if left == Int32.min || right == Int32.min { return index }
            case .exact:
                if left == right { return index }
            case .dayMonthSwapped:
                if swappedDays[Int(birthIDs[a])] != Int32.min && swappedDays[Int(birthIDs[a])] == right { return index }
            case .withinDays:
                if Double(abs(Int(left) - Int(right))) <= step.threshold { return index }
            case .levenshtein:
                let l = plan.column.ids[a], r = plan.column.ids[b]
                if StringSimilarity.isWithinEditDistance(plan.column.value(l), plan.column.value(r), Int(step.threshold)) { return index }
            case .else:
                return index
            default:
                continue
            }
        }
        return plan.stepCount - 1
    }
}
