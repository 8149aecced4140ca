import Foundation

/// Where the team store is and who logs in: read from a `postgresql://` address, a Unix socket folder or a
/// service name, never with a password in it.
///
/// A password written in `cdp.toml` would be read by everyone who can read the workspace, so one in the
/// address (`postgresql://ana:secret@db/acme`, `?password=`) is refused. Logins are PostgreSQL's own: peer
/// authentication over the Unix socket (no password at all), or SCRAM with the password in `~/.pgpass`
/// (`PGPASSFILE`) or in a service file (`~/.pg_service.conf`, `PGSERVICEFILE`), as libpq reads them.
public struct PostgresSettings: Hashable, Sendable, CustomStringConvertible {
    public enum Endpoint: Hashable, Sendable {
        /// A Unix socket in `folder` (the server's `unix_socket_directories`), named by the port.
        case socket(folder: String)
        case tcp(host: String)
    }

    /// How a TCP connection uses TLS, as libpq's `sslmode`.
    public enum TLSMode: String, Hashable, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var endpoint: Endpoint
    public var port: Int
    /// The login role. Defaults to the OS user the kernel names (as libpq does), never `$USER`.
    public var user: String
    public var database: String
    public var tls: TLSMode
    /// The password a service file gave; `nil` to look in the password file when connecting.
    var servicePassword: String?
    /// The account the server must run as over a Unix socket (`requirepeer`, as libpq names it); see
    /// ``checkSocketServer()`` for whom a socket proves without it.
    public var requiredPeer: String?

    /// The default socket folder of Debian's PostgreSQL packages.
    public static let defaultSocketFolder = "/var/run/postgresql"

    /// The socket file of a `.socket` endpoint.
    public var socketPath: String? {
        guard case .socket(let folder) = endpoint else { return nil }
        return (folder.hasSuffix("/") ? folder : folder + "/") + ".s.PGSQL.\(port)"
    }

    /// Whether only the server the address names can answer: over a Unix socket (whose owner and folder say who
    /// listens, which ``checkSocketServer()`` checks before a password is sent) or TLS that verified the server's certificate and name (`sslmode=verify-full`). cdp gives a password
    /// only then: elsewhere whoever answers (a server of someone else's, a man in the middle) may ask for SCRAM at the
    /// first login and for the password in clear text at the second, and postgres-nio would send it.
    public var authenticatesTheServer: Bool {
        switch endpoint {
        case .socket: return true
        case .tcp(let host): return tls == .verifyFull && !Self.isIPAddress(host)
        }
    }

