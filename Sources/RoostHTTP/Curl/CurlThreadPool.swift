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
        while let transfer = next() { transfer.perform(on: easy) }
    }

    private func next() -> CurlTransfer? {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty && !closed {
            idleThreads += 1
            condition.wait()
            idleThreads -= 1
        }
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
