import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A new folder only this user may enter, in the temporary folder: a name others can predict in a shared temporary
/// folder lets them place a link, or files of their own, there first.
enum PrivateTemporaryFolder {
    /// Makes `prefix-XXXXXX` with `mkdtemp` (an unpredictable name, mode 0700).
    /// - Throws: `.workspace` when the temporary folder cannot be written.
    static func make(prefix: String) throws(EngineError) -> URL {
        let parent = FileManager.default.temporaryDirectory.path
        var template = Array((parent + "/\(prefix)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw EngineError(
                .workspace, "cannot make a folder in \(parent): \(String(cString: strerror(errno))); set TMPDIR to a writable folder")
        }
        return URL(fileURLWithPath: String(cString: made), isDirectory: true)
    }
}
