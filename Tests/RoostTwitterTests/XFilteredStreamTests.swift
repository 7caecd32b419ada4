import Foundation
import RoostCore
import RoostHTTP
import RoostTestSupport
import RoostTwitter
import Testing

/// The filtered stream against the fake X API's streaming endpoint: disconnects, stalls, error
/// answers and the waits between connections, read back from the server's own logs.
@Suite struct XFilteredStreamTests {
    let capture = LogCapture()
    /// The guidance's shape, scaled down so a test waits fractions of a second.
    static let backoff = XStreamBackoff.Policy(networkStep: .milliseconds(200), networkMaximum: .seconds(2),
                                               httpInitial: .milliseconds(300), httpMaximum: .seconds(3),
                                               rateLimitInitial: .seconds(1), rateLimitMaximum: .seconds(4))

    func client(_ server: FakeXAPI, token: String = FakeXAPI.token) -> XAPIClient {
        XAPIClient(configuration: .init(baseURL: server.baseURL, token: XBearerToken(token, origin: "test")),
                   http: HTTPClient(), logger: capture.logger())
    }

    struct Enough: Error {}

    /// Streams until `enough` holds, and returns what arrived.
    func stream(_ client: XAPIClient, stallTimeout: Duration = .seconds(5),
                until enough: (XStreamStats) -> Bool) async throws -> (events: [XStreamEvent], stats: XStreamStats) {
        var events: [XStreamEvent] = []
        var last = XStreamStats()
        let deadline = ContinuousClock.now + .seconds(60)
        do {
            try await client.stream(.init(stallTimeout: stallTimeout, backoff: Self.backoff)) { event, stats in
                events.append(event)
                last = stats
                if enough(stats) { throw Enough() }
                // A test that never gets what it waits for fails rather than hangs (keep-alives keep events coming).
                if stats.connections > 20 || ContinuousClock.now > deadline { throw TestSupportError("the stream never got there: \(stats)") }
            }
        } catch is Enough {}
        return (events, last)
    }

    static func ids(_ events: [XStreamEvent]) -> [String] {
        events.compactMap { if case .tweet(let tweet) = $0 { tweet.id } else { nil } }
    }

    static func waits(_ events: [XStreamEvent]) -> [Duration] {
        events.compactMap { if case .disconnected(_, let wait) = $0 { wait } else { nil } }
    }

    /// How long the client stayed away after the server ended each connection.
    static func gaps(_ requests: [FakeXAPI.Request]) -> [Double] {
        let connects = requests.filter { $0.path == XAPIClient.streamPath }
        return zip(connects, connects.dropFirst()).map { previous, next in next.at - (previous.endedAt ?? previous.at) }
    }

