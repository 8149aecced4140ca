import Foundation
import Testing

@testable import CDPEngine

/// Landing copies each source file with `FileCopy`; the landed copy must be byte for byte the file.
struct FileCopyTests {
    @Test(arguments: [0, 1, 70_001, (1 << 20) + 3])
    func copiesEveryByte(size: Int) throws {
        let folder = EngineFixture.temporaryFolder("file-copy")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = folder.appendingPathComponent("in.csv")
        let target = folder.appendingPathComponent("out.csv")
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        try Data(bytes).write(to: source)
        #expect(try FileCopy.copy(source, to: target) == Int64(size))
        #expect(try Data(contentsOf: target) == Data(bytes))
        // Each way of copying on its own: the kernel's, and through a buffer.
        try FileManager.default.removeItem(at: target)
        #expect(try FileCopy.kernelCopy(source.path, to: target.path) == Int64(size))
        #expect(try Data(contentsOf: target) == Data(bytes))
        try FileManager.default.removeItem(at: target)
        #expect(try FileCopy.readAndWrite(source.path, to: target.path) == Int64(size))
        #expect(try Data(contentsOf: target) == Data(bytes))
    }

    /// Files in /proc report no size and refuse the kernel's copy: what reading them gives is copied.
    @Test func copiesAFileThatReportsNoSize() throws {
        let folder = EngineFixture.temporaryFolder("file-copy")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = folder.appendingPathComponent("cmdline")
        let source = URL(fileURLWithPath: "/proc/self/cmdline")
        #expect(try FileCopy.kernelCopy(source.path, to: target.path) == nil)
        let copied = try FileCopy.copy(source, to: target)
        #expect(copied > 0)
        #expect(try Data(contentsOf: target) == Data(contentsOf: source))
    }

    @Test func replacesWhatATargetHeld() throws {
        let folder = EngineFixture.temporaryFolder("file-copy")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = folder.appendingPathComponent("in.csv")
        let target = folder.appendingPathComponent("out.csv.partial")
        try Data("id\n1\n".utf8).write(to: source)
        try Data(repeating: 0x41, count: 10_000).write(to: target)
        #expect(try FileCopy.copy(source, to: target) == 5)
        #expect(try String(contentsOf: target, encoding: .utf8) == "id\n1\n")
    }

    @Test func namesAMissingSource() throws {
        let folder = EngineFixture.temporaryFolder("file-copy")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let error = #expect(throws: EngineError.self) {
            try FileCopy.copy(folder.appendingPathComponent("absent.csv"), to: folder.appendingPathComponent("out.csv"))
        }
        #expect(error?.message.contains("absent.csv") == true)
    }
}
