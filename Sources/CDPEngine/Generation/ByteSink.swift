import Foundation

/// A buffered, append-only file writer that counts what it wrote.
///
/// Rows are appended as bytes into a buffer that is flushed in large blocks, so a million rows never
/// sit in memory and the per-row cost stays a few appends.
final class ByteSink {
    private let handle: FileHandle
    private let url: URL
    private(set) var buffer: [UInt8] = []
    private(set) var bytesWritten = 0
    private let flushThreshold = 1 << 20

    /// Creates (or truncates) the file, creating intermediate directories.
    ///
    /// - Throws: `GenerationError` with code `cannotCreateFile`.
    init(url: URL) throws {
        self.url = url
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw GenerationError(
                code: .cannotCreateFile,
                message: "cannot create the folder for \(url.path); check it is writable",
                cause: String(describing: error))
        }
        guard fileManager.createFile(atPath: url.path, contents: nil) else {
            throw GenerationError(
                code: .cannotCreateFile, message: "cannot create \(url.path); check the folder is writable",
                cause: nil)
        }
        do {
            handle = try FileHandle(forWritingTo: url)
        } catch {
            throw GenerationError(
                code: .cannotCreateFile, message: "cannot open \(url.path) for writing",
                cause: String(describing: error))
        }
        buffer.reserveCapacity(flushThreshold + 64 * 1024)
    }

    deinit {
        try? handle.close()
    }

    @inline(__always) func append(_ byte: UInt8) {
        buffer.append(byte)
    }

    @inline(__always) func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    func append(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// Ends a row: flushes when the buffer is large.
    ///
    /// - Throws: `GenerationError` with code `cannotWrite`.
    func endRow() throws {
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Writes out the buffer.
    ///
    /// - Throws: `GenerationError` with code `cannotWrite`.
    func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw GenerationError(
                code: .cannotWrite, message: "cannot write to \(url.path); is the disk full?",
                cause: String(describing: error))
        }
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file.
    ///
    /// - Throws: `GenerationError` with code `cannotWrite`.
    func close() throws {
        try flush()
        do {
            try handle.close()
        } catch {
            throw GenerationError(
                code: .cannotWrite, message: "cannot close \(url.path)", cause: String(describing: error))
        }
    }

    /// Bytes written so far, buffered ones included.
    var totalBytes: Int { bytesWritten + buffer.count }

    /// Drops the last `count` buffered bytes (used to cut the deliberately truncated last line).
    func dropLast(_ count: Int) {
        buffer.removeLast(Swift.min(count, buffer.count))
    }
}
