/// Writes the elements of an array built in place by `Array(capacity:writing:)`: one store per
/// element, none of an append's checks (uniqueness, growth) — the renderer writes some two
/// million rays and points per image this way.
struct ArrayWriter<Element> {
    private var next: UnsafeMutablePointer<Element>
    private let start: UnsafeMutablePointer<Element>, end: UnsafeMutablePointer<Element>

    fileprivate init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        start = buffer.baseAddress!
        next = start
        end = start + buffer.count
    }

    fileprivate var written: Int { next - start }

    @inline(__always) mutating func write(_ element: Element) {
        precondition(next < end, "more elements than the capacity")
        next.initialize(to: element)
        next += 1
    }
}

extension Array {
    /// At most `capacity` elements, written in order by `fill`.
    init(capacity: Int, writing fill: (inout ArrayWriter<Element>) -> Void) {
        self.init(unsafeUninitializedCapacity: capacity) { buffer, initialized in
            guard buffer.baseAddress != nil else { return }
            var writer = ArrayWriter(buffer)
            fill(&writer)
            initialized = writer.written
        }
    }
}
