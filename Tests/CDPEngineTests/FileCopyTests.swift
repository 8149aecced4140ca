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
        try FileCopy.copy(source, to: target)
        #expect(try Data(contentsOf: target) == Data(bytes))
    }

    @Test func replacesWhatATargetHeld() throws {
        let folder = EngineFixture.temporaryFolder("file-copy")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = folder.appendingPathComponent("in.csv")
        let target = folder.appendingPathComponent("out.csv.partial")
        try Data("id\n1\n".utf8).write(to: source)
        try Data(repeating: 0x41, count: 10_000).write(to: target)
        try FileCopy.copy(source, to: target)
        #expect(try String(contentsOf: target, encoding: .utf8) == "id\n1\n")
    }

    @Test func namesAMissingSource() throws {
        let folder = EngineFixture.temporaryFolder("file-copy")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let error = #expect(throws: (any Error).self) {
            try FileCopy.copy(folder.appendingPathComponent("absent.csv"), to: folder.appendingPathComponent("out.csv"))
        }
        #expect("\(error.map { $0.localizedDescription } ?? "")".contains("absent.csv"))
    }
}
