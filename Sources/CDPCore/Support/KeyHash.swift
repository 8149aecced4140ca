/// A hash of a key's bytes for the byte-keyed hash tables (``KeySet``, the checker's key table, matching's
/// text columns): eight bytes a step, then mixed so that every bit of the key reaches the low bits a table
/// indexes by.
///
/// Not stored anywhere and not for security: only fast and well spread. FNV-1a, a byte a step, took eight
/// instructions a byte; keys like E000000001 and E000000002 must still land apart.
public enum KeyHash {
    /// How a table hashes its keys: `bytes` for use; `constant` puts every key on one tag and probe chain,
    /// so tests reach the comparison of keys whose hashes agree.
    public enum Mode: Sendable {
        case bytes
        case constant
    }

    @inlinable
    public static func of(_ key: String, mode: Mode) -> UInt64 {
        mode == .bytes ? of(key) : 0x9E37_7900_0000_0000
    }

    @inlinable
    public static func of(_ key: String) -> UInt64 {
        TextNormalization.withBytes(key) { of(bytes: UnsafeRawBufferPointer($0)) }
    }

    @inlinable
    public static func of(bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = mix(hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        if offset < bytes.count {
            // The last one to seven bytes, in the low bytes of one word.
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < bytes.count {
                tail |= UInt64(bytes[offset]) << shift
                shift += 8
                offset += 1
            }
            hash = mix(hash ^ tail)
        }
        return finish(hash)
    }

    /// One multiply and a rotate a word (as in wyhash and its kin), enough before ``finish(_:)``.
    @inlinable @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        let product = value &* 0xFF51_AFD7_ED55_8CCD
        return (product << 31) | (product >> 33)
    }

    /// MurmurHash3's 64-bit finaliser: every input bit flips about half the output bits.
    @inlinable @inline(__always)
    static func finish(_ value: UInt64) -> UInt64 {
        var value = value
        value ^= value >> 33
        value &*= 0xFF51_AFD7_ED55_8CCD
        value ^= value >> 33
        value &*= 0xC4CE_B9FE_1A85_EC53
        value ^= value >> 33
        return value
    }
}
