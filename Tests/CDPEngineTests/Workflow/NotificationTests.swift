import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

#if canImport(Glibc)
    import Glibc
#endif

/// Webhooks (to a receiver on 127.0.0.1), e-mail through a sendmail-compatible command, health rules and
/// data-quality alerts on real runs, and the Prometheus metrics.
@Suite struct NotificationTests {
    /// An HTTP receiver on 127.0.0.1 that keeps every POST body and answers 200.
    final class Receiver: @unchecked Sendable {
        let socket: Int32
        let port: UInt16
        private let lock = NSLock()
        private var bodies: [Data] = []

        init() throws {
            let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            try #require(bound == 0 && listen(descriptor, 16) == 0)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            socket = descriptor
            port = UInt16(bigEndian: address.sin_port)
            let thread = Thread { [self] in serve() }
            thread.start()
        }

        var url: String { "http://127.0.0.1:\(port)/hook" }
        var received: [[String: Any]] {
            lock.withLock { bodies }.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        }

        private func serve() {
            while true {
                let client = accept(socket, nil, nil)
                guard client >= 0 else { return }
                var request = Data()
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = read(client, &buffer, buffer.count)
                    guard count > 0 else { break }
                    request.append(contentsOf: buffer[0..<count])
                    if let end = request.range(of: Data("\r\n\r\n".utf8)) {
                        let head = String(decoding: request[..<end.lowerBound], as: UTF8.self)
                        let length =
                            head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                        if request.count - end.upperBound >= length {
                            let body = request[end.upperBound..<(end.upperBound + length)]
                            lock.withLock { bodies.append(Data(body)) }
                            break
                        }
                    }
                }
                let answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                _ = answer.withCString { write(client, $0, strlen($0)) }
                close(client)
            }
        }

