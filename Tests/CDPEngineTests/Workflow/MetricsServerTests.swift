import CDPCore
import Foundation
import Testing

@testable import CDPEngine

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `cdp metrics --serve`: the Prometheus text over HTTP on loopback, each request bounded by a timeout.
@Suite struct MetricsServerTests {
    /// One GET, answered within 10 s or failed: status and body.
    static func get(_ url: String) throws -> (status: Int, body: String, type: String?) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.timeoutInterval = 10
        let done = DispatchSemaphore(value: 0)
        let answer = LockedBox<(Int, String, String?)?>(nil)
        URLSession.shared.dataTask(with: request) { data, response, _ in
            if let response = response as? HTTPURLResponse {
                answer.value = (
                    response.statusCode, String(decoding: data ?? Data(), as: UTF8.self), response.value(forHTTPHeaderField: "Content-Type")
                )
            }
            done.signal()
        }.resume()
        #expect(done.wait(timeout: .now() + 15) == .success)
        let (status, body, type) = try #require(answer.value)
        return (status, body, type)
    }

    @Test func aScrapeGetsTheLakesMetricsReadAtThatMoment() throws {
        let workspace = try EngineFixture.customerWorkspace(
            "metrics-serve", rules: EngineFixture.standardRules,
            files: ["customers.csv": "id,first,last,email,born\n1,Ann,Lee,ann@example.com,1980-01-02\n"])
        let environment = EngineFixture.clock
        let service = MetricsService(workspace: workspace, environment: environment)
        let server = try MetricsServer.start(host: "127.0.0.1", port: 0) { () throws(EngineError) in try service.prometheusText() }
        defer { server.stop() }
        #expect(server.port > 0)

        let before = try Self.get("http://127.0.0.1:\(server.port)/metrics")
        #expect(before.status == 200)
        #expect(before.type == "text/plain; version=0.0.4; charset=utf-8")
        #expect(before.body.contains("# TYPE cdp_layer_rows gauge"))
        #expect(!before.body.contains("cdp_last_run_succeeded{"))
        // A run between two scrapes shows in the second: each request reads the lake afresh.
        try WorkflowRunner(workspace: workspace, environment: environment).run(try workspace.workflow(named: "customer_pipeline"))
        let after = try Self.get("http://127.0.0.1:\(server.port)/metrics")
        #expect(after.body.contains(#"cdp_last_run_succeeded{workflow="p"} 1.0"#), "\(after.body)")

        let elsewhere = try Self.get("http://127.0.0.1:\(server.port)/")
        #expect(elsewhere.status == 404)
        #expect(elsewhere.body == "only /metrics is served here\n")
    }

    @Test func aPortInUseIsRefusedSayingWhich() throws {
        let first = try MetricsServer.start(host: "127.0.0.1", port: 0) { () throws(EngineError) in "" }
        defer { first.stop() }
        let error = try #require(throws: EngineError.self) {
            try MetricsServer.start(host: "127.0.0.1", port: first.port) { () throws(EngineError) in "" }
        }
        #expect(error.code == .workspace)
        #expect(error.message.hasPrefix("cannot serve metrics on 127.0.0.1:\(first.port):"))
    }
}
