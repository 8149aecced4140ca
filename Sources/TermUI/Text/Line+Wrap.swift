extension Line {
    /// This line broken into lines no wider than `width`, at spaces where possible.
    ///
    /// Greedy word wrap: a word longer than `width` is broken mid-word; spaces at a break are dropped.
    /// Styles and alignment are kept. An empty line stays one empty line.
    public func wrapped(to width: Int) -> [Line] {
        guard width > 0 else { return [] }
        if self.width <= width { return [self] }

        struct Glyph {
            var character: Character
            var style: Style
            var width: Int
        }
        var glyphs: [Glyph] = []
        for span in spans {
            for character in span.content {
                let w = TextWidth.of(character)
                if w == 0 && character != " " && character.unicodeScalars.first?.properties.generalCategory == .control {
                    continue
                }
                glyphs.append(Glyph(character: character, style: span.style, width: w))
            }
        }

        var rows: [[Glyph]] = []
        var current: [Glyph] = []
        var currentWidth = 0
        var index = 0
        while index < glyphs.count {
            if glyphs[index].character == " " {
                // A space: keep it unless it would start or overflow a row.
                if currentWidth + 1 <= width && !current.isEmpty {
                    current.append(glyphs[index])
                    currentWidth += 1
                } else if !current.isEmpty {
                    rows.append(current)
                    current = []
                    currentWidth = 0
                }
                index += 1
                continue
            }
            // A word: the run up to the next space.
            var end = index
            var wordWidth = 0
            while end < glyphs.count && glyphs[end].character != " " {
                wordWidth += glyphs[end].width
                end += 1
            }
            if currentWidth + wordWidth > width && !current.isEmpty {
                while current.last?.character == " " {
                    current.removeLast()
                }
                rows.append(current)
                current = []
                currentWidth = 0
            }
            for glyph in glyphs[index..<end] {
                if currentWidth + glyph.width > width {
                    rows.append(current)
                    current = []
                    currentWidth = 0
                }
                current.append(glyph)
                currentWidth += glyph.width
            }
            index = end
        }
        while current.last?.character == " " {
            current.removeLast()
        }
        if !current.isEmpty || rows.isEmpty { rows.append(current) }

        return rows.map { row in
            var rowSpans: [Span] = []
            for glyph in row {
                if let last = rowSpans.last, last.style == glyph.style {
                    rowSpans[rowSpans.count - 1].content.append(glyph.character)
                } else {
                    rowSpans.append(Span(String(glyph.character), style: glyph.style))
                }
            }
            return Line(spans: rowSpans, style: style, alignment: alignment)
        }
    }
}
