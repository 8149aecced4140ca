import CDPCore
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends a workflow's notifications: webhooks as an HTTP POST of a JSON payload, e-mail through the
/// sendmail-compatible command `cdp.toml` names (`[notifications] sendmail = "/usr/sbin/sendmail -t"`).
/// A notification that cannot be delivered never fails the run: the caller records why in the run's log.
struct Notifier: Sendable {
    let workspace: Workspace
    let webhooks: NotificationTargets<Webhook>
    let emails: NotificationTargets<String>
    /// Seconds a webhook may take.
    var timeout: Double = 10

    init(workspace: Workspace, plan: WorkflowPlan) {
        self.workspace = workspace
        webhooks = plan.workflow.webhookNotifications ?? NotificationTargets()
        emails = plan.workflow.emailNotifications ?? NotificationTargets()
    }

    /// What a notification says.
    struct Message: Sendable, Encodable {
        var event: NotificationEvent
        var workflow: String
        var run: RunID
        var state: String
        var startedAt: String
        var at: String
        var durationSeconds: Double
        var text: String
        var workspace: String

        enum CodingKeys: String, CodingKey {
            case event = "event_type", workflow, run = "run_id", state, text, workspace
            case startedAt = "started_at", at, durationSeconds = "duration_seconds"
        }

        /// One line the engine writes, whatever the text holds: a line break in a header would start another header.
        var subject: String {
            let what: String
            switch event {
            case .start: what = "started"
            case .success: what = "succeeded"
            case .failure: what = "failed"
            case .durationWarning: what = "is past its health limit"
            case .qualityAlert: what = "data-quality alert"
            }
            return Notifier.headerSafe("[cdp] \(workflow) run \(run) \(what)")
        }
    }

    /// Whether anyone is to hear of `event`.
    func hasRecipients(_ event: NotificationEvent) -> Bool {
        !webhooks.recipients(of: event).isEmpty || !emails.recipients(of: event).isEmpty
    }

    /// Sends `message` to everyone its event names; returns one line per delivery that failed.
    func send(_ message: Message) -> [String] {
        var failures: [String] = []
        let payload: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            payload = try encoder.encode(message)
        } catch {
            return ["the notification could not be encoded: \(error)"]
        }
        for hook in webhooks.recipients(of: message.event) {
            if let problem = post(payload, to: hook.url) { failures.append("webhook \(hook.id ?? hook.url): \(problem)") }
        }
        let to = emails.recipients(of: message.event)
        if !to.isEmpty, let problem = mail(message, to: to) { failures.append("e-mail to \(to.joined(separator: ", ")): \(problem)") }
        return failures
    }

    /// POSTs `payload`; nil when the receiver answered 2xx, else why not.
    func post(_ payload: Data, to address: String) -> String? {
        guard let url = URL(string: address), let scheme = url.scheme, ["http", "https"].contains(scheme) else {
            return "'\(address)' is not an http(s) URL"
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = payload
        let outcome = LockedBox<String?>("no answer within \(Int(timeout)) s")
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { _, response, error in
            if let error {
                outcome.value = error.localizedDescription
            } else if let status = (response as? HTTPURLResponse)?.statusCode {
                outcome.value = (200..<300).contains(status) ? nil : "the receiver answered HTTP \(status)"
            }
            done.signal()
        }.resume()
        if done.wait(timeout: .now() + timeout + 1) == .timedOut { return "no answer within \(Int(timeout)) s" }
        return outcome.value
    }

    /// `text` with every control character (CR and LF included) made a space: fit for one header line.
    static func headerSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// Hands an e-mail to the configured sendmail-compatible command on its standard input.
    func mail(_ message: Message, to recipients: [String]) -> String? {
        guard let command = workspace.configuration.sendmailCommand else {
            return "no sendmail command is configured; add [notifications] sendmail = \"/usr/sbin/sendmail -t\" to cdp.toml"
        }
        // `sendmail -t` takes its recipients from the headers: an address that is not one line is not sent to.
        if let broken = recipients.first(where: { Self.headerSafe($0) != $0 }) {
            return "the address \(broken.debugDescription) holds a line break or a control character; fix the workflow's email_notifications"
        }
        let text = """
            To: \(recipients.joined(separator: ", "))
            Subject: \(message.subject)
            Content-Type: text/plain; charset=utf-8

            \(message.text)

            workflow: \(message.workflow)
            run: \(message.run) (\(message.state))
            started: \(message.startedAt)
            workspace: \(message.workspace)

            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return "\(command) could not start: \(error.localizedDescription)"
        }
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let said = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(command) exited \(process.terminationStatus)\(said.isEmpty ? "" : ": \(said)")"
        }
        return nil
    }
}