    /// Whether `host` is an IPv4 or IPv6 address: a certificate is checked against a host's name, and for an address
    /// postgres-nio checks only who signed it (any certificate a trusted authority signed would do).
    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }

    /// The address without anything secret, for messages and the audit log.
    public var description: String {
        switch endpoint {
        case .socket(let folder):
            return "postgresql://\(user)@/\(database)?host=\(folder)&port=\(port)" + (requiredPeer.map { "&requirepeer=\($0)" } ?? "")
        case .tcp(let host):
            return "postgresql://\(user)@\(host):\(port)/\(database)"
        }
    }

    public init(endpoint: Endpoint, port: Int = 5432, user: String, database: String, tls: TLSMode = .prefer) {
        self.endpoint = endpoint
        self.port = port
        self.user = user
        self.database = database
        self.tls = tls
    }

    /// Reads a store's address: `postgresql://[user@][host][:port]/database[?host=/socket/folder&port=…&user=…&
    /// dbname=…&service=…&sslmode=…]` (or `postgres://`), a socket folder (`/var/run/postgresql`), or
    /// `service=NAME`. A host that is a path (or no host at all) means the Unix socket in that folder.
    /// - Parameters:
    ///   - environment: `PGSERVICEFILE`, `PGUSER`, `PGDATABASE`, `PGPORT` (as libpq reads them).
    ///   - osUser: the login role when the address names none: the kernel's user, as peer authentication sees it.
    /// - Throws: `.passwordInConfiguration` for a password in the address; `.invalidSettings` naming what
    ///   cannot be read; `.credentials` for a service file that cannot be used.
    public static func parse(_ text: String, environment: [String: String], osUser: String) throws(PostgresStoreError) -> PostgresSettings {
        let address = text.trimmingCharacters(in: .whitespaces)
        var parameters: [String: String] = [:]
        var urlUser: String?
        var urlHost: String?
        var urlPort: String?
        var urlDatabase: String?
        if address.hasPrefix("/") {
            urlHost = address
        } else if address.hasPrefix("service=") {
            parameters["service"] = String(address.dropFirst("service=".count))
        } else if let scheme = ["postgresql://", "postgres://"].first(where: { address.hasPrefix($0) }) {
            let url = try URLParts(address.dropFirst(scheme.count), address: address)
            urlUser = url.user
            urlHost = url.host
            urlPort = url.port
            urlDatabase = url.database
            parameters = url.parameters
        } else {
            throw PostgresStoreError(
                .invalidSettings,
                "'\(redacted(address))' is not a store address: write postgresql://USER@HOST/DATABASE, a socket folder such as "
                    + "\(defaultSocketFolder), or service=NAME")
        }
        if parameters["password"] != nil { throw passwordRefused(address) }
        let known: Set<String> = ["host", "port", "user", "dbname", "service", "sslmode", "requirepeer"]
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw PostgresStoreError(
                .invalidSettings, "'\(unknown)' is not a setting of a store address (known: \(known.sorted().joined(separator: ", ")))")
        }
        var service: [String: String] = [:]
        if let name = parameters["service"] {
            service = try ServiceFile.entry(name, environment: environment)
        }
        func pick(_ key: String, _ fromURL: String?) -> String? { parameters[key] ?? fromURL ?? service[key] }
        let host = pick("host", urlHost) ?? defaultSocketFolder
        let portText = pick("port", urlPort) ?? environment["PGPORT"] ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw PostgresStoreError(.invalidSettings, "port '\(portText)' is not a port number (1 to 65535)")
        }
        let user = pick("user", urlUser) ?? environment["PGUSER"] ?? osUser
        let database = pick("dbname", urlDatabase) ?? environment["PGDATABASE"] ?? user
        let tlsText = pick("sslmode", nil) ?? "prefer"
        guard let tls = TLSMode(rawValue: tlsText) else {
            throw PostgresStoreError(
                .invalidSettings, "sslmode '\(tlsText)' is not known (known: \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        for (name, value) in [("user", user), ("database", database)] where value.isEmpty || value.utf8.count > 63 || value.contains("\0") {
            throw PostgresStoreError(.invalidSettings, "the \(name) '\(value)' is not a PostgreSQL name (1 to 63 bytes)")
        }
        var settings = PostgresSettings(
            endpoint: host.hasPrefix("/") ? .socket(folder: host) : .tcp(host: host), port: port, user: user, database: database, tls: tls)
        settings.servicePassword = service["password"]
        settings.requiredPeer = pick("requirepeer", nil)
        return settings
    }

    /// The password to answer the server with, if it asks: the service file's, else the first matching line of
    /// the password file (`PGPASSFILE`, else `~/.pgpass` of the kernel's user). `nil` when there is none (peer
    /// authentication needs none).
    /// - Throws: `.credentials` for a password file others may read or that is not a regular file.
    public func password(environment: [String: String], home: String?) throws(PostgresStoreError) -> String? {
        if let servicePassword { return servicePassword }
        let path = environment["PGPASSFILE"] ?? home.map { ($0.hasSuffix("/") ? $0 : $0 + "/") + ".pgpass" }
        guard let path, let file = try PasswordFile.read(path) else { return nil }
        // As libpq matches: a socket in the default folder is `localhost`; any other folder only by its path.
        let hosts: [String]
        switch endpoint {
        case .socket(let folder):
            let trimmed = folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
            hosts = trimmed == Self.defaultSocketFolder ? ["localhost"] : [folder]
        case .tcp(let host): hosts = [host]
        }
        return file.password(hosts: hosts, port: String(port), database: database, user: user)
    }

    /// The parts of a `postgresql://` address after its scheme, percent-decoded (RFC 3986, as libpq reads it).
    struct URLParts {
        var user: String?
        var host: String?
        var port: String?
        var database: String?
        var parameters: [String: String] = [:]

        init(_ rest: Substring, address: String) throws(PostgresStoreError) {
            func decoded(_ text: Substring) throws(PostgresStoreError) -> String {
                guard let value = String(text).removingPercentEncoding else {
                    throw PostgresStoreError(.invalidSettings, "'\(redacted(address))' has a broken %-escape in '\(text)'")
                }
                return value
            }
            // The user-info runs to the last `@`, whatever it holds (a password may hold `/`, `?` or `@`): a `:`
            // before it is a password, refused before anything else reads a part of it.
            if let lastAt = rest.lastIndex(of: "@"), rest[..<lastAt].contains(":") {
                throw PostgresSettings.passwordRefused(address)
            }
            let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
            let beforeQuery = rest[..<queryStart]
            let userEnd = beforeQuery.lastIndex(of: "@")
            let hostStart = userEnd.map { beforeQuery.index(after: $0) } ?? beforeQuery.startIndex
            let pathStart = beforeQuery[hostStart...].firstIndex(of: "/") ?? beforeQuery.endIndex
            let authority = beforeQuery[hostStart..<pathStart]
            if let userEnd {
                let userInfo = beforeQuery[..<userEnd]
                user = userInfo.isEmpty ? nil : try decoded(userInfo)
            }
            var hostText = authority
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                hostText = authority[authority.index(after: authority.startIndex)..<close]
                let after = authority[authority.index(after: close)...]
                if after.hasPrefix(":") { port = String(after.dropFirst()) }
            } else if let colon = authority.lastIndex(of: ":") {
                hostText = authority[..<colon]
                port = String(authority[authority.index(after: colon)...])
            }
            host = hostText.isEmpty ? nil : try decoded(hostText)
            if pathStart < beforeQuery.endIndex {
                let path = beforeQuery[beforeQuery.index(after: pathStart)...]
                database = path.isEmpty ? nil : try decoded(path)
            }
            guard queryStart < rest.endIndex else { return }
            for pair in rest[rest.index(after: queryStart)...].split(separator: "&") {
                guard let equals = pair.firstIndex(of: "=") else {
                    throw PostgresStoreError(.invalidSettings, "'\(pair)' in '\(redacted(address))' has no value (write \(pair)=VALUE)")
                }
                let name = try decoded(pair[..<equals])
                if name == "password" { throw PostgresSettings.passwordRefused(address) }
                parameters[name] = try decoded(pair[pair.index(after: equals)...])
            }
        }
    }

    static func passwordRefused(_ address: String) -> PostgresStoreError {
        PostgresStoreError(
            .passwordInConfiguration,
            "the store address '\(redacted(address))' holds a password, which everyone who reads the workspace would read; "
                + "remove it and log in by peer authentication over the Unix socket, or put the password in ~/.pgpass "
                + "(a line HOST:PORT:DATABASE:USER:PASSWORD, chmod 600; or the file PGPASSFILE names) or in a service file")
    }

    /// The address with any password replaced, so a refusal never repeats a part of it: the whole user-info (up to
    /// the last `@`, as a password may hold `@`, `/` or `?`), and everything after `password=` (however its name
    /// is %-escaped; a password may hold `&`).
    static func redacted(_ address: String) -> String {
        var text = address
        let start = text.range(of: "://")?.upperBound ?? text.startIndex
        if let at = text[start...].lastIndex(of: "@") {
            text.replaceSubrange(start..<at, with: "****")
        }
        if let query = text.firstIndex(of: "?") {
            var pairStart = text.index(after: query)
            while pairStart < text.endIndex {
                let pairEnd = text[pairStart...].firstIndex(of: "&") ?? text.endIndex
                if let equals = text[pairStart..<pairEnd].firstIndex(of: "="),
                    (String(text[pairStart..<equals]).removingPercentEncoding ?? "").lowercased() == "password"
                {
                    text.replaceSubrange(text.index(after: equals)..<text.endIndex, with: "****")
                    break
                }
                pairStart = pairEnd < text.endIndex ? text.index(after: pairEnd) : text.endIndex
            }
        }
        if let range = text.range(of: "password=", options: .caseInsensitive), !text[range.upperBound...].hasPrefix("****") {
            text.replaceSubrange(range.upperBound..<text.endIndex, with: "****")
        }
        return text
    }
}
