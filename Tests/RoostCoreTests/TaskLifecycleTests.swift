import Foundation
import Testing
@testable import RoostCore

/// Transcripts: feed an event, expect the transition.
@Suite struct TaskLifecycleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func lifecycle(_ state: TaskState = .scheduled, try tryNumber: Int = 0, retries: Int = 0,
                   delay: Duration = .seconds(10), exponential: Bool = false) -> TaskLifecycle {
        TaskLifecycle(state: state, tryNumber: tryNumber,
                      policy: RetryPolicy(retries: retries, delay: delay, exponentialBackoff: exponential, maxDelay: .seconds(3600)))
    }

    func transition(_ state: TaskState, at date: Date? = nil, tries delta: Int = 0) -> TaskTransition {
        TaskTransition(state: state, nextAttemptAt: date, tryDelta: delta)
    }

    @Test func happyPath() throws {
        var task = lifecycle()
        #expect(try task.handle(.upstreamsSucceeded, now: now) == transition(.queued, at: now))
        #expect(try task.handle(.claimed, now: now) == transition(.running, tries: 1))
        #expect(task.tryNumber == 1)
        #expect(try task.handle(.succeeded, now: now) == transition(.success))
        #expect(task.state == .success)
    }

    @Test func upstreamFailure() throws {
        var task = lifecycle()
        #expect(try task.handle(.upstreamFailed, now: now) == transition(.upstreamFailed))
        #expect(task.state.isFinal)
    }

    @Test func retriesWithBackoffUntilMaxTriesThenFailed() throws {
        var task = lifecycle(retries: 2, exponential: true)
        try task.handle(.upstreamsSucceeded, now: now)
        #expect(try task.handle(.claimed, now: now) == transition(.running, tries: 1))
        #expect(try task.handle(.tryFailed(.error), now: now) == transition(.upForRetry, at: now + 10))
        #expect(try task.handle(.claimed, now: now) == transition(.running, tries: 1))
        #expect(try task.handle(.tryFailed(.timedOut), now: now) == transition(.upForRetry, at: now + 20))
        #expect(try task.handle(.claimed, now: now) == transition(.running, tries: 1))
        #expect(task.tryNumber == 3)
        #expect(try task.handle(.tryFailed(.leaseExpired), now: now) == transition(.failed))
        #expect(task.state == .failed)
    }

    @Test func noRetriesFailsOnTheFirstFailure() throws {
        var task = lifecycle(.running, try: 1)
        #expect(try task.handle(.tryFailed(.error), now: now) == transition(.failed))
    }

    @Test func releasedGivesTheTryBack() throws {
        var task = lifecycle(.running, try: 1, retries: 1)
        #expect(try task.handle(.released, now: now) == transition(.queued, at: now, tries: -1))
        #expect(task.tryNumber == 0)
        #expect(try task.handle(.claimed, now: now) == transition(.running, tries: 1))
        #expect(task.tryNumber == 1, "the same try runs again")
    }

    @Test func clearedRunsAgain() throws {
        for state in [TaskState.success, .failed, .upstreamFailed, .upForRetry] {
            var task = lifecycle(state, try: 2)
            #expect(try task.handle(.cleared, now: now) == transition(.scheduled))
            #expect(task.tryNumber == 2, "try numbers keep counting, so attempts stay distinct")
        }
    }

    @Test(arguments: [
        (TaskState.success, TaskEvent.claimed), (.scheduled, .succeeded), (.queued, .succeeded), (.queued, .tryFailed(.error)),
        (.failed, .tryFailed(.error)), (.running, .claimed), (.running, .cleared), (.queued, .cleared),
        (.running, .upstreamsSucceeded), (.success, .released), (.upForRetry, .succeeded),
    ])
    func invalidEdgesThrow(state: TaskState, event: TaskEvent) {
        var task = lifecycle(state, try: 1)
        #expect(throws: InvalidTransition(from: state, event: event)) { try task.handle(event, now: now) }
        #expect(task.state == state && task.tryNumber == 1, "a refused event changes nothing")
    }

    @Test func invalidTransitionMessageNamesStateAndEvent() {
        #expect(InvalidTransition(from: .success, event: .claimed).description == "a success task cannot take event claimed")
    }

    @Test func sourcesMatchTheEdges() {
        for event in [TaskEvent.upstreamsSucceeded, .upstreamFailed, .claimed, .succeeded, .tryFailed(.error), .released, .cleared] {
            for state in TaskState.allCases {
                var task = lifecycle(state, try: 1, retries: 1)
                let allowed = (try? task.handle(event, now: now)) != nil
                #expect(allowed == TaskLifecycle.sources(of: event).contains(state), "\(state) + \(event)")
            }
        }
    }

    @Test func runStateFollowsItsTasks() {
        #expect(DagRunState.resolve([.scheduled, .queued]) == .queued)
        #expect(DagRunState.resolve([.success, .queued]) == .running)
        #expect(DagRunState.resolve([.success, .success]) == .success)
        #expect(DagRunState.resolve([.success, .failed, .upstreamFailed]) == .failed)
        #expect(DagRunState.resolve([.failed, .running]) == .running)
    }
}
