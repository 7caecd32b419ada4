import Foundation
import RoostCore
import Synchronization

/// One connection's receiving side: libcurl's transfer thread hands it chunks, it cuts them into
/// lines for the async reader and notes when anything last arrived, for stall detection.
final class XStreamConnection: Sendable {
    private struct State {
        var buffer = XStreamLineBuffer()
        var lastActivity = ContinuousClock.now
    }

    private let state = Mutex(State())
    let lines: AsyncStream<Data>
    private let continuation: AsyncStream<Data>.Continuation

    init() {
        (lines, continuation) = AsyncStream<Data>.makeStream()
    }

    /// Called on the transfer's thread with each chunk of a 2xx body.
    func receive(_ chunk: Data) {
        let complete = state.withLock { state in
            state.lastActivity = .now
            return state.buffer.append(chunk)
        }
        for line in complete { continuation.yield(line) }
    }

    /// The transfer ended: the reader sees the end after the lines already cut.
    func finish() { continuation.finish() }

    /// Time since the connection opened or last delivered a byte.
    var idle: Duration { ContinuousClock.now - state.withLock { $0.lastActivity } }
}
