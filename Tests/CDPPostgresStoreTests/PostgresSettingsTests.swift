import Foundation
import Testing

@testable import CDPPostgresStore

@Suite struct PostgresSettingsTests {
    let environment: [String: String] = [:]

    @Test func readsAnAddressOverTCP() throws {
        let settings = try PostgresSettings.parse("postgresql://cdp@db.example:6543/acme", environment: environment, osUser: "sam")
        #expect(settings.endpoint == .tcp(host: "db.example"))
        #expect(settings.port == 6543)
        #expect(settings.user == "cdp")
        #expect(settings.database == "acme")
        #expect(settings.tls == .prefer)
    }

    @Test func aHostThatIsAPathOrNoHostIsTheUnixSocket() throws {
        let query = try PostgresSettings.parse("postgresql:///acme?host=/tmp/pg&port=54329", environment: environment, osUser: "sam")
        #expect(query.endpoint == .socket(folder: "/tmp/pg"))
        #expect(query.socketPath == "/tmp/pg/.s.PGSQL.54329")
        #expect(query.user == "sam")
        let encoded = try PostgresSettings.parse("postgres://ana@%2Fvar%2Frun%2Fpostgresql/acme", environment: environment, osUser: "sam")
        #expect(encoded.endpoint == .socket(folder: "/var/run/postgresql"))
        #expect(encoded.user == "ana")
        let none = try PostgresSettings.parse("postgresql:///acme", environment: environment, osUser: "sam")
        #expect(none.endpoint == .socket(folder: PostgresSettings.defaultSocketFolder))
        let folder = try PostgresSettings.parse("/srv/pg-socket", environment: ["PGDATABASE": "acme"], osUser: "sam")
        #expect(folder.endpoint == .socket(folder: "/srv/pg-socket"))
        #expect(folder.database == "acme")
        #expect(folder.port == 5432)
    }

    /// The login role defaults to the kernel's user the caller passes, as libpq's does, never to `$USER`.
    @Test func theLoginRoleDefaultsToTheKernelsUserNotDollarUser() throws {
        let settings = try PostgresSettings.parse("postgresql:///acme", environment: ["USER": "root", "LOGNAME": "root"], osUser: "sam")
        #expect(settings.user == "sam")
        #expect(settings.database == "acme")
        let bare = try PostgresSettings.parse("postgresql://", environment: ["USER": "root"], osUser: "sam")
        #expect(bare.database == "sam")
    }