    @Test func everyTweetSentBeforeAndAfterEachDisconnectArrives() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(["stream": ["interval_ms": 20, "keepalive_ms": 100, "connections": [
            ["tweets": 15, "then": "drop"], ["tweets": 15, "then": "operational"], ["tweets": 15, "resend": 3, "then": "end"],
        ]]])
        let (events, stats) = try await stream(client(server)) { $0.connections == 4 && $0.tweets >= 15 + 15 + 18 + 5 }
        let received = Self.ids(events)
        let sent = try await server.streamedTweets()
        let beforeFourth = sent.filter { $0.connection < 3 }
        #expect(beforeFourth.count == 48)
        #expect(Set(beforeFourth.map(\.id)).isSubset(of: Set(received)), "every tweet of the first three connections arrived")
        #expect(received.count - Set(received).count == 3, "duplicates only where the server re-sent")
        #expect(Array(received.prefix(48)) == beforeFourth.map(\.id), "in the order sent")
        #expect(stats.reconnects == 3)
        #expect(stats.operationalMessages == 1)
        #expect(events.contains { if case .operationalMessage(let problems) = $0 { problems.first?.title == "operational-disconnect" } else { false } })
        #expect(capture.text.contains("operational message"))
        let requests = try await server.requests()
        #expect(requests.allSatisfy { $0.auth == "ok" && $0.query["expansions"] == "author_id" })
    }

    @Test func aStalledConnectionIsDroppedAndReconnected() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(["stream": ["interval_ms": 100, "keepalive_ms": 30, "connections": [
            ["tweets": 3, "then": "stall", "stall_ms": 10_000],
        ]]])
        // A stall timeout far above the keep-alive interval, so a loaded machine's pauses are not stalls;
        // keep-alives come between tweets unless the server falls behind, so wait for one.
        let (events, stats) = try await stream(client(server), stallTimeout: .milliseconds(1500)) {
            $0.connections >= 2 && $0.tweets >= 6 && $0.heartbeats > 0
        }
        #expect(stats.stalls == stats.connections - 1)
        #expect(events.contains { if case .heartbeat = $0 { true } else { false } }, "keep-alive lines are heartbeat events")
        let sent = try await server.streamedTweets()
        let lastBeforeStall = try #require(sent.last { $0.connection == 0 })
        let reconnect = try #require(try await server.requests().first { $0.connection == 1 })
        #expect(reconnect.at - lastBeforeStall.at >= 1.5 + 0.2, "the stall timeout, then the first network back-off step")
        #expect(Self.ids(events).count == Set(Self.ids(events)).count)
    }

    @Test func reconnectsWaitAsTheGuidanceSays() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(["stream": ["interval_ms": 20, "connections": [
            ["status": 503], ["status": 503], ["status": 429, "reset_in": 0], ["tweets": 2, "then": "drop"],
            ["tweets": 2, "then": "drop"],
        ]]])
        let (events, stats) = try await stream(client(server)) { $0.connections == 6 && $0.tweets >= 5 }
        #expect(stats.reconnects == 5)
        let waits = Self.waits(events)
        // HTTP errors double from 300 ms; 429 waits a second; network errors step by 200 ms and
        // start again after a connection that delivered.
        #expect(waits == [.milliseconds(300), .milliseconds(600), .seconds(1), .milliseconds(200), .milliseconds(200)])
        let gaps = Self.gaps(try await server.requests())
        #expect(gaps.count == 5)
        for (gap, wait) in zip(gaps, waits) {
            #expect(gap >= Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18, "waited \(gap) s, owed \(wait)")
        }
        #expect(try await server.requests().map(\.status) == [503, 503, 429, 200, 200, 200])
    }

    @Test func backfillAsksForTheMinutesMissedOnReconnects() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(["stream": ["interval_ms": 20, "connections": [["tweets": 10, "then": "drop"]]]])
        var events: [XStreamEvent] = []
        do {
            try await client(server).stream(.init(backoff: Self.backoff, backfillMinutes: 2)) { event, stats in
                events.append(event)
                if stats.tweets >= 25 { throw Enough() }
            }
        } catch is Enough {}
        let ids = Self.ids(events)
        #expect(Array(ids[10..<20]) == Array(ids[0..<10]), "the second connection first re-sends what the first got")
        let requests = try await server.requests()
        #expect(requests.map { $0.query["backfill_minutes"] } == [nil, "2"], "not on the first connection")
    }

    @Test func aRefusedTokenEndsTheStream() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(["stream": ["interval_ms": 20]])
        await #expect(throws: XAPIError.self) {
            _ = try await stream(client(server, token: "wrong")) { _ in false }
        }
        #expect(try await server.requests().count == 1, "a 401 is not retried")
    }

    @Test func rulesAreListedAddedValidatedAndDeleted() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(["rules": [["value": "roost", "tag": "birds"]]])
        let client = client(server)
        let existing = try await client.streamRules()
        #expect(existing.map(\.value) == ["roost"])
        #expect(existing.first?.tag == "birds" && existing.first?.id != nil)

        let dryRun = try await client.addStreamRules([XStreamRule(value: "nest")], dryRun: true)
        #expect(dryRun.summary["valid"] == 1)
        #expect(try await client.streamRules().count == 1, "a dry run adds nothing")

        let error = await #expect(throws: XAPIError.self) {
            _ = try await client.addStreamRules([XStreamRule(value: "(unbalanced"), XStreamRule(value: "fine")])
        }
        #expect("\(error!)".contains("\"(unbalanced\""))
        #expect("\(error!)".contains("balanced parentheses"))
        #expect(try await client.streamRules().count == 1, "no rule of an invalid request is added")

        let added = try await client.addStreamRules([XStreamRule(value: "nest", tag: "t")])
        #expect(added.created.map(\.value) == ["nest"])
        _ = try await client.deleteStreamRules(ids: existing.compactMap(\.id))
        #expect(try await client.streamRules().map(\.value) == ["nest"])
        let requests = try await server.requests()
        #expect(requests.filter { $0.method == "POST" }.map { $0.query["dry_run"] } == ["true", nil, nil, nil])
    }

    @Test func reconcilingAddsTheMissingDeletesTheExtraKeepsTheRest() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(["rules": [["value": "keep", "tag": "a"], ["value": "drop"], ["value": "retag", "tag": "old"]]])
        let client = client(server)
        let kept = try #require(try await client.streamRules().first { $0.value == "keep" })
        let declared = [XStreamRule(value: "keep", tag: "a"), XStreamRule(value: "retag", tag: "new"), XStreamRule(value: "new one")]
        let plan = try await client.reconcileStreamRules(declared)
        #expect(plan.add.map(\.value) == ["retag", "new one"])
        #expect(plan.delete.map(\.value) == ["drop", "retag"])
        let after = try await client.streamRules()
        #expect(Set(after.map { "\($0.value)|\($0.tag ?? "")" }) == ["keep|a", "retag|new", "new one|"])
        #expect(after.first { $0.value == "keep" }?.id == kept.id, "an unchanged rule is left alone")
        #expect(try await client.reconcileStreamRules(declared).isEmpty, "a second reconcile changes nothing")
    }
}
