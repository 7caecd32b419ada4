import Foundation
import RoostCore
import Testing

/// The filtered stream's pure parts: reconnect waits, line cutting, rule reconciliation.
@Suite struct XStreamTests {
    @Test func networkFailuresBackOffLinearlyToSixteenSeconds() {
        var backoff = XStreamBackoff()
        let waits = (1...70).map { _ in backoff.networkFailure() }
        #expect(Array(waits.prefix(3)) == [.milliseconds(250), .milliseconds(500), .milliseconds(750)])
        #expect(waits.last == .seconds(16))
    }

    @Test func httpErrorsDoubleFromFiveSecondsToFiveMinutesAndTwenty() {
        var backoff = XStreamBackoff()
        #expect((1...8).map { _ in backoff.httpFailure() } == [5, 10, 20, 40, 80, 160, 320, 320].map { .seconds($0) })
    }

    @Test func rateLimitsWaitAMinuteDoublingOrUntilTheReset() {
        var backoff = XStreamBackoff()
        let now = Date()
        #expect(backoff.rateLimited(reset: nil, now: now) == .seconds(60))
        #expect(backoff.rateLimited(reset: now.addingTimeInterval(10), now: now) == .seconds(120))
        #expect(backoff.rateLimited(reset: now.addingTimeInterval(900), now: now) == .seconds(900))
    }

    @Test func aConnectionThatDeliveredStartsEverySequenceAfresh() {
        var backoff = XStreamBackoff()
        _ = backoff.networkFailure()
        _ = backoff.httpFailure()
        backoff.delivered()
        #expect(backoff.networkFailure() == .milliseconds(250))
        #expect(backoff.httpFailure() == .seconds(5))
    }

    @Test func linesAreCutAcrossChunksAndKeepAlivesAreEmpty() {
        var buffer = XStreamLineBuffer()
        #expect(buffer.append(Data("{\"data\":".utf8)) == [])
        #expect(buffer.append(Data("1}\r\n\r\n{\"da".utf8)) == [Data("{\"data\":1}".utf8), Data()])
        #expect(buffer.append(Data("ta\":2}\n".utf8)) == [Data("{\"data\":2}".utf8)])
    }

    @Test func reconcilingKeepsMatchesAndReplacesTheRest() {
        let existing = [XStreamRule(id: "1", value: "a", tag: "x"), XStreamRule(id: "2", value: "b"), XStreamRule(id: "3", value: "c", tag: "old")]
        let plan = XStreamRulePlan(declared: [XStreamRule(value: "a", tag: "x"), XStreamRule(value: "c", tag: "new"), XStreamRule(value: "d")],
                                   existing: existing)
        #expect(plan.add == [XStreamRule(value: "c", tag: "new"), XStreamRule(value: "d")])
        #expect(plan.delete.map(\.id) == ["2", "3"])
        #expect(XStreamRulePlan(declared: [XStreamRule(value: "b", tag: "")], existing: [XStreamRule(id: "2", value: "b")]).isEmpty,
                "no tag and an empty tag are the same")
    }
}
