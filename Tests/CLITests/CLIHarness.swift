import CDPTestSupport
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
    static func run(_ arguments: [String], in folder: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = try start(arguments, in: folder, environment: environment)
        let out = process.standardOutput as? Pipe, err = process.standardError as? Pipe
        let stdout = out?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        let stderr = err?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func start(_ arguments: [String], in folder: URL? = nil, quiet: Bool = false, environment extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        process.currentDirectoryURL = folder ?? repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "dumb"
        // cdp takes the user from the kernel; a $USER naming someone else changes nothing.
        environment["USER"] = "cli-tester"
        environment.merge(extra) { $1 }
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
        ScratchFolder.make("cdp-cli-tests", name)
    }

    /// `setpriv`, to run `cdp` as another OS user (tests run as root), when the machine has it.
    static var setpriv: URL? {
        ["/usr/bin/setpriv", "/bin/setpriv"].map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs `cdp` as the OS user `nobody` through `setpriv` (real and effective ids both), with `$USER` set
    /// to `claimedUser` to show it counts for nothing.
    static func runAsNobody(_ arguments: [String], claimedUser: String = "root") throws -> Result {
        let setpriv = try #require(setpriv)
        let nobody = try #require(getpwnam("nobody")?.pointee)
        let process = Process()
        process.executableURL = setpriv
        process.arguments = ["--reuid=\(nobody.pw_uid)", "--regid=\(nobody.pw_gid)", "--clear-groups", "--", try executable.path] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "dumb"
        environment["USER"] = claimedUser
        environment["LOGNAME"] = claimedUser
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}
