import Foundation

/// libpq's password file (`~/.pgpass`, `PGPASSFILE`): lines `hostname:port:database:username:password`, where
/// `*` matches anything and `\` escapes `:` and `\`; the first line that matches wins.
struct PasswordFile {
    struct Line {
        var fields: [String]
    }

    var lines: [Line]

    /// Reads the file; `nil` when there is none.
    /// - Throws: `.credentials` when it is not a regular file, others may read or write it (libpq ignores such a
    ///   file; we refuse it, saying how to fix it), or it cannot be read.
    static func read(_ path: String) throws(PostgresStoreError) -> PasswordFile? {
        let text = try CredentialFile.read(path, kind: "password file")
        return text.map(parse)
    }

    static func parse(_ text: String) -> PasswordFile {
        var lines: [Line] = []
        for rawLine in text.split(whereSeparator: \.isNewline) where !rawLine.hasPrefix("#") {
            var fields: [String] = []
            var field = ""
            var escaped = false
            for character in rawLine {
                if escaped {
                    field.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == ":" && fields.count < 4 {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(character)
                }
            }
            fields.append(field)
            if fields.count == 5 { lines.append(Line(fields: fields)) }
        }
        return PasswordFile(lines: lines)
    }

    /// The password of the first line matching the connection (any of `hosts` names it).
    func password(hosts: [String], port: String, database: String, user: String) -> String? {
        func matches(_ pattern: String, _ value: String) -> Bool { pattern == "*" || pattern == value }
        for line in lines {
            let fields = line.fields
            if hosts.contains(where: { matches(fields[0], $0) }) && matches(fields[1], port) && matches(fields[2], database)
                && matches(fields[3], user)
            {
                return fields[4]
            }
        }
        return nil
    }
}

/// libpq's connection service file (`PGSERVICEFILE`, else `~/.pg_service.conf`): `[name]` sections of
/// `key=value` lines.
enum ServiceFile {
    /// The settings of service `name`.
    /// - Throws: `.credentials` when the file cannot be used (see ``CredentialFile``) or holds no such service.
    static func entry(_ name: String, environment: [String: String]) throws(PostgresStoreError) -> [String: String] {
        guard let path = environment["PGSERVICEFILE"] ?? CredentialFile.home().map({ $0 + "/.pg_service.conf" }),
            let text = try CredentialFile.read(path, kind: "service file", mustBePrivate: false)
        else {
            throw PostgresStoreError(
                .credentials,
                "service '\(name)' is not defined: there is no service file (~/.pg_service.conf, or the file PGSERVICEFILE names)")
        }
        var section: String?
        var settings: [String: String] = [:]
        var found = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                if section == name { found = true }
                continue
            }
            guard section == name else { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw PostgresStoreError(.credentials, "\(path):\(index + 1): '\(line.prefix(40))' is not key=value")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            settings[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        guard found else { throw PostgresStoreError(.credentials, "service '\(name)' is not defined in \(path)") }
        // A service file may be shared (it names servers); one holding a password must be private like ~/.pgpass.
        if settings["password"] != nil { _ = try CredentialFile.read(path, kind: "service file", mustBePrivate: true) }
        return settings
    }
}

/// Reading a file that may hold a password: only a regular file that neither group nor others can read or write.
enum CredentialFile {
    /// The kernel's user's home folder (the user database's, not `$HOME`).
    static func home() -> String? {
        guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
        return String(cString: directory)
    }

    /// The file's text; `nil` when it does not exist.
    /// - Parameter mustBePrivate: refuse a file group or others may read or write (one that holds a password).
    static func read(_ path: String, kind: String, mustBePrivate: Bool = true) throws(PostgresStoreError) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { return nil }
            throw PostgresStoreError(.credentials, "the \(kind) \(path) cannot be read: \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw PostgresStoreError(.credentials, "the \(kind) \(path) is not a regular file")
        }
        let mode = status.st_mode & 0o777
        guard !mustBePrivate || mode & 0o077 == 0 else {
            throw PostgresStoreError(
                .credentials,
                "the \(kind) \(path) may be read or written by others (mode \(String(mode, radix: 8))), so the password in it is "
                    + "not secret: chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PostgresStoreError(.credentials, "the \(kind) \(path) cannot be read")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
