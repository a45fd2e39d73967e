/// Where a job is in its life.
public enum JobState: String, Sendable, Hashable, CaseIterable {
    case queued
    case running
    case succeeded
    case failed
    case cancelled
    /// Its worker died without saying so (machine rebooted, supervisor killed): resumable.
    case interrupted

    public var isFinal: Bool { self != .queued && self != .running }
}

/// A job as the catalog records it.
public struct JobRecord: Sendable, Hashable {
    public let id: String
    public let kind: JobSpec.Kind
    public var state: JobState
    public let dataset: String?
    public var done: Int
    public var total: Int
    /// The worker's process id while running.
    public var pid: Int32?
    public var exitStatus: Int32?
    public let created: Double
    public var updated: Double
}
