import Foundation

extension String {
    /// Whether both strings are the same UTF-8 bytes, as SQLite compares text. `==` compares canonical
    /// equivalence instead: "Zoë" precomposed equals "Zoe" + a combining diaeresis there, not in the lake.
    @inlinable
    public func hasSameBytes(as other: String) -> Bool {
        // Counting a native string's bytes is free; most strings that differ differ in length.
        guard utf8.count == other.utf8.count else { return false }
        // Native strings lend their bytes without a copy (a copy is a retain and a release).
        if let same = utf8.withContiguousStorageIfAvailable({ a in
            other.utf8.withContiguousStorageIfAvailable { b in
                a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
            }
        }), let same {
            return same
        }
        return utf8.elementsEqual(other.utf8)
    }
}
