internal import COneDNN
internal import StudioCore

/// oneDNN's direct convolution and deconvolution kernels (INTEROP.md item 11) for one layer
/// and one input shape: forward, backward data and backward weights.
///
/// Tensors stay NCHW in NeuralNet; each primitive is created with `format_tag_any`, so oneDNN
/// picks its blocked layouts (`nChw16c`, `OIhw16i16o`, …) and reorders convert at the edges, as
/// PyTorch does. The batch is split into fixed parts, one per core, each run by a single-threaded
/// primitive (the OpenMP reason is in the shim's header): results do not depend on scheduling,
/// and weight gradients are the parts' sum in part order.
final class ConvolutionPrimitives {
    enum Kind: Sendable { case convolution, deconvolution }

    /// A layer's geometry for one input shape. Channels, heights and widths are the layer's
    /// input and output (for a deconvolution, the output is the larger image).
    struct Shape: Equatable, Sendable {
        var kind: Kind
        var batch: Int
        var inChannels: Int
        var outChannels: Int
        var inHeight: Int
        var inWidth: Int
        var outHeight: Int
        var outWidth: Int
        var kernel: Int
        var stride: Int
        var padding: Int

        var inputCount: Int { batch * inChannels * inHeight * inWidth }
        var outputCount: Int { batch * outChannels * outHeight * outWidth }
        var weightCount: Int { inChannels * outChannels * kernel * kernel }
        /// Multiply–adds of one pass.
        var work: Int {
            let grid = kind == .convolution ? outHeight * outWidth : inHeight * inWidth
            return batch * inChannels * outChannels * kernel * kernel * grid
        }
    }

    enum Operation: Int, CaseIterable { case forward, backwardData, backwardWeights }

    let shape: Shape
    private let parts: [Part]

    /// nil when oneDNN has no primitive for the shape (the layer then keeps im2col).
    init?(_ shape: Shape) {
        self.shape = shape
        let count = shape.batch >= GEMM.threads && shape.work >= 1 << 22 ? GEMM.threads : 1
        parts = (0..<count).map { i in Part(shape: shape, batch: shape.batch * i / count..<(shape.batch * (i + 1) / count)) }
        guard prepare(.forward) else { return nil }
    }

    /// Creates an operation's primitives for every part; false when oneDNN cannot. Primitives are
    /// created on a thread already asked for one OpenMP thread: oneDNN sizes its work split by
    /// the creating thread's OpenMP setting.
    func prepare(_ operation: Operation) -> Bool {
        cdnnl_omp_set_num_threads(1)
        for part in parts where part.bound[operation.rawValue] == nil {
            guard let bound = part.make(operation) else { return false }
            part.bound[operation.rawValue] = bound
        }
        return true
    }

    /// The layer's output for `input` (NCHW) and `weights` (PyTorch's layout).
    func forward(_ input: [Float], weights: [Float]) -> [Float] {
        precondition(input.count == shape.inputCount && weights.count == shape.weightCount, "sizes do not match \(shape)")
        let (inStride, outStride) = (shape.inputCount / shape.batch, shape.outputCount / shape.batch)
        return filled(shape.outputCount) { output in
            input.withUnsafeBufferPointer { input in
                weights.withUnsafeBufferPointer { weights in
                    run(.forward) { part in
                        [
                            .init(mutating: input.baseAddress! + part.batch.lowerBound * inStride), .init(mutating: weights.baseAddress!),
                            .init(output + part.batch.lowerBound * outStride),
                        ]
                    }
                }
            }
        }
    }

    /// The gradient of the layer's input, given its output's.
    func backwardData(_ gradient: [Float], weights: [Float]) -> [Float] {
        precondition(gradient.count == shape.outputCount && weights.count == shape.weightCount, "sizes do not match \(shape)")
        let (inStride, outStride) = (shape.inputCount / shape.batch, shape.outputCount / shape.batch)
        return filled(shape.inputCount) { inputGradient in
            gradient.withUnsafeBufferPointer { gradient in
                weights.withUnsafeBufferPointer { weights in
                    run(.backwardData) { part in
                        [
                            .init(inputGradient + part.batch.lowerBound * inStride), .init(mutating: weights.baseAddress!),
                            .init(mutating: gradient.baseAddress! + part.batch.lowerBound * outStride),
                        ]
                    }
                }
            }
        }
    }

