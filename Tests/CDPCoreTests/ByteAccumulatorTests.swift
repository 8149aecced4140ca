import Testing

@testable import CDPCore

struct ByteAccumulatorTests {
    /// A plain array is the oracle, through growth well past the first capacity.
    @Test func holdsWhatAnArrayHoldsAsItGrows() {
        var buffer = ByteAccumulator(capacity: 3)
        var oracle: [UInt8] = []
        for number in 0..<2_000 {
            switch number % 3 {
            case 0:
                buffer.append(UInt8(truncatingIfNeeded: number))
                oracle.append(UInt8(truncatingIfNeeded: number))
            case 1:
                let text = String(repeating: "ab€", count: number % 40)
                buffer.append(utf8: text)
                oracle.append(contentsOf: text.utf8)
            default:
                let bytes = (0..<(number % 300)).map { UInt8(truncatingIfNeeded: $0 * 7) }
                bytes.withUnsafeBufferPointer { buffer.append(bytes: $0) }
                oracle.append(contentsOf: bytes)
            }
            #expect(buffer.count == oracle.count)
        }
        #expect(buffer.bytes == oracle)
        #expect(buffer.withUnsafeBufferPointer { Array($0) } == oracle)
    }

    @Test func aCopyIsAValueOfItsOwn() {
        var first = ByteAccumulator(capacity: 4)
        first.append(utf8: "abc")
        var second = first
        second.append(utf8: "defgh")
        first.append(utf8: "X")
        #expect(first.bytes == Array("abcX".utf8))
        #expect(second.bytes == Array("abcdefgh".utf8))
    }

    @Test func emptiedItKeepsNothingOfWhatItHeld() {
        var buffer = ByteAccumulator()
        buffer.append(utf8: "first text")
        buffer.removeAll()
        #expect(buffer.isEmpty)
        buffer.append(utf8: "ab")
        #expect(buffer.bytes == Array("ab".utf8))
        #expect(buffer.withUnsafeBufferPointer(\.count) == 2)
        // Nothing appended: nothing changes.
        buffer.append(bytes: UnsafeBufferPointer(start: nil, count: 0))
        buffer.append(utf8: "")
        #expect(buffer.bytes == Array("ab".utf8))
    }
}
