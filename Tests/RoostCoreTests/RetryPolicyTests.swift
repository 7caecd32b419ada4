import Testing
@testable import RoostCore

@Suite struct RetryPolicyTests {
    @Test func exponentialBackoffDoublesUpToTheMaximum() {
        let policy = RetryPolicy(retries: 10, delay: .seconds(30), exponentialBackoff: true, maxDelay: .seconds(600))
        #expect((1...7).map { policy.delay(afterTry: $0) } == [30, 60, 120, 240, 480, 600, 600].map { Duration.seconds($0) })
        #expect(policy.delay(afterTry: 500) == .seconds(600), "huge try numbers do not overflow")
    }

    @Test func fixedDelayIsTheSameEveryTry() {
        let policy = RetryPolicy(retries: 3, delay: .seconds(30), exponentialBackoff: false, maxDelay: .seconds(600))
        #expect([1, 2, 3].map { policy.delay(afterTry: $0) } == [.seconds(30), .seconds(30), .seconds(30)])
        let capped = RetryPolicy(retries: 3, delay: .seconds(900), exponentialBackoff: false, maxDelay: .seconds(600))
        #expect(capped.delay(afterTry: 1) == .seconds(600))
    }

    @Test func maxTriesCountsTheFirstTry() {
        #expect(RetryPolicy(retries: 0, delay: .zero, exponentialBackoff: false, maxDelay: .zero).maxTries == 1)
        #expect(TaskArgs(retries: 3).retryPolicy.maxTries == 4)
    }

    @Test func taskArgsMakeThePolicy() {
        let args = TaskArgs(retries: 2, retryDelay: .milliseconds(500), retryExponentialBackoff: true, maxRetryDelay: .seconds(1))
        #expect(args.retryPolicy == RetryPolicy(retries: 2, delay: .milliseconds(500), exponentialBackoff: true, maxDelay: .seconds(1)))
        #expect(args.retryPolicy.delay(afterTry: 3) == .seconds(1))
    }
}
