/// Finds a record's position from its source and key, reading keys as bytes: the store looks up every
/// stored cross-reference (a million or more) without making a string per row.
public struct SourceRecordIndex: Sendable {
    private let sources: [[UInt8]]
    private let sourceIndex: [UInt8]
    /// Every record's key, UTF-8, back to back; record `r`'s is `keyBytes[keyOffsets[r]..<keyOffsets[r + 1]]`.
    private let keyBytes: [UInt8]
    private let keyOffsets: [Int32]
    /// Open addressing, a power of two in size: a record index + 1 in the low 32 bits (0 when empty) and the
    /// hash's high 32 bits above, so a probe rarely reads another record's key.
    private let slots: [UInt64]

    public init(_ records: MatchRecords) {
        sources = records.sources.map { Array($0.rawValue.utf8) }
        sourceIndex = records.sourceIndex
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(records.count + 1)
        for var key in records.keys {
            key.withUTF8 { bytes.append(contentsOf: $0) }
            offsets.append(Int32(bytes.count))
        }
        keyBytes = bytes
        keyOffsets = offsets
        var capacity = 16
        while capacity < records.count * 2 { capacity <<= 1 }
        var slots = [UInt64](repeating: 0, count: capacity)
        let mask = capacity - 1
        bytes.withUnsafeBufferPointer { bytes in
            for record in 0..<records.count {
                let key = UnsafeBufferPointer(rebasing: bytes[Int(offsets[record])..<Int(offsets[record + 1])])
                let source = records.sourceIndex[record]
                let hash = Self.hash(source, key)
                var slot = Int(truncatingIfNeeded: hash) & mask
                // A source and key seen twice keep the last record, as a dictionary would.
                while slots[slot] != 0 {
                    let other = Int(slots[slot] & 0xFFFF_FFFF) - 1
                    if Self.sameTag(slots[slot], hash) && records.sourceIndex[other] == source
                        && Self.equal(key, UnsafeBufferPointer(rebasing: bytes[Int(offsets[other])..<Int(offsets[other + 1])]))
                    {
                        break
                    }
                    slot = (slot + 1) & mask
                }
                slots[slot] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(record + 1)
            }
        }
        self.slots = slots
    }

    /// The record with this source (UTF-8 name) and key, or nil.
    /// Like the strings GRDB reads, each ends at a NUL byte.
    public func record(source: UnsafeBufferPointer<UInt8>, key: UnsafeBufferPointer<UInt8>) -> Int32? {
        var source = source, key = key
        if let nul = source.firstIndex(of: 0) { source = UnsafeBufferPointer(rebasing: source[..<nul]) }
        if let nul = key.firstIndex(of: 0) { key = UnsafeBufferPointer(rebasing: key[..<nul]) }
        guard let index = sources.firstIndex(where: { name in name.withUnsafeBufferPointer { Self.equal($0, source) } }) else { return nil }
        return record(sourceIndex: UInt8(index), key: key)
    }

    public subscript(_ id: SourceRecordID) -> Int32? {
        var source = id.source.rawValue, key = id.key
        return source.withUTF8 { source in key.withUTF8 { key in record(source: source, key: key) } }
    }

    private func record(sourceIndex source: UInt8, key: UnsafeBufferPointer<UInt8>) -> Int32? {
        let mask = slots.count - 1
        let hash = Self.hash(source, key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        return keyBytes.withUnsafeBufferPointer { bytes in
            while slots[slot] != 0 {
                let entry = slots[slot]
                let other = Int(entry & 0xFFFF_FFFF) - 1
                if Self.sameTag(entry, hash) && sourceIndex[other] == source
                    && Self.equal(key, UnsafeBufferPointer(rebasing: bytes[Int(keyOffsets[other])..<Int(keyOffsets[other + 1])]))
                {
                    return Int32(other)
                }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    @inline(__always)
    static func sameTag(_ entry: UInt64, _ hash: UInt64) -> Bool { entry & 0xFFFF_FFFF_0000_0000 == hash & 0xFFFF_FFFF_0000_0000 }

    @inline(__always)
    static func hash(_ source: UInt8, _ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        ByteInterner.hash(key) &+ UInt64(source) &* 0x9E37_79B9_7F4A_7C15
    }

    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count where a[index] != b[index] { return false }
        return true
    }
}
