import CDPPostgresStore
import Foundation
import Testing

/// Attack 9 and its sequel: whoever names a store's address (a workspace's cdp.toml, `--store`) could run a server of
/// their own that asks for the password in clear text, and read the password of everyone whose password file has a
/// wildcard line. cdp offers no password at the first login, gives it only at a second login to a server that asked
/// for SCRAM or MD5, and ends any login whose server asks for it in clear text before anything is answered.
@Suite struct CleartextPasswordTests {
    /// A server that, at its n-th connection, answers the TLS request with the n-th of `argv[3]` (comma-separated:
    /// `N`; `S`: TLS with the key and certificate in `argv[4]`; `S+`: "S" and a stray byte) and then asks for the
    /// n-th authentication request of `argv[2]`
    /// (3: the password in clear text; 10: SASL, SCRAM-SHA-256), and writes what each connection sent after that
    /// request to `argv[1]`, a line of hex per connection ("-" when the client closed without answering). Python, as
    /// CI has it.
    static let fakeServer = #"""
        import socket, ssl, struct, sys
        log = open(sys.argv[1], "w")
        requests = [int(r) for r in sys.argv[2].split(",")]
        tls = sys.argv[3].split(",") if len(sys.argv) > 3 else ["N"] * len(requests)
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1); s.settimeout(60)
        print(s.getsockname()[1], flush=True)
        for request, answer in zip(requests, tls):
            c, _ = s.accept(); c.settimeout(20)
            def read(n):
                data = b""
                while len(data) < n:
                    chunk = c.recv(n - len(data))
                    if not chunk: raise EOFError
                    data += chunk
                return data
            try:
                n = struct.unpack("!I", read(4))[0]; body = read(n - 4)
                if struct.unpack("!I", body[:4])[0] == 80877103:   # SSLRequest
                    c.send({"N": b"N", "S": b"S", "S+": b"SX"}[answer])
                    if answer == "S":
                        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); context.load_cert_chain(sys.argv[4])
                        c = context.wrap_socket(c, server_side=True)
                    n = struct.unpack("!I", read(4))[0]; body = read(n - 4)
                if request == 10:
                    mechanisms = b"SCRAM-SHA-256\0\0"
                    c.send(b"R" + struct.pack("!II", 8 + len(mechanisms), 10) + mechanisms)
                else:
                    c.send(b"R" + struct.pack("!II", 8, request))
                kind = read(1); n = struct.unpack("!I", read(4))[0]
                log.write((kind + read(n - 4)).hex() + "\n"); log.flush()
                message = b"SFATAL\0C28P01\0Mpassword authentication failed\0\0"
                c.send(b"E" + struct.pack("!I", len(message) + 4) + message)
            except (EOFError, ConnectionResetError, socket.timeout, ssl.SSLError):
                log.write("-\n"); log.flush()
            c.close()
        """#

    /// A self-signed key and certificate made for these tests only (the fake server's TLS; cdp does not check it
    /// under `sslmode=require`).
    static let testOnlyKeyAndCertificate = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCY7LV7CT+FZoNU2M
        +ca1Y/cG6lctqZpmYQ8rpEhTtY+hRANCAAQKv7uwTmld/CA1VvMG4mWf3Ad5aw/p
        SsVkq73lA4Dmm4vWwz5N9R7xfFQgQy83g7E/6ee85R9wDhLtpYBXWjUI
        -----END PRIVATE KEY-----
        -----BEGIN CERTIFICATE-----
        MIIBhzCCAS2gAwIBAgIUEdLU0+LSTULnBXhoqm5RRlplAT4wCgYIKoZIzj0EAwIw
        GDEWMBQGA1UEAwwNY2RwLXRlc3Qtb25seTAgFw0yNjEyMDcxODA3MThaGA8yMTI2
        MTExMzE4MDcxOFowGDEWMBQGA1UEAwwNY2RwLXRlc3Qtb25seTBZMBMGByqGSM49
        AgEGCCqGSM49AwEHA0IABAq/u7BOaV38IDVW8wbiZZ/cB3lrD+lKxWSrveUDgOab
        i9bDPk31HvF8VCBDLzeDsT/p57zlH3AOEu2lgFdaNQijUzBRMB0GA1UdDgQWBBT4
        tmtPCb1LklrvIkLq7bJURDepOjAfBgNVHSMEGDAWgBT4tmtPCb1LklrvIkLq7bJU
        RDepOjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIGd300jaho6Y
        HDt8L1qETpH4/95XrQQZ8H7KzV/eXTneAiEA5tzASDyE49ToVkFgfyRGgikwidme
        p1yEivveROJVFG0=
        -----END CERTIFICATE-----
        """

    /// What each connection sent the fake server after its authentication request (in hex; nil: nothing), and the
    /// error the login ended with.
    static func login(
        requests: [Int], tls: [String]? = nil, sslmode: String = "disable"
    ) async throws -> (sent: [String?], error: PostgresStoreError?) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-cleartext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let passwordFile = folder.appendingPathComponent("pgpass").path
        _ = FileManager.default.createFile(
            atPath: passwordFile, contents: Data("*:*:*:olga:OlgaSecretPw\n".utf8), attributes: [.posixPermissions: 0o600])
        let script = folder.appendingPathComponent("server.py")
        try Self.fakeServer.write(to: script, atomically: true, encoding: .utf8)
        let received = folder.appendingPathComponent("received")
        let certificate = folder.appendingPathComponent("server.pem")
        try Self.testOnlyKeyAndCertificate.write(to: certificate, atomically: true, encoding: .utf8)

        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        server.arguments =
            [script.path, received.path, requests.map(String.init).joined(separator: ",")]
            + (tls.map { [$0.joined(separator: ","), certificate.path] } ?? [])
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        var portText = ""
        while !portText.hasSuffix("\n"), let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty {
            portText += String(decoding: byte, as: UTF8.self)
        }
        let port = try #require(Int(portText.trimmingCharacters(in: .whitespacesAndNewlines)))

        let settings = try PostgresSettings.parse(
            "postgresql://olga@127.0.0.1:\(port)/acme?sslmode=\(sslmode)", environment: [:], osUser: "olga")
        let error = await #expect(throws: PostgresStoreError.self) {
            _ = try await PostgresSession.connect(settings, environment: ["PGPASSFILE": passwordFile])
        }
        server.waitUntilExit()
        let lines = try String(contentsOf: received, encoding: .utf8).split(separator: "\n")
        let sent = lines.map { $0 == "-" ? nil : String($0) }
        return (sent, error)
    }

    @Test func aServerAskingForTheClearTextPasswordIsNeverGivenIt() async throws {
        let (sent, error) = try await Self.login(requests: [3])
        #expect(error?.message.contains("never in clear text") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("scram-sha-256") == true, "\(error?.message ?? "")")
        // The login ended before anything was answered, not even an empty password.
        #expect(sent == [nil], "the server was sent \(sent)")
    }

    /// The sequel: SCRAM at the first login (so cdp logs in again, this time holding the password), clear text at the
    /// second. postgres-nio alone would answer the second with the password.
    @Test func aServerAskingForSCRAMFirstAndClearTextSecondIsNeverGivenThePassword() async throws {
        let (sent, error) = try await Self.login(requests: [10, 3])
        #expect(sent.count == 2, "the server saw \(sent.count) logins")
        #expect(sent.allSatisfy { $0 == nil }, "the server was sent \(sent)")
        #expect(error?.message.contains("never in clear text") == true, "\(error?.message ?? "")")
    }

    /// The same over TLS: the refusal reads the server's messages behind TLS, where they are in clear.
    @Test func overTLSTooAServerAskingForSCRAMThenClearTextIsNeverGivenThePassword() async throws {
        let (sent, error) = try await Self.login(requests: [10, 3], tls: ["S", "S"], sslmode: "require")
        #expect(sent.count == 2, "the server saw \(sent.count) logins")
        #expect(sent.allSatisfy { $0 == nil }, "the server was sent \(sent)")
        #expect(error?.message.contains("never in clear text") == true, "\(error?.message ?? "")")
    }

    /// TLS is negotiated by cdp itself now (so the refusal can sit behind it): `prefer` goes on in clear when the
    /// server has none, `require` refuses, and a stray byte after the server's yes is refused before any handshake.
    @Test func tlsIsAskedForAsTheAddressSays() async throws {
        let preferred = try await Self.login(requests: [3], tls: ["N"], sslmode: "prefer")
        #expect(preferred.sent == [nil])
        #expect(preferred.error?.message.contains("never in clear text") == true, "\(preferred.error?.message ?? "")")

        let required = try await Self.login(requests: [3], tls: ["N"], sslmode: "require")
        #expect(required.error?.message.contains("does not offer TLS") == true, "\(required.error?.message ?? "")")
        #expect(required.error?.message.contains("sslmode") == true, "\(required.error?.message ?? "")")

        let stuffed = try await Self.login(requests: [3], tls: ["S+"], sslmode: "require")
        #expect(stuffed.error?.message.contains("TLS request") == true, "\(stuffed.error?.message ?? "")")
    }
}
