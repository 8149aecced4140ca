/// One attribute's text, record by record, UTF-8 back to back: what the store reads from the lake before
/// the values are interned. An empty value is a missing one (as `InternedColumn.Builder` treats it).
public struct TextColumn: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Record `r`'s value is `bytes[offsets[r]..<offsets[r + 1]]`.
    public private(set) var offsets: [Int32] = [0]

    public init() {}

    public init(_ values: [String?]) {
        for value in values {
            if var value { value.withUTF8 { append($0) } } else { appendMissing() }
        }
    }

    public var count: Int { offsets.count - 1 }

    public mutating func reserveCapacity(records: Int, bytes: Int) {
        offsets.reserveCapacity(records + 1)
        self.bytes.reserveCapacity(bytes)
    }

    public mutating func append(_ value: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: value)
        precondition(bytes.count <= Int(Int32.max), "a text column is limited to 2 GiB")
        offsets.append(Int32(bytes.count))
    }

    public mutating func appendMissing() { offsets.append(offsets[offsets.count - 1]) }
}

extension InternedColumn {
    /// Interns a text column: the same ids, values, counts and bytes as appending each value as a `String`
    /// to a `Builder`, but hashing bytes instead of strings (a million records make that the load's main cost).
    /// Equality stays `String`'s: values that differ only in Unicode normalisation share an id.
    public init(interning column: TextColumn) {
        var interner = ByteInterner(expectedValues: column.count / 2)
        var ids = [Int32](repeating: InternedColumn.missing, count: column.count)
        column.bytes.withUnsafeBufferPointer { bytes in
            column.offsets.withUnsafeBufferPointer { offsets in
                ids.withUnsafeMutableBufferPointer { ids in
                    for record in 0..<ids.count {
                        let start = Int(offsets[record]), end = Int(offsets[record + 1])
                        guard start < end else { continue }
                        ids[record] = interner.intern(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                    }
                }
            }
        }
        self.init(ids: ids, counts: interner.counts, bytes: interner.bytes, offsets: interner.offsets)
    }
}

/// Byte-keyed interning with `String` equality: exact bytes are found by hash; a value that is not ASCII
/// (or an ASCII value once some stored value could be canonically equal to one) is also looked up as a
/// `String`, whose equality is canonical equivalence.
struct ByteInterner {
    private(set) var counts: [Int32] = []
    private(set) var bytes: [UInt8] = []
    private(set) var offsets: [Int32] = [0]
    private var hashes: [UInt64] = []
    /// Open addressing, never more than half full: a value id + 1 in the low 32 bits (0 when empty) and the
    /// hash's high 32 bits above, so a probe rarely reads the stored bytes of another value.
    private var slots: [UInt64]
    /// Non-ASCII values by their string, for canonical equivalence.
    private var canonical: [String: Int32] = [:]
    /// Set once a stored value holds a character whose canonical decomposition is ASCII (U+037E, U+1FEF,
    /// U+212A): from then on an ASCII value can equal a non-ASCII one and is checked as a string too.
    private var asciiLookalikes = false

    init(expectedValues: Int) {
        var capacity = 64
        while capacity < expectedValues * 2 { capacity <<= 1 }
        slots = [UInt64](repeating: 0, count: capacity)
    }

    @inline(__always)
    private static func slotValue(_ id: Int, _ hash: UInt64) -> UInt64 { (hash & 0xFFFF_FFFF_0000_0000) | UInt64(id + 1) }

