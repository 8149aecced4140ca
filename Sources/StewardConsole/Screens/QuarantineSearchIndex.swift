import CDPCore
import CDPEngine
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The searchable text of every quarantined record (key, field values, failure values and messages),
/// lower-cased ASCII, packed in one buffer, so `/` can filter a million records per key press in
/// memory instead of a `LIKE` scan over every row's JSON.
///
/// Matching is ASCII case-insensitive substring search within one value, like SQLite's `LIKE '%…%'`.
final class QuarantineSearchIndex: Sendable {
    /// Record ids, ascending.
    let ids: [Int64]
    /// Where each record's text starts in `bytes`; a record ends where the next starts.
    private let starts: [Int32]
    private let bytes: [UInt8]

    /// Reads every record's text through the reader: without `view_pii` the text is the masked one, so a
    /// search cannot confirm a hidden value.
    /// - Throws: `EngineError` when the read fails.
    init(reader: LakeReader) throws(EngineError) {
        var ids: [Int64] = []
        var starts: [Int32] = []
        var bytes: [UInt8] = []
        try reader.forEachQuarantineSearchText { id, text in
            ids.append(id)
            starts.append(Int32(truncatingIfNeeded: bytes.count))
            for byte in text { bytes.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
            bytes.append(0x1E)
        }
        self.ids = ids
        self.starts = starts
        self.bytes = bytes
    }

    var count: Int { ids.count }
    /// Bytes held (for the benchmark's memory notes).
    var byteCount: Int { bytes.count + ids.count * 12 }

    /// Positions (indexes into ``ids``, ascending) of the records whose text contains `query`.
    /// With `candidates` (the positions matching a query `query` contains) only those are searched.
    func positions(matching query: String, within candidates: [Int32]? = nil) -> [Int32] {
        let needle = Array(query.utf8).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        guard !needle.isEmpty else { return Array(0..<Int32(ids.count)) }
        guard !needle.contains(0x1E), !needle.contains(0x1F) else { return [] }
        return bytes.withUnsafeBufferPointer { haystack -> [Int32] in
            needle.withUnsafeBufferPointer { needle -> [Int32] in
                var result: [Int32] = []
                if let candidates {
                    for position in candidates {
                        let start = Int(starts[Int(position)])
                        let end = Int(position) + 1 < starts.count ? Int(starts[Int(position) + 1]) : haystack.count
                        if Self.find(needle, in: haystack, from: start, to: end) != nil { result.append(position) }
                    }
                    return result
                }
                var from = 0
                while let hit = Self.find(needle, in: haystack, from: from, to: haystack.count) {
                    let position = self.position(containing: hit)
                    result.append(Int32(position))
                    from = position + 1 < starts.count ? Int(starts[position + 1]) : haystack.count
                }
                return result
            }
        }
    }

    /// The record whose text holds byte `offset`.
    private func position(containing offset: Int) -> Int {
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if Int(starts[middle]) <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// First offset in `from..<to` where `needle` starts: `memchr` for its first byte, then a compare.
    private static func find(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard let base = haystack.baseAddress, let needleBase = needle.baseAddress else { return nil }
        let first = Int32(needle[0])
        var start = from
        let last = to - needle.count
        while start <= last {
            guard let raw = memchr(base + start, first, last - start + 1) else { return nil }
            let offset = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(raw))
            if needle.count == 1 || memcmp(base + offset + 1, needleBase + 1, needle.count - 1) == 0 { return offset }
            start = offset + 1
        }
        return nil
    }
}
