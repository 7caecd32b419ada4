import Foundation

/// Dedicated threads that run libcurl transfers, so a blocking `curl_easy_perform` never holds
/// one of Swift's cooperative threads. Threads start on demand, up to `maxThreads`; each keeps
/// one easy handle, and with it open connections, for its lifetime. Transfers beyond
/// `maxThreads` wait in order.
final class CurlThreadPool: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is guarded by `condition`'s lock.
    private let condition = NSCondition()
    private var pending: [CurlTransfer] = []
    private var idleThreads = 0
    private var threads = 0
    private var closed = false
    private let maxThreads: Int

    init(maxThreads: Int) { self.maxThreads = max(1, maxThreads) }

    func submit(_ transfer: CurlTransfer) {
        condition.lock()
        defer { condition.unlock() }
        pending.append(transfer)
        if pending.count > idleThreads && threads < maxThreads {
            threads += 1
            let thread = Thread { [self] in work() }
            thread.name = "roost.curl"
            thread.start()
        }
        condition.signal()
    }

    /// Lets the threads finish what is queued and exit.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        guard let easy = CurlEasy() else {
            failEverything()
            return
        }
        var finished: CurlTransfer?
        while let transfer = next(resuming: finished) {
            transfer.perform(on: easy)
            finished = transfer
        }
    }

    /// This thread counts as idle before the transfer it finished resumes its caller: a caller
    /// that sends its next request at once (the next part of an upload) then gets this thread and
    /// its open connection, instead of a new thread and a new connection.
    private func next(resuming finished: CurlTransfer?) -> CurlTransfer? {
        condition.lock()
        idleThreads += 1
        condition.unlock()
        finished?.resume()
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty && !closed { condition.wait() }
        idleThreads -= 1
        return pending.isEmpty ? nil : pending.removeFirst()
    }

    /// libcurl could not make a handle (out of memory or failed global init): fail what waits.
    private func failEverything() {
        condition.lock()
        let waiting = pending
        pending = []
        threads -= 1
        condition.unlock()
        for transfer in waiting {
            transfer.continuation?.resume(throwing: HTTPError(kind: .other, method: transfer.request.method,
                                                              url: transfer.request.url, detail: "libcurl could not create a handle"))
        }
    }
}
