import Datasets
import Engine
import Foundation
import TerminalGraphics

/// Runs a job's units in this process into `out`, the way the engine's worker and runner do:
/// each unit is staged whole in `out/.staging/<index>`, then committed in batches (at most one
/// commit a second), so an interrupted run leaves only whole images and valid label files, and
/// running again continues. Units finished but not committed by an interrupted run are committed
/// first; units whose image is already in the dataset are skipped. `produce` computes a unit and
/// returns what writes it into its folder, which runs while the next unit is computed
/// (`UnitPipeline`).
func runUnitsLocally(
    out: String, layout: DatasetCommitter.Layout, label: String, name: (Int) -> String, pending: (Set<Int>) -> [Int],
    produce: (Int, String) throws -> UnitPipeline.Write
) throws {
    let committer = DatasetCommitter(root: out, layout: layout)
    let staging = "\(out)/.staging"
    try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
    let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []).map { "\(staging)/\($0)" }
    let complete = leftovers.filter { FileManager.default.fileExists(atPath: "\($0)/unit.json") }
    for folder in leftovers where !complete.contains(folder) { try? FileManager.default.removeItem(atPath: folder) }
    try committer.commit(units: complete)
    let existing = Set(try committer.existing().samples.map { ($0.path as NSString).lastPathComponent })
    let all = pending([])
    let todo = pending(Set(all.filter { existing.contains(name($0)) }))
    let progress = ProgressReporter(label: label, total: todo.count)
    var batch: [String] = []
    var last = Date()
    var done = 0
    try UnitPipeline.run(todo, produce: { index in try produce(index, "\(staging)/\(index)") }) { index in
        batch.append("\(staging)/\(index)")
        done += 1
        if Date().timeIntervalSince(last) > 1 || done == todo.count {
            try committer.commit(units: batch)
            batch.removeAll()
            last = Date()
        }
        progress.update(done: done)
    }
    progress.finish(done: todo.count)
    try? FileManager.default.removeItem(atPath: staging)
}
