import PostgresNIO

extension PostgresSession {
    /// Copies rows into a table of the session's `search_path` with `COPY … FROM STDIN` (text format): one
    /// statement however many rows, streamed batch by batch as `nextBatch` hands them over (nil when done).
    /// Values are text as PostgreSQL reads it into each column's type; nil is NULL.
    /// - Returns: how many rows were copied.
    /// - Throws: `.invalidSettings` for a table or column name that is not a plain identifier; the server's refusal
    ///   (a value its column cannot hold, a constraint) as `.database`, naming the table; what `nextBatch` throws.
    public func copyRows(
        into table: String, columns: [String], nextBatch: () async throws(PostgresStoreError) -> [[String?]]?
    ) async throws(PostgresStoreError) -> Int {
        for name in [table] + columns where name.range(of: "^[a-z_][a-z0-9_]*$", options: .regularExpression) == nil {
            throw PostgresStoreError(.invalidSettings, "cannot copy into \(table): '\(name)' is not a plain identifier")
        }
        var copied = 0
        var failure: PostgresStoreError?
        do {
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                var buffer = ByteBuffer()
                while true {
                    let batch: [[String?]]?
                    do throws(PostgresStoreError) { batch = try await nextBatch() } catch {
                        failure = error
                        throw error
                    }
                    guard let batch else { break }
                    buffer.clear()
                    for row in batch {
                        for (index, value) in row.enumerated() {
                            if index > 0 { buffer.writeStaticString("\t") }
                            if let value { Self.writeCopyText(value, to: &buffer) } else { buffer.writeStaticString("\\N") }
                        }
                        buffer.writeStaticString("\n")
                    }
                    copied += batch.count
                    try await writer.write(buffer)
                }
            }
        } catch {
            if let failure { throw failure }
            var wrapped = Self.wrap(error, doing: "COPY \(table)")
            wrapped.message = "copying into \(table) failed: \(wrapped.message)"
            throw wrapped
        }
        return copied
    }

    /// A value in COPY's text format: backslash, tab, newline and carriage return escaped.
    static func writeCopyText(_ value: String, to buffer: inout ByteBuffer) {
        var plain = true
        for byte in value.utf8
        where byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
            plain = false
            break
        }
        guard !plain else {
            buffer.writeString(value)
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }
}

extension PostgresSession {
    /// Copies rows already laid out in COPY's text format (tab between values, newline after each row, `\N` for
    /// NULL; see ``writeCopyText(bytes:to:)``) into a table, in one `COPY … FROM STDIN`.
    /// - Throws: `.invalidSettings` for a name that is not a plain identifier; the server's refusal as `.database`.
    public func copyText(_ text: ByteBuffer, into table: String, columns: [String]) async throws(PostgresStoreError) {
        for name in [table] + columns where name.range(of: "^[a-z_][a-z0-9_]*$", options: .regularExpression) == nil {
            throw PostgresStoreError(.invalidSettings, "cannot copy into \(table): '\(name)' is not a plain identifier")
        }
        do {
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in try await writer.write(text) }
        } catch {
            var wrapped = Self.wrap(error, doing: "COPY \(table)")
            wrapped.message = "copying into \(table) failed: \(wrapped.message)"
            throw wrapped
        }
    }

    /// UTF-8 text as a value of COPY's text format: backslash, tab, newline and carriage return escaped.
    public static func writeCopyText(bytes: UnsafeBufferPointer<UInt8>, to buffer: inout ByteBuffer) {
        var start = 0
        for index in bytes.indices {
            let escaped: StaticString
            switch bytes[index] {
            case UInt8(ascii: "\\"): escaped = "\\\\"
            case UInt8(ascii: "\t"): escaped = "\\t"
            case UInt8(ascii: "\n"): escaped = "\\n"
            case UInt8(ascii: "\r"): escaped = "\\r"
            default: continue
            }
            if index > start { buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<index]))) }
            buffer.writeStaticString(escaped)
            start = index + 1
        }
        if bytes.count > start { buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start...]))) }
    }
}
