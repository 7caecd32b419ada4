import Testing
@testable import RoostCore

@Suite struct BackoffTests {
    struct Failure: Error, Equatable { let retryable: Bool }

    @Test func ceilingDoublesUpToTheMaximum() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), maxAttempts: 10)
        #expect((1...6).map { backoff.ceiling(beforeRetry: $0) } == [100, 200, 400, 800, 1000, 1000].map { Duration.milliseconds($0) })
        #expect(backoff.ceiling(beforeRetry: 10_000) == .seconds(1), "huge retry numbers do not overflow")
    }

    @Test func jitterStaysBetweenZeroAndTheCeiling() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
        var system = SystemRandomNumberGenerator()
        let delays = (0..<200).map { _ in backoff.delay(beforeRetry: 2, using: &system) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .milliseconds(200) })
        #expect(Set(delays).count > 1, "delays are spread, not all equal")
        #expect(delays.contains { $0 > .milliseconds(100) }, "the whole range is used")
    }

    @Test func retriesRetryableErrorsUntilSuccess() async throws {
        var slept: [Duration] = []
        var tries: [Int] = []
        let value = try await retrying(Backoff(maxAttempts: 5), decide: { ($0 as? Failure)?.retryable == true ? .retry : .fail },
                                       sleep: { slept.append($0) }) { attempt in
            tries.append(attempt)
            if attempt < 3 { throw Failure(retryable: true) }
            return "done"
        }
        #expect(value == "done")
        #expect(tries == [1, 2, 3])
        #expect(slept.count == 2)
    }

    @Test func stopsAtOnceOnAFatalErrorAndAfterMaxAttempts() async {
        var tries = 0
        await #expect(throws: Failure(retryable: false)) {
            try await retrying(Backoff(maxAttempts: 5), decide: { _ in .fail }, sleep: { _ in }) { _ in
                tries += 1
                throw Failure(retryable: false)
            }
        }
        #expect(tries == 1)
        tries = 0
        var retried: [Int] = []
        await #expect(throws: Failure(retryable: true)) {
            try await retrying(Backoff(maxAttempts: 4), decide: { _ in .retry }, onRetry: { attempt, _, _ in retried.append(attempt) },
                               sleep: { _ in }) { _ in
                tries += 1
                throw Failure(retryable: true)
            }
        }
        #expect(tries == 4)
        #expect(retried == [1, 2, 3])
    }

    @Test func retryAfterWaitsAtLeastAsLongAsTheServerAsks() async throws {
        var slept: [Duration] = []
        _ = try await retrying(Backoff(initial: .milliseconds(1), maximum: .milliseconds(2)), decide: { _ in .retryAfter(.seconds(7)) },
                               sleep: { slept.append($0) }) { attempt in
            if attempt == 1 { throw Failure(retryable: true) }
            return attempt
        }
        #expect(slept == [.seconds(7)])
    }
}
