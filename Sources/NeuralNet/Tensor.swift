/// A dense float32 array with a shape; images and feature maps are NCHW.
///
/// A value type (copy-on-write storage): layers keep what they need for the backward pass by
/// holding on to a tensor, never by aliasing a buffer someone else mutates.
public struct Tensor: Sendable, Equatable {
    public private(set) var shape: [Int]
    public var storage: [Float]

    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        storage = [Float](repeating: value, count: shape.reduce(1, *))
    }

    public init(shape: [Int], storage: [Float]) {
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) does not hold \(storage.count) values")
        self.shape = shape
        self.storage = storage
    }

    public var count: Int { storage.count }

    /// The first dimension (the batch, for NCHW and NC tensors).
    public var batch: Int { shape.first ?? 1 }

    /// The values of one item of the batch (everything after the first dimension).
    public var itemCount: Int { shape.isEmpty ? 1 : count / max(shape[0], 1) }

    /// The same values under another shape with the same number of elements.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }

    /// Items `range` of the batch.
    public func items(_ range: Range<Int>) -> Tensor {
        let n = itemCount
        return Tensor(shape: [range.count] + shape.dropFirst(), storage: Array(storage[range.lowerBound * n..<range.upperBound * n]))
    }

    /// Items in the given order (a gathered mini-batch).
    public func gathering(_ indices: [Int]) -> Tensor {
        let n = itemCount
        var values = [Float]()
        values.reserveCapacity(indices.count * n)
        for index in indices { values.append(contentsOf: storage[index * n..<(index + 1) * n]) }
        return Tensor(shape: [indices.count] + shape.dropFirst(), storage: values)
    }

    /// Tensors of equal item shape stacked along the batch dimension.
    public static func concatenating(_ parts: [Tensor]) -> Tensor {
        guard let first = parts.first else { return Tensor(shape: [0]) }
        let itemShape = Array(first.shape.dropFirst())
        precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == itemShape }, "item shapes differ")
        return Tensor(shape: [parts.reduce(0) { $0 + $1.batch }] + itemShape, storage: parts.flatMap(\.storage))
    }

    public static func += (lhs: inout Tensor, rhs: Tensor) {
        precondition(lhs.shape == rhs.shape, "shapes \(lhs.shape) and \(rhs.shape) differ")
        lhs.storage.withUnsafeMutableBufferPointer { l in
            rhs.storage.withUnsafeBufferPointer { r in for i in 0..<l.count { l[i] += r[i] } }
        }
    }

    /// Every value multiplied by `factor`.
    public func scaled(by factor: Float) -> Tensor {
        Tensor(shape: shape, storage: storage.map { $0 * factor })
    }

    /// Sets every value to zero, keeping the shape.
    public mutating func zero() {
        storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}
