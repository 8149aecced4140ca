/// Finds a record's position from its source and key, reading keys as bytes: the store looks up every
/// stored cross-reference (a million or more) without making a string per row.
public struct SourceRecordIndex: Sendable {
    private let sources: [[UInt8]]
    private let sourceIndex: [UInt8]
    /// Every record's key, UTF-8, back to back; record `r`'s is `keyBytes[keyOffsets[r]..<keyOffsets[r + 1]]`.
    private let keyBytes: [UInt8]
    private let keyOffsets: [Int32]
    /// Open addressing: record indexes, -1 for an empty slot; the size is a power of two.
    private let slots: [Int32]

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
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        bytes.withUnsafeBufferPointer { bytes in
            for record in 0..<records.count {
                let key = UnsafeBufferPointer(rebasing: bytes[Int(offsets[record])..<Int(offsets[record + 1])])
                let source = records.sourceIndex[record]
                var slot = Self.hash(source, key) & mask
                // A source and key seen twice keep the last record, as a dictionary would.
                while slots[slot] >= 0 {
                    let other = Int(slots[slot])
                    if records.sourceIndex[other] == source && Self.equal(key, UnsafeBufferPointer(rebasing: bytes[Int(offsets[other])..<Int(offsets[other + 1])])) {
                        break
                    }
                    slot = (slot + 1) & mask
                }
                slots[slot] = Int32(record)
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
        var slot = Self.hash(source, key) & mask
        return keyBytes.withUnsafeBufferPointer { bytes in
            while slots[slot] >= 0 {
                let other = Int(slots[slot])
                if sourceIndex[other] == source && Self.equal(key, UnsafeBufferPointer(rebasing: bytes[Int(keyOffsets[other])..<Int(keyOffsets[other + 1])])) {
                    return Int32(other)
                }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    @inline(__always)
    static func hash(_ source: UInt8, _ key: UnsafeBufferPointer<UInt8>) -> Int {
        // FNV-1a, then a final mix so the low bits (the slot) depend on every byte.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(source)
        for byte in key { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash ^= hash >> 29
        hash = hash &* 0xbf58_476d_1ce4_e5b9
        hash ^= hash >> 32
        return Int(truncatingIfNeeded: hash)
    }

    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count where a[index] != b[index] { return false }
        return true
    }
}