    @Test(arguments: [
        "postgresql://ana:secret@db.example/acme",
        "postgresql://ana:@db.example/acme",
        "postgresql://ana@db.example/acme?password=secret",
        "postgresql://ana@db.example/acme?sslmode=require&password=secret",
        "postgres://ana:s%40cret@/acme?host=/tmp",
    ])
    func aPasswordInTheAddressIsRefusedWithoutRepeatingIt(address: String) throws {
        let error = #expect(throws: PostgresStoreError.self) {
            try PostgresSettings.parse(address, environment: environment, osUser: "sam")
        }
        #expect(error?.code == .passwordInConfiguration)
        #expect(error?.message.contains("secret") == false)
        #expect(error?.message.contains("s%40cret") == false)
        #expect(error?.message.contains("~/.pgpass") == true)
    }

    /// Security review (#17), finding 6: a password holding `/`, `?`, `@` or `&` was partly repeated ("port 'pa' is not
    /// a port number", `ana:****@et@…`, `password=****&secret`).
    @Test(arguments: [
        ("postgresql://ana:pa/ss@db.example/acme", ["pa/ss", "'pa'"]),
        ("postgresql://ana:pa?ss@db.example/acme", ["'pa'", "pa?ss", "ss@"]),
        ("postgresql://ana:s3cr@et@db.example/acme", ["s3cr", "et@"]),
        ("postgresql://ana@db.example/acme?password=t0p&s3cret", ["t0p", "s3cret"]),
        ("postgresql://ana@db.example/acme?pass%77ord=t0p&s3cret", ["t0p", "s3cret"]),
        ("ana:s3cr@et@db.example", ["s3cr", "et@"]),
    ])
    func noPartOfAPasswordIsRepeated(address: String, secrets: [String]) throws {
        let error = #expect(throws: PostgresStoreError.self) {
            try PostgresSettings.parse(address, environment: environment, osUser: "sam")
        }
        for secret in secrets {
            #expect(error?.message.contains(secret) == false, "\(secret) in \(String(describing: error?.message))")
        }
        if address.hasPrefix("postgresql://") { #expect(error?.code == .passwordInConfiguration) }
    }

    /// A `localhost` line of the password file matches a socket only in the default folder, as libpq matches it; a
    /// socket elsewhere matches its folder's path.
    /// A password goes only where no one but the named server can answer: the Unix socket, or TLS that verified the
    /// certificate against the host's name (not an IP address: postgres-nio cannot check a certificate against one).
    @Test(arguments: [
        ("postgresql://ana@/acme?host=/var/run/postgresql", true), ("/var/run/postgresql", true),
        ("postgresql://ana@db.example/acme?sslmode=verify-full", true), ("postgresql://ana@db.example/acme", false),
        ("postgresql://ana@db.example/acme?sslmode=require", false), ("postgresql://ana@db.example/acme?sslmode=disable", false),
        ("postgresql://ana@10.0.0.7/acme?sslmode=verify-full", false), ("postgresql://ana@/acme?host=::1&sslmode=verify-full", false),
    ])
    func aPasswordGoesOnlyToAServerTheConnectionAuthenticates(address: String, authenticated: Bool) throws {
        let settings = try PostgresSettings.parse(address, environment: [:], osUser: "ana")
        #expect(settings.authenticatesTheServer == authenticated, "\(address)")
    }

    /// Attack 12, F5: a socket proves who listens only when its maker is an account a server runs as (this user,
    /// root, a system account, or requirepeer's) and no one else can put another in its place.
    @Test func aSocketProvesTheServerOnlyWhenItsMakerAndFolderAreTrusted() {
        let me: uid_t = 1001
        let other: uid_t = 1002
        let postgres: uid_t = 101
        func trust(owner: uid_t, folderOwner: uid_t = 0, mode: mode_t = 0o1777, isSocket: Bool = true, peer: uid_t? = nil) -> String? {
            PostgresSettings.socketTrust(
                isSocket: isSocket, socketOwner: owner, folderOwner: folderOwner, folderMode: mode, me: me, requiredPeer: peer, firstUserID: 1000)
        }
        #expect(trust(owner: postgres) == nil)  // Debian's server in /tmp
        #expect(trust(owner: postgres, folderOwner: postgres, mode: 0o2775) == nil)  // /var/run/postgresql
        #expect(trust(owner: me, folderOwner: me, mode: 0o700) == nil)  // a cluster of one's own
        #expect(trust(owner: 0) == nil)
        #expect(trust(owner: other)?.contains("a person's account") == true)  // another user's socket in /tmp
        #expect(trust(owner: other, folderOwner: other, mode: 0o700)?.contains("a person's account") == true)
        #expect(trust(owner: other, peer: other) == nil)  // unless requirepeer names them
        #expect(trust(owner: postgres, peer: other)?.contains("requirepeer") == true)
        #expect(trust(owner: postgres, folderOwner: other, mode: 0o755)?.contains("its folder belongs to") == true)
        #expect(trust(owner: postgres, folderOwner: postgres, mode: 0o777)?.contains("not sticky") == true)
        #expect(trust(owner: postgres, folderOwner: postgres, mode: 0o775) == nil)  // its group's to write
        #expect(trust(owner: postgres, isSocket: false)?.contains("not a socket") == true)
    }

    /// The check reads the socket file and its folder as they are: a real socket of this user's in a private folder
    /// proves the server; the same folder opened to everyone's writes does not.
    @Test func theSocketCheckReadsTheSocketAndItsFolder() throws {
        var template = Array((FileManager.default.temporaryDirectory.path + "/cdp-socket-XXXXXX").utf8CString)
        let folder = try #require(mkdtemp(&template).map { String(cString: $0) })
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/.s.PGSQL.5499"
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.enumerated() { bytes[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        let settings = try PostgresSettings.parse("postgresql://ana@/acme?host=\(folder)&port=5499", environment: [:], osUser: "ana")
        #expect(throws: Never.self) { try settings.checkSocketServer() }
        chmod(folder, 0o777)
        let refused = #expect(throws: PostgresStoreError.self) { try settings.checkSocketServer() }
        #expect(refused?.message.contains("not sticky") == true, "\(String(describing: refused?.message))")
        let named = try PostgresSettings.parse("postgresql://ana@/acme?host=\(folder)&port=5499&requirepeer=ana", environment: [:], osUser: "ana")
        #expect(named.requiredPeer == "ana" && named.description.hasSuffix("&requirepeer=ana"))
    }

    @Test func aLocalhostPasswordLineMatchesOnlyTheDefaultSocketFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("pgpass").path
        _ = FileManager.default.createFile(
            atPath: path, contents: Data("localhost:*:acme:sam:local\n/tmp/pg:*:acme:sam:tmp-folder\n".utf8),
            attributes: [.posixPermissions: 0o600])
        let elsewhere = try PostgresSettings.parse("postgresql:///acme?host=/srv/other", environment: environment, osUser: "sam")
        #expect(try elsewhere.password(environment: ["PGPASSFILE": path], home: nil) == nil)
        let tmp = try PostgresSettings.parse("postgresql:///acme?host=/tmp/pg", environment: environment, osUser: "sam")
        #expect(try tmp.password(environment: ["PGPASSFILE": path], home: nil) == "tmp-folder")
        let standard = try PostgresSettings.parse("postgresql:///acme", environment: environment, osUser: "sam")
        #expect(try standard.password(environment: ["PGPASSFILE": path], home: nil) == "local")
        let tcp = try PostgresSettings.parse("postgresql://sam@localhost/acme", environment: environment, osUser: "sam")
        #expect(try tcp.password(environment: ["PGPASSFILE": path], home: nil) == "local")
    }

    @Test func otherMistakesNameWhatIsWrong() throws {
        let unknown = #expect(throws: PostgresStoreError.self) {
            try PostgresSettings.parse("postgresql:///acme?hots=/tmp", environment: environment, osUser: "sam")
        }
        #expect(unknown?.code == .invalidSettings)
        #expect(unknown?.message.contains("'hots'") == true)
        let port = #expect(throws: PostgresStoreError.self) {
            try PostgresSettings.parse("postgresql://db:99999/acme", environment: environment, osUser: "sam")
        }
        #expect(port?.message.contains("99999") == true)
        let scheme = #expect(throws: PostgresStoreError.self) {
            try PostgresSettings.parse("mysql://db/acme", environment: environment, osUser: "sam")
        }
        #expect(scheme?.code == .invalidSettings)
        let mode = #expect(throws: PostgresStoreError.self) {
            try PostgresSettings.parse("postgresql://db/acme?sslmode=maybe", environment: environment, osUser: "sam")
        }
        #expect(mode?.message.contains("maybe") == true)
    }

    @Test func thePasswordFileMatchesAsLibpqDoes() {
        let file = PasswordFile.parse(
            """
            # comment
            db.example:5432:other:ana:wrong-database
            db.example:5432:acme:ana:first\\:match\\\\
            *:*:*:ana:too-late
            localhost:*:acme:sam:socket-pass
            """)
        #expect(file.password(hosts: ["db.example"], port: "5432", database: "acme", user: "ana") == "first:match\\")
        #expect(file.password(hosts: ["db2.example"], port: "5432", database: "acme", user: "ana") == "too-late")
        #expect(file.password(hosts: ["localhost", "/tmp/pg"], port: "54329", database: "acme", user: "sam") == "socket-pass")
        #expect(file.password(hosts: ["db.example"], port: "5432", database: "acme", user: "vic") == nil)
    }

    @Test func aPasswordFileOthersMayReadIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("pgpass").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("*:*:*:sam:pw\n".utf8), attributes: [.posixPermissions: 0o644])
        let settings = try PostgresSettings.parse("postgresql:///acme", environment: environment, osUser: "sam")
        let error = #expect(throws: PostgresStoreError.self) {
            try settings.password(environment: ["PGPASSFILE": path], home: nil)
        }
        #expect(error?.code == .credentials)
        #expect(error?.message.contains("chmod 600") == true)
        chmod(path, 0o600)
        #expect(try settings.password(environment: ["PGPASSFILE": path], home: nil) == "pw")
        // No file: no password (peer authentication needs none).
        #expect(try settings.password(environment: ["PGPASSFILE": path + "-missing"], home: nil) == nil)
    }

    @Test func aServiceFileGivesTheAddressAndMayHoldThePassword() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-pgservice-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("pg_service.conf").path
        let text = """
            [other]
            host=elsewhere
            [acme]
            host=/tmp/pg
            port=54329
            dbname=acme
            user=ana
            password=from-service
            """
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        let settings = try PostgresSettings.parse("service=acme", environment: ["PGSERVICEFILE": path], osUser: "sam")
        #expect(settings.endpoint == .socket(folder: "/tmp/pg"))
        #expect(settings.port == 54329)
        #expect(settings.user == "ana")
        #expect(settings.database == "acme")
        #expect(try settings.password(environment: [:], home: nil) == "from-service")
        #expect(settings.description.contains("from-service") == false)
        let missing = #expect(throws: PostgresStoreError.self) {
            try PostgresSettings.parse("service=nope", environment: ["PGSERVICEFILE": path], osUser: "sam")
        }
        #expect(missing?.code == .credentials)
    }
}