    /// Adds the weight gradient of this batch to `weightGradient` (PyTorch's layout).
    func backwardWeights(input: [Float], gradient: [Float], accumulateInto weightGradient: inout [Float]) {
        precondition(
            input.count == shape.inputCount && gradient.count == shape.outputCount && weightGradient.count == shape.weightCount,
            "sizes do not match \(shape)")
        let (inStride, outStride) = (shape.inputCount / shape.batch, shape.outputCount / shape.batch)
        input.withUnsafeBufferPointer { input in
            gradient.withUnsafeBufferPointer { gradient in
                run(.backwardWeights) { part in
                    [
                        .init(mutating: input.baseAddress! + part.batch.lowerBound * inStride), .init(part.weightGradient),
                        .init(mutating: gradient.baseAddress! + part.batch.lowerBound * outStride),
                    ]
                }
            }
        }
        let count = shape.weightCount
        let slices = count >= 1 << 16 ? GEMM.threads : 1
        weightGradient.withUnsafeMutableBufferPointer { target in
            nonisolated(unsafe) let (target, parts) = (target.baseAddress!, parts)
            Parallel.forEach(slices) { slice in
                let range = count * slice / slices..<(count * (slice + 1) / slices)
                for part in parts {
                    let source = part.weightGradient
                    for i in range { target[i] += source[i] }
                }
            }
        }
    }

    private func run(_ operation: Operation, _ pointers: (Part) -> [UnsafeMutableRawPointer]) {
        // The layer's PrimitiveCache prepared the operation before handing these primitives out.
        precondition(parts.allSatisfy { $0.bound[operation.rawValue] != nil }, "\(operation) primitives not prepared for \(shape)")
        nonisolated(unsafe) let parts = parts
        Parallel.forEach(parts.count) { i in
            cdnnl_omp_set_num_threads(1)
            let part = parts[i]
            part.bound[operation.rawValue]!.execute(pointers(part))
        }
    }

    /// One slice of the batch with its own primitives, memories and weight-gradient buffer.
    private final class Part {
        let shape: Shape
        let batch: Range<Int>
        var bound: [BoundPrimitive?] = Array(repeating: nil, count: Operation.allCases.count)
        private var forwardDescriptor: dnnl_primitive_desc_t?
        private(set) lazy var weightGradient = UnsafeMutablePointer<Float>.allocate(capacity: shape.weightCount)

        init(shape: Shape, batch: Range<Int>) {
            self.shape = shape
            self.batch = batch
        }

        deinit {
            if let forwardDescriptor { cdnnl_primitive_desc_destroy(forwardDescriptor) }
            weightGradient.deallocate()
        }

