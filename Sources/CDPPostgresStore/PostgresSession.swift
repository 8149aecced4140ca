import Foundation
import PostgresNIO

/// One connection to the team store, logged in as the person using it.
///
/// Who that is comes from the server (`current_user` after login), never from `$USER`: PostgreSQL checked it
/// (the kernel's user by peer authentication over the socket, or a password by SCRAM).
public final class PostgresSession: Sendable {
    public let settings: PostgresSettings
    let connection: PostgresConnection
    let logger: Logger

    init(settings: PostgresSettings, connection: PostgresConnection, logger: Logger) {
        self.settings = settings
        self.connection = connection
        self.logger = logger
    }

    /// Logs in to the store.
    /// - Parameters:
    ///   - environment: `PGPASSFILE` and the like; the process's by default.
    ///   - applicationName: shown in `pg_stat_activity` (and by the run lock naming who holds it).
    /// - Throws: `.credentials` for a password file others may read; `.connection` naming the address (never a
    ///   password) and the server's reason.
    public static func connect(
        _ settings: PostgresSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
        applicationName: String = "cdp"
    ) async throws(PostgresStoreError) -> PostgresSession {
        let password = try settings.password(environment: environment, home: CredentialFile.home())
        let logger = Logger(label: "cdp.postgres")
        // A server is given the password only when it asks for it by SCRAM or MD5, never in clear text: whoever names
        // the address (a workspace's cdp.toml, `--store`) could otherwise run a server of their own that asks for it
        // and read the password of every colleague whose password file has a wildcard line. So the first login
        // offers none; postgres-nio then answers a request in clear text with an empty password, and stops at SCRAM or
        // MD5 without sending anything, when the login is retried with it (libpq's require_auth does the same).
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try configuration(settings, password: nil, applicationName: applicationName), id: 1, logger: logger)
            return PostgresSession(settings: settings, connection: connection, logger: logger)
        } catch let error as PSQLError where password != nil && error.code == .authMechanismRequiresPassword {
            // SCRAM or MD5: the server proves it knows the password (SCRAM) or sees only a salted hash (MD5). But the
            // second login is a new conversation, in which whoever answers may ask for the password in clear text
            // instead, and postgres-nio cannot be told to refuse that: so it goes only to an authenticated server.
            guard settings.authenticatesTheServer else { throw unauthenticatedServer(settings) }
            try settings.checkSocketServer()
        } catch {
            throw loginFailure(settings, error, passwordOffered: password != nil)
        }
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try configuration(settings, password: password, applicationName: applicationName), id: 2, logger: logger)
            return PostgresSession(settings: settings, connection: connection, logger: logger)
        } catch {
            throw loginFailure(settings, error, passwordOffered: false)
        }
    }

    private static func unauthenticatedServer(_ settings: PostgresSettings) -> PostgresStoreError {
        let connection =
            settings.tls == .disable
            ? "plain TCP" : settings.tls == .verifyFull
                ? "TLS to an IP address, whose certificate cannot be checked against a host name here,"
                : "TLS with sslmode=\(settings.tls.rawValue), which does not check whose certificate it is,"
        return PostgresStoreError(
            .connection,
            "cannot log in to \(settings): the server asked for a password, and cdp sends a password only to a server it has "
                + "authenticated, over the Unix socket or TLS with sslmode=verify-full: over \(connection) whoever answers at that "
                + "address (a server of someone else's, or a man in the middle) could ask for it by SCRAM first and in clear text at "
                + "the next login. Name the server by its host name with sslmode=verify-full in the address (its certificate must "
                + "then be trusted by this machine and name that host), or connect over the server's socket folder")
    }

    private static func loginFailure(_ settings: PostgresSettings, _ error: any Error, passwordOffered: Bool) -> PostgresStoreError {
        let reason = serverMessage(error) ?? String(describing: error)
        let cleartext =
            passwordOffered && sqlState(error) == "28P01"
            ? " (cdp gives a password only to a server that asks for it by SCRAM-SHA-256 or MD5, never in clear text: "
                + "set the server's pg_hba.conf to scram-sha-256, or use peer authentication over the socket)" : ""
        return PostgresStoreError(
            .connection,
            "cannot log in to \(settings): \(reason)\(cleartext). Check that the server runs, that the role exists, and that it "
                + "authenticates you (peer over the socket, or a password in ~/.pgpass or PGPASSFILE)",
            underlying: error, sqlState: sqlState(error))
    }

    private static func configuration(_ settings: PostgresSettings, password: String?, applicationName: String) throws(PostgresStoreError)
        -> PostgresConnection.Configuration
    {
        var configuration: PostgresConnection.Configuration
        switch settings.endpoint {
        case .socket(let folder):
            guard let path = settings.socketPath else { throw PostgresStoreError(.invalidSettings, "no socket in \(folder)") }
            configuration = .init(unixSocketPath: path, username: settings.user, password: password, database: settings.database)
        case .tcp(let host):
            let tls: PostgresConnection.Configuration.TLS
            do {
                var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
                if settings.tls != .verifyFull { tlsConfiguration.certificateVerification = .none }
                switch settings.tls {
                case .disable: tls = .disable
                case .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
                case .require, .verifyFull: tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
                }
            } catch {
                throw PostgresStoreError(.connection, "cannot set up TLS for \(settings)", underlying: error)
            }
            configuration = .init(
                host: host, port: settings.port, username: settings.user, password: password, database: settings.database, tls: tls)
        }
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        return configuration
    }

    /// The role the server logged this session in as: the identity every decision is recorded under.
    public func currentUser() async throws(PostgresStoreError) -> String {
        guard let user = try await rows("SELECT current_user::text").first?.first ?? nil else {
            throw PostgresStoreError(.database, "the server did not say who is logged in")
        }
        return user
    }

    /// Runs one statement, discarding what it returns.
    public func execute(_ sql: String, _ arguments: [String?] = []) async throws(PostgresStoreError) {
        _ = try await rows(sql, arguments)
    }

    /// Runs one statement with text arguments (`$1`, `$2`, …) and returns every row, each value as text (cast in
    /// the SQL where a column is not text), `nil` for NULL.
    public func rows(_ sql: String, _ arguments: [String?] = []) async throws(PostgresStoreError) -> [[String?]] {
        var bindings = PostgresBindings()
        for argument in arguments {
            if let argument { bindings.append(argument) } else { bindings.appendNull() }
        }
        do {
            let sequence = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            var result: [[String?]] = []
            for try await row in sequence {
                var values: [String?] = []
                for cell in row {
                    values.append(try cell.decode(String?.self))
                }
                result.append(values)
            }
            return result
        } catch {
            throw Self.wrap(error, doing: String(sql.prefix(80)))
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// - Parameter begin: the statement that starts it (`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY` for reads
    ///   that must see one snapshot).
    public func transaction<T: Sendable>(begin: String = "BEGIN", _ body: (PostgresSession) async throws(PostgresStoreError) -> T)
        async throws(PostgresStoreError) -> T
    {
        try await execute(begin)
        do throws(PostgresStoreError) {
            let value = try await body(self)
            try await execute("COMMIT")
            return value
        } catch {
            try? await execute("ROLLBACK")
            throw error
        }
    }

    public func close() async {
        try? await connection.close()
    }

    /// A server error as the store reports it: the server's message and SQLSTATE kept (the error's own
    /// description is deliberately vague), and the code told apart (a missing privilege, a lost race).
    static func wrap(_ error: any Error, doing operation: String) -> PostgresStoreError {
        let state = sqlState(error)
        let message = serverMessage(error) ?? String(describing: error)
        let code: PostgresStoreError.Code
        switch state {
        case "42501": code = .forbidden
        case PostgresTeamStore.conflictState: code = .conflict
        case "P0002": code = .notFound
        // A lock waited for past its lock_timeout: another session's open transaction holds what this needs.
        case "55P03": code = .busy
        default: code = .database
        }
        return PostgresStoreError(code, message, underlying: error, sqlState: state)
    }

    static func serverMessage(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.message]
    }

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
