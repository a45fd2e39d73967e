internal import Dispatch
internal import Foundation

/// Runs a job's units in two overlapping stages: `produce` computes unit *n* on the calling
/// thread (the renderer spreads it over every core) while the previous unit's write stage —
/// labels, PNG encoding, files — runs on a background thread, so the cores a serial write
/// would leave idle render instead. `landed` is told each unit, in order, once its write has
/// finished. When a stage fails, the unit already being written is finished and landed, no
/// further unit starts, and the error is rethrown. When `shouldStop` turns true (checked before
/// each unit starts), the unit being written lands and the run returns.
public enum UnitPipeline {
    /// Writes one produced unit.
    public typealias Write = @Sendable () throws -> Void

    public static func run(
        _ indices: [Int], shouldStop: () -> Bool = { false }, produce: (Int) throws -> Write, landed: (Int) throws -> Void
    ) throws {
        let writer = DispatchQueue(label: "synthstudio.unit-writer")
        let group = DispatchGroup()
        let failure = Failure()
        var inFlight: Int?
        /// Waits for the unit being written; lands it, or throws what its write threw.
        func settle() throws {
            group.wait()
            if let error = failure.error { throw error }
            if let index = inFlight {
                inFlight = nil
                try landed(index)
            }
        }
        for index in indices {
            if shouldStop() { break }
            let write: Write
            do { write = try produce(index) } catch {
                try settle()
                throw error
            }
            try settle()
            inFlight = index
            writer.async(group: group) {
                do { try write() } catch { failure.record(error) }
            }
        }
        try settle()
    }

    /// The first error a write threw.
    private final class Failure: @unchecked Sendable {
        private let lock = NSLock()
        private var first: (any Error)?

        var error: (any Error)? { lock.withLock { first } }

        func record(_ error: any Error) { lock.withLock { first = first ?? error } }
    }
}