        /// Arguments in the order `execute` takes pointers: (source or its gradient, weights or
        /// their gradient, destination or its gradient).
        func make(_ operation: Operation) -> BoundPrimitive? {
            let s = shape
            let n = Int64(batch.count)
            let source = [n, Int64(s.inChannels), Int64(s.inHeight), Int64(s.inWidth)]
            let destination = [n, Int64(s.outChannels), Int64(s.outHeight), Int64(s.outWidth)]
            let weights = [Int64(s.outChannels), Int64(s.inChannels), Int64(s.kernel), Int64(s.kernel)]
            // Conv2d keeps (out, in, k, k) = oihw; ConvTranspose2d keeps (in, out, k, k) = iohw.
            let weightTag = s.kind == .convolution ? dnnl_oihw : dnnl_iohw
            let strides = [Int64(s.stride), Int64(s.stride)]
            let padLeft = [Int64(s.padding), Int64(s.padding)]
            // oneDNN wants the right padding that makes the sizes exact (PyTorch floors).
            let small =
                s.kind == .convolution ? (s.inHeight, s.inWidth, s.outHeight, s.outWidth) : (s.outHeight, s.outWidth, s.inHeight, s.inWidth)
            let padRight = [
                Int64((small.2 - 1) * s.stride + s.kernel - small.0 - s.padding),
                Int64((small.3 - 1) * s.stride + s.kernel - small.1 - s.padding),
            ]
            var anySource = MemoryDescriptor(source, tag: dnnl_format_tag_any).value
            var anyWeights = MemoryDescriptor(weights, tag: dnnl_format_tag_any).value
            var anyDestination = MemoryDescriptor(destination, tag: dnnl_format_tag_any).value

            if forwardDescriptor == nil {
                var forwardOp: OperationDescriptor
                if s.kind == .convolution {
                    var d = dnnl_convolution_desc_t()
                    guard
                        cdnnl_convolution_forward_desc_init(
                            &d, dnnl_forward_training, dnnl_convolution_direct, &anySource, &anyWeights, nil, &anyDestination,
                            strides, padLeft, padRight) == dnnl_success
                    else { return nil }
                    forwardOp = .convolution(d)
                } else {
                    var d = dnnl_deconvolution_desc_t()
                    guard
                        cdnnl_deconvolution_forward_desc_init(
                            &d, dnnl_forward_training, dnnl_deconvolution_direct, &anySource, &anyWeights, nil, &anyDestination,
                            strides, padLeft, padRight) == dnnl_success
                    else { return nil }
                    forwardOp = .deconvolution(d)
                }
                guard let pd = forwardOp.primitiveDescriptor(hint: nil) else { return nil }
                forwardDescriptor = pd
            }
            let op: OperationDescriptor
            switch (operation, s.kind) {
            case (.forward, _):
                return BoundPrimitive(
                    borrowing: forwardDescriptor!,
                    [
                        (DNNL_ARG_SRC, .init(source, tag: dnnl_nchw), false), (DNNL_ARG_WEIGHTS, .init(weights, tag: weightTag), false),
                        (DNNL_ARG_DST, .init(destination, tag: dnnl_nchw), true),
                    ])
            case (.backwardData, .convolution):
                var d = dnnl_convolution_desc_t()
                guard
                    cdnnl_convolution_backward_data_desc_init(
                        &d, dnnl_convolution_direct, &anySource, &anyWeights, &anyDestination, strides, padLeft, padRight) == dnnl_success
                else { return nil }
                op = .convolution(d)
            case (.backwardData, .deconvolution):
                var d = dnnl_deconvolution_desc_t()
                guard
                    cdnnl_deconvolution_backward_data_desc_init(
                        &d, dnnl_deconvolution_direct, &anySource, &anyWeights, &anyDestination, strides, padLeft, padRight) == dnnl_success
                else { return nil }
                op = .deconvolution(d)
            case (.backwardWeights, .convolution):
                var d = dnnl_convolution_desc_t()
                guard
                    cdnnl_convolution_backward_weights_desc_init(
                        &d, dnnl_convolution_direct, &anySource, &anyWeights, nil, &anyDestination, strides, padLeft, padRight)
                        == dnnl_success
                else { return nil }
                op = .convolution(d)
            case (.backwardWeights, .deconvolution):
                var d = dnnl_deconvolution_desc_t()
                guard
                    cdnnl_deconvolution_backward_weights_desc_init(
                        &d, dnnl_deconvolution_direct, &anySource, &anyWeights, nil, &anyDestination, strides, padLeft, padRight)
                        == dnnl_success
                else { return nil }
                op = .deconvolution(d)
            }
            guard let pd = op.primitiveDescriptor(hint: forwardDescriptor) else { return nil }
            defer { cdnnl_primitive_desc_destroy(pd) }
            return operation == .backwardData
                ? BoundPrimitive(
                    borrowing: pd,
                    [
                        (DNNL_ARG_DIFF_SRC, .init(source, tag: dnnl_nchw), true), (DNNL_ARG_WEIGHTS, .init(weights, tag: weightTag), false),
                        (DNNL_ARG_DIFF_DST, .init(destination, tag: dnnl_nchw), false),
                    ])
                : BoundPrimitive(
                    borrowing: pd,
                    [
                        (DNNL_ARG_SRC, .init(source, tag: dnnl_nchw), false),
                        (DNNL_ARG_DIFF_WEIGHTS, .init(weights, tag: weightTag), true),
                        (DNNL_ARG_DIFF_DST, .init(destination, tag: dnnl_nchw), false),
                    ])
        }
    }
}

