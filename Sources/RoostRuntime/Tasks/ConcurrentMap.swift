import Dispatch

extension Array where Element: Sendable {
    /// `map` on every core at once, `chunk` elements per job, the order kept: for CPU-bound work on
    /// independent elements (parsing records), which one thread of a task would do alone. The
    /// calling thread takes jobs too, so on the cooperative pool it computes rather than waits.
    func concurrentMap<Result: Sendable>(chunk: Int = 128, _ transform: @Sendable (Element) -> Result) -> [Result] {
        var results = [Result?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = DisjointSlots(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { job in
                for index in job * chunk ..< Swift.min(count, (job + 1) * chunk) { slots[index] = transform(self[index]) }
            }
        }
        return results.map { $0! }
    }
}

/// A results buffer as concurrent jobs see it. `@unchecked Sendable`: each index is written by
/// exactly one job, and read only after `concurrentPerform` returned.
private struct DisjointSlots<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    subscript(index: Int) -> Element {
        get { buffer[index] }
        nonmutating set { buffer[index] = newValue }
    }
}
