import Testing
@testable import TermUI

@Suite struct ColorTests {
    @Test func parsesHex() {
        #expect(Color(hex: "#ff8000") == .rgb(255, 128, 0))
        #expect(Color(hex: "00FFaa") == .rgb(0, 255, 170))
        #expect(Color(hex: "#ff80") == nil)
        #expect(Color(hex: "#gg0000") == nil)
    }

    @Test func parsesNames() {
        #expect(Color(name: "red") == .ansi(1))
        #expect(Color(name: "Bright-Blue") == .ansi(12))
        #expect(Color(name: "brightWhite") == .ansi(15))
        #expect(Color(name: "grey") == .ansi(8))
        #expect(Color(name: "default") == .default)
        #expect(Color(name: "mauve") == nil)
        for (index, name) in Color.ansiNames.enumerated() {
            #expect(Color(name: name) == .ansi(UInt8(index)))
        }
    }

    @Test func downsamplesToNearest() {
        // Pure colours land on the cube corners and the ANSI primaries.
        #expect(Color.rgb(255, 0, 0).downsampled(to: .indexed256) == .indexed(196))
        #expect(Color.rgb(0, 0, 0).downsampled(to: .indexed256) == .indexed(16))
        #expect(Color.rgb(128, 128, 128).downsampled(to: .indexed256) == .indexed(244))
        #expect(Color.rgb(250, 10, 10).downsampled(to: .ansi16) == .ansi(9))
        #expect(Color.rgb(200, 0, 0).downsampled(to: .ansi16) == .ansi(1))
        #expect(Color.rgb(250, 10, 10).downsampled(to: .ansi8) == .ansi(1))
        #expect(Color.indexed(21).downsampled(to: .ansi16) == .ansi(4))
        #expect(Color.ansi(9).downsampled(to: .ansi8) == .ansi(1))
        #expect(Color.ansi(9).downsampled(to: .indexed256) == .ansi(9))
        #expect(Color.rgb(1, 2, 3).downsampled(to: .trueColor) == .rgb(1, 2, 3))
        #expect(Color.red.downsampled(to: .monochrome) == .default)
        #expect(Color.default.downsampled(to: .ansi8) == .default)
    }

    @Test func paletteFromColorCount() {
        #expect(ColorPalette(colorCount: 256) == .indexed256)
        #expect(ColorPalette(colorCount: 88) == .ansi16)
        #expect(ColorPalette(colorCount: 8) == .ansi8)
        #expect(ColorPalette(colorCount: 0) == .monochrome)
    }

    @Test func stylePatchingOverlaysNonDefaultParts() {
        let base = Style(fg: .red, bg: .blue, modifiers: .bold)
        let patched = base.patched(with: Style(bg: .green, modifiers: .underline))
        #expect(patched == Style(fg: .red, bg: .green, modifiers: [.bold, .underline]))
        #expect(Style.fg(.red).bold() == Style(fg: .red, modifiers: .bold))
        #expect(Style.plain.bg(.yellow).fg(.black) == Style(fg: .black, bg: .yellow))
    }
}
