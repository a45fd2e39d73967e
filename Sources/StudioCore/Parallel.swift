internal import Dispatch

/// Data-parallel loops over all cores, results kept in index order.
public enum Parallel {
    /// `body(0) … body(count - 1)`, run concurrently (`DispatchQueue.concurrentPerform`); the
    /// results in index order. Each index is computed by exactly one iteration.
    public static func map<T: Sendable>(_ count: Int, _ body: (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        let results = Slots<T>(count: count)
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: count) { i in results.set(i, body(i)) }
        }
        return results.collect()
    }
}

/// One slot per iteration; each written by one iteration, read after all have finished.
private final class Slots<T>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<T?>
    private let count: Int

    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil, count: count)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    func set(_ i: Int, _ value: T) { storage[i] = value }

    func collect() -> [T] { (0..<count).map { storage[$0]! } }
}

extension Parallel {
    /// `body(0) … body(count - 1)`, run concurrently; for loops that write disjoint parts of a
    /// buffer they own. Each index is run by exactly one iteration.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        if count == 1 { return body(0) }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: count) { i in body(i) }
        }
    }
}
