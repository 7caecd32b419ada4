import Foundation
import RoostCore
import Testing

/// Transcripts: feed what happened, expect what the machine says to do.
@Suite struct XPaginationMachineTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let backoff = Backoff(initial: .seconds(1), maximum: .seconds(60), maxAttempts: 3)
    /// Draws the longest jittered delay, so transcripts show the backoff's ceiling.
    struct Longest: RandomNumberGenerator { mutating func next() -> UInt64 { .max } }

    @Test func followsTokensToTheLastPage() {
        var machine = XPaginationMachine(deadline: nil)
        #expect(machine.start() == .fetch(token: nil))
        #expect(machine.pageReceived(nextToken: "a", rateLimit: nil, now: now) == .fetch(token: "a"))
        #expect(machine.pageReceived(nextToken: "b", rateLimit: nil, now: now) == .fetch(token: "b"))
        #expect(machine.pageReceived(nextToken: nil, rateLimit: nil, now: now) == .finished)
        #expect(machine.pages == 3)
    }

    @Test func a429WaitsUntilTheResetAndResumesTheSamePage() {
        var machine = XPaginationMachine(deadline: now.addingTimeInterval(60))
        _ = machine.start()
        _ = machine.pageReceived(nextToken: "a", rateLimit: nil, now: now)
        let reset = now.addingTimeInterval(2)
        #expect(machine.rateLimited(reset: reset, now: now) == .wait(until: reset.addingTimeInterval(0.5), reason: .rateLimit))
        #expect(machine.waitEnded() == .fetch(token: "a"))
        #expect(machine.pageReceived(nextToken: nil, rateLimit: nil, now: now) == .finished)
        #expect(machine.rateLimitWaits == 1)
        #expect(machine.pages == 2)
    }

    @Test func aSpentWindowIsWaitedOutBeforeTheNextPage() {
        var machine = XPaginationMachine(deadline: nil)
        _ = machine.start()
        let reset = now.addingTimeInterval(5)
        let spent = XRateLimit(limit: 450, remaining: 0, reset: reset)
        #expect(machine.pageReceived(nextToken: "a", rateLimit: spent, now: now) == .wait(until: reset.addingTimeInterval(0.5), reason: .rateLimit))
        #expect(machine.waitEnded() == .fetch(token: "a"))
        // The last page needs no wait, however spent the window.
        #expect(machine.pageReceived(nextToken: nil, rateLimit: spent, now: now) == .finished)
    }

    @Test func neverWaitsBeyondTheDeadline() {
        let deadline = now.addingTimeInterval(10)
        var machine = XPaginationMachine(deadline: deadline)
        _ = machine.start()
        let reset = now.addingTimeInterval(900)
        #expect(machine.rateLimited(reset: reset, now: now) == .fail(.rateLimitBeyondDeadline(reset: reset, deadline: deadline)))
        #expect(machine.rateLimitWaits == 0)
    }

    @Test func serverErrorsAreRetriedWithBackoffThenGivenUp() {
        var longest = Longest()
        var machine = XPaginationMachine(deadline: nil, backoff: backoff)
        _ = machine.start()
        #expect(machine.transientFailure("HTTP 503", now: now, using: &longest) == .wait(until: now.addingTimeInterval(1), reason: .retry(attempt: 1)))
        #expect(machine.waitEnded() == .fetch(token: nil))
        #expect(machine.transientFailure("HTTP 503", now: now, using: &longest) == .wait(until: now.addingTimeInterval(2), reason: .retry(attempt: 2)))
        #expect(machine.transientFailure("HTTP 502", now: now, using: &longest) == .fail(.retriesExhausted(attempts: 3, lastError: "HTTP 502")))
    }

    @Test func aPageResetsTheRetryCount() {
        var longest = Longest()
        var machine = XPaginationMachine(deadline: nil, backoff: backoff)
        _ = machine.start()
        _ = machine.transientFailure("HTTP 503", now: now, using: &longest)
        _ = machine.transientFailure("HTTP 503", now: now, using: &longest)
        #expect(machine.pageReceived(nextToken: "a", rateLimit: nil, now: now) == .fetch(token: "a"))
        #expect(machine.transientFailure("timeout", now: now, using: &longest) == .wait(until: now.addingTimeInterval(1), reason: .retry(attempt: 1)))
        #expect(machine.retries == 3)
    }

    @Test func aRetryThatWouldOutliveTheDeadlineFailsNow() {
        let deadline = now.addingTimeInterval(0.5)
        var longest = Longest()
        var machine = XPaginationMachine(deadline: deadline, backoff: backoff)
        _ = machine.start()
        #expect(machine.transientFailure("HTTP 500", now: now, using: &longest) == .fail(.retryBeyondDeadline(attempt: 1, deadline: deadline, lastError: "HTTP 500")))
    }
}