/// A convolution or deconvolution operation descriptor, ready for a primitive descriptor.
private enum OperationDescriptor {
    case convolution(dnnl_convolution_desc_t)
    case deconvolution(dnnl_deconvolution_desc_t)

    /// With a user-managed scratchpad, so parts never share oneDNN's.
    func primitiveDescriptor(hint: dnnl_primitive_desc_t?) -> dnnl_primitive_desc_t? {
        var attributes: dnnl_primitive_attr_t?
        guard cdnnl_primitive_attr_create(&attributes) == dnnl_success else { return nil }
        defer { cdnnl_primitive_attr_destroy(attributes) }
        cdnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user)
        var pd: dnnl_primitive_desc_t?
        var status: dnnl_status_t
        switch self {
        case .convolution(var d): status = cdnnl_primitive_desc_create(&pd, &d, attributes, OneDNN.engine, hint)
        case .deconvolution(var d): status = cdnnl_primitive_desc_create(&pd, &d, attributes, OneDNN.engine, hint)
        }
        return status == dnnl_success ? pd : nil
    }
}

/// A plain (NCHW or PyTorch weight layout) float32 memory descriptor.
struct MemoryDescriptor {
    var value = dnnl_memory_desc_t()

    init(_ dims: [Int64], tag: dnnl_format_tag_t) {
        let status = cdnnl_memory_desc_init_by_tag(&value, Int32(dims.count), dims, dnnl_f32, tag)
        precondition(status == dnnl_success, "oneDNN memory descriptor: \(String(cString: cdnnl_status2str(status)))")
    }
}

/// The process's oneDNN CPU engine.
enum OneDNN {
    nonisolated(unsafe) static let engine: dnnl_engine_t = {
        var engine: dnnl_engine_t?
        let status = cdnnl_engine_create(&engine, dnnl_cpu, 0)
        precondition(status == dnnl_success, "oneDNN CPU engine: \(String(cString: cdnnl_status2str(status)))")
        return engine!
    }()

    /// `DNNL_MEMORY_ALLOCATE` (a cast macro Swift does not import).
    nonisolated(unsafe) static let allocate = UnsafeMutableRawPointer(bitPattern: -1)

    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
        precondition(status == dnnl_success, "oneDNN \(what()): \(String(cString: cdnnl_status2str(status)))")
    }
}

/// A primitive with its stream, scratchpad, and for every argument whose layout oneDNN chose
/// differently from ours a buffer and the reorder to or from it.
private final class BoundPrimitive {
    private struct Argument {
        var id: Int32
        var user: dnnl_memory_t
        /// The memory the primitive reads or writes: `user` itself when the layouts agree.
        var inner: dnnl_memory_t
        var reorder: dnnl_primitive_t?
        var isOutput: Bool
    }

    private let primitive: dnnl_primitive_t
    private let stream: dnnl_stream_t
    private var arguments: [Argument] = []
    private var executeArguments: [dnnl_exec_arg_t] = []

