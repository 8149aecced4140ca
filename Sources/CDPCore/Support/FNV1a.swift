/// 64-bit FNV-1a: a stable hash of bytes for change detection (not for security). Stable across runs and
/// machines, unlike `Hasher`: the lake stores these values as content hashes, so it must never change.
/// (Hash tables use ``KeyHash``, eight bytes a step.)
public struct FNV1a: Sendable {
    @usableFromInline var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    @inlinable
    public mutating func addByte(_ byte: UInt8) {
        state = (state ^ UInt64(byte)) &* 0x100_0000_01b3
    }

    @inlinable
    public mutating func add(_ text: String) {
        TextNormalization.withBytes(text) { add(bytes: UnsafeRawBufferPointer($0)) }
    }

    @inlinable
    public mutating func add(bytes: UnsafeRawBufferPointer) {
        for byte in bytes { addByte(byte) }
    }

    public var value: Int64 { Int64(bitPattern: state) }

}
