import CDPPostgresStore
import Foundation
import Testing

/// One private PostgreSQL cluster per test process: `initdb` in a temporary folder (as the `postgres` OS user
/// through `runuser` when the tests run as root: initdb refuses root), listening on a Unix socket in that folder
/// only (no TCP), on a private port. A watcher stops it and removes the folder as soon as this process ends,
/// however it ends.
///
/// Authentication is real: the harness's own OS user logs in as the superuser `postgres` by peer authentication
/// (mapped in pg_ident.conf), every other role by SCRAM with its password in a password file (`PGPASSFILE`).
///
/// The tests run when the server binaries exist (`/usr/lib/postgresql/15/bin`, or `CDP_POSTGRES_BIN`), and must
/// run when `CDP_REQUIRE_POSTGRES=1` (CI): then a missing server fails them instead of leaving them out.
final class PostgresTestCluster: Sendable {
    let folder: String
    let port: Int
    /// The password file every login role's password is written to.
    let passwordFile: String
    let osUser: String

    static let environment = ProcessInfo.processInfo.environment
    static let binaries = environment["CDP_POSTGRES_BIN"] ?? "/usr/lib/postgresql/15/bin"
    static var isRequired: Bool { environment["CDP_REQUIRE_POSTGRES"] == "1" }
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binaries + "/initdb") }
    /// Whether the PostgreSQL suites run.
    static var enabled: Bool { isInstalled || isRequired }
    /// The `psql` the tests log in with: the real client.
    static var psql: String {
        let beside = binaries + "/psql"
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : "psql"
    }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The cluster, started on first use.
    static let shared: Result<PostgresTestCluster, StartFailure> = Result { () throws(StartFailure) in try PostgresTestCluster() }

    static func get() throws -> PostgresTestCluster { try shared.get() }

    private init() throws(StartFailure) {
        guard Self.isInstalled else {
            throw StartFailure(
                description: "CDP_REQUIRE_POSTGRES=1 but there is no PostgreSQL server in \(Self.binaries) (apt-get install postgresql-15)")
        }
        let isRoot = getuid() == 0
        var template = Array("/tmp/cdp-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw StartFailure(description: "mkdtemp failed: \(String(cString: strerror(errno)))") }
        let folder = String(cString: made)
        self.folder = folder
        port = 54000 + Int(getpid() % 1000)
        passwordFile = folder + "-pgpass"
        osUser = getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "root"
        let runAs: [String]
        if isRoot {
            guard let postgres = getpwnam("postgres") else {
                throw StartFailure(description: "tests run as root but there is no OS user postgres")
            }
            chown(folder, postgres.pointee.pw_uid, postgres.pointee.pw_gid)
            runAs = ["runuser", "-u", "postgres", "--"]
        } else {
            runAs = []
        }
        chmod(folder, 0o700)
        let data = folder + "/data"
        func step(_ arguments: [String]) throws(StartFailure) {
            let result: Subprocess.Result
            do { result = try Subprocess.run(arguments) } catch {
                throw StartFailure(description: "\(arguments[0]) did not start: \(error)")
            }
            guard result.status == 0 else {
                throw StartFailure(description: "\(arguments.joined(separator: " ")) failed (\(result.status)): \(result.output)")
            }
        }
        try step(
            runAs + [Self.binaries + "/initdb", "-D", data, "-E", "UTF8", "--locale=C", "-U", "postgres", "--auth=trust", "--no-sync"])
        let hba = """
            # The harness's OS user is the superuser by peer authentication; everyone else logs in with a password.
            local all postgres peer map=harness
            local all all scram-sha-256
            """
        let ident = "harness \(osUser) postgres\nharness postgres postgres\n"
        // Written through the server's OS user, so the files stay its own.
        try step(
            runAs + [
                "sh", "-c", "printf '%s\\n' \"$1\" > \"$3/pg_hba.conf\" && printf '%s' \"$2\" > \"$3/pg_ident.conf\"", "sh", hba, ident,
                data,
            ])
        // The watcher: when this process is gone, stop the server at once and remove its folder.
        let stop = (runAs + [Self.binaries + "/pg_ctl", "-D", data, "stop", "-m", "immediate"]).joined(separator: " ")
        let watcher =
            "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(stop) >/dev/null 2>&1; rm -rf '\(folder)' '\(passwordFile)'"
        try step(["bash", "-c", Subprocess.closingDescriptors, "bash", "setsid", "sh", "-c", "(\(watcher)) </dev/null >/dev/null 2>&1 &"])
        try step(
            ["bash", "-c", Subprocess.closingDescriptors, "bash"] + runAs + [
                Self.binaries + "/pg_ctl", "-D", data, "-l", folder + "/server.log", "-w", "-t", "60", "-o",
                "-k \(folder) -p \(port) -c listen_addresses='' -c fsync=off -c max_connections=40", "start",
            ])
        _ = FileManager.default.createFile(atPath: passwordFile, contents: Data(), attributes: [.posixPermissions: 0o600])
    }

    /// Settings of a socket connection to `database` as `user`.
    func settings(database: String, user: String = "postgres") -> PostgresSettings {
        PostgresSettings(endpoint: .socket(folder: folder), port: port, user: user, database: database)
    }

    /// The environment every client of the cluster gets: the password file, and nothing from the caller's.
    var clientEnvironment: [String: String] {
        ["PGPASSFILE": passwordFile, "PATH": Self.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8"]
    }

    /// A session of the superuser (peer authentication).
    func superuser(_ database: String = "postgres") async throws -> PostgresSession {
        try await PostgresSession.connect(settings(database: database), environment: clientEnvironment, applicationName: "cdp-tests")
    }

    private static let passwordLock = NSLock()

    /// Gives a login role a password, written to the password file (so psql and the store log in by SCRAM).
    func setPassword(_ user: String, _ password: String, _ session: PostgresSession) async throws {
        try await session.execute("ALTER ROLE \"\(user)\" LOGIN PASSWORD '\(password)'")
        try appendPassword(user, password)
    }

    private func appendPassword(_ user: String, _ password: String) throws {
        Self.passwordLock.lock()
        defer { Self.passwordLock.unlock() }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: passwordFile))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("*:*:*:\(user):\(password)\n".utf8))
    }

    /// Runs one statement through the real `psql` as `user` (by SCRAM, with the password file), as a person would.
    func psql(_ sql: String, as user: String, database: String) throws -> Subprocess.Result {
        try Subprocess.run(
            [Self.psql, "-X", "-h", folder, "-p", String(port), "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql],
            environment: clientEnvironment)
    }

    /// A database of its own for a test, with the schema installed; dropped by `drop`.
    func makeDatabase(_ name: String) async throws -> String {
        let database = "t_\(name)_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await superuser()
        do {
            try await admin.execute("CREATE DATABASE \(database)")
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
        let session = try await superuser(database)
        try await PostgresTeamStore.install(session)
        await session.close()
        return database
    }

    func drop(_ database: String) async {
        guard let admin = try? await superuser() else { return }
        try? await admin.execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        await admin.close()
    }
}