        deinit { close(socket) }
    }

    /// The standard rules, with an alert when fewer than 90% of the e-mails are valid.
    static let rules = EngineFixture.standardRules.replacingOccurrences(
        of: "format = \"email\"", with: "format = \"email\"\nalert_below = 0.9")

    /// A workspace whose e-mail goes to `mail.txt` through a sendmail stand-in, and a workflow `notified`.
    static func workspace(_ name: String, workflow: (String) -> String, receiver: Receiver) throws -> (Workspace, URL) {
        let base = try ConditionalRunTests.workspace(name, workflow: "{}")
        let mail = base.root.appendingPathComponent("mail.txt")
        let config = base.root.appendingPathComponent("cdp.toml")
        try (String(contentsOf: config, encoding: .utf8) + "\n[notifications]\nsendmail = \"cat >> '\(mail.path)'\"\n")
            .write(to: config, atomically: true, encoding: .utf8)
        try Self.rules.write(to: base.root.appendingPathComponent("governance/rules.toml"), atomically: true, encoding: .utf8)
        try workflow(receiver.url).write(to: base.workflowFile("notified"), atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(at: base.workflowFile("gated"))
        return (try Workspace(at: base.root.path), mail)
    }

    static func notified(_ url: String, tasks: String, health: String = "") -> String {
        """
        {"name": "notified",
         "email_notifications": {"on_start": ["start@example.com"], "on_success": ["ok@example.com"], "on_failure": ["ops@example.com"],
                                 "on_duration_warning_threshold_exceeded": ["slow@example.com"]},
         "webhook_notifications": {"on_start": [{"id": "ops", "url": "\(url)"}], "on_success": [{"id": "ops", "url": "\(url)"}],
                                   "on_failure": [{"id": "ops", "url": "\(url)"}],
                                   "on_duration_warning_threshold_exceeded": [{"id": "ops", "url": "\(url)"}]}\(health),
         "tasks": \(tasks)}
        """
    }

    static let tasks = #"[{"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "crm"}}]"#

    @Test func aRunPostsAndMailsOnStartAndSuccess() throws {
        let receiver = try Receiver()
        let (workspace, mail) = try Self.workspace("notify-success", workflow: { Self.notified($0, tasks: Self.tasks) }, receiver: receiver)
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(workspace.workflow(named: "notified"))
        #expect(run.state == .succeeded)
        let posts = receiver.received
        #expect(posts.map { $0["event_type"] as? String } == ["on_start", "on_success"])
        #expect(posts.allSatisfy { $0["run_id"] as? Int == Int(run.id.rawValue) && $0["workflow"] as? String == "notified" })
        #expect(posts.last?["state"] as? String == "succeeded")
        let mails = try String(contentsOf: mail, encoding: .utf8)
        #expect(mails.contains("To: start@example.com\nSubject: [cdp] notified run \(run.id) started\n"))
        #expect(mails.contains("run \(run.id) of notified started"))
        #expect(mails.contains("To: ok@example.com"))
        #expect(!mails.contains("ops@example.com"))
        #expect(try AlertLog(lakeFolder: workspace.lakeFolder).last() == nil)  // nothing went wrong
    }

    @Test func aFailedRunAlertsAndAnUndeliverableWebhookIsAWarningOnly() throws {
        let receiver = try Receiver()
        let failing = #"""
            [{"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "crm"}},
             {"task_key": "gate", "depends_on": [{"task_key": "ingest"}], "condition_task": {"op": "EQUAL_TO", "left": "{{tasks.ingest.values.nope}}", "right": "1"}}]
            """#
        let (workspace, mail) = try Self.workspace("notify-failure", workflow: { Self.notified($0, tasks: failing) }, receiver: receiver)
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(workspace.workflow(named: "notified"))
        #expect(run.state == .failed)
        #expect(receiver.received.map { $0["event_type"] as? String } == ["on_start", "on_failure"])
        #expect((receiver.received.last?["text"] as? String)?.hasPrefix("1 of 2 tasks did not succeed: gate") == true)
        #expect(try String(contentsOf: mail, encoding: .utf8).contains("To: ops@example.com"))
        let alert = try #require(try AlertLog(lakeFolder: workspace.lakeFolder).last())
        #expect(alert.event == .failure && alert.run == run.id && alert.workflow == "notified")

        // A receiver that is gone: the run still succeeds, and its log says the notification was not delivered.
        let closed = "http://127.0.0.1:1/hook"
        try Self.notified(closed, tasks: Self.tasks).write(to: workspace.workflowFile("notified"), atomically: true, encoding: .utf8)
        let second = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(workspace.workflow(named: "notified"))
        #expect(second.state == .succeeded)
        let warnings = try workspace.store.events(of: second.id, limit: 100).filter { $0.kind == .warning }.map(\.message)
        #expect(warnings.contains { $0.hasPrefix("on_success notification not delivered: webhook ops:") }, "\(warnings)")
    }

    /// Attack 11, F5: a landed value with a line break ("…\nBcc: attacker") became a header of the failure e-mail, and
    /// the body carried the values a fatal rule refused. The subject is the engine's own line, and what a refusal
    /// quotes stays in the (private) alert log: neither e-mail nor webhook carries a landed value.
    @Test func aRefusedValueReachesNoNotificationNorAMailHeader() throws {
        let receiver = try Receiver()
        let (workspace, mail) = try Self.workspace("notify-injection", workflow: { Self.notified($0, tasks: Self.tasks) }, receiver: receiver)
        let fatal = "\n[[rules]]\nname = \"email_length\"\ndataset = \"crm\"\ncheck = \"length\"\nfield = \"email\"\nmax = 30\nseverity = \"fatal\"\n"
        let rules = workspace.root.appendingPathComponent("governance/rules.toml")
        try (String(contentsOf: rules, encoding: .utf8) + fatal).write(to: rules, atomically: true, encoding: .utf8)
        try "id,first,last,email,born\n9,Eve,Out,\"eve@x.example\nBcc: attacker@evil.example\nX-Pad: aaaaaaaa\",1980-01-02\n"
            .write(to: workspace.root.appendingPathComponent("inbox/customers_2.csv"), atomically: true, encoding: .utf8)
        let run = try WorkflowRunner(workspace: try Workspace(at: workspace.root.path), environment: EngineFixture.clock)
            .run(workspace.workflow(named: "notified"))
        #expect(run.state == .failed)
        let mails = try String(contentsOf: mail, encoding: .utf8)
        #expect(!mails.contains("attacker@evil.example") && !mails.contains("eve@x.example"), "\(mails)")
        #expect(mails.contains("Subject: [cdp] notified run \(run.id) failed\n"), "\(mails)")
        #expect(mails.contains("refused before writing anything; what failed is withheld here: `cdp runs show \(run.id)`"), "\(mails)")
        let failure = try #require(receiver.received.last { $0["event_type"] as? String == "on_failure" })
        #expect((failure["text"] as? String)?.contains("evil") == false, "\(failure)")
        // The operator's alert keeps it whole, for those who may read it.
        let alert = try #require(try AlertLog(lakeFolder: workspace.lakeFolder).last())
        #expect(alert.text.hasPrefix("refused before writing anything: ") && alert.text.contains("attacker@evil.example"))
        // An address that is not one line is refused, not sent to.
        let notifier = Notifier(workspace: workspace, plan: try workspace.workflow(named: "notified"))
        let message = Notifier.Message(
            event: .failure, workflow: "notified", run: run.id, state: "failed", startedAt: "", at: "", durationSeconds: 0, text: "x",
            workspace: "")
        #expect(notifier.mail(message, to: ["ops@example.com\nBcc: attacker@evil.example"])?.contains("line break") == true)
    }

    @Test func aRunLongerThanItsHealthRuleWarnsOnce() throws {
        let receiver = try Receiver()
        let health = #", "health": {"rules": [{"metric": "RUN_DURATION_SECONDS", "op": "GREATER_THAN", "value": 60}]}"#
        let twoTasks = #"""
            [{"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "crm"}},
             {"task_key": "recheck", "depends_on": [{"task_key": "ingest"}], "cdp_task": {"step": "revalidate"}}]
            """#
        let (workspace, mail) = try Self.workspace(
            "notify-health", workflow: { Self.notified($0, tasks: twoTasks, health: health) }, receiver: receiver)
        // Each task takes two minutes by the injected clock.
        let clock = LockedBox(1_764_300_000.0)
        let environment = Environment(now: { clock.value }, user: "ann")
        let run = try WorkflowRunner(workspace: workspace, environment: environment).run(
            workspace.workflow(named: "notified"),
            observer: { event in if event.kind == .taskStarted { clock.value += 120 } })
        #expect(run.state == .succeeded)
        #expect(
            receiver.received.map { $0["event_type"] as? String } == ["on_start", "on_duration_warning_threshold_exceeded", "on_success"])
        #expect(try String(contentsOf: mail, encoding: .utf8).contains("To: slow@example.com"))
        let alert = try #require(try AlertLog(lakeFolder: workspace.lakeFolder).last())
        #expect(alert.text == "the run has taken 120 s, more than its health rule's RUN_DURATION_SECONDS 60")
    }

    @Test func aRuleBelowItsAlertThresholdRaisesADataQualityAlert() throws {
        let receiver = try Receiver()
        let scored = #"""
            [{"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "crm"}},
             {"task_key": "scorecard", "depends_on": [{"task_key": "ingest"}], "cdp_task": {"step": "scorecard"}}]
            """#
        let (workspace, _) = try Self.workspace("notify-quality", workflow: { Self.notified($0, tasks: scored) }, receiver: receiver)
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(workspace.workflow(named: "notified"))
        #expect(run.state == .succeeded)
        #expect(receiver.received.map { $0["event_type"] as? String } == ["on_start", "on_quality_alert", "on_success"])
        let alert = try #require(try AlertLog(lakeFolder: workspace.lakeFolder).last())
        #expect(alert.event == .qualityAlert)
        #expect(alert.text == "data quality: email_format (crm) passes 75.0%, below its alert_below 90.0%")
    }

    @Test func metricsAreInThePrometheusTextFormat() throws {
        let workspace = try ConditionalRunTests.workspace("metrics", workflow: "{}")
        try FileManager.default.removeItem(at: workspace.workflowFile("gated"))
        try EngineFixture.run(workspace)
        let text = try MetricsService(workspace: workspace, environment: EngineFixture.clock).prometheusText()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("# TYPE cdp_layer_rows gauge"))
        #expect(lines.contains(#"cdp_layer_rows{layer="silver",source="crm"} 3.0"#), "\(text)")
        #expect(lines.contains(#"cdp_layer_rows{layer="quarantine_open",source="crm"} 1.0"#))
        #expect(lines.contains(#"cdp_quarantine_open_records{rule="email_format"} 1.0"#))
        #expect(lines.contains(#"cdp_last_run_succeeded{workflow="p"} 1.0"#))
        #expect(lines.contains { $0.hasPrefix(#"cdp_rule_pass_ratio{rule="email_format",source="crm",severity="error"} 0.75"#) })
    }

    @Test func notificationSettingsAreCheckedWithTheirLines() throws {
        let json = """
            {"name": "p",
             "email_notifications": {"on_failure": ["ops"]},
             "webhook_notifications": {"on_start": [{"id": "x", "url": "ftp://h"}], "on_success": [{"id": "y"}]},
             "health": {"rules": [{"metric": "STREAMING_BACKLOG_BYTES", "op": "GREATER_THAN", "value": 0}]},
             "tasks": [{"task_key": "g", "cdp_task": {"step": "gold"}}]}
            """
        let error = try #require(throws: EngineError.self) {
            try ConfigurationLoader.workflow(jsonData: Data(json.utf8), file: "w.json", sources: [])
        }
        #expect(
            error.details == [
                "w.json:2:41: email_notifications.on_failure[0]: 'ops' is not an e-mail address",
                "w.json:3:60: webhook_notifications.on_start[0].url: 'ftp://h' is not an http(s) URL",
                "w.json:3:88: webhook_notifications.on_success[0].url: is missing",
                "w.json:4:34: health.rules[0].metric: 'STREAMING_BACKLOG_BYTES' is not a metric cdp checks (RUN_DURATION_SECONDS)",
                "w.json:4:92: health.rules[0].value: 0 is out of range (1 to 2147483647 seconds)",
            ])
    }
}
