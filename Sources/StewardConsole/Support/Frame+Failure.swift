import TermUI

extension Frame {
    /// Shows why a screen has nothing to show (a read that failed), wrapped, in the theme's error style: one
    /// look for every screen's failure.
    mutating func renderFailure(_ message: String, in area: Rect, theme: Theme) {
        render(Paragraph(lines: [Line(message, style: theme[.error])], wrap: true), in: area)
    }
}
