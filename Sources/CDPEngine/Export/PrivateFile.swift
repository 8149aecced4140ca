import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file that will hold personal values (an export), created readable and writable by its owner only (0600)
/// from its first byte: a file made 0644 and narrowed afterwards can be opened by anyone in between, and an open
/// descriptor keeps reading whatever is written later.
public enum PrivateFile {
    /// Creates `path` anew (an old file there is replaced) with mode 0600, whatever the umask, and opens it for writing.
    /// - Parameter shownAs: the file the user asked for, named in the error (`path` may be a partial file beside it).
    /// - Throws: `.input` naming the file when it cannot be created.
    public static func create(atPath path: String, shownAs: String? = nil) throws(EngineError) -> FileHandle {
        unlink(path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw EngineError(.input, "cannot write \(shownAs ?? path): \(reason); check the folder exists and is writable")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
