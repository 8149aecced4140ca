import CDPPostgresStore
import Foundation
import Testing

/// Attack 9: whoever names a store's address (a workspace's cdp.toml, `--store`) could run a server of their own
/// that asks for the password in clear text, and read the password of everyone whose password file has a wildcard
/// line. cdp first logs in offering none, and gives it only on a second login to a server that asked for SCRAM or MD5,
/// and only over a connection on which the server is authenticated (the Unix socket, or TLS with `verify-full`).
@Suite struct CleartextPasswordTests {
    /// A server that answers each login in turn as `answers` says — `sasl` asks for SCRAM-SHA-256 and waits for the
    /// client to give up, `cleartext` asks for the password in clear text — and writes every password message it is
    /// sent to `log`. Python, as CI has it: a process of its own, on a port the kernel picks, with no event loop shared
    /// with the tests.
    static let fakeServer = #"""
        import socket, struct, sys
        log = open(sys.argv[1], "wb")
        answers = sys.argv[2:]
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(len(answers)); s.settimeout(60)
        print(s.getsockname()[1], flush=True)
        for answer in answers:
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
                if struct.unpack("!I", body[:4])[0] == 80877103:   # SSLRequest: no TLS here
                    c.send(b"N"); n = struct.unpack("!I", read(4))[0]; body = read(n - 4)
                if answer == "sasl":
                    mechanisms = b"SCRAM-SHA-256\0\0"
                    c.send(b"R" + struct.pack("!II", 8 + len(mechanisms), 10) + mechanisms)   # AuthenticationSASL
                    c.recv(1)
                else:
                    c.send(b"R" + struct.pack("!II", 8, 3))              # AuthenticationCleartextPassword
                    kind = read(1); n = struct.unpack("!I", read(4))[0]; log.write(read(n - 4)); log.flush()
                    message = b"SFATAL\0C28P01\0Mpassword authentication failed\0\0"
                    c.send(b"E" + struct.pack("!I", len(message) + 4) + message)
            except (EOFError, OSError):
                pass
            c.close()
        """#

    /// Starts ``fakeServer`` with a password file holding olga's password for every server, logs in to it as olga
    /// over plain TCP, and returns the error and what the server was sent.
    static func logIn(answering answers: [String]) async throws -> (error: PostgresStoreError?, sent: Data) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-cleartext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let passwordFile = folder.appendingPathComponent("pgpass").path
        _ = FileManager.default.createFile(
            atPath: passwordFile, contents: Data("*:*:*:olga:OlgaSecretPw\n".utf8), attributes: [.posixPermissions: 0o600])
        let script = folder.appendingPathComponent("server.py")
        try fakeServer.write(to: script, atomically: true, encoding: .utf8)
        let received = folder.appendingPathComponent("received")

        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        server.arguments = [script.path, received.path] + answers
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        // SIGKILL, which no signal mask a test thread passed on can hold back.
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        var portText = ""
        while !portText.hasSuffix("\n"), let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty {
            portText += String(decoding: byte, as: UTF8.self)
        }
        let port = try #require(Int(portText.trimmingCharacters(in: .whitespacesAndNewlines)))

        let settings = try PostgresSettings.parse("postgresql://olga@127.0.0.1:\(port)/acme?sslmode=disable", environment: [:], osUser: "olga")
        let error = await #expect(throws: PostgresStoreError.self) {
            _ = try await PostgresSession.connect(settings, environment: ["PGPASSFILE": passwordFile])
        }
        // What the server was sent is in its log before it answers a password (and so before the login fails).
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        return (error, (try? Data(contentsOf: received)) ?? Data())
    }

    @Test func aServerAskingForTheClearTextPasswordIsNeverGivenIt() async throws {
        let (error, sent) = try await Self.logIn(answering: ["cleartext"])
        #expect(error?.message.contains("never in clear text") == true, "\(error?.message ?? "")")
        #expect(!String(decoding: sent, as: UTF8.self).contains("OlgaSecretPw"))
        #expect(sent.allSatisfy { $0 == 0 }, "the server was sent \(Array(sent))")
    }

    /// The trap the first login left open: a server (or a man in the middle) asks for SCRAM, so cdp logs in again
    /// with the password, and then asks for it in clear text. Over a connection that does not authenticate the
    /// server cdp gives no password at all, and says how to connect so that it may.
    @Test func aServerAskingForSCRAMFirstAndClearTextSecondIsNeverGivenThePassword() async throws {
        let (error, sent) = try await Self.logIn(answering: ["sasl", "cleartext"])
        #expect(!String(decoding: sent, as: UTF8.self).contains("OlgaSecretPw"), "the server was sent \(Array(sent))")
        #expect(sent.isEmpty, "a second login reached the server: \(Array(sent))")
        #expect(error?.message.contains("cdp sends a password only to a server it has authenticated") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("sslmode=verify-full") == true, "\(error?.message ?? "")")
    }
}
