import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Copies a file's bytes into a new file.
enum FileCopy {
    /// Copies `source` to `target` (created, or emptied if it exists). On Linux the kernel copies from page
    /// cache to page cache (`sendfile`): the landed copy of a source file no longer passes through this
    /// process, which read and wrote every byte (a twentieth of ingesting the events file). Elsewhere, or
    /// if the kernel refuses, Foundation copies it.
    static func copy(_ source: URL, to target: URL) throws {
        #if os(Linux)
            if try kernelCopy(source.path, to: target.path) { return }
        #endif
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: source, to: target)
    }

    #if os(Linux)
        /// Returns false when the kernel cannot copy between these files, before anything was written.
        private static func kernelCopy(_ source: String, to target: String) throws -> Bool {
            let input = open(source, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { throw failure("cannot open", source) }
            defer { close(input) }
            var status = stat()
            guard fstat(input, &status) == 0 else { throw failure("cannot read the size of", source) }
            let output = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard output >= 0 else { throw failure("cannot create", target) }
            defer { close(output) }
            var remaining = Int(status.st_size)
            var copied = 0
            while remaining > 0 {
                // At most 2 GiB a call (the kernel's limit).
                let sent = sendfile(output, input, nil, min(remaining, 1 << 30))
                if sent < 0 {
                    if errno == EINTR { continue }
                    if copied == 0 && (errno == EINVAL || errno == ENOSYS) { return false }
                    throw failure("cannot copy into", target)
                }
                if sent == 0 { break }  // It shrank while being copied; `cdp verify` finds the copy unlike its digest.
                remaining -= sent
                copied += sent
            }
            return true
        }

        private static func failure(_ what: String, _ path: String) -> CocoaError {
            CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "\(what) \(path): \(String(cString: strerror(errno)))"])
        }
    #endif
}
