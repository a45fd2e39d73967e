import Catalog
import Dispatch
import Foundation
import ImageIO

/// `jobs`: does committing stay cheap as a dataset grows? A 20,000-image render job (96×72, one
/// sample per pixel) into a synthetic dataset that already holds 20,000 images, run as a
/// workspace job (supervisor, child worker, commits recorded in the catalog), against
/// `synthstudio render --out` making the same units into a copy of the same dataset. Printed:
/// images/s over the job's first and last 1,000 units (their ratio: 1.0 means a commit costs the
/// same at 20,000 and at 39,000 images), and the whole job's throughput against the direct
/// render's. Turns alternate (job, render, job, render) on fresh copies; medians are compared.
struct JobsBench {
    let binary: String
    let units: Int
    let existing: Int
    let folder: String
    let recipe = "sample-data/scenes/street.yaml"

    func run(turns: Int = 2) throws {
        let base = "\(folder)/base"
        if !FileManager.default.fileExists(atPath: "\(base)/.complete") {
            try? FileManager.default.removeItem(atPath: base)
            try FileIO.createDirectory("\(base)/synthetic")
            print("rendering the \(existing) images the dataset starts with (once) …")
            try command([
                binary, "render", "--recipe", recipe, "--out", "\(base)/synthetic/street", "--count", "\(existing)", "--seed", "1",
                "--size", "96x72", "--spp", "1",
            ])
            try "name: bench\ndatasets:\n  - name: street\n    path: synthetic/street\n    format: coco\n    origin: synthetic\n".write(
                toFile: "\(base)/studio.yaml", atomically: true, encoding: .utf8)
            _ = FileManager.default.createFile(atPath: "\(base)/.complete", contents: nil)
        }
        print(
            "\nCommits as the dataset grows: \(units) rendered units (96×72, 1 spp) into a dataset of \(existing), \(ProcessInfo.processInfo.activeProcessorCount) cores"
        )
        var jobs: [Turn] = []
        var direct: [Double] = []
        for turn in 1...turns {
            let job = try jobTurn(base: base)
            jobs.append(job)
            print(
                String(
                    format: "  turn %d  job: %7.1f images/s whole, first 1,000 %7.1f, last 1,000 %7.1f (last/first %.2f)", turn, job.whole,
                    job.first, job.last, job.last / job.first))
            let cli = try directTurn(base: base)
            direct.append(cli)
            print(String(format: "  turn %d  synthstudio render --out: %7.1f images/s whole", turn, cli))
        }
        let whole = median(jobs.map(\.whole)), cli = median(direct)
        let steady = median(jobs.map { $0.last / $0.first })
        print(String(format: "  median  job %.1f images/s, render --out %.1f → job/render %.2f (goal ≥ 0.90)", whole, cli, whole / cli))
        print(String(format: "  median  last 1,000 / first 1,000 units: %.2f (goal ≥ 0.90)", steady))
    }

    struct Turn {
        var whole: Double
        var first: Double
        var last: Double
    }

    /// A fresh copy of the base workspace, indexed (the catalog the job appends to).
    private func fresh(_ base: String) throws -> String {
        let copy = "\(folder)/turn"
        try? FileManager.default.removeItem(atPath: copy)
        try command(["/bin/cp", "-a", base, copy])
        try? FileManager.default.removeItem(atPath: "\(copy)/.studio")
        return copy
    }

    private func jobTurn(base: String) throws -> Turn {
        let ws = try fresh(base)
        try command([binary, "index", ws])
        let started = Date()
        let id = try command([
            binary, "jobs", "start", "render", "--workspace", ws, "--dataset", "street", "--recipe", recipe, "--count", "\(units)",
            "--seed",
            "2", "--set", "size=96x72", "--set", "spp=1",
        ]).trimmingCharacters(in: .whitespacesAndNewlines)
        let catalog = try Catalog.open(workspace: ws)
        // When the job had committed k units, polled every 20 ms.
        var reached: [(done: Int, time: Double)] = []
        while true {
            guard let job = try catalog.jobs(id: id).first else { throw BenchError("no job \(id)") }
            reached.append((job.done, Date().timeIntervalSince(started)))
            if !["queued", "running"].contains(job.state) {
                guard job.state == "succeeded", job.done == units else { throw BenchError("the job ended \(job.state) at \(job.done)") }
                break
            }
            usleep(20_000)
        }
        let total = Date().timeIntervalSince(started)
        func time(_ k: Int) -> Double { reached.first { $0.done >= k }?.time ?? total }
        let firstStart = time(1), lastStart = time(units - 1000)
        return Turn(
            whole: Double(units) / total, first: 1000 / max(1e-3, time(1001) - firstStart), last: 1000 / max(1e-3, time(units) - lastStart))
    }

    private func directTurn(base: String) throws -> Double {
        let ws = try fresh(base)
        let started = Date()
        try command([
            binary, "render", "--recipe", recipe, "--out", "\(ws)/synthetic/street", "--count", "\(units)", "--seed", "2", "--size",
            "96x72",
            "--spp", "1",
        ])
        return Double(units) / Date().timeIntervalSince(started)
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Runs a command to its end; its stdout. Fails on a non-zero exit.
    @discardableResult
    private func command(_ argv: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("\(argv.joined(separator: " ")) exited \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