    /// The id of `raw`'s value, added if new. With `cutAtNUL`, a value ends at its first NUL byte (GRDB reads
    /// text as a C string).
    mutating func intern(_ raw: UnsafeBufferPointer<UInt8>, cutAtNUL: Bool = true) -> Int32 {
        var value = raw
        if cutAtNUL, let nul = raw.firstIndex(of: 0) {
            value = UnsafeBufferPointer(rebasing: raw[..<nul])
            if value.isEmpty { return InternedColumn.missing }
        }
        let hash = Self.hash(value)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let entry = slots[slot]
            let id = Int(entry & 0xFFFF_FFFF) - 1
            if entry & 0xFFFF_FFFF_0000_0000 == hash & 0xFFFF_FFFF_0000_0000 && equalsStored(id, value) {
                counts[id] += 1
                return Int32(id)
            }
            slot = (slot + 1) & mask
        }
        let ascii = value.allSatisfy { $0 < 0x80 }
        var text: String?
        if !ascii || asciiLookalikes {
            let string = String(decoding: value, as: UTF8.self)
            if let id = canonical[string] {
                counts[Int(id)] += 1
                return id
            }
            text = string
        }
        if !ascii, let id = asciiEquivalent(value) {
            counts[Int(id)] += 1
            canonical[text!] = id
            return id
        }
        let id = Int32(counts.count)
        counts.append(1)
        if ascii {
            bytes.append(contentsOf: value)
        } else {
            // As `Builder` does: the string's UTF-8 (invalid input repaired), and it joins the canonical table.
            let string = text ?? String(decoding: value, as: UTF8.self)
            bytes.append(contentsOf: string.utf8)
            canonical[string] = id
            if Self.hasASCIILookalike(value) { asciiLookalikes = true }
        }
        offsets.append(Int32(bytes.count))
        hashes.append(hash)
        slots[slot] = Self.slotValue(Int(id), hash)
        if counts.count * 2 > slots.count { grow() }
        return id
    }

    /// A non-ASCII value whose only non-ASCII characters decompose to ASCII is equal to that ASCII text.
    private func asciiEquivalent(_ value: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard Self.hasASCIILookalike(value) else { return nil }
        var mapped: [UInt8] = []
        var index = 0
        while index < value.count {
            let byte = value[index]
            if byte < 0x80 {
                mapped.append(byte)
                index += 1
            } else if let (ascii, length) = Self.lookalike(value, index) {
                mapped.append(ascii)
                index += length
            } else {
                return nil
            }
        }
        return mapped.withUnsafeBufferPointer { mapped in
            let hash = Self.hash(mapped)
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 {
                let id = Int(slots[slot] & 0xFFFF_FFFF) - 1
                if hashes[id] == hash && equalsStored(id, mapped) { return Int32(id) }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    /// U+037E → `;`, U+1FEF → `` ` ``, U+212A → `K` (their canonical decompositions), with their UTF-8 lengths.
    private static func lookalike(_ value: UnsafeBufferPointer<UInt8>, _ index: Int) -> (UInt8, Int)? {
        func at(_ offset: Int) -> UInt8 { index + offset < value.count ? value[index + offset] : 0 }
        if at(0) == 0xCD && at(1) == 0xBE { return (UInt8(ascii: ";"), 2) }
        if at(0) == 0xE1 && at(1) == 0xBF && at(2) == 0xAF { return (UInt8(ascii: "`"), 3) }
        if at(0) == 0xE2 && at(1) == 0x84 && at(2) == 0xAA { return (UInt8(ascii: "K"), 3) }
        return nil
    }

    private static func hasASCIILookalike(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        value.indices.contains { lookalike(value, $0) != nil }
    }

    @inline(__always)
    private func equalsStored(_ id: Int, _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(offsets[id]), end = Int(offsets[id + 1])
        guard end - start == value.count else { return false }
        return bytes.withUnsafeBufferPointer { stored in
            for index in 0..<value.count where stored[start + index] != value[index] { return false }
            return true
        }
    }

    private mutating func grow() {
        var slots = [UInt64](repeating: 0, count: self.slots.count * 2)
        let mask = slots.count - 1
        for (id, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Self.slotValue(id, hash)
        }
        self.slots = slots
    }

    /// The bytes' hash, as the other byte-keyed tables take it (``KeyHash``).
    @inline(__always)
    static func hash(_ value: UnsafeBufferPointer<UInt8>) -> UInt64 {
        KeyHash.of(bytes: UnsafeRawBufferPointer(value))
    }
}
