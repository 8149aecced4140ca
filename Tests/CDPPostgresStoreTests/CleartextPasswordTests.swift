import CDPPostgresStore
import Foundation
import Testing

/// Attack 9: whoever names a store's address (a workspace's cdp.toml, `--store`) could run a server of their own
/// that asks for the password in clear text, and read the password of everyone whose password file has a wildcard
/// line. cdp first logs in offering none, and gives it only on a second login to a server that asked for SCRAM or MD5.
@Suite struct CleartextPasswordTests {
    /// A server that asks for a cleartext password, once, and writes what it was sent to `log`. Python, as CI has it.
    static let fakeServer = #"""
        import socket, struct, sys
        log = open(sys.argv[1], "wb")
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1); s.settimeout(60)
        print(s.getsockname()[1], flush=True)
        c, _ = s.accept(); c.settimeout(20)
        def read(n):
            data = b""
            while len(data) < n:
                chunk = c.recv(n - len(data))
                if not chunk: raise EOFError
                data += chunk
            return data
        n = struct.unpack("!I", read(4))[0]; body = read(n - 4)
        if struct.unpack("!I", body[:4])[0] == 80877103:   # SSLRequest: no TLS here
            c.send(b"N"); n = struct.unpack("!I", read(4))[0]; body = read(n - 4)
        c.send(b"R" + struct.pack("!II", 8, 3))              # AuthenticationCleartextPassword
        kind = read(1); n = struct.unpack("!I", read(4))[0]; log.write(read(n - 4)); log.flush()
        message = b"SFATAL\0C28P01\0Mpassword authentication failed\0\0"
        c.send(b"E" + struct.pack("!I", len(message) + 4) + message); c.close()
        """#

    @Test func aServerAskingForTheClearTextPasswordIsNeverGivenIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-cleartext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let passwordFile = folder.appendingPathComponent("pgpass").path
        _ = FileManager.default.createFile(
            atPath: passwordFile, contents: Data("*:*:*:olga:OlgaSecretPw\n".utf8), attributes: [.posixPermissions: 0o600])
        let script = folder.appendingPathComponent("server.py")
        try Self.fakeServer.write(to: script, atomically: true, encoding: .utf8)
        let received = folder.appendingPathComponent("received")

        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        server.arguments = [script.path, received.path]
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        var portText = ""
        while !portText.hasSuffix("\n"), let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty {
            portText += String(decoding: byte, as: UTF8.self)
        }
        let port = try #require(Int(portText.trimmingCharacters(in: .whitespacesAndNewlines)))

        let settings = try PostgresSettings.parse("postgresql://olga@127.0.0.1:\(port)/acme?sslmode=disable", environment: [:], osUser: "olga")
        let error = await #expect(throws: PostgresStoreError.self) {
            _ = try await PostgresSession.connect(settings, environment: ["PGPASSFILE": passwordFile])
        }
        #expect(error?.message.contains("never in clear text") == true, "\(error?.message ?? "")")
        server.waitUntilExit()
        let sent = try Data(contentsOf: received)
        #expect(!String(decoding: sent, as: UTF8.self).contains("OlgaSecretPw"))
        #expect(sent.allSatisfy { $0 == 0 }, "the server was sent \(Array(sent))")
    }
}
