/// Somewhere UTF-8 bytes are appended: JSON and other text written by hand go through this, so one writer
/// serves both a plain `[UInt8]` and a ``ByteAccumulator``.
public protocol ByteOutput {
    mutating func append(_ byte: UInt8)
    mutating func append(bytes: UnsafeBufferPointer<UInt8>)
}

extension ByteOutput {
    /// Appends the UTF-8 bytes of `text`.
    @inlinable
    public mutating func append(utf8 text: String) {
        TextNormalization.withBytes(text) { append(bytes: $0) }
    }
}

extension Array: ByteOutput where Element == UInt8 {
    @inlinable
    public mutating func append(bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}

/// A byte buffer that only grows at its end, one `memcpy` an append.
///
/// Ingestion copies every text of a chunk (a key, each value) into one buffer: some ten appends a row.
/// `Array.append(contentsOf:)` spent about a hundred instructions a call before copying a byte (generic
/// sequence handling); here the storage is kept filled to its capacity and `count` marks the end, so an
/// append is a bounds check and a copy.
public struct ByteAccumulator: Sendable, ByteOutput {
    /// Filled to the buffer's capacity (`storage.count`); the bytes past `count` are not part of it.
    @usableFromInline var storage: [UInt8]
    public private(set) var count = 0

    public init(capacity: Int = 0) {
        storage = [UInt8](repeating: 0, count: max(capacity, 64))
    }

    public var isEmpty: Bool { count == 0 }

    @inlinable
    public mutating func append(_ byte: UInt8) {
        if count == storage.count { grow(toHold: count + 1) }
        storage[count] = byte
        setCount(count + 1)
    }

    @inlinable
    public mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        let end = count + bytes.count
        if end > storage.count { grow(toHold: end) }
        let start = count
        storage.withUnsafeMutableBufferPointer { target in
            (target.baseAddress! + start).update(from: source, count: bytes.count)
        }
        setCount(end)
    }

    /// Empties the buffer, keeping its storage.
    public mutating func removeAll() { count = 0 }

    /// Calls `body` with the buffer's bytes.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let count = self.count
        return try storage.withUnsafeBufferPointer { all in try body(UnsafeBufferPointer(rebasing: all[..<count])) }
    }

    /// The bytes, copied.
    public var bytes: [UInt8] { Array(storage[..<count]) }

    @usableFromInline
    mutating func setCount(_ newCount: Int) { count = newCount }

    @usableFromInline
    mutating func grow(toHold needed: Int) {
        var capacity = storage.count * 2
        while capacity < needed { capacity *= 2 }
        storage.append(contentsOf: repeatElement(0, count: capacity - storage.count))
    }
}
