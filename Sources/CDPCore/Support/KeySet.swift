/// A set of keys built once and then asked, row after row, whether it holds a key: the keys a reference
/// rule checks against (every contact of the lake, for each campaign event).
///
/// Keys are hashed by ``KeyHash`` and compared byte for byte, as the lake's indexes compare them (two
/// spellings of "Zoë" are two keys there, and so here). Open addressing over 8-byte slots (a 32-bit tag of
/// the key's hash and the key's entry number), so a key not held costs one cache miss and no string work;
/// `Set<String>` hashed every key with SipHash, twice as slow at a million keys.
public struct KeySet: Sendable, ExpressibleByArrayLiteral {
    /// The tag in the high 32 bits, the entry number + 1 in the low 32; 0 for an empty slot.
    private var slots: ContiguousArray<UInt64>
    /// Keys in the order they were first inserted.
    private var keys: ContiguousArray<String> = []

    private let hashing: KeyHash.Mode

    private static let tagBits: UInt64 = 0xFFFF_FFFF_0000_0000
    private static let entryBits: UInt64 = 0x0000_0000_FFFF_FFFF

    /// An empty set with room for `capacity` keys before it grows.
    public init(minimumCapacity capacity: Int = 0) {
        self.init(minimumCapacity: capacity, hashing: .bytes)
    }

    /// With `hashing`: `.constant` puts every key on one probe chain (for tests).
    init(minimumCapacity capacity: Int, hashing: KeyHash.Mode) {
        self.hashing = hashing
        slots = ContiguousArray(repeating: 0, count: Self.slotCount(for: capacity))
        keys.reserveCapacity(capacity)
    }

    public init(_ keys: some Sequence<String>) {
        self.init(minimumCapacity: keys.underestimatedCount)
        for key in keys { insert(key) }
    }

    public init(arrayLiteral keys: String...) { self.init(keys) }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Whether the set holds `key` (the same bytes).
    public func contains(_ key: String) -> Bool {
        slots[position(of: key, hash: KeyHash.of(key, mode: hashing))] != 0
    }

    /// Adds `key`; returns false when it was held already.
    @discardableResult
    public mutating func insert(_ key: String) -> Bool {
        let hash = KeyHash.of(key, mode: hashing)
        let position = position(of: key, hash: hash)
        guard slots[position] == 0 else { return false }
        // 32 bits of entry number: four billion keys, far beyond what fits in memory as Strings.
        precondition(keys.count < Int(Self.entryBits), "more keys than a slot can number")
        keys.append(key)
        slots[position] = (hash & Self.tagBits) | UInt64(keys.count)
        if keys.count * 4 > slots.count * 3 { grow() }
        return true
    }

    /// The slot holding `key`, or the empty slot where it belongs.
    private func position(of key: String, hash: UInt64) -> Int {
        let tag = hash & Self.tagBits
        let mask = slots.count - 1
        var position = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[position]
            if slot == 0 { return position }
            if slot & Self.tagBits == tag && keys[Int(truncatingIfNeeded: slot & Self.entryBits) - 1].hasSameBytes(as: key) {
                return position
            }
            position = (position + 1) & mask
        }
    }

    /// Doubles the slots and places every key again.
    private mutating func grow() {
        var grown = ContiguousArray<UInt64>(repeating: 0, count: slots.count * 2)
        let mask = grown.count - 1
        for slot in slots where slot != 0 {
            let entry = Int(truncatingIfNeeded: slot & Self.entryBits) - 1
            var position = Int(truncatingIfNeeded: KeyHash.of(keys[entry], mode: hashing)) & mask
            while grown[position] != 0 { position = (position + 1) & mask }
            grown[position] = slot
        }
        slots = grown
    }

    /// A power of two, at most three quarters full with `keys`.
    private static func slotCount(for keys: Int) -> Int {
        var count = 16
        while count * 3 < keys * 4 { count <<= 1 }
        return count
    }

}
