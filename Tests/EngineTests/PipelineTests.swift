import Engine
import Foundation
import Glibc
import TestSupport
import Testing

@Suite("Producing units while the previous one is written")
struct UnitPipelineTests {
    struct Failed: Error, Equatable { let index: Int }

    /// What happened, in order, from both threads.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [String] = []
        func add(_ entry: String) { lock.withLock { entries.append(entry) } }
        var all: [String] { lock.withLock { entries } }
    }

    @Test("every unit is produced, written and landed, in order; a unit lands only after its write")
    func order() throws {
        let log = Log()
        var landed: [Int] = []
        try UnitPipeline.run(
            [4, 7, 9, 12],
            produce: { index in
                log.add("produce \(index)")
                return { log.add("write \(index)") }
            }
        ) { index in
            #expect(log.all.contains("write \(index)"))
            landed.append(index)
        }
        #expect(landed == [4, 7, 9, 12])
        let all = log.all
        for index in [4, 7, 9, 12] {
            let produced = try #require(all.firstIndex(of: "produce \(index)")),
                written = try #require(all.firstIndex(of: "write \(index)"))
            #expect(produced < written)
        }
    }

    @Test("a failing write stops the run: what was written before lands, nothing more is produced, the error comes out")
    func writeFails() {
        let log = Log()
        var landed: [Int] = []
        #expect(throws: Failed(index: 2)) {
            try UnitPipeline.run(
                Array(0..<6),
                produce: { index in
                    log.add("produce \(index)")
                    return {
                        if index == 2 { throw Failed(index: 2) }
                    }
                }
            ) { landed.append($0) }
        }
        #expect(landed == [0, 1])
        // The unit after the failing one may have been produced while it was written; no later one.
        #expect(!log.all.contains("produce 4"))
    }

    @Test("a failing produce lands the unit being written, then throws")
    func produceFails() {
        var landed: [Int] = []
        #expect(throws: Failed(index: 3)) {
            try UnitPipeline.run(
                Array(0..<6),
                produce: { index in
                    if index == 3 { throw Failed(index: 3) }
                    return {}
                }
            ) { landed.append($0) }
        }
        #expect(landed == [0, 1, 2])
    }
}

@Suite("Supervisor processes")
struct SupervisorProcessTests {
    /// The state letter of `/proc/<pid>/stat` (`Z` for a zombie), nil when the process is gone.
    static func state(_ pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(close, offsetBy: 2)...].first
    }

    @Test("a supervisor this process started and that has ended is reaped, not left a zombie")
    func noZombies() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir.path)/.studio", withIntermediateDirectories: true)
        // `true jobs supervise …` ends at once, as a supervisor does when its queue is empty.
        let pid = try #require(try Supervisor.ensureRunning(workspace: dir.path, executable: "/bin/true", limit: 1))
        var ended = false
        for _ in 0..<100 where !ended {
            ended = Self.state(pid) == "Z"
            if !ended { usleep(20_000) }
        }
        #expect(ended, "the child ended (and, not yet reaped, is a zombie)")
        // What the studio calls every second while it polls jobs.
        #expect(!Supervisor.isRunning(workspace: dir.path))
        #expect(Self.state(pid) == nil, "reaped")
    }
}
