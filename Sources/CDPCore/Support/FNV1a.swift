/// 64-bit FNV-1a: a fast, stable hash of bytes, for change detection and hash tables (not for security).
///
/// Stable across runs and machines, unlike `Hasher`: the lake stores these values as content hashes.
public struct FNV1a: Sendable {
    @usableFromInline var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    @inlinable
    public mutating func addByte(_ byte: UInt8) {
        state = (state ^ UInt64(byte)) &* 0x100_0000_01b3
    }

    @inlinable
    public mutating func add(_ text: String) {
        // Native strings lend their bytes without a copy (a copy is a retain and a release).
        if text.utf8.withContiguousStorageIfAvailable({ add(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            for byte in text.utf8 { addByte(byte) }
        }
    }

    @inlinable
    public mutating func add(bytes: UnsafeRawBufferPointer) {
        for byte in bytes { addByte(byte) }
    }

    public var value: Int64 { Int64(bitPattern: state) }

}
