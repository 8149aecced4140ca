import Foundation

extension String {
    /// Whether both strings are the same UTF-8 bytes, as SQLite compares text. `==` compares canonical
    /// equivalence instead: "Zoë" precomposed equals "Zoe" + a combining diaeresis there, not in the lake.
    @inlinable
    public func hasSameBytes(as other: String) -> Bool {
        // Counting a native string's bytes is free; most strings that differ differ in length.
        guard utf8.count == other.utf8.count else { return false }
        return TextNormalization.withBytes(self) { a in
            TextNormalization.withBytes(other) { b in a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
        }
    }
}
