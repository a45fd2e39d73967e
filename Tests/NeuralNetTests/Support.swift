import Foundation
import NeuralNet
import StudioCore
import Testing

/// `value[i] = sin(a·i + b) / 2`, the formula scripts/record_torch_fixture.py fills tensors with.
func formula(_ shape: [Int], _ a: Double, _ b: Double, scale: Float = 1) -> Tensor {
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, storage: (0..<count).map { Float(sin(a * Double($0) + b) / 2) * scale })
}

/// PyTorch's recorded answers (Fixtures/torch_layers.json).
let torchCases: [String: [String: [Double]]] = {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/torch_layers.json")
    let data = try! Data(contentsOf: path)
    let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    let cases = root["cases"] as! [String: [String: Any]]
    return cases.mapValues { fields in
        fields.compactMapValues { value in (value as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } }
    }
}()

/// Largest absolute difference, relative to the largest reference magnitude (at least 1).
func expectClose(
    _ actual: [Float], _ expected: [Double]?, tolerance: Double = 1e-4, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let expected else {
        Issue.record("no reference for \(what)", sourceLocation: sourceLocation)
        return
    }
    #expect(
        actual.count == expected.count, "\(what): \(actual.count) values, PyTorch has \(expected.count)", sourceLocation: sourceLocation)
    let scale = max(expected.map(abs).max() ?? 1, 1)
    let worst = zip(actual, expected).map { abs(Double($0) - $1) }.max() ?? 0
    #expect(worst / scale < tolerance, "\(what): off by \(worst)", sourceLocation: sourceLocation)
}

/// Checks a layer's backward pass against central differences of `L = Σ output · weights` in
/// double precision terms: the input gradient at every position and each parameter's gradient.
func checkGradients(
    of layer: some Layer, input: Tensor, training: Bool = true, tolerance: Float = 2e-2,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let output = layer.forward(input, training: training)
    let upstream = formula(output.shape, 0.37, 0.11)
    func loss(_ x: Tensor) -> Float {
        let y = layer.forward(x, training: training)
        return zip(y.storage, upstream.storage).reduce(Float(0)) { $0 + $1.0 * $1.1 }
    }
    for (_, parameter) in layer.parameters { parameter.zeroGradient() }
    _ = layer.forward(input, training: training)
    let analytic = layer.backward(upstream)
    let parameterGradients = layer.parameters.map { ($0.name, $0.parameter, $0.parameter.gradient) }
    let step: Float = 1e-2
    func numeric(_ perturb: (Float) -> Void) -> Float {
        perturb(step)
        let plus = loss(input)
        perturb(-2 * step)
        let minus = loss(input)
        perturb(step)
        return (plus - minus) / (2 * step)
    }
    func compare(_ a: Float, _ n: Float, _ what: String) {
        let error = abs(a - n) / max(1, abs(a), abs(n))
        #expect(error < tolerance, "\(what): analytic \(a), numeric \(n)", sourceLocation: sourceLocation)
    }
    for i in stride(from: 0, to: input.count, by: max(1, input.count / 40)) {
        var x = input
        let base = x.storage[i]
        x.storage[i] = base + step
        let plus = loss(x)
        x.storage[i] = base - step
        let minus = loss(x)
        compare(analytic.storage[i], (plus - minus) / (2 * step), "input[\(i)]")
    }
    for (name, parameter, gradient) in parameterGradients {
        for i in stride(from: 0, to: parameter.value.count, by: max(1, parameter.value.count / 20)) {
            let n = numeric { parameter.value.storage[i] += $0 }
            compare(gradient.storage[i], n, "\(name)[\(i)]")
        }
    }
}
