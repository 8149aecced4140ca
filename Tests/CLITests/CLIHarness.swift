import Foundation
import Testing

/// Runs the built `cdp` executable as a child process, as a user would.
enum CLI {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The `cdp` binary built beside this test bundle.
    static var executable: URL {
        get throws {
            let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cdp")
            if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
            let fallback = repositoryRoot.appendingPathComponent(".build/debug/cdp")
            try #require(FileManager.default.isExecutableFile(atPath: fallback.path), "build cdp first: swift build")
            return fallback
        }
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ arguments: [String], in folder: URL? = nil) throws -> Result {
        let process = try start(arguments, in: folder)
        let out = process.standardOutput as? Pipe, err = process.standardError as? Pipe
        let stdout = out?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        let stderr = err?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func start(_ arguments: [String], in folder: URL? = nil, quiet: Bool = false) throws -> Process {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        process.currentDirectoryURL = folder ?? repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "dumb"
        environment["USER"] = "cli-tester"
        process.environment = environment
        if quiet {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        } else {
            process.standardOutput = Pipe()
            process.standardError = Pipe()
        }
        try process.run()
        return process
    }

    static func temporaryFolder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("cdp-cli-tests-\(getpid())").appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
    }
}
