/// Writes the elements of an array built in place by `Array(capacity:writing:)`: one store per
/// element, none of an append's checks (uniqueness, growth) — the renderer writes some two
/// million rays and points per image this way.
struct ArrayWriter<Element> {
    private var next: UnsafeMutablePointer<Element>
    private let start: UnsafeMutablePointer<Element>, end: UnsafeMutablePointer<Element>

    fileprivate init(start: UnsafeMutablePointer<Element>, capacity: Int) {
        self.start = start
        next = start
        end = start + capacity
    }

    fileprivate var written: Int { next - start }

    @inline(__always) mutating func write(_ element: Element) {
        precondition(next < end, "more elements than the capacity")
        next.initialize(to: element)
        next += 1
    }
}

extension Array {
    /// At most `capacity` elements, written in order by `fill` (which always runs, even for a
    /// capacity of 0: callers do other work inside it).
    init(capacity: Int, writing fill: (inout ArrayWriter<Element>) -> Void) {
        // Room for at least one element, so the buffer has an address.
        self.init(unsafeUninitializedCapacity: Swift.max(1, capacity)) { buffer, initialized in
            var writer = ArrayWriter(start: buffer.baseAddress!, capacity: capacity)
            fill(&writer)
            initialized = writer.written
        }
    }
}