    /// `descriptor` stays the caller's.
    init?(borrowing descriptor: dnnl_primitive_desc_t, _ specification: [(id: Int32, user: MemoryDescriptor, isOutput: Bool)]) {
        var primitive: dnnl_primitive_t?
        var stream: dnnl_stream_t?
        guard cdnnl_primitive_create(&primitive, descriptor) == dnnl_success, let primitive else { return nil }
        OneDNN.check(cdnnl_stream_create(&stream, OneDNN.engine, dnnl_stream_default_flags.rawValue), "stream")
        self.primitive = primitive
        self.stream = stream!
        for (id, user, isOutput) in specification {
            var plain = user.value
            let chosen = cdnnl_primitive_desc_query_md(descriptor, dnnl_query_exec_arg_md, id)!
            var userMemory: dnnl_memory_t?
            OneDNN.check(cdnnl_memory_create(&userMemory, &plain, OneDNN.engine, nil), "memory")
            var argument = Argument(id: id, user: userMemory!, inner: userMemory!, reorder: nil, isOutput: isOutput)
            if cdnnl_memory_desc_equal(chosen, &plain) == 0 {
                var inner: dnnl_memory_t?
                OneDNN.check(cdnnl_memory_create(&inner, chosen, OneDNN.engine, OneDNN.allocate), "memory")
                argument.inner = inner!
                argument.reorder = withUnsafePointer(to: &plain) { plain in
                    isOutput ? Self.reorder(from: chosen, to: plain) : Self.reorder(from: plain, to: chosen)
                }
            }
            arguments.append(argument)
        }
        let scratchpad = cdnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0)
        if let scratchpad, cdnnl_memory_desc_get_size(scratchpad) > 0 {
            var memory: dnnl_memory_t?
            OneDNN.check(cdnnl_memory_create(&memory, scratchpad, OneDNN.engine, OneDNN.allocate), "scratchpad")
            arguments.append(Argument(id: DNNL_ARG_SCRATCHPAD, user: memory!, inner: memory!, reorder: nil, isOutput: false))
        }
        executeArguments = arguments.map { dnnl_exec_arg_t(arg: $0.id, memory: $0.inner) }
    }

    deinit {
        for argument in arguments {
            if let reorder = argument.reorder { cdnnl_primitive_destroy(reorder) }
            if argument.inner != argument.user { cdnnl_memory_destroy(argument.inner) }
            cdnnl_memory_destroy(argument.user)
        }
        cdnnl_stream_destroy(stream)
        cdnnl_primitive_destroy(primitive)
    }

    private static func reorder(from source: UnsafePointer<dnnl_memory_desc_t>, to destination: UnsafePointer<dnnl_memory_desc_t>)
        -> dnnl_primitive_t
    {
        var descriptor: dnnl_primitive_desc_t?
        OneDNN.check(
            cdnnl_reorder_primitive_desc_create(&descriptor, source, OneDNN.engine, destination, OneDNN.engine, nil), "reorder")
        defer { cdnnl_primitive_desc_destroy(descriptor) }
        var primitive: dnnl_primitive_t?
        OneDNN.check(cdnnl_primitive_create(&primitive, descriptor), "reorder")
        return primitive!
    }

    /// Runs with the caller's buffers, one per specified argument in order.
    func execute(_ pointers: [UnsafeMutableRawPointer]) {
        for (argument, pointer) in zip(arguments, pointers) {
            OneDNN.check(cdnnl_memory_set_data_handle(argument.user, pointer), "data handle")
        }
        for argument in arguments where !argument.isOutput { runReorder(argument) }
        executeArguments.withUnsafeBufferPointer { args in
            OneDNN.check(cdnnl_primitive_execute(primitive, stream, Int32(args.count), args.baseAddress), "execute")
        }
        for argument in arguments where argument.isOutput { runReorder(argument) }
        OneDNN.check(cdnnl_stream_wait(stream), "wait")
    }

    private func runReorder(_ argument: Argument) {
        guard let reorder = argument.reorder else { return }
        let (from, to) = argument.isOutput ? (argument.inner, argument.user) : (argument.user, argument.inner)
        let args = [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: from), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: to)]
        args.withUnsafeBufferPointer { args in
            OneDNN.check(cdnnl_primitive_execute(reorder, stream, 2, args.baseAddress), "reorder")
        }
    }
}
