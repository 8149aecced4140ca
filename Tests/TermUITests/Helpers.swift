import TermUI

/// Renders `widget` into a fresh buffer and returns its lines.
func renderLines<W: Widget>(_ widget: W, width: Int, height: Int) -> [String] {
    var buffer = Buffer(width: width, height: height)
    widget.render(in: buffer.area, buffer: &buffer)
    return buffer.lines()
}

/// Renders a stateful widget into a fresh buffer and returns the buffer.
func renderBuffer<W: StatefulWidget>(_ widget: W, width: Int, height: Int, state: inout W.State) -> Buffer {
    var buffer = Buffer(width: width, height: height)
    widget.render(in: buffer.area, buffer: &buffer, state: &state)
    return buffer
}

/// Lines with trailing spaces removed, for readable expectations.
func trimmed(_ lines: [String]) -> [String] {
    lines.map { line in
        var s = Substring(line)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
