import TermUI

/// Every status-line message of this session, oldest first, with its time and severity (VisiData's
/// Ctrl-P): what a message said after the next key or screen replaced it.
final class MessageLogScreen: ConsoleScreen {
    private var view = TextViewState(followTail: true)

    var title: String { "Messages" }

    var actions: [ConsoleAction] { NavigationActions.list }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        NavigationActions.apply(action, to: &view)
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        guard !app.messageLog.isEmpty else {
            frame.buffer.setString(x: area.x, y: area.y, "no messages yet", style: theme[.muted], maxWidth: area.width)
            return
        }
        let styles: [Severity: Style] = [.info: theme[.text], .success: theme[.success], .warning: theme[.warning], .error: theme[.error]]
        let lines = app.messageLog.map { entry in
            Line(spans: [
                Span(String(entry.at.dropFirst(11).prefix(8)) + " ", style: theme[.muted]),
                Span(TextWidth.pad(Self.label(entry.message.severity), to: 8), style: styles[entry.message.severity] ?? theme[.text]),
                Span(entry.message.text, style: theme[.text]),
            ])
        }
        frame.render(TextView(lines: lines, wrap: true, style: theme[.text]), in: area, state: &view)
    }

    static func label(_ severity: Severity) -> String {
        switch severity {
        case .info: "info"
        case .success: "done"
        case .warning: "warning"
        case .error: "error"
        }
    }
}
