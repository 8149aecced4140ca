import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Copies a file's bytes into a new file.
enum FileCopy {
    /// Copies `source` to `target` (created, or emptied if it exists) until the end of `source`, and returns
    /// the bytes copied. On Linux the kernel copies from page cache to page cache (`sendfile`): the landed
    /// copy of a source file no longer passes through this process, which read and wrote every byte (a
    /// twentieth of ingesting the events file). Where the kernel cannot (a file like those in /proc, which
    /// report no size), it is read and written here; on other systems Foundation copies it.
    ///
    /// `source` is opened as an inbox file (``InboxFile``): a regular file, not through a symbolic link.
    /// `sourceName` is how messages name it (the path by default).
    static func copy(_ source: URL, to target: URL, sourceName: String? = nil) throws(EngineError) -> Int64 {
        #if canImport(Glibc)
            // `send` writes nothing when it refuses, so reading and writing goes on from the start.
            return try withFiles(source.path, target.path, sourceName: sourceName) { (input, output) throws(EngineError) in
                if let copied = try send(input, output, target.path) { return copied }
                return try readAndWrite(input, output, source.path, target.path)
            }
        #else
            return try foundationCopy(source, to: target)
        #endif
    }

    private static func foundationCopy(_ source: URL, to target: URL) throws(EngineError) -> Int64 {
        do {
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: source, to: target)
            let size = try FileManager.default.attributesOfItem(atPath: target.path)[.size] as? NSNumber
            return size?.int64Value ?? 0
        } catch {
            throw EngineError(.input, "cannot copy \(source.path) to \(target.path): \(error.localizedDescription); check the folder's free space and permissions")
        }
    }

    #if canImport(Glibc)
        /// The kernel's copy alone; nil when it cannot copy between these files.
        static func kernelCopy(_ source: String, to target: String) throws(EngineError) -> Int64? {
            try withFiles(source, target) { (input, output) throws(EngineError) in try send(input, output, target) }
        }

        /// The copy through a buffer alone.
        static func readAndWrite(_ source: String, to target: String) throws(EngineError) -> Int64 {
            try withFiles(source, target) { (input, output) throws(EngineError) in try readAndWrite(input, output, source, target) }
        }

        /// Opens `source` to read and `target` to write (created or emptied), runs `body`, and closes both;
        /// a write the disk refuses late (full, or a network folder) can first show when `target` closes.
        private static func withFiles<T>(
            _ source: String, _ target: String, sourceName: String? = nil, _ body: (Int32, Int32) throws(EngineError) -> T
        ) throws(EngineError) -> T {
            let handle = try InboxFile.openForReading(source, displayName: sourceName ?? source)
            defer { try? handle.close() }
            let input = handle.fileDescriptor
            let output = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard output >= 0 else { throw failure("cannot create", target) }
            let result: T
            do {
                result = try body(input, output)
            } catch {
                close(output)
                throw error
            }
            guard close(output) == 0 else { throw failure("cannot finish writing", target) }
            return result
        }

        /// Copies by `sendfile` until the end of the input; nil when the kernel refuses these files before
        /// anything was written.
        private static func send(_ input: Int32, _ output: Int32, _ target: String) throws(EngineError) -> Int64? {
            var copied: Int64 = 0
            while true {
                // Up to 1 GiB a call (the kernel stops at about 2 GiB); 0 at the end of the file.
                let sent = sendfile(output, input, nil, 1 << 30)
                if sent > 0 {
                    copied += Int64(sent)
                } else if sent == 0 {
                    return copied
                } else if errno == EINTR {
                    continue
                } else if copied == 0 && (errno == EINVAL || errno == ENOSYS) {
                    return nil
                } else {
                    throw failure("cannot copy into", target)
                }
            }
        }

        /// Copies through a buffer until reading gives nothing more.
        private static func readAndWrite(_ input: Int32, _ output: Int32, _ source: String, _ target: String) throws(EngineError) -> Int64 {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buffer.deallocate() }
            var copied: Int64 = 0
            while true {
                let count = read(input, buffer.baseAddress, buffer.count)
                if count == 0 { return copied }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw failure("cannot read", source)
                }
                var written = 0
                while written < count {
                    let step = write(output, buffer.baseAddress! + written, count - written)
                    if step < 0 {
                        if errno == EINTR { continue }
                        throw failure("cannot write", target)
                    }
                    written += step
                }
                copied += Int64(count)
            }
        }

        private static func failure(_ what: String, _ path: String) -> EngineError {
            EngineError(.input, "\(what) \(path): \(String(cString: strerror(errno))); check the folder's free space and permissions")
        }
    #endif
}
