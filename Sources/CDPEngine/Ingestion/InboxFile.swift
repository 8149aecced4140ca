import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading what arrives in a source's inbox, which anyone who can drop a file there controls: only regular
/// files are read, never through a symbolic link, and opening never waits.
///
/// Each open is checked on the descriptor it returns (`O_NOFOLLOW`, then `fstat`), not by looking at the
/// path first, so nothing can be swapped in between a check and the read. `O_NONBLOCK` makes opening a
/// named pipe with no writer return at once (it waited forever: `cdp run` hung on a FIFO in the inbox).
enum InboxFile {
    /// Opens `path` to read.
    /// - Throws: `EngineError.input` naming the file when it is not a regular file (a symbolic link, a
    ///   folder, a named pipe, a device, a socket) or cannot be opened.
    static func openForReading(_ path: String, displayName: String) throws(EngineError) -> FileHandle {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let error = errno
            if error == ELOOP {
                throw EngineError(.input, "\(displayName) is a symbolic link; links in an inbox are not followed when the file is read")
            }
            if error == ENXIO { throw notRegular(displayName, "a socket") }
            throw EngineError(
                .input, "\(displayName): cannot open the file: \(String(cString: strerror(error))); check that it exists and can be read")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let error = errno
            close(descriptor)
            throw EngineError(.input, "\(displayName): cannot read its status: \(String(cString: strerror(error)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw notRegular(displayName, kind(of: status.st_mode))
        }
        // Reads of a regular file never wait anyway; clear the flag so nothing downstream sees EAGAIN.
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// What a file of mode `mode` is, in words ("a named pipe (FIFO)").
    static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a named pipe (FIFO)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    private static func notRegular(_ displayName: String, _ kind: String) -> EngineError {
        EngineError(.input, "\(displayName) is \(kind), not a regular file; only regular files are read from an inbox")
    }
}
