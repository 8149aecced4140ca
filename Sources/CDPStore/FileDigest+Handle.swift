import CDPRepositories
import Crypto
import Foundation

extension FileDigest {
    /// The SHA-256 and size of what `handle` reads from where it stands to the end, for a file the caller
    /// opened (and checked) itself. `name` is how messages name the file.
    /// - Throws: `StoreError.io` naming the file.
    public static func sha256(readingFrom handle: FileHandle, name: String) throws(StoreError) -> (hex: String, bytes: Int64) {
        var hasher = SHA256()
        var total: Int64 = 0
        do {
            while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
                hasher.update(data: chunk)
                total += Int64(chunk.count)
            }
        } catch {
            throw StoreError(.io, "cannot read \(name)", underlying: error)
        }
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), total)
    }
}
