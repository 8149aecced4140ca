import CDPCore

/// What the checker knows of each source key: its latest content hash (the lake's, then this file's rows
/// as they are checked) and the line of this file that first claimed it for validation. One table serves
/// change detection and the unique-key rule.
///
/// Open addressing over 16-byte slots (a 24-bit tag of the key's hash, the key's entry number, its content
/// hash), so a lookup of a key not seen before costs one cache miss; the keys themselves and their claimed
/// lines are kept in entry order beside the slots, read only when a tag matches. At ten million keys
/// `Dictionary<String, …>` took about 270 ns a key (hashing with SipHash, and separate arrays for keys and
/// values, each a cache miss) and 670 MB; this table, when it still hashed with FNV-1a a byte at a time,
/// took about 125 ns and 510 MB (``KeyHash`` now takes eight bytes a step).
///
/// Keys are compared byte for byte, as the lake's indexes compare them: two spellings of "Zoë" (one
/// precomposed character, or e and a combining accent) are two keys, as they are two rows in SQLite.
///
/// A struct over arrays rather than a class over raw memory: the checker owns it, and a class's stored
/// properties are checked for exclusive access at run time on every use (four times a row).
struct SourceKeyTable {
    private struct Slot {
        /// The tag in the high 24 bits, the entry number + 1 in the low 40; 0 for an empty slot.
        var tagAndEntry: UInt64
        var contentHash: Int64
    }

    private static let tagBits: UInt64 = 0xFFFF_FF00_0000_0000
    private static let entryBits: UInt64 = 0x00FF_FFFF_FFFF

    private var slots: ContiguousArray<Slot>
    private var mask: Int
    /// Keys in entry order.
    private var keys: ContiguousArray<String> = []
    /// The line of this file that first claimed each key for validation, in entry order; 0 for none.
    private var claimedLines: ContiguousArray<Int> = []
    private let hashing: KeyHash.Mode

    /// Keys held.
    var count: Int { keys.count }

    /// A table with room for `expectedKeys` before it grows.
    init(expectedKeys: Int, hashing: KeyHash.Mode = .bytes) {
        self.hashing = hashing
        let capacity = Self.capacity(for: max(expectedKeys, 8))
        slots = ContiguousArray(repeating: Slot(tagAndEntry: 0, contentHash: 0), count: capacity)
        mask = capacity - 1
        keys.reserveCapacity(expectedKeys)
        claimedLines.reserveCapacity(expectedKeys)
    }

    /// A power of two at most three quarters full with `keys`.
    private static func capacity(for keys: Int) -> Int {
        var capacity = 16
        while capacity * 3 < keys * 4 { capacity <<= 1 }
        return capacity
    }

    /// Records the lake's latest content hash of `key` (before this file's rows).
    mutating func seed(_ key: String, contentHash: Int64) {
        let hash = self.hash(key)
        let position = find(key, hash: hash)
        if slots[position].tagAndEntry == 0 {
            insert(key, hash: hash, at: position, contentHash: contentHash, claimedLine: 0)
        } else {
            slots[position].contentHash = contentHash
        }
    }

    /// Records a row of this file with `key`. Returns whether its content is the key's latest (a clean row
    /// is then unchanged and skipped) and the line that claimed the key before it (0 for none). A row that
    /// goes on to validation claims the key unless one did already.
    @inline(__always)
    mutating func record(_ key: String, contentHash: Int64, line: Int, clean: Bool) -> (unchanged: Bool, claimedAt: Int) {
        let hash = self.hash(key)
        let position = find(key, hash: hash)
        let entry = Int(truncatingIfNeeded: slots[position].tagAndEntry & Self.entryBits) - 1
        guard entry >= 0 else {
            insert(key, hash: hash, at: position, contentHash: contentHash, claimedLine: line)
            return (false, 0)
        }
        let unchanged = slots[position].contentHash == contentHash && clean
        slots[position].contentHash = contentHash
        let claimedAt = claimedLines[entry]
        if !unchanged && claimedAt == 0 { claimedLines[entry] = line }
        return (unchanged, claimedAt)
    }

    /// The slot holding `key`, or the empty slot where it belongs.
    @inline(__always)
    private func find(_ key: String, hash: UInt64) -> Int {
        let tag = hash & Self.tagBits
        var position = Int(truncatingIfNeeded: hash) & mask
        while true {
            let tagAndEntry = slots[position].tagAndEntry
            if tagAndEntry == 0 { return position }
            if tagAndEntry & Self.tagBits == tag && keys[Int(truncatingIfNeeded: tagAndEntry & Self.entryBits) - 1].hasSameBytes(as: key) {
                return position
            }
            position = (position + 1) & mask
        }
    }

    private mutating func insert(_ key: String, hash: UInt64, at position: Int, contentHash: Int64, claimedLine: Int) {
        // 40 bits of entry number: memory runs out some hundred times sooner.
        precondition(UInt64(keys.count) < Self.entryBits, "more keys than a slot can number")
        keys.append(key)
        claimedLines.append(claimedLine)
        slots[position] = Slot(tagAndEntry: (hash & Self.tagBits) | UInt64(keys.count), contentHash: contentHash)
        if keys.count * 4 > (mask + 1) * 3 { grow() }
    }

    /// Doubles the slots (the file had more keys than its sampled rows suggested) and places every key again.
    private mutating func grow() {
        let oldSlots = slots
        slots = ContiguousArray(repeating: Slot(tagAndEntry: 0, contentHash: 0), count: oldSlots.count * 2)
        mask = slots.count - 1
        for slot in oldSlots where slot.tagAndEntry != 0 {
            let entry = Int(truncatingIfNeeded: slot.tagAndEntry & Self.entryBits) - 1
            var position = Int(truncatingIfNeeded: hash(keys[entry])) & mask
            while slots[position].tagAndEntry != 0 { position = (position + 1) & mask }
            slots[position] = slot
        }
    }

    @inline(__always)
    private func hash(_ key: String) -> UInt64 { KeyHash.of(key, mode: hashing) }
}
