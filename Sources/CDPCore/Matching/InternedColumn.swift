/// One attribute of every record, stored once per distinct value: records hold small integer ids, so an
/// exact comparison is an integer compare, term frequencies are an array read, and a million records cost
/// a few megabytes per attribute.
public struct InternedColumn: Sendable {
    /// Per record, the value's id, or `InternedColumn.missing`.
    public private(set) var ids: [Int32]
    /// Distinct values in first-seen order.
    public private(set) var values: [String]
    /// Per value id, how many records hold it.
    public private(set) var counts: [Int32]
    /// Every value's UTF-8, back to back, for comparators that work on bytes.
    private var bytes: [UInt8]
    private var offsets: [Int32]

    public static let missing: Int32 = -1

    public init() {
        ids = []
        values = []
        counts = []
        bytes = []
        offsets = [0]
    }

    init(ids: [Int32], values: [String], counts: [Int32], bytes: [UInt8], offsets: [Int32]) {
        self.ids = ids
        self.values = values
        self.counts = counts
        self.bytes = bytes
        self.offsets = offsets
    }

    public var recordCount: Int { ids.count }

    /// The value of `record`, or nil.
    public func value(of record: Int) -> String? {
        let id = ids[record]
        return id == Self.missing ? nil : values[Int(id)]
    }

    /// Runs `body` over the UTF-8 of value `id`.
    @inline(__always)
    public func withBytes<T>(_ id: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        let start = Int(offsets[Int(id)])
        let end = Int(offsets[Int(id) + 1])
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// The UTF-8 of every value back to back, and where each value starts (one more entry than values).
    func rawParts() -> (bytes: [UInt8], offsets: [Int32]) { (bytes, offsets) }

    /// The share of records holding value `id`.
    public func frequency(_ id: Int32) -> Double {
        Double(counts[Int(id)]) / Double(max(1, ids.count))
    }

    /// Read-only pointers to the column's storage, for loops that run on several threads: reading through
    /// them touches no array's reference count (atomic, and contended when two cores share a column).
    public struct View: @unchecked Sendable {
        public let ids: UnsafeBufferPointer<Int32>
        let bytes: UnsafePointer<UInt8>
        let offsets: UnsafePointer<Int32>

        /// The UTF-8 of value `id`.
        @inline(__always)
        public func value(_ id: Int32) -> UnsafeBufferPointer<UInt8> {
            let start = Int(offsets[Int(id)])
            return UnsafeBufferPointer(start: bytes + start, count: Int(offsets[Int(id) + 1]) - start)
        }
    }

    /// Runs `body` with a view of the column, valid only inside `body`.
    public func withView<R>(_ body: (View) throws -> R) rethrows -> R {
        try ids.withUnsafeBufferPointer { ids in
            try bytes.withUnsafeBufferPointer { bytes in
                try offsets.withUnsafeBufferPointer { offsets in
                    // `bytes` may be empty (no values): a one-byte dummy keeps the base address valid.
                    try withUnsafePointer(to: UInt8(0)) { empty in
                        try body(View(ids: ids, bytes: bytes.baseAddress ?? empty, offsets: offsets.baseAddress!))
                    }
                }
            }
        }
    }

    /// Runs `body` with views of several columns at once, in the same order.
    public static func withViews<R>(_ columns: [InternedColumn], _ body: ([View]) throws -> R) rethrows -> R {
        func nest(_ index: Int, _ views: [View]) throws -> R {
            guard index < columns.count else { return try body(views) }
            return try columns[index].withView { try nest(index + 1, views + [$0]) }
        }
        return try nest(0, [])
    }

    /// Collects values record by record.
    public struct Builder {
        private var column = InternedColumn()
        private var lookup: [String: Int32] = [:]

        public init() {}

        public mutating func append(_ value: String?) {
            guard let value, !value.isEmpty else {
                column.ids.append(InternedColumn.missing)
                return
            }
            if let id = lookup[value] {
                column.ids.append(id)
                column.counts[Int(id)] += 1
                return
            }
            let id = Int32(column.values.count)
            lookup[value] = id
            column.values.append(value)
            column.counts.append(1)
            column.bytes.append(contentsOf: value.utf8)
            column.offsets.append(Int32(column.bytes.count))
            column.ids.append(id)
        }

        public func build() -> InternedColumn { column }
    }

    /// A column whose every value is `transform` of this column's value, computed once per distinct value.
    public func derived(_ transform: (String) -> String?) -> InternedColumn {
        // Intern the derived values in value order so ids are deterministic.
        var derivedIDs = [Int32](repeating: Self.missing, count: values.count)
        var lookup: [String: Int32] = [:]
        var result = InternedColumn()
        for (index, value) in values.enumerated() {
            guard let derived = transform(value), !derived.isEmpty else { continue }
            if let existing = lookup[derived] {
                derivedIDs[index] = existing
            } else {
                let id = Int32(result.values.count)
                lookup[derived] = id
                result.values.append(derived)
                result.counts.append(0)
                result.bytes.append(contentsOf: derived.utf8)
                result.offsets.append(Int32(result.bytes.count))
                derivedIDs[index] = id
            }
        }
        result.ids = ids.map { $0 == Self.missing ? Self.missing : derivedIDs[Int($0)] }
        for id in result.ids where id != Self.missing { result.counts[Int(id)] += 1 }
        return result
    }
}
