import Engine
import Foundation
import TestSupport
import Testing

/// An `evaluate` job with `task: detect`, as the worker runs it: progress per step, the report in
/// the log and in the job's folder, and a cancelled job resuming from its checkpoints.
@Suite("detection evaluation jobs")
struct DetectJobTests {
    @Test func aStoppedJobResumesAndFinishesWithItsReport() throws {
        let dir = TemporaryDirectory("detect-job")
        for (name, seed) in [("real", 1), ("synthetic", 2), ("holdout", 3)] {
            try ShapesDataset.write(in: dir, name: name, count: 8, seed: UInt64(seed))
        }
        let spec = JobSpec.evaluate(
            EvaluateSpec(
                id: "j-1", real: dir.file("real"), synthetic: dir.file("synthetic"), holdout: dir.file("holdout"), seed: 1, task: .detect,
                steps: 4, size: "128x96"))
        var events: [JobEvent] = []
        var progress = 0
        let first = try JobWork.perform(
            spec, staging: dir.file("job/staging"), done: [], emit: { events.append($0) },
            shouldStop: {
                progress = events.count { if case .progress = $0 { true } else { false } }
                return progress >= 6
            })
        #expect(first == .stopped)
        #expect(FileManager.default.fileExists(atPath: dir.file("job/evaluation/synthetic.safetensors")))
        events = []
        let second = try JobWork.perform(
            spec, staging: dir.file("job/staging"), done: [], emit: { events.append($0) }, shouldStop: { false })
        #expect(second == .finished)
        let logs = events.compactMap { if case .log(let line) = $0 { line } else { nil } }
        #expect(logs.contains { $0.contains("synthetic: resuming at step") }, "\(logs)")
        #expect(logs.contains { $0.contains("AP50 per class") })
        let steps = events.compactMap { if case .progress(let done, let total, _) = $0 { (done, total) } else { nil } }
        #expect(steps.last.map { $0 == (12, 12) } == true, "\(steps)")
        #expect(FileManager.default.fileExists(atPath: dir.file("job/evaluation/report.json")))
    }
}
